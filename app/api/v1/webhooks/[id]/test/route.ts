// POST /api/v1/webhooks/{id}/test — 202 {delivery, eventId} (admin): queues a `webhook.test`
// delivery, sent by the worker like any other (signed, retried, logged), so the answer does not
// wait for the receiver; the delivery log shows how it went.
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { sendTestDelivery } from "@/lib/webhooks/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = apiRoute<{ id: string }>({ permission: "webhooks:manage" }, async ({ actor, params: { id } }) =>
  json(await sendTestDelivery(id, actor), { status: 202 }),
);
