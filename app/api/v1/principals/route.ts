// POST /api/v1/principals — register a principal with its public keys (admin). 409 if the id exists.
// GET  /api/v1/principals?q&cursor&limit — list principals (readers).
import { z } from "zod";
import { apiRoute } from "@/lib/api-route";
import { json, readJson } from "@/lib/http";
import { createPrincipal, listPrincipals, ZCreatePrincipal } from "@/lib/registry/principals";
import { recordAudit } from "@/lib/audit";

export const dynamic = "force-dynamic";

const ZListQuery = z.object({
  q: z.string().trim().min(1).max(200).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().catch(50).transform((n) => Math.min(Math.max(n, 1), 200)).default(50),
});

export const POST = apiRoute("principals:write", async (req, actor) => {
  const input = await readJson(req, ZCreatePrincipal);
  const created = await createPrincipal(input);
  await recordAudit(actor, "principal.create", created.id, { kind: created.kind, keys: created.keys.map((k) => k.kid) });
  return json(created, { status: 201 });
});

export const GET = apiRoute("chains:read", async (req) => {
  const query = ZListQuery.parse(Object.fromEntries(req.nextUrl.searchParams));
  return json(await listPrincipals(query));
});
