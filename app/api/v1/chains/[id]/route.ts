// GET /api/v1/chains/{id} — the whole chain model (nodes, hops, invocations, evidence, findings,
// events). Raw tokens only for roles that may read them (investigators and admins). The body is
// kept between reads while the chain is unchanged (lib/chains/detail-cache.ts), with a weak ETag:
// a poll that sends If-None-Match gets 304.
import { apiRoute } from "@/lib/api-route";
import { can } from "@/lib/auth/roles";
import { sendJson } from "@/lib/http";
import { readChainDetailBody } from "@/lib/chains/detail-cache";
import { recordAudit } from "@/lib/audit";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>({ permission: "chains:read" }, async ({ req, actor, params: { id } }) => {
  const body = await readChainDetailBody(id, { includeRaw: can(actor.role, "raw:read") });
  if (actor.kind === "session") await recordAudit(actor, "chain.view", id);
  return sendJson(req, body);
});
