// PostgreSQL housekeeping around Prisma's WebAssembly engine.
//   ensureDatabase(url)     creates the database a DATABASE_URL names when it does not exist yet
//                           (the native engine's `migrate deploy` did; through adapter-pg it just
//                           fails to connect).
//   migratePostgres(url)    ensureDatabase, then `prisma migrate deploy` when a committed migration
//                           is not applied yet, under Delegraph's own advisory lock (see below).
//                           scripts/migrate.ts, whose API is synchronous, runs it as
//                           `tsx scripts/postgres.ts migrate`.
//   postgresTestUrl()       finds a server for tests: DATABASE_URL_POSTGRES, else a local one on
//                           127.0.0.1:5432 (user postgres, trust auth); `fresh()` makes an empty database.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const MIGRATIONS_DIR = join(root, "prisma/postgres/migrations");
const MIGRATE_LOCK = 0x64656c67; // "delg": Delegraph's advisory lock key for start-up migrations

const redact = (url: string) => url.replace(/\/\/[^@/]*@/, "//…@");

/** The same server and credentials, connected to another database (by default the maintenance db). */
export function withDatabase(url: string, database = "postgres"): string {
  const u = new URL(url);
  u.pathname = "/" + encodeURIComponent(database);
  return u.toString();
}

export function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ""));
  if (!name) throw new Error("DATABASE_URL names no database (postgresql://user@host:5432/<name>)");
  return name;
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

// Byte-order text comparison, as SQLite's: ids sort (and paginate) the same on both databases, and
// prefix filters (LIKE 'x%') can use plain btree indexes. The character type stays the server's, so
// case-insensitive search still folds non-ASCII letters.
const createDatabase = (name: string) => `CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C'`;

async function withClient<T>(url: string, f: (c: pg.Client) => Promise<T>, connectionTimeoutMillis = 10_000): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis });
  await client.connect();
  try {
    return await f(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates the database when missing; returns whether it did. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = databaseName(url);
  try {
    await withClient(url, async () => undefined);
    return false;
  } catch (e) {
    if ((e as { code?: string }).code !== "3D000") throw e; // 3D000: invalid_catalog_name
  }
  return withClient(withDatabase(url), async (admin) => {
    try {
      await admin.query(createDatabase(name));
      return true;
    } catch (e) {
      // Another instance starting at the same moment created it first (42P04 duplicate_database, or
      // 23505 on pg_database's unique index when both CREATEs ran at once).
      const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (exists.rowCount) return false;
      throw e;
    }
  });
}

export async function pendingMigrations(url: string, dir = MIGRATIONS_DIR): Promise<string[]> {
  const committed = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  const applied = await withClient(url, async (c) => {
    const table = await c.query<{ t: string | null }>(`SELECT to_regclass('"_prisma_migrations"') AS t`);
    if (!table.rows[0]?.t) return new Set<string>();
    const rows = await c.query<{ migration_name: string }>(
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    return new Set(rows.rows.map((r) => r.migration_name));
  });
  return committed.filter((name) => !applied.has(name)).sort();
}

function prismaDeploy(url: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      join(root, "node_modules/.bin/prisma"),
      ["migrate", "deploy", "--config", "prisma/postgres/prisma.config.ts", "--schema", "prisma/postgres/schema.prisma"],
      { cwd: root, env: { ...process.env, DATABASE_URL: url }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, output }));
  });
}

/**
 * Brings the database up to the committed migrations. Prisma's own advisory lock is not enough for
 * instances starting together: through the wasm engine `migrate deploy` never unlocks, so its lock
 * lasts until the process exits, and the process idles ~10 s after finishing (a timer inside the
 * engine), while a second deploy gives up after waiting 10 s (P1002). So the check and the deploy run
 * under Delegraph's own lock, held until the deploy process has exited; whoever comes second finds
 * nothing pending and skips deploy, as does every restart.
 */
export async function migratePostgres(url: string, log: (line: string) => void = console.log): Promise<void> {
  if (await ensureDatabase(url)) log(`[delegraph] database ${databaseName(url)} did not exist: created it on ${redact(withDatabase(url, ""))}`);
  await withClient(url, async (c) => {
    await c.query("SET lock_timeout = '10min'");
    await c.query("SELECT pg_advisory_lock($1)", [MIGRATE_LOCK]);
    try {
      const pending = await pendingMigrations(url);
      if (pending.length === 0) return;
      const { status, output } = await prismaDeploy(url);
      if (status !== 0) throw new Error(`prisma migrate deploy failed:\n${output}`);
      log(`[delegraph] applied migrations: ${pending.join(", ")}`);
    } finally {
      await c.query("SELECT pg_advisory_unlock($1)", [MIGRATE_LOCK]);
    }
  });
}

export async function dropDatabase(url: string): Promise<void> {
  await withClient(withDatabase(url), (admin) => admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(databaseName(url))} WITH (FORCE)`));
}

/**
 * The tag of this test run: `npm test` sets DELEGRAPH_TEST_RUN once and its children inherit it, so
 * every database the run creates carries it; a run started by hand gets its own.
 */
export function testRunTag(): string {
  process.env.DELEGRAPH_TEST_RUN ||= randomBytes(4).toString("hex");
  return process.env.DELEGRAPH_TEST_RUN;
}

/** A fresh test database name: delegraph_test_[<prefix>_]<run tag>_<base36 ms><hex>. */
export function testDatabaseName(prefix?: string): string {
  return `delegraph_test_${prefix ? prefix + "_" : ""}${testRunTag()}_${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
}

/**
 * Drops the test databases this run created (their names carry its tag), so a test run leaves the
 * server as it found it and never touches another run's, even one that started after it.
 */
export async function dropTestDatabasesOfThisRun(base: string): Promise<number> {
  const tag = testRunTag();
  const names = await withClient(base, async (c) => {
    const rows = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'delegraph_test_%'");
    return rows.rows.map((r) => r.datname);
  });
  let dropped = 0;
  for (const name of names) {
    if (!new RegExp(`^delegraph_test_(?:[a-z]+_)?${tag}_[0-9a-z]+$`).test(name)) continue;
    await dropDatabase(withDatabase(base, name)).then(
      () => dropped++,
      () => undefined,
    );
  }
  return dropped;
}

export async function postgresTestUrl(): Promise<{ base: string; fresh: () => Promise<string> } | null> {
  const base = process.env.DATABASE_URL_POSTGRES || "postgresql://postgres@127.0.0.1:5432/postgres";
  try {
    await withClient(base, (c) => c.query("SELECT 1"), 3000);
  } catch {
    return null;
  }
  return {
    base,
    fresh: async () => {
      const name = testDatabaseName();
      await withClient(base, (admin) => admin.query(createDatabase(name)));
      return withDatabase(base, name);
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [command] = process.argv.slice(2);
  const url = process.env.DATABASE_URL ?? "";
  if (command !== "migrate") {
    console.error("usage: DATABASE_URL=postgresql://… tsx scripts/postgres.ts migrate");
    process.exit(2);
  }
  migratePostgres(url).then(
    () => process.exit(0),
    (e: Error) => {
      console.error(`[delegraph] PostgreSQL database ${redact(url)}: ${e.message}`);
      process.exit(1);
    },
  );
}
