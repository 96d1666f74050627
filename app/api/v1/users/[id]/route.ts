// PATCH /api/v1/users/{id} — {role?, password?, disabled?} (admin). Ends the user's sessions on change.
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { updateUser } from "@/lib/auth/admin";
import { ZUpdateUser, type TUpdateUser } from "@/lib/contracts/admin";
import { recordAudit } from "@/lib/audit";

export const dynamic = "force-dynamic";

export const PATCH = apiRoute<{ id: string }, undefined, TUpdateUser>(
  { permission: "users:manage", body: ZUpdateUser },
  async ({ actor, params: { id }, body }) => {
    const user = await updateUser(id, body);
    await recordAudit(actor, "user.update", user.email, { role: body.role, disabled: body.disabled, passwordChanged: !!body.password });
    return json(user);
  },
);
