// GET /api/v1/chains/{id} — the whole chain model (nodes, hops, invocations, evidence, findings,
// events). Raw tokens only with ?include=raw, and only for roles that may read them (investigators
// and admins; others get 403): without it every token is an empty string, which keeps a
// thousand-hop chain's answer a third smaller for the dashboard, which asks GET /api/v1/events/{jti}
// for the one it shows. The body is kept between reads while the chain is unchanged
// (lib/chains/detail-cache.ts), with a weak ETag: a poll that sends If-None-Match gets 304.
import { apiRoute } from "@/lib/api-route";
import { can } from "@/lib/auth/roles";
import { AppError, sendJson } from "@/lib/http";
import { readChainDetailBody } from "@/lib/chains/detail-cache";
import { ZChainDetailQuery } from "@/lib/contracts/chains";
import { recordAudit } from "@/lib/audit";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }, { include?: "raw" }>(
  { permission: "chains:read", query: ZChainDetailQuery },
  async ({ req, actor, query, params: { id } }) => {
    const includeRaw = query.include === "raw";
    if (includeRaw && !can(actor.role, "raw:read")) throw new AppError("forbidden", "Raw tokens are for investigators and admins.");
    const body = await readChainDetailBody(id, { includeRaw });
    if (actor.kind === "session") await recordAudit(actor, "chain.view", id);
    return sendJson(req, body);
  },
);
