// The dashboard's self-audit: who did what, when.
import type { TDatabase } from "../connect";
import { containsText } from "../dialect";
import { statement, toSqliteDate, writeTransaction } from "../sqlite";

export type TAuditRecord = { id: number; at: Date; actor: string; action: string; target: string | null; detail: string | null; ip: string | null };

export type TAuditListQuery = { before?: number; take: number; actor?: string; action?: string; target?: string; since?: Date; until?: Date };

export type TAuditStore = {
  append(e: { actor: string; action: string; target: string | null; detail: string | null; ip?: string | null }): Promise<void>;
  /** the newest entry of this action and target since `since` */
  latest(action: string, target: string, since: Date): Promise<TAuditRecord | null>;
  /** rewrites an aggregated entry's detail (failed sign-ins) */
  updateDetail(id: number, detail: string, ip: string | null): Promise<void>;
  /**
   * newest first, below `before`; `actor` and `target` match as case-insensitive substrings,
   * `action` as a prefix ("finding." is every finding change), `since`/`until` bound `at`
   */
  list(q: TAuditListQuery): Promise<TAuditRecord[]>;
};

export function createAuditStore(db: TDatabase): TAuditStore {
  const prisma = db.prisma;
  const conn = db.sqlite;
  return {
    // SQLite: on the direct connection, as Prisma writes the row (its `at` as toSqliteDate), the
    // commit's fsync shared with the ingest's and off the main thread (writeTransaction). Every
    // export writes one before its first byte: through Prisma (synchronous=FULL) its fsync held
    // the event loop ~2-4 ms per export, and the query interpreter ~1 ms of CPU.
    append: conn
      ? async (e) =>
          void (await writeTransaction(
            conn,
            () =>
              statement(conn, `INSERT INTO "AuditEntry" ("at", "actor", "action", "target", "detail", "ip") VALUES (?, ?, ?, ?, ?, ?)`).run(
                toSqliteDate(new Date()),
                e.actor,
                e.action,
                e.target,
                e.detail,
                e.ip ?? null,
              ),
            db.busyTimeoutMs,
          ))
      : async (e) =>
          void (await prisma.auditEntry.create({ data: { actor: e.actor, action: e.action, target: e.target, detail: e.detail, ip: e.ip ?? null } })),
    latest: (action, target, since) => prisma.auditEntry.findFirst({ where: { action, target, at: { gte: since } }, orderBy: { id: "desc" } }),
    updateDetail: async (id, detail, ip) => void (await prisma.auditEntry.update({ where: { id }, data: { detail, ip } })),
    list: (q) =>
      prisma.auditEntry.findMany({
        orderBy: { id: "desc" },
        take: q.take,
        where: {
          ...(q.before ? { id: { lt: q.before } } : {}),
          ...(q.actor ? { actor: containsText(db, q.actor) } : {}),
          ...(q.action ? { action: { startsWith: q.action } } : {}),
          ...(q.target ? { target: containsText(db, q.target) } : {}),
          ...(q.since || q.until ? { at: { ...(q.since ? { gte: q.since } : {}), ...(q.until ? { lte: q.until } : {}) } } : {}),
        },
      }),
  };
}
