// Prisma CLI config for PostgreSQL. Like the SQLite config, the WebAssembly schema engine runs
// through a driver adapter (@prisma/adapter-pg), so no native engine is ever downloaded.
// DATABASE_URL names the database; scripts/migrate.ts creates it first when it does not exist.
//
// Two gaps in adapter-pg 6.19 that only the schema engine hits, fixed here and nowhere else (the
// app's runtime client, lib/db/connect.ts, uses a plain PrismaPg):
// 1. The engine reads catalog columns of PostgreSQL's "char" (OID 18) and name (OID 19) types,
//    which the adapter cannot map ("Column type 'name' could not be deserialized"). pg already
//    parses those values as plain strings, so reporting them as text (OID 25) is all it needs. A
//    pg.Client subclass does this, handed to this config's pools through pg's documented `Client`
//    pool option: no prototype is patched.
// 2. The shadow database (`migrate diff --from-migrations`, `migrate dev`): the adapter's pool for it
//    is `{ ...config, database }`, but pg lets a connectionString win over `database`, so the shadow
//    migrations would run in the real database; and it drops the shadow database before closing its
//    pool, which PostgreSQL refuses. connectToShadowDb is overridden to do both the right way round.
import { randomUUID } from "node:crypto";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { databaseKind } from "../../lib/db/url";

const CATALOG_TEXT_OIDS = new Set([18, 19]);
const TEXT_OID = 25;

function catalogColumnsAsText<T>(result: T): T {
  // A simple-protocol query with several statements yields an array of results.
  for (const r of Array.isArray(result) ? result : [result]) {
    for (const f of (r as Partial<pg.QueryResult> | undefined)?.fields ?? []) {
      if (CATALOG_TEXT_OIDS.has(f.dataTypeID)) f.dataTypeID = TEXT_OID;
    }
  }
  return result;
}

/** A pg client whose results report "char" and name columns as text. */
export class CatalogClient extends pg.Client {
  // pg's query() takes (config, values?, callback?) and returns a promise when no callback is given;
  // its overloads cannot be restated one by one in an override, hence the anys here and only here.
  /* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call */
  override query(config: any, values?: any, callback?: any): any {
    if (typeof values === "function") [values, callback] = [undefined, values];
    if (typeof callback === "function") {
      return super.query(config, values, (err: Error | null, res: unknown) => callback(err, err ? res : catalogColumnsAsText(res)));
    }
    const out = super.query(config, values);
    return out instanceof Promise ? out.then(catalogColumnsAsText) : out;
  }
  /* eslint-enable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call */
}

function poolConfig(url: string): pg.PoolConfig {
  // One connection: the engine's session-level advisory lock (pg_advisory_lock / _unlock) must be
  // taken and released on the same one. allowExitOnIdle: idle clients do not hold the CLI open.
  return { connectionString: url, max: 1, allowExitOnIdle: true, Client: CatalogClient };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export class MigrationPg extends PrismaPg {
  constructor(private readonly url: string) {
    super(poolConfig(url));
  }

  override async connectToShadowDb() {
    const name = `prisma_migrate_shadow_db_${randomUUID()}`;
    await adminQuery(this.url, `CREATE DATABASE "${name}"`);
    const shadowUrl = new URL(this.url);
    shadowUrl.pathname = `/${name}`;
    const adapter = await new PrismaPg(poolConfig(shadowUrl.toString())).connect();
    const closePool = adapter.dispose.bind(adapter);
    return Object.assign(adapter, {
      dispose: async () => {
        await closePool();
        await adminQuery(this.url, `DROP DATABASE IF EXISTS "${name}"`);
      },
    });
  }
}

export function migrationAdapter(url: string | undefined = process.env.DATABASE_URL): MigrationPg {
  if (!url || databaseKind(url) !== "postgres") {
    throw new Error("prisma/postgres/prisma.config.ts needs DATABASE_URL=postgresql://… (or postgres://…)");
  }
  return new MigrationPg(url);
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "schema.prisma",
  migrations: { path: "migrations" },
  adapter: async () => migrationAdapter(),
});
