// Prisma CLI config for the embedded SQLite database. The WebAssembly schema engine runs through
// the driver adapter, so no native engine is ever downloaded (see docs/operations.md).
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { sqliteFileUrl } from "../../lib/db/url";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "schema.prisma",
  migrations: { path: "migrations" },
  adapter: async () => new PrismaBetterSQLite3({ url: sqliteFileUrl(process.env.DATABASE_URL) }),
});
