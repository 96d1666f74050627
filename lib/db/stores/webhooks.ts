// The webhook store (docs/review.md#webhooks): receivers, the durable delivery queue with its log,
// and the scan that turns new Finding rows into finding.created deliveries. Shared by both databases
// (Prisma); the two raw statements (the backfill of announced findings, the newest delivery per
// webhook) are the same SQL on both.
import type { TDatabase } from "../connect";

export type TWebhookRow = {
  id: string;
  url: string;
  /** comma-separated event types */
  events: string;
  minSeverity: string | null;
  secret: string;
  createdAt: Date;
  createdBy: string;
};

export type TDeliveryInsert = {
  webhookId: string;
  eventId: string;
  type: string;
  body: string;
  createdAt: Date;
  nextAttemptAt: Date;
  expiresAt: Date;
};

export type TDeliveryRow = TDeliveryInsert & {
  id: number;
  status: string;
  attempts: number;
  lockedUntil: Date | null;
  deliveredAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
};

export type TAttemptRow = { id: number; deliveryId: number; at: Date; durationMs: number; httpStatus: number | null; error: string | null };

/** What a try changed: the delivery's new status, attempt count and next try (null when it is done). */
export type TAttemptOutcome = {
  status: "queued" | "delivered" | "expired";
  attempts: number;
  nextAttemptAt: Date;
  deliveredAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
};

export type TScanFinding = { id: number; chainId: string; eventJti: string; code: string; severity: string; message: string };

export type TWebhookSummary = { webhookId: string; queued: number; last: TDeliveryRow | null };

export type TWebhookStore = {
  /**
   * Stores a webhook. One that subscribes to finding.created while no other does first marks every
   * finding stored now as announced and moves the scan past them, in the same transaction: it is
   * told about findings from now on, and a later re-check of an old chain is not news to it.
   */
  create(row: TWebhookRow): Promise<TWebhookRow>;
  list(): Promise<TWebhookRow[]>;
  get(id: string): Promise<TWebhookRow | null>;
  /** false when there was no such webhook; its deliveries and their log go with it */
  remove(id: string): Promise<boolean>;
  /** queues deliveries; their ids, in order */
  enqueue(rows: TDeliveryInsert[]): Promise<number[]>;
  /** per webhook: how many deliveries are queued, and the newest delivery */
  summaries(webhookIds: string[]): Promise<TWebhookSummary[]>;
  /** the webhook's newest deliveries (with their tries, oldest first) and how many it has in all */
  deliveries(webhookId: string, take: number): Promise<{ rows: (TDeliveryRow & { log: TAttemptRow[] })[]; total: number }>;
  /** queued deliveries whose next try is due at `now` and that no worker holds, oldest due first */
  due(now: Date, take: number): Promise<TDeliveryRow[]>;
  /** takes a due delivery for a worker until `until`; false when another worker took it first */
  claim(id: number, now: Date, until: Date): Promise<boolean>;
  /** writes one try into the log and the delivery's new state (releasing the claim), together */
  recordAttempt(deliveryId: number, attempt: Omit<TAttemptRow, "id" | "deliveryId">, outcome: TAttemptOutcome): Promise<void>;
  /** queued deliveries past their expiry become `expired` (kept in the log); how many */
  expire(now: Date): Promise<number>;
  /**
   * One step of the new-finding scan: the Finding rows after the cursor (at most `take`), those
   * whose (event, code) was never announced marked announced, the deliveries `plan` makes of them
   * queued, and the cursor moved, in one transaction (a crash leaves all of it undone, so nothing is
   * skipped). Does nothing while no webhook subscribes to finding.created. Two workers running the
   * same step at once: the second one's cursor move finds the cursor moved and rolls back.
   */
  scanFindings(
    take: number,
    plan: (findings: TScanFinding[], subscribers: TWebhookRow[]) => TDeliveryInsert[],
  ): Promise<{ scanned: number; queued: number; more: boolean }>;
};

export const FINDING_CREATED = "finding.created";

// ON CONFLICT: two admins adding the first finding.created webhooks at once both backfill.
const BACKFILL_SEEN = `INSERT INTO "WebhookFindingSeen" ("eventJti", "code")
  SELECT DISTINCT f."eventJti", f."code" FROM "Finding" f
  WHERE NOT EXISTS (SELECT 1 FROM "WebhookFindingSeen" s WHERE s."eventJti" = f."eventJti" AND s."code" = f."code")
  ON CONFLICT DO NOTHING`;

class ScanRaced extends Error {}

export function createWebhookStore(db: TDatabase): TWebhookStore {
  const prisma = db.prisma;
  const subscribedToFindings = { events: { contains: FINDING_CREATED } };
  return {
    create: (row) =>
      prisma.$transaction(async (tx) => {
        if (row.events.split(",").includes(FINDING_CREATED) && (await tx.webhook.count({ where: subscribedToFindings })) === 0) {
          await tx.$executeRawUnsafe(BACKFILL_SEEN);
          const max = await tx.finding.aggregate({ _max: { id: true } });
          const findingId = max._max.id ?? 0;
          await tx.webhookScan.upsert({ where: { id: 1 }, create: { id: 1, findingId }, update: { findingId } });
        }
        return tx.webhook.create({ data: row });
      }),
    list: () => prisma.webhook.findMany({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
    get: (id) => prisma.webhook.findUnique({ where: { id } }),
    remove: async (id) => (await prisma.webhook.deleteMany({ where: { id } })).count > 0,
    enqueue: async (rows) => {
      if (rows.length === 0) return [];
      const created = await prisma.$transaction(
        rows.map((r) => prisma.webhookDelivery.create({ data: { ...r, status: "queued" }, select: { id: true } })),
      );
      return created.map((r) => r.id);
    },
    summaries: async (webhookIds) => {
      if (webhookIds.length === 0) return [];
      const [queued, newest] = await Promise.all([
        prisma.webhookDelivery.groupBy({ by: ["webhookId"], where: { webhookId: { in: webhookIds }, status: "queued" }, _count: { _all: true } }),
        prisma.webhookDelivery.groupBy({ by: ["webhookId"], where: { webhookId: { in: webhookIds } }, _max: { id: true } }),
      ]);
      const lastIds = newest.map((n) => n._max.id).filter((id): id is number => id !== null);
      const last = lastIds.length ? await prisma.webhookDelivery.findMany({ where: { id: { in: lastIds } } }) : [];
      return webhookIds.map((webhookId) => ({
        webhookId,
        queued: queued.find((q) => q.webhookId === webhookId)?._count._all ?? 0,
        last: last.find((d) => d.webhookId === webhookId) ?? null,
      }));
    },
    deliveries: async (webhookId, take) => {
      const [rows, total] = await Promise.all([
        prisma.webhookDelivery.findMany({ where: { webhookId }, orderBy: { id: "desc" }, take, include: { log: { orderBy: { id: "asc" } } } }),
        prisma.webhookDelivery.count({ where: { webhookId } }),
      ]);
      return { rows, total };
    },
    due: (now, take) =>
      prisma.webhookDelivery.findMany({
        where: { status: "queued", nextAttemptAt: { lte: now }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
        orderBy: [{ nextAttemptAt: "asc" }, { id: "asc" }],
        take,
      }),
    claim: async (id, now, until) =>
      (
        await prisma.webhookDelivery.updateMany({
          where: { id, status: "queued", OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
          data: { lockedUntil: until },
        })
      ).count === 1,
    recordAttempt: async (deliveryId, attempt, outcome) => {
      await prisma.$transaction([
        prisma.webhookAttempt.create({ data: { ...attempt, deliveryId } }),
        prisma.webhookDelivery.update({ where: { id: deliveryId }, data: { ...outcome, lockedUntil: null } }),
      ]);
    },
    expire: async (now) =>
      (
        await prisma.webhookDelivery.updateMany({
          where: { status: "queued", expiresAt: { lte: now } },
          data: { status: "expired", lockedUntil: null },
        })
      ).count,
    scanFindings: async (take, plan) => {
      try {
        return await prisma.$transaction(async (tx) => {
          const subscribers = await tx.webhook.findMany({ where: subscribedToFindings, orderBy: { id: "asc" } });
          if (subscribers.length === 0) return { scanned: 0, queued: 0, more: false };
          const cursor = (await tx.webhookScan.findUnique({ where: { id: 1 } }))?.findingId ?? 0;
          const rows = await tx.finding.findMany({
            where: { id: { gt: cursor } },
            orderBy: { id: "asc" },
            take,
            select: { id: true, chainId: true, eventJti: true, code: true, severity: true, message: true },
          });
          if (rows.length === 0) return { scanned: 0, queued: 0, more: false };
          const seen = await tx.webhookFindingSeen.findMany({
            where: { OR: rows.map((r) => ({ eventJti: r.eventJti, code: r.code })) },
          });
          const known = new Set(seen.map((s) => `${s.eventJti}\n${s.code}`));
          const fresh: TScanFinding[] = [];
          for (const r of rows) {
            const key = `${r.eventJti}\n${r.code}`;
            if (known.has(key)) continue;
            known.add(key);
            fresh.push(r);
          }
          if (fresh.length) await tx.webhookFindingSeen.createMany({ data: fresh.map((f) => ({ eventJti: f.eventJti, code: f.code })) });
          const deliveries = plan(fresh, subscribers);
          if (deliveries.length) await tx.webhookDelivery.createMany({ data: deliveries.map((d) => ({ ...d, status: "queued" })) });
          const next = rows[rows.length - 1].id;
          const moved = await tx.webhookScan.updateMany({ where: { id: 1, findingId: cursor }, data: { findingId: next } });
          if (moved.count === 0) {
            // No row yet (a database migrated before any finding existed has one; this is belt and braces)
            // or another worker moved it first: only the first case may go on.
            if (await tx.webhookScan.findUnique({ where: { id: 1 } })) throw new ScanRaced();
            await tx.webhookScan.create({ data: { id: 1, findingId: next } });
          }
          return { scanned: rows.length, queued: deliveries.length, more: rows.length === take };
        });
      } catch (e) {
        if (e instanceof ScanRaced) return { scanned: 0, queued: 0, more: true };
        throw e;
      }
    },
  };
}
