// The one Prisma client. DATABASE_URL picks the provider at run time: `file:` is the embedded
// SQLite database, `postgresql://` PostgreSQL. Both generated clients come from one model source
// (prisma/schema.template.prisma), so they share a shape; the SQLite client's type is used for both.
import { PrismaClient } from "@/generated/sqlite/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { databaseKind, sqliteFileUrl } from "@/lib/db-url";
import { env } from "@/lib/env";

export type TDb = PrismaClient;
export type TTx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

const globalForDb = globalThis as unknown as { delegraphDb?: Promise<TDb> };

async function createClient(url: string): Promise<TDb> {
  if (databaseKind(url) === "postgres") {
    const { createPostgresClient } = await import("@/lib/db-postgres");
    return createPostgresClient(url);
  }
  const client = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: sqliteFileUrl(url) }) });
  // WAL lets readers run beside the single writer; synchronous=FULL fsyncs the WAL on every commit,
  // so an acknowledged ingest survives a power cut, not only a process crash.
  await client.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await client.$executeRawUnsafe("PRAGMA synchronous = FULL");
  await client.$queryRawUnsafe(`PRAGMA busy_timeout = ${Math.min(10_000, env().DELEGRAPH_SQLITE_BUSY_TIMEOUT_MS)}`);
  await client.$executeRawUnsafe("PRAGMA foreign_keys = ON");
  return client;
}

export function db(): Promise<TDb> {
  globalForDb.delegraphDb ??= createClient(env().DATABASE_URL);
  return globalForDb.delegraphDb;
}

export function isPostgres(): boolean {
  return databaseKind(env().DATABASE_URL) === "postgres";
}

/** A case-insensitive substring filter: SQLite's LIKE already ignores ASCII case; PostgreSQL needs ILIKE. */
export function containsText(value: string): { contains: string; mode?: "insensitive" } {
  return isPostgres() ? ({ contains: value, mode: "insensitive" } as { contains: string }) : { contains: value };
}
