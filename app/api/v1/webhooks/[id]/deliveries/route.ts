// GET /api/v1/webhooks/{id}/deliveries?limit — the delivery log (admin): the newest deliveries with
// every try (time, duration, HTTP status or error), and `total`, so a cut list says what it leaves out.
import { apiRoute } from "@/lib/api-route";
import { ZWebhookDeliveriesQuery, type TWebhookDeliveriesQuery } from "@/lib/contracts/webhooks";
import { json } from "@/lib/http";
import { listDeliveries } from "@/lib/webhooks/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }, TWebhookDeliveriesQuery>(
  { permission: "webhooks:manage", query: ZWebhookDeliveriesQuery },
  async ({ params: { id }, query }) => json(await listDeliveries(id, query), { headers: { "cache-control": "no-store" } }),
);
