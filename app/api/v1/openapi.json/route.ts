// GET /api/v1/openapi.json — the OpenAPI 3.1 document of /api/v1, built from the zod contracts the
// routes parse with (lib/openapi). Anyone may read it, without credentials: it is the public
// contract integrators generate clients from, and says nothing about the data.
import { json } from "@/lib/http";
import { openApiDocument } from "@/lib/openapi/document";

export const dynamic = "force-dynamic";

let cached: ReturnType<typeof openApiDocument> | null = null;

export function GET(req: Request) {
  cached ??= openApiDocument();
  // The address the client used (Host), as Next may rewrite req.url's host; behind a proxy that
  // says so, its scheme.
  const url = new URL(req.url);
  const proto = req.headers.get("x-forwarded-proto")?.split(",")[0].trim() || url.protocol.slice(0, -1);
  const origin = `${proto}://${req.headers.get("x-forwarded-host") ?? req.headers.get("host") ?? url.host}`;
  return json({ ...cached, servers: [{ url: origin }] }, { headers: { "cache-control": "public, max-age=300" } });
}
