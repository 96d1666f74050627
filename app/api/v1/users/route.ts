// GET  /api/v1/users — dashboard users (admin).
// POST /api/v1/users — {email, name?, role, password} → 201 (admin).
import { apiRoute } from "@/lib/api-route";
import { json, readJson } from "@/lib/http";
import { createUser, listUsers, ZCreateUser } from "@/lib/auth/admin";
import { recordAudit } from "@/lib/audit";

export const dynamic = "force-dynamic";

export const GET = apiRoute("users:manage", async () => json(await listUsers()));

export const POST = apiRoute("users:manage", async (req, actor) => {
  const user = await createUser(await readJson(req, ZCreateUser));
  await recordAudit(actor, "user.create", user.email, { role: user.role });
  return json(user, { status: 201 });
});
