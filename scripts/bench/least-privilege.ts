// `npx tsx scripts/bench/least-privilege.ts [--events 1000000] [--database sqlite|postgres]
//   [--url <database url to re-measure, no fill>] [--keep] [--runs 40]`
//
// The read cost of least privilege (docs/least-privilege.md) with a million events stored: the
// granted-vs-used answers the dashboard and the exports ask for, called in-process (no HTTP) through
// lib/least-privilege/queries.ts, each `--runs` times after two untimed calls: a principal's page
// (all purposes and one), the ranking (all purposes and one) and the report's read. For each, the
// store statements behind one call are timed and their rows counted, so the figure says what grew.
//
// The store is filled with rows, not through ingest: npm run bench's own workload (its 10-event
// background chains, all issued within the same two hours, so every grant is inside the 30-day
// window, and its tree chains of 10 to 4,999 hops, the newest grants) written straight into Event
// (claims as ingest stores them, no signature, no ledger hash, no chain summary), because the
// least-privilege reads use nothing else and a full `npm run bench` fill of 1M verified events
// takes most of an hour on this shared machine. What ingest keeps beside the events for these reads
// (GrantUse, migration 0027) is written for each batch by ingest's own write path (the same
// grantUsesOf and the same upsert), so the figure is not one a real store would not have.
// ANALYZE runs after the fill (PostgreSQL's
// autovacuum does it on a real server; SQLite's statistics are what the app's own open refreshes).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { EVENT_INSERT_COLUMNS, type TEventInsert } from "@/lib/db/rows";
import { grantUsesOf } from "@/lib/protocol/least-privilege";
import type { TClaims } from "@/lib/protocol/types";
import { migrate } from "../migrate";
import { dropDatabase, postgresTestUrl } from "../postgres";
import { describeMachine, load } from "./machine";
import { LP_TARGET_P95_MS } from "./report";
import { latency, timeRuns } from "./stats";
import { population, smallChainClaims, treeChain, type TPopulation } from "./workload";
import type { TBenchClaims } from "./tokens";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    database: { type: "string", default: "sqlite" },
    url: { type: "string" },
    keep: { type: "boolean", default: false },
    runs: { type: "string", default: "40" },
  },
});
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
const log = (m: string) => console.log(`[lp-bench ${new Date().toISOString().slice(11, 19)}] ${m}`);

/** The Event columns this fill writes: ingest's insert columns (lib/db/rows.ts) but the optional ones. */
// (the CSV columns left null too: the export derives those rows' fields itself)
const OPTIONAL = ["keyRevokedAt", "traceId", "drift", "tokenSha256", "csvFromClaims", "csvText1", "csvText2", "csvText3"] as const;
type TRow = Omit<TEventInsert, (typeof OPTIONAL)[number]>;
const COLUMNS = (Object.keys(EVENT_INSERT_COLUMNS) as (keyof TEventInsert)[]).filter(
  (c): c is keyof TRow => !(OPTIONAL as readonly string[]).includes(c),
);
const PG_TYPES = EVENT_INSERT_COLUMNS;

function rowOf(seq: number, c: TBenchClaims): TRow {
  const claims = { v: 1, ...c } as Record<string, unknown> & TBenchClaims;
  const ref = c.kind === "delegate" ? c.parent : c.kind === "invoke" || c.kind === "complete" ? c.grant : null;
  return {
    seq,
    jti: c.jti,
    chainId: c.chain,
    kind: c.kind,
    iss: c.iss,
    aud: c.kind === "authorize" || c.kind === "delegate" ? c.aud : null,
    ref: ref ?? null,
    iat: c.iat,
    exp: c.kind === "authorize" || c.kind === "delegate" ? c.exp : null,
    status: "accepted",
    alg: "EdDSA",
    kid: "k1",
    token: "",
    claims: JSON.stringify(claims),
    purposeCode: c.kind === "authorize" || c.kind === "delegate" ? c.purpose.code : c.kind === "invoke" ? (c.purpose ?? null) : null,
    prevHash: "",
    hash: "",
  };
}

const decode = (token: string) => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8")) as TBenchClaims;

/** The rows of npm run bench's store at this size: background chains, then its tree chains. */
function* workloadRows(events: number, pop: TPopulation, now: number): Generator<TRow[]> {
  let seq = 1;
  let stored = 0;
  for (let n = 0; stored < events;) {
    const batch: TRow[] = [];
    for (let k = 0; k < 500 && stored < events; k++, n++)
      for (const { claims } of smallChainClaims(n, pop, now)) {
        batch.push(rowOf(seq++, claims));
        stored++;
      }
    yield batch;
  }
  for (const [id, hops, leaves] of [
    ["q10", 10, true],
    ["q100", 100, true],
    ["q1000", 1000, true],
    ["r200", 200, true],
    ["g100", 99, false],
    ["g1000", 999, false],
    ["g5000", 4999, false],
  ] as const)
    yield treeChain(id, hops, now, { leaves }).tokens.map((t) => rowOf(seq++, decode(t)));
}

async function fill(now: number): Promise<{ events: number; agent: string }> {
  const { database } = await import("@/lib/db");
  const { driftOnlyWrite, sqliteIngestStore, UPSERT_GRANT_USES } = await import("@/lib/db/stores/ingest");
  const db = await database();
  const ingestStore = db.sqlite ? sqliteIngestStore(db.sqlite) : null;
  const usesOf = (rows: TRow[]) => grantUsesOf(rows.map((r) => JSON.parse(r.claims) as TClaims));
  const pop = population({ humans: 100, agents: 1000, tools: 100 });
  await db.prisma.principal.createMany({
    data: [...pop.humans, ...pop.agents, ...pop.tools].map((p) => ({ id: p.id, kind: p.kind })),
  });
  let events = 0;
  let lastLog = performance.now();
  for (const rows of workloadRows(EVENTS, pop, now)) {
    if (db.sqlite) {
      const cols = Object.keys(rows[0]);
      const insert = db.sqlite.prepare(
        `INSERT INTO "Event" (${cols.map((c) => `"${c}"`).join(", ")}) VALUES (${cols.map((c) => `@${c}`).join(", ")})`,
      );
      const conn = db.sqlite;
      conn.transaction(() => {
        for (const r of rows) insert.run(r);
        ingestStore!.write({ ...driftOnlyWrite(new Date(), null), grantUses: usesOf(rows) });
      })();
    } else {
      // One JSON parameter per batch: createMany binds 17 parameters a row and filled ~500 rows/s.
      await db.prisma.$executeRawUnsafe(
        `INSERT INTO "Event" (${COLUMNS.map((c) => `"${c}"`).join(", ")}) SELECT ${COLUMNS.map((c) => `r."${c}"`).join(", ")} FROM json_to_recordset($1::json) AS r(${COLUMNS.map((c) => `"${c}" ${PG_TYPES[c]}`).join(", ")})`,
        JSON.stringify(rows),
      );
      await db.prisma.$executeRawUnsafe(UPSERT_GRANT_USES, JSON.stringify(usesOf(rows)));
    }
    events += rows.length;
    if (performance.now() - lastLog > 15_000) {
      lastLog = performance.now();
      log(`  … ${events} rows; load ${load()[0]}`);
    }
  }
  if (db.sqlite) db.sqlite.exec("ANALYZE");
  else await db.prisma.$executeRawUnsafe(`ANALYZE`);
  return { events, agent: pop.agents[42].id };
}

type TStatementCost = { calls: number; ms: number; rows: number };

/** Wraps the least-privilege store so each method's time and rows are summed per measured call. */
async function instrument(): Promise<Map<string, TStatementCost>> {
  const { stores } = await import("@/lib/db");
  const store = (await stores()).leastPrivilege as unknown as Record<string, (...a: unknown[]) => Promise<unknown[]>>;
  const costs = new Map<string, TStatementCost>();
  for (const name of Object.keys(store)) {
    const original = store[name];
    store[name] = async (...a: unknown[]) => {
      const t = performance.now();
      const out = await original(...a);
      const c = costs.get(name) ?? { calls: 0, ms: 0, rows: 0 };
      c.calls++;
      c.ms += performance.now() - t;
      c.rows += Array.isArray(out) ? out.length : 0;
      costs.set(name, c);
      return out;
    };
  }
  return costs;
}

async function main() {
  const kind = values.url ? (values.url.startsWith("postgres") ? "postgres" : "sqlite") : values.database === "postgres" ? "postgres" : "sqlite";
  let url = values.url;
  let drop: (() => Promise<void>) | null = null;
  const now = Math.floor(Date.now() / 1000);
  const m = describeMachine();
  log(`${kind}; ${m.nproc} cores (${m.cpu}), Node ${m.node}; load ${load().join(" ")}`);
  let agent = "agent:a42";
  if (!url) {
    if (kind === "postgres") {
      const pg = await postgresTestUrl();
      if (!pg) throw new Error("no PostgreSQL server reachable");
      url = await pg.fresh();
      const u = url;
      drop = () => dropDatabase(u);
    } else {
      const dir = mkdtempSync(join(tmpdir(), "delegraph-lp-bench-"));
      url = `file:${join(dir, "lp.db")}`;
      drop = async () => rmSync(dir, { recursive: true, force: true });
    }
    migrate(url);
    process.env.DATABASE_URL = url;
    const started = performance.now();
    const filled = await fill(now);
    agent = filled.agent;
    log(`filled ${filled.events} events in ${((performance.now() - started) / 1000).toFixed(0)} s; load ${load().join(" ")}`);
  } else {
    process.env.DATABASE_URL = url;
  }
  const { stores, closeDatabase } = await import("@/lib/db");
  const q = await import("@/lib/least-privilege/queries");
  const { leastPrivilegeCsv } = await import("@/lib/least-privilege/report");
  const stored = await (await stores()).eventCount();
  const costs = await instrument();
  const cases: [string, () => Promise<unknown>][] = [
    [`principal ${agent}`, () => q.getPrincipalLeastPrivilege(agent, {})],
    [`principal ${agent}, purpose ops.d3`, () => q.getPrincipalLeastPrivilege(agent, { purpose: "ops.d3" })],
    ["ranking", () => q.getLeastPrivilegeRanking({})],
    ["ranking, purpose ops.d3", () => q.getLeastPrivilegeRanking({ purpose: "ops.d3" })],
    ["report (CSV rows), all principals", async () => leastPrivilegeCsv((await q.readLeastPrivilegeReport({})).usages, { purpose: null })],
  ];
  log(`${stored} events stored; ${RUNS} runs each; target p95 ≤ ${LP_TARGET_P95_MS} ms`);
  let worst = 0;
  for (const [name, f] of cases) {
    const loadBefore = load()[0];
    const samples = await timeRuns(RUNS, 2, f);
    costs.clear();
    await f();
    const l = latency(samples);
    worst = Math.max(worst, l.p95Ms);
    const statements = [...costs].map(([s, c]) => `${s} ${c.calls}× ${c.ms.toFixed(0)} ms ${c.rows} rows`).join("; ");
    log(
      `${name}: p50 ${l.p50Ms} ms, p95 ${l.p95Ms} ms, max ${l.maxMs} ms ${l.p95Ms <= LP_TARGET_P95_MS ? "(within" : "(MISSES"} the ${LP_TARGET_P95_MS} ms target); load ${loadBefore}; one call: ${statements}`,
    );
  }
  log(`worst p95 ${worst} ms at ${stored} events on ${kind}; load ${load().join(" ")}`);
  await closeDatabase();
  if (values.keep || values.url) log(`kept the database: ${url}`);
  else await drop?.();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
