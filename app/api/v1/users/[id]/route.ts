// PATCH /api/v1/users/{id} — {role?, password?, disabled?} (admin). Ends the user's sessions on change.
import { apiRoute } from "@/lib/api-route";
import { json, readJson } from "@/lib/http";
import { updateUser, ZUpdateUser } from "@/lib/auth/admin";
import { recordAudit } from "@/lib/audit";

export const dynamic = "force-dynamic";

export const PATCH = apiRoute<{ id: string }>("users:manage", async (req, actor, { id }) => {
  const input = await readJson(req, ZUpdateUser);
  const user = await updateUser(id, input);
  await recordAudit(actor, "user.update", user.email, { role: input.role, disabled: input.disabled, passwordChanged: !!input.password });
  return json(user);
});
