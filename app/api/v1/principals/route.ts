// POST /api/v1/principals — register a principal with its public keys (admin). 409 if the id exists.
// GET  /api/v1/principals?q&cursor&limit — list principals (readers).
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { createPrincipal, listPrincipals } from "@/lib/principals/queries";
import { ZCreatePrincipal, ZPrincipalListQuery } from "@/lib/contracts/principals";
import { recordAudit } from "@/lib/audit";

export const dynamic = "force-dynamic";

export const POST = apiRoute({ permission: "principals:write", body: ZCreatePrincipal }, async ({ actor, body }) => {
  const created = await createPrincipal(body);
  await recordAudit(actor, "principal.create", created.id, { kind: created.kind, keys: created.keys.map((k) => k.kid) });
  return json(created, { status: 201 });
});

export const GET = apiRoute({ permission: "chains:read", query: ZPrincipalListQuery }, async ({ query }) => json(await listPrincipals(query)));
