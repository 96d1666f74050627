// Applies the committed migrations of the provider DATABASE_URL names (`prisma migrate deploy`
// through the WebAssembly engine; nothing is downloaded).
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { databaseKind, sqliteFilePath } from "@/lib/db-url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export function migrate(url: string): void {
  const kind = databaseKind(url);
  if (kind === "sqlite") mkdirSync(dirname(sqliteFilePath(url)), { recursive: true });
  const dir = kind === "postgres" ? "postgres" : "sqlite";
  const prismaBin = join(root, "node_modules/.bin/prisma");
  const result = spawnSync(
    prismaBin,
    ["migrate", "deploy", "--config", `prisma/${dir}/prisma.config.ts`, "--schema", `prisma/${dir}/schema.prisma`],
    { cwd: root, env: { ...process.env, DATABASE_URL: url }, encoding: "utf8" },
  );
  if (result.status !== 0) {
    throw new Error(`Database migration failed:\n${result.stdout}\n${result.stderr}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  migrate(process.env.DATABASE_URL ?? "file:./data/delegraph.db");
  console.log("migrations applied");
}
