// PostgreSQL pool settings for @prisma/adapter-pg (no native engine). Interactive transactions
// take one pooled connection for their whole life (BEGIN … COMMIT on it), which the ingest's
// ledger-head lock relies on; see docs/postgres.md.

const DEFAULT_POOL_SIZE = 10;

/**
 * Pool options from the URL. `connection_limit` keeps the name Prisma's own engines read, so
 * existing URLs keep their meaning; instances × connection_limit must stay under max_connections.
 */
export function postgresPoolConfig(url: string): { connectionString: string; max: number; application_name: string; options: string } {
  const u = new URL(url);
  const limit = Number(u.searchParams.get("connection_limit"));
  u.searchParams.delete("connection_limit");
  return {
    connectionString: u.toString(),
    max: Number.isInteger(limit) && limit > 0 ? limit : DEFAULT_POOL_SIZE,
    application_name: "delegraph", // shows in pg_stat_activity; an application_name in the URL wins
    // No JIT compilation: every query here is short, and a plan whose estimate crosses
    // jit_above_cost spent ~50 ms compiling to save less than that (the chain count under a scope
    // filter: 205 ms with, 28 without). An `options` parameter in the URL wins.
    options: "-c jit=off",
  };
}
