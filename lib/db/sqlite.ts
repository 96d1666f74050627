// The embedded database's direct connection, beside the Prisma client's (lib/db/connect.ts opens
// both). The ingest's write transaction, the registry read, chain-detail reads, ledger walks and
// export reads go through it: through the driver adapter every statement passes Prisma's query
// compiler and interpreter, a fixed ~0.3–4 ms per statement plus a cost per parameter byte and per
// row, which was most of a batch's and of a big chain read's time (docs/benchmarks.md).
//
// One rule keeps the two connections from tripping over each other: a transaction on this one runs
// synchronously from BEGIN to COMMIT, so no Prisma statement can run in between. The Prisma side
// writes in single statements or in transactions that begin with a write; a Prisma transaction that
// read first and wrote later could meet SQLITE_BUSY_SNAPSHOT after an ingest committed in between.
import type Database from "better-sqlite3";

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** A prepared statement of the connection, prepared once per connection. */
export function statement(conn: Database.Database, sql: string): Database.Statement {
  let cache = statements.get(conn);
  if (!cache) statements.set(conn, (cache = new Map<string, Database.Statement>()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = conn.prepare(sql)));
  return stmt;
}

/** Lists travel as one JSON parameter: no bound-parameter limit, one prepared statement per query. */
export const IN_LIST = `(SELECT value FROM json_each(?))`;

/** DateTime as Prisma's SQLite adapter stores it, so Prisma reads these rows back unchanged. */
export function toSqliteDate(d: Date): string {
  return d.toISOString().replace("Z", "+00:00");
}

/** A stored DateTime: ISO 8601 as written above, or SQLite's CURRENT_TIMESTAMP text (UTC). */
export function fromSqliteDate(value: string | number): Date {
  if (typeof value === "number") return new Date(value);
  return new Date(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(value) ? value.replace(" ", "T") + "Z" : value);
}

/** A stored DateTime as toISOString writes it; the ingest's own format is converted without a Date. */
export function isoOfStored(value: string | number): string {
  // toSqliteDate's "2026-01-02T03:04:05.678+00:00" → "2026-01-02T03:04:05.678Z"
  if (typeof value === "string" && value.length === 29 && value.endsWith("+00:00") && value[10] === "T" && value[19] === ".")
    return value.slice(0, 23) + "Z";
  return fromSqliteDate(value).toISOString();
}

export function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}

const OPTIMIZE_EVERY_COMMITS = 500;
const commits = new WeakMap<Database.Database, number>();

/**
 * Runs `f` in one write transaction (BEGIN IMMEDIATE … COMMIT) on the connection, waiting
 * asynchronously for the lock another process may hold, up to `busyTimeoutMs`.
 */
export async function writeTransaction<T>(conn: Database.Database, f: () => T, busyTimeoutMs: number): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      conn.exec("BEGIN IMMEDIATE");
    } catch (e) {
      if (!isBusy(e) || Date.now() - started > busyTimeoutMs) throw e;
      await new Promise((r) => setTimeout(r, Math.min(50, 1 + attempt * 2)));
      continue;
    }
    try {
      const result = f();
      conn.exec("COMMIT");
      // Keeps the statistics in step as the store grows (a no-op unless a table changed a lot).
      const n = (commits.get(conn) ?? 0) + 1;
      commits.set(conn, n % OPTIMIZE_EVERY_COMMITS);
      if (n >= OPTIMIZE_EVERY_COMMITS) conn.pragma("optimize");
      return result;
    } catch (e) {
      if (conn.inTransaction) conn.exec("ROLLBACK");
      throw e;
    }
  }
}
