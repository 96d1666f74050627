// The webhook worker (docs/review.md#delivery): runs in the server process (instrumentation.ts starts
// it), apart from every request. Each tick it
//   1. scans for new findings and queues finding.created deliveries (lib/db/stores/webhooks.ts),
//   2. claims due deliveries, at most CONCURRENCY in flight, and POSTs each with a timeout,
//   3. now and then marks deliveries past their expiry as expired.
// Nothing here is awaited by ingest or by a review change: they write rows (the scan reads what
// ingest committed; a review change queues its notification after its own commit) and at most kick
// the worker. A receiver that is down only makes rows wait: they stay queued in the database, are
// retried with exponential backoff, and survive a restart (a claim is a lease that runs out).
import { stores } from "@/lib/db";
import type { TDeliveryRow, TWebhookRow } from "@/lib/db/stores/webhooks";
import { SIGNATURE_HEADER } from "@/lib/contracts/webhooks";
import { env } from "@/lib/env";
import { retryDelayMs } from "./backoff";
import { planFindingDeliveries } from "./payloads";
import { signatureHeader } from "./signing";
import { checkResolvedHost } from "./url";

/** Deliveries in flight at once, across all webhooks. */
export const CONCURRENCY = 4;
/** A receiver has this long to answer (headers); then the try counts as failed. */
export const TIMEOUT_MS = 10_000;
/** The longest wait between tries of one delivery. */
export const MAX_RETRY_MS = 3600_000;
const POLL_MS = 1000;
const SCAN_BATCH = 500;
const SCAN_STEPS_PER_TICK = 10;
const EXPIRE_EVERY_MS = 60_000;
const USER_AGENT = "Delegraph-Webhooks/1";

type TWorker = { timer: NodeJS.Timeout | null; ticking: boolean; again: boolean; inFlight: number; lastExpire: number; lastErrorLog: number };
const globalForWorker = globalThis as unknown as { delegraphWebhookWorker?: TWorker };
const state = (): TWorker =>
  (globalForWorker.delegraphWebhookWorker ??= { timer: null, ticking: false, again: false, inFlight: 0, lastExpire: 0, lastErrorLog: 0 });

/** Starts the worker in this process (once; later calls do nothing). */
export function startWebhookWorker(): void {
  const w = state();
  if (w.timer) return;
  w.timer = setInterval(() => void tick(), POLL_MS);
  w.timer.unref();
  void tick();
}

export function stopWebhookWorker(): void {
  const w = state();
  if (w.timer) clearInterval(w.timer);
  w.timer = null;
}

/** Something was queued: look now rather than at the next poll (only where the worker runs). */
export function kickWebhookWorker(): void {
  if (state().timer) setImmediate(() => void tick());
}

async function tick(): Promise<void> {
  const w = state();
  if (w.ticking) {
    w.again = true;
    return;
  }
  w.ticking = true;
  try {
    do {
      w.again = false;
      await step(w);
    } while (w.again);
  } catch (error) {
    // The database may be away for a while (docs/operations.md): say so once a minute, not every second.
    if (Date.now() - w.lastErrorLog > 60_000) {
      w.lastErrorLog = Date.now();
      console.error(`[delegraph] webhook worker: ${(error as Error).message}`);
    }
  } finally {
    w.ticking = false;
  }
}

async function step(w: TWorker): Promise<void> {
  const s = await stores();
  const config = env();
  const now = new Date();
  if (now.getTime() - w.lastExpire > EXPIRE_EVERY_MS) {
    w.lastExpire = now.getTime();
    await s.webhooks.expire(now);
  }
  const times = { now, expireHours: config.DELEGRAPH_WEBHOOK_EXPIRE_HOURS };
  for (let i = 0; i < SCAN_STEPS_PER_TICK; i++) {
    const r = await s.webhooks.scanFindings(SCAN_BATCH, (findings, subscribers) => planFindingDeliveries(findings, subscribers, times));
    if (!r.more) break;
  }
  const free = CONCURRENCY - w.inFlight;
  if (free <= 0) return;
  const due = await s.webhooks.due(now, free);
  if (due.length === 0) return;
  const hooks = new Map((await s.webhooks.list()).map((h) => [h.id, h]));
  for (const d of due) {
    if (w.inFlight >= CONCURRENCY) break;
    // The lease outlives the try (resolution, the timeout, writing the outcome); a worker that dies
    // holding it leaves the row to be taken again after it runs out.
    if (!(await s.webhooks.claim(d.id, now, new Date(now.getTime() + TIMEOUT_MS + 30_000)))) continue;
    const hook = hooks.get(d.webhookId);
    if (!hook) continue;
    w.inFlight++;
    void deliver(d, hook)
      .catch((error) => console.error(`[delegraph] webhook delivery ${d.id}: ${(error as Error).message}`))
      .finally(() => {
        w.inFlight--;
        kickWebhookWorker();
      });
  }
}

/** What one try ended with: an HTTP status, or an error before any answer. */
export type TTryResult = { httpStatus: number | null; error: string | null; durationMs: number };

/** One POST of a delivery, signed now. Never throws: every failure is a result for the log. */
export async function sendDelivery(
  d: Pick<TDeliveryRow, "body" | "type" | "eventId">,
  hook: Pick<TWebhookRow, "url" | "secret">,
): Promise<TTryResult> {
  const started = Date.now();
  const refused = await checkResolvedHost(hook.url, env().DELEGRAPH_WEBHOOK_ALLOW_PRIVATE);
  if (refused) return { httpStatus: null, error: `not sent: ${refused}`, durationMs: Date.now() - started };
  try {
    const t = Math.floor(Date.now() / 1000);
    const res = await fetch(hook.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        [SIGNATURE_HEADER]: signatureHeader(hook.secret, t, d.body),
        "Delegraph-Event": d.type,
        "Delegraph-Delivery": d.eventId,
      },
      body: d.body,
      // A redirect is a failure to fix at the receiver, not a hop to follow (it could point anywhere).
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.body?.cancel().catch(() => undefined);
    const ok = res.status >= 200 && res.status < 300;
    return { httpStatus: res.status, error: ok ? null : `HTTP ${res.status}`, durationMs: Date.now() - started };
  } catch (error) {
    return { httpStatus: null, error: describeFetchError(error), durationMs: Date.now() - started };
  }
}

function describeFetchError(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError") return `no answer within ${TIMEOUT_MS / 1000} s`;
  const cause = e.cause?.code ?? e.cause?.message;
  return (cause ? `${e.message ?? "fetch failed"} (${cause})` : (e.message ?? "fetch failed")).slice(0, 500);
}

async function deliver(d: TDeliveryRow, hook: TWebhookRow): Promise<void> {
  const s = await stores();
  const result = await sendDelivery(d, hook);
  const at = new Date();
  const attempts = d.attempts + 1;
  const ok = result.httpStatus !== null && result.httpStatus >= 200 && result.httpStatus < 300;
  const next = new Date(at.getTime() + retryDelayMs(attempts, { baseMs: env().DELEGRAPH_WEBHOOK_RETRY_BASE_MS, maxMs: MAX_RETRY_MS }));
  // A delivery whose next try would fall after its expiry expires now rather than waiting to.
  const status = ok ? "delivered" : next.getTime() > d.expiresAt.getTime() ? "expired" : "queued";
  await s.webhooks.recordAttempt(
    d.id,
    { at, durationMs: result.durationMs, httpStatus: result.httpStatus, error: result.error },
    {
      status,
      attempts,
      nextAttemptAt: ok ? at : next,
      deliveredAt: ok ? at : null,
      lastStatus: result.httpStatus,
      lastError: result.error,
    },
  );
}
