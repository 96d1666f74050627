// Applies the committed migrations of the provider DATABASE_URL names (`prisma migrate deploy`
// through the WebAssembly engine; nothing is downloaded). A missing SQLite file or PostgreSQL
// database is created first; on PostgreSQL, deploy is skipped when every committed migration is
// already applied (see scripts/postgres.ts). Several instances may start at once: `migrate deploy`
// takes an advisory lock on PostgreSQL, and creating the database tolerates losing that race.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_DATABASE_URL, databaseKind, sqliteFilePath } from "@/lib/db-url";
import { EXIT_PENDING } from "./postgres";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name: string) => join(root, "node_modules/.bin", name);

export function migrate(url: string): void {
  const kind = databaseKind(url);
  if (kind === null) throw new Error("DATABASE_URL must start with file:, postgresql:// or postgres://");
  const env = { ...process.env, DATABASE_URL: url };
  if (kind === "sqlite") {
    mkdirSync(dirname(sqliteFilePath(url)), { recursive: true });
  } else {
    // Kept synchronous for callers (npm start); the pg client is async, so it runs as a child.
    const prepared = spawnSync(bin("tsx"), [join(root, "scripts/postgres.ts"), "prepare"], { cwd: root, env, stdio: "inherit" });
    if (prepared.status === 0) return;
    if (prepared.status !== EXIT_PENDING) throw new Error("could not prepare the PostgreSQL database (see above)");
  }
  const dir = kind === "postgres" ? "postgres" : "sqlite";
  const result = spawnSync(
    bin("prisma"),
    ["migrate", "deploy", "--config", `prisma/${dir}/prisma.config.ts`, "--schema", `prisma/${dir}/schema.prisma`],
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
