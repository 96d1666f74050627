// Opening a database: the Prisma client of the provider DATABASE_URL names, and on SQLite the
// direct connection beside it (lib/db/sqlite.ts). Everything here is per database, not global, so
// one process can hold both kinds at once (the store contract suite compares them); the app's own
// database is the one lib/db/index.ts opens from the environment.
import Database from "better-sqlite3";
import pg from "pg";
import { PrismaClient } from "@/generated/sqlite/client";
import { PrismaClient as PgPrismaClient } from "@/generated/postgres/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { postgresPoolConfig } from "./postgres-pool";
import { databaseKind, sqliteFilePath, sqliteFileUrl, type TDatabaseKind } from "./url";
import { startCheckpointer, type TCheckpointer } from "./checkpointer";
import { attachCheckpointer, refreshStatistics } from "./sqlite";

/**
 * The Prisma client as the stores use it. Both generated clients come from one model source
 * (prisma/schema.template.prisma) and so have the same delegates, but TypeScript cannot unify their
 * generated conditional types; the stores are written once against the SQLite client's type, and
 * the contract suite (lib/db/stores.contract.db.test.ts) runs every operation on both databases
 * and compares the answers. PostgreSQL-only options (case-insensitive filters, isolation levels)
 * are set through the two helpers in lib/db/dialect.ts, nowhere else.
 */
export type TPrisma = PrismaClient;
export type TTx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export type TDatabase = {
  kind: TDatabaseKind;
  url: string;
  prisma: TPrisma;
  /** the direct connection, SQLite only */
  sqlite: Database.Database | null;
  /**
   * PostgreSQL only: the connection pool Prisma's adapter runs on, for the store's plain SQL on hot
   * paths (the ingest transaction, the registry read): a query through Prisma's query interpreter
   * costs more than the database's own work for it. One pool, so the connection limit stays one.
   */
  pg: pg.Pool | null;
  /** SQLite file databases only: the WAL's checkpointer on its worker thread (lib/db/checkpointer.ts) */
  checkpointer?: TCheckpointer | null;
  /** how long a write waits for another process's SQLite write lock before giving up (503) */
  busyTimeoutMs: number;
  close(): Promise<void>;
};

export type TOpenOptions = {
  busyTimeoutMs?: number;
  /** SQLite file databases: checkpoint the WAL inside the COMMIT that crosses the mark (when unset) or on a worker thread (the server's default, lib/env.ts) */
  checkpoint?: "commit" | "worker";
};

/**
 * How many WAL pages a commit leaves before it checkpoints them into the database file (SQLite's
 * default is 1,000), when SQLite's automatic checkpoint is on: by default, and with
 * `checkpoint: "worker"` only if the checkpointer's worker failed (lib/db/checkpointer.ts), which
 * otherwise checkpoints off the main thread with the automatic one off on both connections. The
 * automatic checkpoint runs inside the COMMIT that crosses the mark, on the main thread: it syncs
 * the WAL, copies every page the WAL
 * holds into the database and syncs that (in-process ~66 ms p50, up to 233 ms per such COMMIT:
 * docs/benchmarks.md, "The WAL checkpoint off the main thread"). A batch dirties the same hot pages
 * as the batches before it, and each checkpoint copies each page once however often it was
 * rewritten, so every 4,000 pages copies far less per event than every 1,000 ("Where the ingest's
 * time goes").
 */
export const WAL_AUTOCHECKPOINT_PAGES = 4000;

function openSqlite(url: string, checkpointOnWorker: boolean): Database.Database {
  const conn = new Database(sqliteFilePath(url));
  // WAL lets readers run beside the single writer. Every write on this connection goes through
  // writeTransaction (lib/db/sqlite.ts), which commits without the fsync (synchronous=NORMAL: the
  // frames reach the OS, so a process crash loses nothing) and resolves only after one fdatasync of
  // the WAL on the thread pool, shared by the batches committed meanwhile (group commit): an
  // acknowledged batch survives a power cut as with synchronous=FULL, and the fsync no longer blocks
  // the main thread. Prisma's connection keeps synchronous=FULL (its writes are not synced by us).
  conn.pragma("journal_mode = WAL");
  conn.pragma("synchronous = NORMAL");
  // With the checkpointer (openDatabase) a file database is checkpointed by its worker: none inside a COMMIT here.
  conn.pragma(`wal_autocheckpoint = ${checkpointOnWorker && !conn.memory ? 0 : WAL_AUTOCHECKPOINT_PAGES}`);
  conn.pragma("foreign_keys = ON");
  // A statement that fires a trigger (the overview's counters, migration 0030, on every Chain and
  // Finding write) keeps a statement journal, which SQLite writes to a temporary file by default:
  // that file's writes tripled the bytes written per ingested event and made the Chain upsert ~9×
  // slower (docs/benchmarks.md "Growth"). In memory, a statement journal holds the pages one
  // statement changed, and the reads that run on this connection sort at most a page's, a batch's
  // or a few chains' rows, so no sort of a whole table lands in the server's memory.
  conn.pragma("temp_store = MEMORY");
  // A busy lock is never waited for synchronously on this connection: it would block the event
  // loop (lib/db/sqlite.ts writeTransaction waits asynchronously instead).
  conn.pragma("busy_timeout = 0");
  // Planner statistics (sqlite_stat1, in the file; each connection reads them when it loads the
  // schema). Without them the chain list's filters scan chains in date order instead of looking
  // matches up: 83 → 31 ms for a selective scope filter at a million events. Sampled
  // (analysis_limit), so ~0.1 s once on a big database without statistics, then nothing until the
  // tables have grown a lot. When a table is re-analysed here, Prisma's connection (opened first,
  // with the statistics it found) reads them again before its next statement (refreshStatistics).
  conn.pragma("analysis_limit = 400");
  conn.transaction(() => refreshStatistics(conn))();
  return conn;
}

export async function openDatabase(url: string, options: TOpenOptions = {}): Promise<TDatabase> {
  const kind = databaseKind(url);
  if (kind === null) throw new Error("DATABASE_URL must start with file:, postgresql:// or postgres://");
  const busyTimeoutMs = options.busyTimeoutMs ?? 60_000;
  if (kind === "postgres") {
    const pool = new pg.Pool(postgresPoolConfig(url));
    // An idle pooled connection that breaks (the server restarted) must not crash the process:
    // the next query on the pool opens a new one.
    pool.on("error", () => undefined);
    const client = new PgPrismaClient({ adapter: new PrismaPg(pool) });
    const prisma = client as unknown as TPrisma; // see TPrisma
    return {
      kind,
      url,
      prisma,
      sqlite: null,
      pg: pool,
      busyTimeoutMs,
      close: async () => {
        await client.$disconnect();
        await pool.end();
      },
    };
  }
  const prisma = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: sqliteFileUrl(url) }) });
  await prisma.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await prisma.$executeRawUnsafe("PRAGMA synchronous = FULL");
  await prisma.$queryRawUnsafe(`PRAGMA busy_timeout = ${Math.min(10_000, busyTimeoutMs)}`);
  await prisma.$executeRawUnsafe("PRAGMA foreign_keys = ON");
  const checkpointOnWorker = options.checkpoint === "worker";
  const sqlite = openSqlite(url, checkpointOnWorker);
  // With `checkpoint: "worker"` (DELEGRAPH_SQLITE_CHECKPOINT) the WAL's checkpoints run on a worker
  // thread (lib/db/checkpointer.ts): a Prisma commit past the mark would otherwise run one on the
  // main thread, so Prisma's automatic checkpoint is off too. If the worker fails, both connections
  // go back to the automatic checkpoint. The server's default (lib/env.ts); a caller that names no
  // mode (scripts, tests) gets the automatic checkpoint.
  let checkpointer: TCheckpointer | null = null;
  if (checkpointOnWorker && !sqlite.memory) {
    await prisma.$queryRawUnsafe("PRAGMA wal_autocheckpoint = 0");
    checkpointer = startCheckpointer(sqlite.name, () => {
      if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
      prisma.$queryRawUnsafe(`PRAGMA wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`).catch(() => undefined);
    });
    attachCheckpointer(sqlite, checkpointer);
  } else {
    await prisma.$queryRawUnsafe(`PRAGMA wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  }
  return {
    kind,
    url,
    prisma,
    sqlite,
    pg: null,
    busyTimeoutMs,
    checkpointer,
    close: async () => {
      await prisma.$disconnect();
      sqlite.close();
      // Last: the worker's connection is then the file's last, and its close checkpoints the
      // whole WAL and removes it, on the worker thread.
      await checkpointer?.close();
    },
  };
}
