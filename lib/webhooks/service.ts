// Outgoing webhooks (docs/review.md#webhooks): admins make, list and delete receivers, send a test
// and read each one's delivery log; the review workflow calls `notify` after it commits a change.
import { randomBytes } from "node:crypto";
import { recordAudit } from "@/lib/audit";
import type { TActor } from "@/lib/auth/authenticate";
import type {
  TCreateWebhook,
  TCreatedWebhook,
  TWebhook,
  TWebhookDeliveriesQuery,
  TWebhookDelivery,
  TWebhookDeliveryPage,
  TWebhookDeliveryStatus,
  TWebhookDeliveryType,
  TWebhookEvent,
  TWebhookList,
  TWebhookTestQueued,
} from "@/lib/contracts/webhooks";
import { stores } from "@/lib/db";
import type { TAttemptRow, TDeliveryRow, TWebhookRow, TWebhookSummary } from "@/lib/db/stores/webhooks";
import { env } from "@/lib/env";
import { AppError } from "@/lib/http";
import type { TSeverity } from "@/lib/protocol/types";
import { deliveriesFor, eventsOf, newEventId } from "./payloads";
import { newWebhookSecret } from "./signing";
import { checkWebhookUrl } from "./url";
import { kickWebhookWorker } from "./worker";

/** At most this many webhooks: each notification is one queued row per webhook. */
export const MAX_WEBHOOKS = 50;

function toWebhook(w: TWebhookRow, summary?: TWebhookSummary): TWebhook {
  const last = summary?.last ?? null;
  return {
    id: w.id,
    url: w.url,
    events: eventsOf(w),
    minSeverity: (w.minSeverity as TSeverity | null) ?? null,
    createdAt: w.createdAt.toISOString(),
    createdBy: w.createdBy,
    queued: summary?.queued ?? 0,
    lastDelivery: last
      ? { status: last.status as TWebhookDeliveryStatus, createdAt: last.createdAt.toISOString(), httpStatus: last.lastStatus, error: last.lastError }
      : null,
  };
}

function toDelivery(d: TDeliveryRow & { log: TAttemptRow[] }): TWebhookDelivery {
  return {
    id: d.id,
    eventId: d.eventId,
    type: d.type as TWebhookDeliveryType,
    status: d.status as TWebhookDeliveryStatus,
    createdAt: d.createdAt.toISOString(),
    attempts: d.attempts,
    nextAttemptAt: d.status === "queued" ? d.nextAttemptAt.toISOString() : null,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    expiresAt: d.expiresAt.toISOString(),
    log: d.log.map((a) => ({ at: a.at.toISOString(), durationMs: a.durationMs, httpStatus: a.httpStatus, error: a.error })),
  };
}

async function requireWebhook(id: string): Promise<TWebhookRow> {
  const w = await (await stores()).webhooks.get(id);
  if (!w) throw new AppError("not_found", `No webhook ${id}.`);
  return w;
}

export async function createWebhook(body: TCreateWebhook, actor: TActor): Promise<TCreatedWebhook> {
  const checked = checkWebhookUrl(body.url, env().DELEGRAPH_WEBHOOK_ALLOW_PRIVATE);
  if (!checked.ok) throw new AppError("invalid_request", checked.message);
  const s = await stores();
  if ((await s.webhooks.list()).length >= MAX_WEBHOOKS) throw new AppError("conflict", `At most ${MAX_WEBHOOKS} webhooks; delete one first.`);
  const row = await s.webhooks.create({
    id: `wh_${randomBytes(9).toString("base64url")}`,
    url: checked.url,
    events: body.events.join(","),
    minSeverity: body.minSeverity ?? null,
    secret: newWebhookSecret(),
    createdAt: new Date(),
    createdBy: `${actor.kind}:${actor.name}`,
  });
  // The secret is never written to the self-audit: it is in this answer only.
  await recordAudit(actor, "webhook.create", row.id, { url: row.url, events: body.events, minSeverity: row.minSeverity ?? undefined });
  return { ...toWebhook(row), secret: row.secret };
}

export async function listWebhooks(): Promise<TWebhookList> {
  const s = await stores();
  const rows = await s.webhooks.list();
  const summaries = await s.webhooks.summaries(rows.map((r) => r.id));
  return { items: rows.map((r, i) => toWebhook(r, summaries[i])) };
}

export async function deleteWebhook(id: string, actor: TActor): Promise<void> {
  const w = await requireWebhook(id);
  await (await stores()).webhooks.remove(id);
  await recordAudit(actor, "webhook.delete", id, { url: w.url });
}

/** A `webhook.test` delivery through the same queue, signature and retries as every other. */
export async function sendTestDelivery(id: string, actor: TActor): Promise<TWebhookTestQueued> {
  const w = await requireWebhook(id);
  const eventId = newEventId();
  const rows = deliveriesFor(
    [w],
    "webhook.test",
    {
      webhook: w.id,
      url: w.url,
      requestedBy: `${actor.kind}:${actor.name}`,
      message: "A test delivery from Delegraph: the signature checks out if you can read this.",
    },
    { now: new Date(), expireHours: env().DELEGRAPH_WEBHOOK_EXPIRE_HOURS },
    undefined,
    eventId,
  );
  const [delivery] = await (await stores()).webhooks.enqueue(rows);
  await recordAudit(actor, "webhook.test", id, { delivery, eventId });
  kickWebhookWorker();
  return { delivery, eventId };
}

export async function listDeliveries(id: string, q: TWebhookDeliveriesQuery): Promise<TWebhookDeliveryPage> {
  await requireWebhook(id);
  const { rows, total } = await (await stores()).webhooks.deliveries(id, q.limit);
  return { items: rows.map(toDelivery), total };
}

/**
 * Queues a notification for every webhook that wants it. Called after the change it reports has
 * committed; a failure here is logged and does not undo or fail that change (the reviewer's
 * decision stands; docs/review.md says what a receiver may miss).
 */
export async function notify(type: TWebhookEvent, data: Record<string, unknown>, severity?: string): Promise<void> {
  try {
    const s = await stores();
    const rows = deliveriesFor(await s.webhooks.list(), type, data, { now: new Date(), expireHours: env().DELEGRAPH_WEBHOOK_EXPIRE_HOURS }, severity);
    if (rows.length === 0) return;
    await s.webhooks.enqueue(rows);
    kickWebhookWorker();
  } catch (error) {
    console.error(`[delegraph] queueing a ${type} webhook notification failed: ${(error as Error).message}`);
  }
}
