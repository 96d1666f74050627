// Finds a PostgreSQL server for tests: DATABASE_URL_POSTGRES, else a local one on 127.0.0.1:5432
// (user postgres, trust auth). `fresh()` creates a new empty database and returns its URL.
import { randomBytes } from "node:crypto";
import pg from "pg";

export async function postgresTestUrl(): Promise<{ base: string; fresh: () => Promise<string> } | null> {
  const base = process.env.DATABASE_URL_POSTGRES || "postgresql://postgres@127.0.0.1:5432/postgres";
  const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
  return {
    base,
    fresh: async () => {
      const name = `delegraph_test_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
      const admin = new pg.Client({ connectionString: base });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${name}"`);
      } finally {
        await admin.end();
      }
      const url = new URL(base);
      url.pathname = `/${name}`;
      return url.toString();
    },
  };
}
