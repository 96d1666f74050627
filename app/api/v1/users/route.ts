// GET  /api/v1/users — dashboard users (admin).
// POST /api/v1/users — {email, name?, role, password} → 201 (admin).
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { createUser, listUsers } from "@/lib/auth/admin";
import { ZCreateUser } from "@/lib/contracts/admin";
import { recordAudit } from "@/lib/audit";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ permission: "users:manage" }, async () => json(await listUsers()));

export const POST = apiRoute({ permission: "users:manage", body: ZCreateUser }, async ({ actor, body }) => {
  const user = await createUser(body);
  await recordAudit(actor, "user.create", user.email, { role: user.role });
  return json(user, { status: 201 });
});
