// Each provider's committed migrations, replayed on an empty shadow database, must produce exactly
// its generated schema: `prisma migrate diff --from-migrations … --to-schema-datamodel … --exit-code`
// (exit 0 = no difference, 2 = drift). A schema change without a migration fails here.
// The PostgreSQL case needs a server (DATABASE_URL_POSTGRES or 127.0.0.1:5432) and skips without one.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dropDatabase, postgresTestUrl } from "./postgres";

const root = join(import.meta.dirname, "..");
const pg = await postgresTestUrl();

function diffFromMigrations(provider: "sqlite" | "postgres", config: string, databaseUrl: string) {
  const result = spawnSync(
    join(root, "node_modules/.bin/prisma"),
    [
      "migrate",
      "diff",
      "--from-migrations",
      `prisma/${provider}/migrations`,
      "--to-schema-datamodel",
      `prisma/${provider}/schema.prisma`,
      "--exit-code",
      "--config",
      config,
    ],
    { cwd: root, env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: "utf8" },
  );
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe("committed migrations produce the generated schema", () => {
  it("SQLite", { timeout: 120_000 }, () => {
    const url = "file:" + join(mkdtempSync(join(tmpdir(), "delegraph-migrations-")), "check.db");
    const { status, output } = diffFromMigrations("sqlite", "scripts/migrations-check.sqlite.config.ts", url);
    expect(status, output).toBe(0);
  });

  it.runIf(pg)("PostgreSQL", { timeout: 120_000 }, async () => {
    const url = await pg!.fresh();
    try {
      const { status, output } = diffFromMigrations("postgres", "prisma/postgres/prisma.config.ts", url);
      expect(status, output).toBe(0);
    } finally {
      await dropDatabase(url);
    }
  });

  it("both 0001_init migrations start the ledger at seq 0 with 64 zeros", () => {
    for (const provider of ["sqlite", "postgres"]) {
      const sql = readFileSync(join(root, `prisma/${provider}/migrations/0001_init/migration.sql`), "utf8");
      expect(sql, provider).toContain(`INSERT INTO "LedgerHead" ("id", "seq", "hash") VALUES (1, 0, '${"0".repeat(64)}');`);
    }
    expect(readFileSync(join(root, "prisma/postgres/migrations/migration_lock.toml"), "utf8")).toContain('provider = "postgresql"');
  });
});
