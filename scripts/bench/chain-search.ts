// `npx tsx scripts/bench/chain-search.ts [--chains 300000] [--runs 7]` (PostgreSQL: TEST_DATABASE_URL or 127.0.0.1:5432)
//
// The chain list's `q=` search on PostgreSQL before and after migration 0031 (SQLite has no index for
// it: an FTS5 trigram index was measured with this script and left out, see the docs) (docs/benchmarks.md "Growth"), in
// process, on one store: filled by SQL with `--chains` chain summaries (no events: the search reads
// Chain alone) whose searchText looks like ingest's (ids, principals, purpose, scopes, resources,
// one per line, ~330 bytes), without 0031's index; then timed with the statements the list sent
// before (Prisma's LIKE page of 51, newest first, and its count), then 0031 applied through
// scripts/migrate.ts (the index built over the existing chains: its time is the migration's) and
// the same queries timed through the chain store. Also: the index's size on disk, and what it adds
// to rewriting chains' text (what ingest does to every chain a batch touches), per chain and for one
// chain with a 100 kB text (a 1,000-hop chain's). Median of `--runs` after one untimed call.
import { parseArgs } from "node:util";
import { openDatabase, type TDatabase } from "@/lib/db/connect";
import { createStores } from "@/lib/db/stores";
import { migrate } from "../migrate";
import { dropDatabase, postgresTestUrl } from "../postgres";
import { load } from "./machine";
import { percentile, round, timeRuns } from "./stats";

const { values } = parseArgs({
  options: {
    chains: { type: "string", default: "300000" },
    runs: { type: "string", default: "7" },
  },
});
const CHAINS = Number(values.chains);
const RUNS = Number(values.runs);
const T = 1_800_000_000;
const log = (m: string) => console.log(`[search-bench ${new Date().toISOString().slice(11, 19)}] ${m} (load ${load()[0].toFixed(1)})`);

/** What each query finds in the fill (i from 1 to CHAINS). */
const QUERIES: [string, string][] = [
  ["one chain", "render.example/chart/123457"],
  ["~15 chains", "warehouse/table-12345"],
  ["~60 chains", "user:u4242@"],
  ["~1% of chains", "agent:planner-99"],
  ["every chain", "quarterly report"],
  ["none", "no such text anywhere"],
  ["2 characters, none", "zq"],
];

const median = (xs: number[]) => round(percentile(xs, 50), 1);

async function exec(db: TDatabase, sql: string): Promise<void> {
  if (db.sqlite) db.sqlite.exec(sql);
  else await db.prisma.$executeRawUnsafe(sql);
}

/** The fill: SQLite by a recursive CTE, PostgreSQL by generate_series; the same text on both. */
async function fill(db: TDatabase): Promise<void> {
  const nl = db.sqlite ? "char(10)" : "chr(10)";
  const pad = (e: string) => (db.sqlite ? `printf('%07d', ${e})` : `lpad((${e})::text, 7, '0')`);
  const text = [
    `'bench-' || ${pad("i")}`,
    `'bench-' || ${pad("i")} || '.d1'`,
    `'user:u' || (i % 5003) || '@bank.example'`,
    `'agent:planner-' || (i % 997)`,
    `'fin.report.q' || (i % 4)`,
    `'quarterly report for region ' || (i % 13)`,
    `'fin/q' || (i % 4) || '/*:read'`,
    `'db://warehouse/table-' || (i % 20011)`,
    `'https://render.example/chart/' || i`,
    `'agent:worker-' || (i % 131)`,
  ].join(` || ${nl} || `);
  const columns = `"id", "status", "startedAt", "hopCount", "eventCount", "criticalCount", "errorCount", "warningCount", "findingCodes", "openGrantExps", "searchText", "lastEventAt"`;
  const select = `SELECT 'bench-' || ${pad("i")}, 'verified', ${T} - i, 3, 6, 0, 0, 0, '', '[]', ${text}, ${db.sqlite ? "'2026-01-01T00:00:00.000+00:00'" : "now()"}`;
  if (db.sqlite) {
    await exec(
      db,
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${CHAINS}) INSERT INTO "Chain" (${columns}) ${select} FROM n`,
    );
    await exec(db, "ANALYZE");
  } else {
    await exec(db, `INSERT INTO "Chain" (${columns}) ${select} FROM generate_series(1, ${CHAINS}) AS i`);
    await exec(db, `ANALYZE "Chain"`);
  }
}

/** Drops what 0031 made, so the store is as a pre-0031 one, and marks 0031 unapplied. */
async function unapply0031(db: TDatabase): Promise<void> {
  await exec(db, `DROP INDEX "Chain_searchText_trgm_idx"`);
  await exec(db, `DELETE FROM "_prisma_migrations" WHERE "migration_name" = '0031_chain_search'`);
}

/** Rewrites the text of `n` chains one statement each in one transaction (as ingest's upsert does), and of one chain with a 100 kB text. */
async function writeCost(db: TDatabase, label: string): Promise<void> {
  const n = 2000;
  const ids = Array.from({ length: n }, (_, k) => `bench-${String(1 + k * Math.floor(CHAINS / n)).padStart(7, "0")}`);
  const big = Array.from({ length: 2000 }, (_, k) => `agent:hop-${k}.example/resource/${k * 7919}`).join("\n");
  const times: number[] = [];
  const bigTimes: number[] = [];
  for (let r = 0; r < 3; r++) {
    const suffix = `\nrewrite-${label}-${r}`;
    let t = performance.now();
    if (db.sqlite) {
      const st = db.sqlite.prepare(`UPDATE "Chain" SET "searchText" = "searchText" || ? WHERE "id" = ?`);
      db.sqlite.transaction(() => {
        for (const id of ids) st.run(suffix, id);
      })();
    } else {
      await db.prisma.$transaction(
        ids.map((id) => db.prisma.$executeRawUnsafe(`UPDATE "Chain" SET "searchText" = "searchText" || $1 WHERE "id" = $2`, suffix, id)),
      );
    }
    times.push((performance.now() - t) / n);
    t = performance.now();
    if (db.sqlite) db.sqlite.prepare(`UPDATE "Chain" SET "searchText" = ? WHERE "id" = 'bench-0000001'`).run(`${big}\n${r}`);
    else await db.prisma.$executeRawUnsafe(`UPDATE "Chain" SET "searchText" = $1 WHERE "id" = 'bench-0000001'`, `${big}\n${r}`);
    bigTimes.push(performance.now() - t);
  }
  log(
    `${label}: rewriting a chain's text ${round(median(times) * 1000, 0)} µs per chain (${n} in one transaction); a ${Math.round(big.length / 1000)} kB text ${median(bigTimes)} ms`,
  );
}

async function sizes(db: TDatabase): Promise<void> {
  if (db.sqlite) {
    const rows = db.sqlite
      .prepare(`SELECT name, SUM(pgsize) AS bytes FROM dbstat WHERE name LIKE 'ChainSearch%' OR name = 'Chain' GROUP BY name ORDER BY name`)
      .all() as { name: string; bytes: number }[];
    for (const r of rows) log(`size ${r.name}: ${round(r.bytes / 2 ** 20, 1)} MiB = ${round(r.bytes / CHAINS, 0)} bytes/chain`);
  } else {
    const rows = await db.prisma.$queryRawUnsafe<{ name: string; bytes: bigint }[]>(
      `SELECT c.relname::text AS name, pg_relation_size(c.oid) AS bytes FROM pg_class c WHERE c.relname IN ('Chain', 'Chain_searchText_trgm_idx', 'Chain_pkey')`,
    );
    for (const r of rows) log(`size ${r.name}: ${round(Number(r.bytes) / 2 ** 20, 1)} MiB = ${round(Number(r.bytes) / CHAINS, 0)} bytes/chain`);
  }
}

async function main(): Promise<void> {
  const pg = await postgresTestUrl();
  if (!pg) throw new Error("no PostgreSQL server");
  const url = await pg.fresh();
  const cleanup = () => dropDatabase(url);
  try {
    migrate(url);
    let db = await openDatabase(url);
    await unapply0031(db);
    let t = performance.now();
    await fill(db);
    log(`filled ${CHAINS} chains in ${round((performance.now() - t) / 1000, 1)} s`);
    await sizes(db);
    for (const [what, q] of QUERIES) {
      const where = { searchText: { contains: q.toLowerCase() } };
      const page = await timeRuns(RUNS, 1, () =>
        db.prisma.chain.findMany({ where, orderBy: [{ startedAt: "desc" }, { id: "desc" }], take: 51, select: { id: true } }),
      );
      const count = await timeRuns(RUNS, 1, () => db.prisma.chain.count({ where }));
      const n = await db.prisma.chain.count({ where });
      log(`before, ${what} (${n}): page ${median(page)} ms, count ${median(count)} ms`);
    }
    await writeCost(db, "before");
    await db.close();

    t = performance.now();
    migrate(url);
    log(`0031 applied over ${CHAINS} chains in ${round((performance.now() - t) / 1000, 1)} s (includes the migrate process's start)`);
    db = await openDatabase(url);
    await exec(db, db.sqlite ? "ANALYZE" : `ANALYZE "Chain"`);
    await sizes(db);
    const s = createStores(db);
    for (const [what, q] of QUERIES) {
      const page = await timeRuns(RUNS, 1, () => s.chains.listRows({ q }, T, { take: 51 }));
      const count = await timeRuns(RUNS, 1, () => s.chains.countRows({ q }, T));
      log(`after, ${what} (${await s.chains.countRows({ q }, T)}): page ${median(page)} ms, count ${median(count)} ms`);
    }
    await writeCost(db, "after");
    await db.close();
  } finally {
    await cleanup();
  }
}

await main();
