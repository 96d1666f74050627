// PUT /api/v1/aip/identities/{id} — replace an AIP identity's document: key rotation (admin;
// shared/spec/aip-import.md §2). 404 for an unknown id, 400 as for POST; keys no longer listed get
// revokedAt = now, keys listed keep the document's windows.
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { replaceAipIdentity } from "@/lib/aip/identities";
import { ZAipIdentityBody } from "@/lib/contracts/aip";
import { recordAudit } from "@/lib/audit";

export const dynamic = "force-dynamic";

export const PUT = apiRoute<{ id: string }, undefined, typeof ZAipIdentityBody._output>(
  { permission: "principals:write", body: ZAipIdentityBody },
  async ({ actor, params: { id }, body }) => {
    const replaced = await replaceAipIdentity(id, body);
    await recordAudit(actor, "aip.identity.replace", id, { form: replaced.signatureForm, keys: replaced.keys.map((k) => k.kid) });
    return json(replaced);
  },
);
