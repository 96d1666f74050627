// POST /api/v1/webhooks — {url, events, minSeverity?} → 201 the webhook with its secret, shown this
// once (admin). The URL must be https and public unless DELEGRAPH_WEBHOOK_ALLOW_PRIVATE=1.
// GET  /api/v1/webhooks — every webhook without its secret, with its queue and newest delivery (admin).
import { apiRoute } from "@/lib/api-route";
import { ZCreateWebhook } from "@/lib/contracts/webhooks";
import { json } from "@/lib/http";
import { createWebhook, listWebhooks } from "@/lib/webhooks/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = apiRoute({ permission: "webhooks:manage", body: ZCreateWebhook }, async ({ actor, body }) =>
  // The secret is in this answer only: no cache may keep it.
  json(await createWebhook(body, actor), { status: 201, headers: { "cache-control": "no-store" } }),
);

export const GET = apiRoute({ permission: "webhooks:manage" }, async () => json(await listWebhooks()));
