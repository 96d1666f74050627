// Outgoing webhooks (docs/review.md#webhooks), admin-managed: POST/GET /api/v1/webhooks,
// DELETE /api/v1/webhooks/{id}, POST /api/v1/webhooks/{id}/test and the delivery log
// GET /api/v1/webhooks/{id}/deliveries. Shared by the routes, the dashboard and the SDK.
import { z } from "zod";
import { SEVERITIES } from "@/lib/protocol/grammar";
import type { TSeverity } from "@/lib/protocol/types";

/** What a webhook may subscribe to. */
export const WEBHOOK_EVENTS = ["finding.created", "finding.state_changed", "chain.signed_off"] as const;
export type TWebhookEvent = (typeof WEBHOOK_EVENTS)[number];
/** Every type a delivery may carry: the subscribable ones and the "send test" ping. */
export type TWebhookDeliveryType = TWebhookEvent | "webhook.test";

export const WEBHOOK_DELIVERY_STATUSES = ["queued", "delivered", "expired"] as const;
export type TWebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** The signature header of every delivery: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export const SIGNATURE_HEADER = "Delegraph-Signature";

/**
 * A new webhook. The URL is checked further by the server (https and a public host unless
 * DELEGRAPH_WEBHOOK_ALLOW_PRIVATE=1, no credentials in it); `minSeverity` filters finding.created.
 */
export const ZCreateWebhook = z
  .object({
    url: z.string().trim().min(1).max(2000),
    events: z
      .array(z.enum(WEBHOOK_EVENTS))
      .min(1, "Subscribe to at least one event.")
      .transform((e) => [...new Set(e)]),
    minSeverity: z.enum(SEVERITIES).optional(),
  })
  .strict();
export type TCreateWebhook = z.infer<typeof ZCreateWebhook>;

export type TWebhook = {
  id: string;
  url: string;
  events: TWebhookEvent[];
  minSeverity: TSeverity | null;
  createdAt: string;
  createdBy: string;
  /** deliveries waiting for the receiver (the first try or a retry) */
  queued: number;
  /** the newest delivery (when it was queued) and its outcome so far, for the list */
  lastDelivery: { status: TWebhookDeliveryStatus; createdAt: string; httpStatus: number | null; error: string | null } | null;
};
export type TWebhookList = { items: TWebhook[] };
/** The secret is in this answer only. */
export type TCreatedWebhook = TWebhook & { secret: string };

export type TWebhookAttempt = { at: string; durationMs: number; httpStatus: number | null; error: string | null };
export type TWebhookDelivery = {
  id: number;
  eventId: string;
  type: TWebhookDeliveryType;
  status: TWebhookDeliveryStatus;
  createdAt: string;
  attempts: number;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  expiresAt: string;
  /** every try, oldest first */
  log: TWebhookAttempt[];
};
/** The newest deliveries first; `total` counts them all, so a cut list says how many are not shown. */
export type TWebhookDeliveryPage = { items: TWebhookDelivery[]; total: number };
export type TWebhookTestQueued = { delivery: number; eventId: string };

export const ZWebhookDeliveriesQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }).strict();
export type TWebhookDeliveriesQuery = z.infer<typeof ZWebhookDeliveriesQuery>;

/** A delivery's JSON body (what receivers parse after checking the signature). */
export type TWebhookPayload = { id: string; type: TWebhookDeliveryType; createdAt: string; data: Record<string, unknown> };
