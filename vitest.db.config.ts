// The `db` project: tests that open a SQLite file or a PostgreSQL database, or run migrations
// (`*.db.test.ts`; the naming convention is in vitest.config.ts). PostgreSQL tests find a server
// with scripts/postgres.ts's postgresTestUrl() and skip when none is reachable.
import { configDefaults, defineConfig } from "vitest/config";
import { alias } from "./vitest.config";

export default defineConfig({
  resolve: { alias },
  test: {
    name: "db",
    include: ["lib/**/*.db.test.ts", "scripts/**/*.db.test.ts", "tests/**/*.db.test.ts"],
    exclude: [...configDefaults.exclude, "tests/integration/**"],
    environment: "node",
    testTimeout: 30_000,
    // Setups migrate a fresh database (28 migrations, two with backfills): over 10 s on a loaded
    // 2-core machine, which failed detail-cache's setup for two engineers on 2026-12-03.
    hookTimeout: 120_000,
  },
});
