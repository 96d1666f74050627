// Applies the committed migrations of the provider DATABASE_URL names (`prisma migrate deploy`
// through the WebAssembly engine; nothing is downloaded). A missing SQLite file or PostgreSQL
// database is created first. On PostgreSQL several instances may start at once: scripts/postgres.ts
// serialises them and skips deploy when every committed migration is already applied.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_DATABASE_URL, databaseKind, sqliteFilePath } from "@/lib/db/url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name: string) => join(root, "node_modules/.bin", name);

export function migrate(url: string): void {
  const kind = databaseKind(url);
  if (kind === null) throw new Error("DATABASE_URL must start with file:, postgresql:// or postgres://");
  const env = { ...process.env, DATABASE_URL: url };
  if (kind === "postgres") {
    // Kept synchronous for callers (npm start); the pg client is async, so it runs as a child.
    const result = spawnSync(bin("tsx"), [join(root, "scripts/postgres.ts"), "migrate"], { cwd: root, env, stdio: "inherit" });
    if (result.status !== 0) throw new Error("Database migration failed (see above)");
    return;
  }
  mkdirSync(dirname(sqliteFilePath(url)), { recursive: true });
  const result = spawnSync(
    bin("prisma"),
    ["migrate", "deploy", "--config", "prisma/sqlite/prisma.config.ts", "--schema", "prisma/sqlite/schema.prisma"],
    { cwd: root, env, encoding: "utf8" },
  );
  if (result.status !== 0) {
    throw new Error(`Database migration failed:\n${result.stdout}\n${result.stderr}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  migrate(process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
  console.log("migrations applied");
}

/**
 * A committed migration's statements that begin with `verb` (its backfill's INSERTs or UPDATEs),
 * comments removed: tests empty what a migration fills and replay them against what ingest writes.
 */
export function migrationStatements(provider: "sqlite" | "postgres", migration: string, verb: string): string[] {
  return readFileSync(join(root, `prisma/${provider}/migrations/${migration}/migration.sql`), "utf8")
    .split(";")
    .map((st) => st.replace(/--.*$/gm, "").trim())
    .filter((st) => st.startsWith(verb));
}
