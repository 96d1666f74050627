// Test-only Prisma config for scripts/migrations.db.test.ts: the SQLite config, with a shadow database
// that can replay multi-statement migrations. The SQLite adapter's shadow runs each migration through
// executeRaw, which takes one statement, so `migrate diff --from-migrations` fails with P3006
// (docs: /work/shared/notes/offline-stack.md); parameterless SQL falls back to executeScript here.
import { join } from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { sqliteFileUrl } from "../lib/db/url";

const root = join(import.meta.dirname, "..");

function withMultiStatementShadow(factory: PrismaBetterSQLite3): PrismaBetterSQLite3 {
  const connectShadow = factory.connectToShadowDb.bind(factory);
  factory.connectToShadowDb = async () => {
    const adapter = await connectShadow();
    const executeRaw = adapter.executeRaw.bind(adapter);
    adapter.executeRaw = async (query) => {
      if (query.args.length > 0) return executeRaw(query);
      try {
        return await executeRaw(query);
      } catch {
        await adapter.executeScript(query.sql);
        return 0;
      }
    };
    return adapter;
  };
  return factory;
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: join(root, "prisma/sqlite/schema.prisma"),
  migrations: { path: join(root, "prisma/sqlite/migrations") },
  adapter: async () => withMultiStatementShadow(new PrismaBetterSQLite3({ url: sqliteFileUrl(process.env.DATABASE_URL) })),
});
