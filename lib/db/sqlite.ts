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
import { open } from "node:fs/promises";
import type { TCheckpointer } from "./checkpointer";

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

/**
 * How often a write transaction checks whether a table outgrew its statistics. The check (the
 * optimize's list, nothing run) costs ~9 µs with the schema's tables at a million rows, and a table
 * is re-analysed only when its size moved 25-fold, so checking often adds no analyses: it only
 * finds a young store's growth sooner (every 500 commits left ~50,000 events planned with the
 * statistics of the store as it was opened).
 */
export const OPTIMIZE_EVERY_COMMITS = 50;
/**
 * `PRAGMA optimize` over every table (0x10000), re-analysing those whose size moved 25-fold since
 * their statistics were taken (0x02). A plain `PRAGMA optimize` only looks at tables whose
 * statistics a query on this connection used, and a table the planner chose to scan is not one of
 * them: `Chain` analysed at 36 rows when the server opened a young store stayed "36 rows" at 39,000,
 * so the ingest's `chainVersions` (`"id" IN (…)`, ten ids a batch) scanned the whole table with a
 * Bloom filter, ~37 ms a batch and growing with every chain, instead of ten key lookups: the smoke
 * soak's falling capacity (docs/benchmarks.md, "The smoke soak's collapse was a stale plan").
 */
export const OPTIMIZE_ALL_TABLES = "optimize = 0x10002";
const commits = new WeakMap<Database.Database, number>();

/**
 * A table created and dropped in one statement list: a change of the schema, so every other
 * connection to the file reads the schema again before its next statement, and with it the
 * statistics. Without it, a connection keeps the statistics it read when it first loaded the schema,
 * whatever ANALYZE wrote since on another connection (only `ANALYZE sqlite_schema` on that connection
 * would reload them, and it takes the write lock). Prisma's connection is opened before the direct
 * one: on a server started on a young store it planned with "573 events" for good, and its
 * `signedEventsOfTraces` (`"traceId" IN (…) ORDER BY "seq"`) scanned every event of a 4 GB store
 * for minutes, the traceId index being all NULLs when it was measured (docs/benchmarks.md, "Prisma's
 * connection planned with the statistics of the store it opened").
 */
const STATISTICS_RELOAD = `CREATE TABLE "_delegraph_statistics_reload" ("x" INTEGER); DROP TABLE "_delegraph_statistics_reload";`;

/**
 * `PRAGMA optimize` over every table (OPTIMIZE_ALL_TABLES); when it re-analysed one, the schema is
 * touched so that every other connection to the file (Prisma's) plans with the new statistics too.
 * Run it inside a write transaction, or outside one with nothing else writing: the re-analysis and
 * the schema change need the write lock. Returns whether anything was re-analysed.
 */
export function refreshStatistics(conn: Database.Database): boolean {
  // 0x01: list the ANALYZE statements the same optimize would run, without running them.
  const due = conn.prepare(`PRAGMA optimize = 0x10003`).pluck().all();
  if (due.length === 0) return false;
  conn.pragma(OPTIMIZE_ALL_TABLES);
  conn.exec(STATISTICS_RELOAD);
  return true;
}

/** One fdatasync of a file, on libuv's thread pool. */
async function datasyncFile(path: string): Promise<void> {
  const file = await open(path, "r");
  try {
    await file.datasync();
  } finally {
    await file.close();
  }
}

/**
 * Group commit for the direct connection. It commits with synchronous=NORMAL: COMMIT hands the WAL
 * frames to the OS (a SIGKILL cannot lose them) without the fsync, which used to block the main
 * thread for 1–7 ms per batch. `sync()` then makes every commit made before the call durable
 * against a power cut with one fdatasync of the WAL on the thread pool; callers that ask while one
 * is under way share the next one, which starts when it ends and covers them all. An ingest is
 * acknowledged only after its sync, so what it acknowledges is on disk as with synchronous=FULL.
 * The file is opened at each sync, so it is always the WAL SQLite writes now (with no WAL, the
 * frames were checkpointed and the database file synced by SQLite; it is synced once more anyway).
 * A failed fdatasync fails every later sync too: after an I/O error the kernel may have dropped the
 * dirty pages and a retried fsync can report success for data it lost (PostgreSQL's fsyncgate), so
 * nothing may be acknowledged until the process restarts and SQLite recovers from what is on disk.
 */
export type TGroupSync = {
  sync(): Promise<void>;
  /** fdatasync calls made so far */
  syncs(): number;
  /** the error of the fdatasync that failed, if one did: no write should begin after it */
  failure(): Error | null;
};

export function groupSync(databasePath: string, datasync: (path: string) => Promise<void> = datasyncFile): TGroupSync {
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  let failed: Error | null = null;
  let count = 0;
  const once = async () => {
    count++;
    try {
      await datasync(`${databasePath}-wal`);
    } catch (e) {
      if ((e as { code?: unknown } | null)?.code !== "ENOENT") throw e;
      await datasync(databasePath);
    }
  };
  const start = (): Promise<void> => {
    const p: Promise<void> = once()
      .catch((e: unknown) => {
        failed ??= e instanceof Error ? e : new Error(String(e));
        throw failed;
      })
      .finally(() => {
        if (running === p) running = null;
      });
    running = p;
    return p;
  };
  return {
    sync: () => {
      if (failed !== null) return Promise.reject(failed);
      if (running === null) return start();
      // The sync under way may have begun before the caller's commit: wait for the next one.
      next ??= running
        .catch(() => undefined)
        .then(() => {
          next = null;
          return failed !== null ? Promise.reject(failed) : start();
        });
      return next;
    },
    syncs: () => count,
    failure: () => failed,
  };
}

const groupSyncs = new WeakMap<Database.Database, TGroupSync>();
const checkpointers = new WeakMap<Database.Database, TCheckpointer>();

/** The connection's WAL checkpointer (lib/db/checkpointer.ts): writeTransaction nudges it after each commit. */
export function attachCheckpointer(conn: Database.Database, checkpointer: TCheckpointer): void {
  checkpointers.set(conn, checkpointer);
}

/** The connection's group sync (see groupSync); an in-memory database has nothing to sync. */
export function connectionSync(conn: Database.Database): TGroupSync | null {
  if (conn.memory) return null;
  let g = groupSyncs.get(conn);
  if (!g) groupSyncs.set(conn, (g = groupSync(conn.name)));
  return g;
}

/** Most transactions one group's COMMIT holds (see writeTransaction). */
export const GROUP_MAX_TRANSACTIONS = 32;
/**
 * A group stops taking the transactions that wait once its own have run this long on the main
 * thread: the rest go into the next group, after a turn of the event loop, so a backlog of big
 * batches does not hold every other request for the whole of it.
 */
export const GROUP_BUDGET_MS = 25;

const commitCounts = new WeakMap<Database.Database, number>();
/** COMMITs writeTransaction has made on the connection (diagnostics and tests: one per group). */
export function commitsMade(conn: Database.Database): number {
  return commitCounts.get(conn) ?? 0;
}

type TQueued = { f: () => unknown; resolve: (value: unknown) => void; reject: (e: unknown) => void; since: number; busyTimeoutMs: number };
type TWriteQueue = { waiting: TQueued[]; draining: boolean };
const writeQueues = new WeakMap<Database.Database, TWriteQueue>();

/**
 * BEGIN IMMEDIATE. Returns null when it began at once (synchronously: a transaction with nothing
 * under way runs within its writeTransaction call), else a promise that retries asynchronously while
 * another process holds the lock, up to busyTimeoutMs from `since`, and rejects with SQLite's busy
 * error past it (any other error is thrown at once).
 */
function beginImmediate(conn: Database.Database, since: number, busyTimeoutMs: number): Promise<void> | null {
  const begun = (): boolean => {
    try {
      conn.exec("BEGIN IMMEDIATE");
      return true;
    } catch (e) {
      if (!isBusy(e) || Date.now() - since > busyTimeoutMs) throw e;
      return false;
    }
  };
  if (begun()) return null;
  return (async () => {
    for (let attempt = 0; ; attempt++) {
      await new Promise((r) => setTimeout(r, Math.min(50, 1 + attempt * 2)));
      if (begun()) return;
    }
  })();
}

/** The statistics check every OPTIMIZE_EVERY_COMMITS commits; inside the transaction (see writeTransaction). */
function countCommit(conn: Database.Database): void {
  const n = (commits.get(conn) ?? 0) + 1;
  commits.set(conn, n % OPTIMIZE_EVERY_COMMITS);
  if (n >= OPTIMIZE_EVERY_COMMITS) refreshStatistics(conn);
}

/**
 * Runs `f` in a write transaction (BEGIN IMMEDIATE … COMMIT) on the connection, waiting
 * asynchronously for the lock another process may hold, up to `busyTimeoutMs`, and resolves once
 * the commit is on disk (connectionSync): every write on the direct connection comes through here.
 * `f` is synchronous; it sees every write committed or grouped before it.
 *
 * Group commit. While one group's COMMIT waits for its fdatasync, the transactions that arrive
 * wait too; when the sync ends they run one after another in ONE transaction, each inside its own
 * SAVEPOINT (one that throws is rolled back alone and rejects alone; the others commit), and share
 * one COMMIT and one fdatasync. A COMMIT writes every page its transaction changed to the WAL, and
 * consecutive batches change many of the same index pages (the `iss`, `aud`, principal and scope
 * indexes take each batch's entries at the same few pages): in-process, commits of ~98 events
 * wrote 14.3 KiB of WAL per event, commits of ~980 events 5.9 KiB, for the same 2.8 KiB of distinct
 * pages (docs/benchmarks.md, "Group commit"). So the slower the disk's sync, the more transactions
 * a group takes and the less it writes per event. A transaction arriving with nothing under way
 * starts at once, as before; one arriving during a sync starts when it ends instead of committing
 * beside it and waiting for the next sync anyway. Acknowledgement is unchanged: after the
 * fdatasync that covers the COMMIT.
 */
export function writeTransaction<T>(conn: Database.Database, f: () => T, busyTimeoutMs: number): Promise<T> {
  const sync = connectionSync(conn);
  // After a failed fdatasync nothing can be acknowledged: refuse before writing, not after.
  const failure = sync?.failure();
  if (failure) return Promise.reject(failure);
  let queue = writeQueues.get(conn);
  if (!queue) writeQueues.set(conn, (queue = { waiting: [], draining: false }));
  const q = queue;
  return new Promise<T>((resolve, reject) => {
    q.waiting.push({ f, resolve: resolve as (value: unknown) => void, reject, since: Date.now(), busyTimeoutMs });
    if (!q.draining) void drainWrites(conn, q, sync);
  });
}

/** Runs the waiting transactions in groups, one COMMIT and one sync per group, until none wait. */
async function drainWrites(conn: Database.Database, q: TWriteQueue, sync: TGroupSync | null): Promise<void> {
  q.draining = true;
  try {
    while (q.waiting.length > 0) {
      const failure = sync?.failure();
      if (failure) {
        for (const t of q.waiting.splice(0)) t.reject(failure);
        return;
      }
      const first = q.waiting[0];
      try {
        // At once when the lock is free, so a transaction with nothing under way runs within its
        // writeTransaction call, as before; asynchronously while another process holds it.
        const waiting = beginImmediate(conn, first.since, first.busyTimeoutMs);
        if (waiting) await waiting;
      } catch (e) {
        q.waiting.shift();
        first.reject(e);
        continue;
      }
      const group: TQueued[] = [];
      const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
      try {
        const started = performance.now();
        while (
          q.waiting.length > 0 &&
          group.length < GROUP_MAX_TRANSACTIONS &&
          (group.length === 0 || performance.now() - started < GROUP_BUDGET_MS)
        ) {
          const t = q.waiting.shift()!;
          group.push(t);
          // A group of one needs no savepoint: a throw rolls the whole transaction back below.
          if (group.length === 1 && q.waiting.length === 0) {
            try {
              outcomes.push({ ok: true, value: t.f() });
            } catch (error) {
              // (SQLite may have rolled back already, after an I/O error or a full disk)
              if (conn.inTransaction) conn.exec("ROLLBACK");
              outcomes.push({ ok: false, error });
            }
            break;
          }
          conn.exec("SAVEPOINT delegraph_group");
          try {
            outcomes.push({ ok: true, value: t.f() });
            conn.exec("RELEASE delegraph_group");
          } catch (error) {
            // SQLite rolled the whole transaction back itself (an I/O error, a full disk): the
            // group's earlier members are gone with it, so the group fails as one, below.
            if (!conn.inTransaction) throw error;
            conn.exec("ROLLBACK TO delegraph_group");
            conn.exec("RELEASE delegraph_group");
            outcomes.push({ ok: false, error });
          }
        }
        if (conn.inTransaction) {
          // Keeps the statistics in step as the store grows (a no-op unless a table changed a lot),
          // inside the transaction: the re-analysis needs the write lock, which is ours here (after
          // the COMMIT a checkpoint could hold it, and a busy optimize would fail a batch already committed).
          countCommit(conn);
          conn.exec("COMMIT");
          commitCounts.set(conn, commitsMade(conn) + 1);
          checkpointers.get(conn)?.nudge();
        }
      } catch (e) {
        // The COMMIT (or a savepoint statement) failed: nothing of the group is stored.
        if (conn.inTransaction) conn.exec("ROLLBACK");
        for (const t of group) t.reject(e);
        continue;
      }
      try {
        if (outcomes.some((o) => o.ok)) await sync?.sync();
      } catch (e) {
        for (const t of group) t.reject(e);
        continue;
      }
      group.forEach((t, i) => {
        const o = outcomes[i];
        if (o.ok) t.resolve(o.value);
        else t.reject(o.error);
      });
      // Without a sync to wait for (an in-memory database), still one turn of the event loop per group.
      if (!sync) await new Promise((r) => setImmediate(r));
    }
  } finally {
    q.draining = false;
  }
}
