// POST /api/v1/tokens — {name, role} → 201 {token, …}: the token is shown once, stored hashed (admin).
// GET  /api/v1/tokens — tokens without their secrets (admin).
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { issueToken, listTokens } from "@/lib/auth/admin";
import { ZCreateToken } from "@/lib/contracts/admin";
import { recordAudit } from "@/lib/audit";

export const dynamic = "force-dynamic";

export const POST = apiRoute({ permission: "tokens:manage", body: ZCreateToken }, async ({ actor, body }) => {
  const created = await issueToken(body, actor);
  await recordAudit(actor, "token.create", created.id, { name: created.name, role: created.role });
  // The token is shown this once: no cache may keep it.
  return json(created, { status: 201, headers: { "cache-control": "no-store" } });
});

export const GET = apiRoute({ permission: "tokens:manage" }, async () => json(await listTokens()));
