// DELETE /api/v1/views/{id} — 204 (its owner; an admin for a shared view). Another's private view
// answers 404, as if it did not exist.
import { apiRoute } from "@/lib/api-route";
import { deleteView } from "@/lib/review/views";

export const dynamic = "force-dynamic";

export const DELETE = apiRoute<{ id: string }>({ permission: "chains:read" }, async ({ actor, params: { id } }) => {
  await deleteView(id, actor);
  return new Response(null, { status: 204 });
});
