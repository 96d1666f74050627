// What a delivery says (docs/review.md#payloads): `{id, type, createdAt, data}`, one notification
// id shared by every webhook it goes to (a receiver that hears it twice, after a retry whose answer
// was lost, drops the second by id), and which webhooks a notification goes to.
import { randomBytes } from "node:crypto";
import type { TWebhookDeliveryType, TWebhookEvent, TWebhookPayload } from "@/lib/contracts/webhooks";
import type { TDeliveryInsert, TScanFinding, TWebhookRow } from "@/lib/db/stores/webhooks";
import { severityRank } from "@/lib/protocol/grammar";
import type { TSeverity } from "@/lib/protocol/types";

export const newEventId = () => `evt_${randomBytes(12).toString("base64url")}`;

/** A finding as every payload names it: `id` is the id GET /api/v1/findings lists. */
export type TPayloadFinding = { id: number | string; chain: string; event: string; code: string; severity: string; message: string };

export function findingOf(f: TScanFinding): TPayloadFinding {
  return { id: f.id, chain: f.chainId, event: f.eventJti, code: f.code, severity: f.severity, message: f.message };
}

export const eventsOf = (w: Pick<TWebhookRow, "events">) => w.events.split(",").filter(Boolean) as TWebhookEvent[];

/** Whether the webhook wants this notification: subscribed to its type, and for a new finding, severe enough. */
export function wants(w: Pick<TWebhookRow, "events" | "minSeverity">, type: TWebhookDeliveryType, severity?: string): boolean {
  if (type === "webhook.test") return true;
  if (!eventsOf(w).includes(type)) return false;
  if (type !== "finding.created" || !w.minSeverity || !severity) return true;
  return severityRank(severity as TSeverity) <= severityRank(w.minSeverity as TSeverity);
}

export type TQueueTimes = { now: Date; expireHours: number };

/** The JSON body (the bytes that are signed and sent, the same at every try). */
export function payloadBody(id: string, type: TWebhookDeliveryType, createdAt: Date, data: Record<string, unknown>): string {
  const payload: TWebhookPayload = { id, type, createdAt: createdAt.toISOString(), data };
  return JSON.stringify(payload);
}

/** One notification to every webhook that wants it, as rows of the queue (due at once). */
export function deliveriesFor(
  webhooks: TWebhookRow[],
  type: TWebhookDeliveryType,
  data: Record<string, unknown>,
  times: TQueueTimes,
  severity?: string,
  eventId = newEventId(),
): TDeliveryInsert[] {
  const targets = webhooks.filter((w) => wants(w, type, severity));
  if (targets.length === 0) return [];
  const body = payloadBody(eventId, type, times.now, data);
  const expiresAt = new Date(times.now.getTime() + times.expireHours * 3600_000);
  return targets.map((w) => ({ webhookId: w.id, eventId, type, body, createdAt: times.now, nextAttemptAt: times.now, expiresAt }));
}

/** The scan's plan: a finding.created for each new finding, to each subscriber it is severe enough for. */
export function planFindingDeliveries(findings: TScanFinding[], subscribers: TWebhookRow[], times: TQueueTimes): TDeliveryInsert[] {
  return findings.flatMap((f) => deliveriesFor(subscribers, "finding.created", { finding: findingOf(f) }, times, f.severity));
}
