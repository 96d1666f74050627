// The data layer: the only place that knows which database runs. DATABASE_URL picks it once, at
// first use: `file:` is the embedded SQLite database, `postgresql://` PostgreSQL. Everything else
// reads and writes through the stores, one contract per concern, each with the implementation for
// that database (lib/db/stores/*). Nothing outside lib/db touches Prisma, SQL or the provider.
import { env } from "@/lib/env";
import { openDatabase, type TDatabase } from "./connect";
import { createStores, type TStores } from "./stores";

export type { TDatabase } from "./connect";
export type { TStores } from "./stores";
export { createStores } from "./stores";
export { openDatabase } from "./connect";
export { isUnavailableError, RETRY_AFTER_SECONDS } from "./health";

const globalForDb = globalThis as unknown as { delegraphDatabase?: Promise<TDatabase>; delegraphStores?: Promise<TStores> };

/** The app's database (opened once per process). */
export function database(): Promise<TDatabase> {
  globalForDb.delegraphDatabase ??= openDatabase(env().DATABASE_URL, {
    busyTimeoutMs: env().DELEGRAPH_SQLITE_BUSY_TIMEOUT_MS,
    checkpoint: env().DELEGRAPH_SQLITE_CHECKPOINT,
  });
  return globalForDb.delegraphDatabase;
}

/** The app's stores, for the database DATABASE_URL names. */
export function stores(): Promise<TStores> {
  globalForDb.delegraphStores ??= database().then(createStores);
  return globalForDb.delegraphStores;
}

/** Closes the app's database (a script that ingests in-process, before another process migrates the file). */
export async function closeDatabase(): Promise<void> {
  const open = globalForDb.delegraphDatabase;
  globalForDb.delegraphDatabase = undefined;
  globalForDb.delegraphStores = undefined;
  if (open) await (await open).close();
}
