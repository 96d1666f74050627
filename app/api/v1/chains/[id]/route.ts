// GET /api/v1/chains/{id} — the whole chain model (nodes, hops, invocations, evidence, findings,
// events). Raw tokens only for roles that may read them (investigators and admins).
import { apiRoute } from "@/lib/api-route";
import { can } from "@/lib/auth/roles";
import { json } from "@/lib/http";
import { getChain } from "@/lib/chains/queries";
import { recordAudit } from "@/lib/audit";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>("chains:read", async (_req, actor, { id }) => {
  const chainId = id;
  const chain = await getChain(chainId, { includeRaw: can(actor.role, "raw:read") });
  if (actor.kind === "session") await recordAudit(actor, "chain.view", chainId);
  return json(chain);
});
