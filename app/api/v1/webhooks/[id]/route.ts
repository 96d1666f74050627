// DELETE /api/v1/webhooks/{id} — 204 (admin). Its queued deliveries and its log go with it.
import { apiRoute } from "@/lib/api-route";
import { deleteWebhook } from "@/lib/webhooks/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const DELETE = apiRoute<{ id: string }>({ permission: "webhooks:manage" }, async ({ actor, params: { id } }) => {
  await deleteWebhook(id, actor);
  return new Response(null, { status: 204 });
});
