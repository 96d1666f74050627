// GET /api/v1/investigate/resource?resource=<text> — who touched this resource (investigators).
import { z } from "zod";
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { whoTouchedResource } from "@/lib/chains/insights";

export const dynamic = "force-dynamic";

const ZQuery = z.object({ resource: z.string().trim().min(1).max(2048) });

export const GET = apiRoute("investigate", async (req) => {
  const { resource } = ZQuery.parse(Object.fromEntries(req.nextUrl.searchParams));
  return json(await whoTouchedResource(resource));
});
