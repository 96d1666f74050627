// POST /api/v1/tokens/{id}/revoke — the token stops working at once (admin).
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { revokeToken } from "@/lib/auth/admin";
import { recordAudit } from "@/lib/audit";

export const dynamic = "force-dynamic";

export const POST = apiRoute<{ id: string }>({ permission: "tokens:manage" }, async ({ actor, params: { id } }) => {
  const result = await revokeToken(id);
  await recordAudit(actor, "token.revoke", result.id);
  return json(result);
});
