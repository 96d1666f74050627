// POST /api/v1/aip/identities — register an AIP identity by its document (admin; shared/spec/aip-import.md §2–§3).
// Body {"document": <as published>, "kind"?: agent|human|tool|attester}. The document is judged
// first (400 invalid_request naming the reason), so a 409 answers only an acceptable document
// whose id exists. Nothing is fetched from the web.
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { registerAipIdentity } from "@/lib/aip/identities";
import { ZAipIdentityBody } from "@/lib/contracts/aip";
import { recordAudit } from "@/lib/audit";

export const dynamic = "force-dynamic";

export const POST = apiRoute({ permission: "principals:write", body: ZAipIdentityBody }, async ({ actor, body }) => {
  const created = await registerAipIdentity(body);
  await recordAudit(actor, "aip.identity.register", created.principal.id, { form: created.signatureForm, keys: created.keys.map((k) => k.kid) });
  return json(created, { status: 201 });
});
