// POST /api/v1/principals/{id}/keys/{kid}/revoke — {at?: NumericDate} (default now) → 200 (admin).
// Revoking twice keeps the earlier time; verdicts already given never change (spec §8).
import { apiRoute } from "@/lib/api-route";
import { json, readJson } from "@/lib/http";
import { revokeKey, ZRevokeKey } from "@/lib/registry/principals";
import { recordAudit } from "@/lib/audit";

export const dynamic = "force-dynamic";

export const POST = apiRoute<{ id: string; kid: string }>("principals:write", async (req, actor, { id, kid }) => {
  const body = await readJson(req, ZRevokeKey);
  const principalId = id;
  const keyId = kid;
  const result = await revokeKey(principalId, keyId, body.at ?? Date.now() / 1000);
  await recordAudit(actor, "key.revoke", `${principalId}#${keyId}`, { revokedAt: result.revokedAt });
  return json(result);
});
