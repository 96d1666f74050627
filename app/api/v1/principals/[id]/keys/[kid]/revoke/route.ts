// POST /api/v1/principals/{id}/keys/{kid}/revoke — {at?: NumericDate} (default now) → 200 (admin).
// Revoking twice keeps the earlier time; verdicts already given never change (docs/protocol.md §8).
import type { z } from "zod";
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { revokeKey } from "@/lib/principals/queries";
import { ZRevokeKey } from "@/lib/contracts/principals";
import { recordAudit } from "@/lib/audit";

export const dynamic = "force-dynamic";

export const POST = apiRoute<{ id: string; kid: string }, undefined, z.infer<typeof ZRevokeKey>>(
  { permission: "principals:write", body: ZRevokeKey },
  async ({ actor, params: { id, kid }, body }) => {
    const result = await revokeKey(id, kid, body.at ?? Date.now() / 1000);
    await recordAudit(actor, "key.revoke", `${id}#${kid}`, { revokedAt: result.revokedAt });
    return json(result);
  },
);
