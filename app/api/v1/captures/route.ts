// POST /api/v1/captures — MCP request/response records and A2A task messages from a capture proxy
// or gateway (docs/observed.md, "Captures"). Who: admin and ingest tokens. Body: {"captures":
// [...]} (≤ 1000, ≤ 1 MiB). Each capture becomes observed spans (source "capture"); a capture that
// cannot be read is refused alone (its index and reason in `results`). The raw bearer token of a
// captured request is never stored: only its sub, azp/client_id, aud, scope and act claims. An AIP
// token presented with a call is verified as POST /api/v1/aip/tokens does (lib/observations/captures.ts).
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { ingestCaptures } from "@/lib/observations/captures";
import { ZCaptureBatch } from "@/lib/contracts/captures";

export const dynamic = "force-dynamic";

export const POST = apiRoute({ permission: "events:write", body: ZCaptureBatch }, async ({ body, actor }) =>
  json(await ingestCaptures(body.captures, Date.now(), `${actor.kind}:${actor.id}`)),
);
