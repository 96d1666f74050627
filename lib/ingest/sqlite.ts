// The embedded database's direct connection, beside the Prisma client's (lib/db.ts). The ingest's
// write transaction (store-sqlite.ts), its registry read and the chain-detail read
// (lib/chains/load.ts) go through it: through the driver adapter every statement passes Prisma's
// query compiler and interpreter, a fixed ~0.3–4 ms per statement plus a cost per parameter byte and
// per row, which was most of a batch's and of a big chain read's time (docs/benchmarks.md).
//
// Same pragmas and durability as lib/db.ts (WAL, synchronous=FULL: an acknowledged batch survives
// a power cut), except busy_timeout 0: a busy lock is never waited for synchronously, which would
// block the event loop (see inWriteTransaction).
//
// One rule keeps the two connections from tripping over each other: a transaction on this one runs
// synchronously from BEGIN to COMMIT, so no Prisma statement can run in between. The Prisma side
// writes in single statements or in transactions that begin with a write; a Prisma transaction that
// read first and wrote later could meet SQLITE_BUSY_SNAPSHOT after an ingest committed in between.
import Database from "better-sqlite3";
import { sqliteFilePath } from "@/lib/db-url";
import { env } from "@/lib/env";

const globalForSqlite = globalThis as unknown as { delegraphSqlite?: Database.Database };

export function sqliteConnection(): Database.Database {
  if (!globalForSqlite.delegraphSqlite) {
    const db = new Database(sqliteFilePath(env().DATABASE_URL));
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 0");
    // Planner statistics (sqlite_stat1, shared by every connection to the file). Without them the
    // chain list's filters scan chains in date order instead of looking matches up: 83 → 31 ms for
    // a selective scope filter at a million events. Sampled (analysis_limit), so ~0.1 s once on a
    // big database without statistics, then nothing until the tables have grown a lot.
    db.pragma("analysis_limit = 400");
    db.pragma("optimize = 0x10002");
    globalForSqlite.delegraphSqlite = db;
  }
  return globalForSqlite.delegraphSqlite;
}

/** Closes it (a script that ingests in-process, before another process migrates the file). */
export function closeSqliteConnection(): void {
  globalForSqlite.delegraphSqlite?.close();
  globalForSqlite.delegraphSqlite = undefined;
}

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** A prepared statement of the direct connection, prepared once per connection. */
export function sqliteStatement(sql: string): Database.Statement {
  const db = sqliteConnection();
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
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

function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}

const OPTIMIZE_EVERY_COMMITS = 500;
let commitsSinceOptimize = 0;

/** Runs `f` in one write transaction (BEGIN IMMEDIATE … COMMIT), waiting asynchronously for the lock. */
export async function inWriteTransaction<T>(f: () => T): Promise<T> {
  const db = sqliteConnection();
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      db.exec("BEGIN IMMEDIATE");
    } catch (e) {
      if (!isBusy(e) || Date.now() - started > env().DELEGRAPH_SQLITE_BUSY_TIMEOUT_MS) throw e;
      await new Promise((r) => setTimeout(r, Math.min(50, 1 + attempt * 2)));
      continue;
    }
    try {
      const result = f();
      db.exec("COMMIT");
      // Keeps the statistics in step as the store grows (a no-op unless a table changed a lot).
      if (++commitsSinceOptimize >= OPTIMIZE_EVERY_COMMITS) {
        commitsSinceOptimize = 0;
        db.pragma("optimize");
      }
      return result;
    } catch (e) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw e;
    }
  }
}
