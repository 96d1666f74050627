// `npx tsx scripts/bench/drift.ts [--events 1000000] [--batch 1000] [--database sqlite|postgres]`
//
// The ingest cost of behavioural drift (docs/least-privilege.md#behavioural-drift) as the store
// grows to a million invokes: each batch runs exactly what the ingest transaction runs for drift
// (lib/ingest/steps.ts judgeDrifts: the baseline reads, the judgement of every invoke, then the
// baseline upserts and prunes of the write plan), through the ingest store's runner on a fresh
// database, and nothing else (no signatures, no chain checks), so the figure is drift's own share.
// The workload: 1,000 agents × 5 purposes, each agent with a few habitual actions and resources
// and now and then a new one, one invoke every ~3 s of iat over ~35 days, so the 30-day window
// slides and prunes all along. Prints per-batch p50/p95 at each tenth of the run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { migrate } from "../migrate";
import { dropDatabase, postgresTestUrl } from "../postgres";
import { describeMachine, load } from "./machine";
import { latency, round } from "./stats";
import { mulberry32 } from "@/lib/protocol/test-helpers";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    batch: { type: "string", default: "1000" },
    database: { type: "string", default: "sqlite" },
  },
});
const EVENTS = Number(values.events);
const BATCH = Number(values.batch);
const log = (m: string) => console.log(`[drift-bench ${new Date().toISOString().slice(11, 19)}] ${m}`);

async function main() {
  let url: string;
  let drop: () => Promise<void>;
  if (values.database === "postgres") {
    const pg = await postgresTestUrl();
    if (!pg) throw new Error("no PostgreSQL server reachable");
    url = await pg.fresh();
    drop = () => dropDatabase(url);
  } else {
    const dir = mkdtempSync(join(tmpdir(), "delegraph-drift-bench-"));
    url = `file:${join(dir, "drift.db")}`;
    drop = async () => rmSync(dir, { recursive: true, force: true });
  }
  migrate(url);
  process.env.DATABASE_URL = url;
  const { stores, closeDatabase } = await import("@/lib/db");
  const { judgeDrifts } = await import("@/lib/ingest/steps");
  const { ask, driftOnlyWrite } = await import("@/lib/db/stores/ingest");
  const { DEFAULT_DRIFT_SETTINGS } = await import("@/lib/protocol/drift");
  type TFresh = import("@/lib/ingest/steps").TFresh;
  type TClaims = import("@/lib/protocol/types").TClaims;
  const s = await stores();
  const m = describeMachine();
  log(`${EVENTS} invokes in batches of ${BATCH} on ${values.database}; ${m.nproc} cores, Node ${m.node}; load ${load().join(" ")}`);

  const rand = mulberry32(42);
  const T0 = 1_800_000_000;
  const AGENTS = 1000;
  const PURPOSES = ["finance.reporting", "finance.audit", "hr.payroll", "sales.forecast", "ops.backup"];
  let drifts = 0;
  const perBatch: number[] = [];
  const tenths: string[] = [];

  for (let done = 0, b = 0; done < EVENTS; b++) {
    const n = Math.min(BATCH, EVENTS - done);
    const fresh: TFresh[] = [];
    for (let i = 0; i < n; i++) {
      const k = done + i;
      const agent = Math.floor(rand() * AGENTS);
      const purpose = PURPOSES[agent % PURPOSES.length];
      // Habits: 3 actions and 20 resources per agent; 1 in 500 invokes something new.
      const novel = rand() < 0.002;
      const r = Math.floor(rand() * 20);
      const claims = {
        v: 1,
        kind: "invoke",
        jti: `i${k}`,
        chain: `c${agent}`,
        iss: `agent:a${agent}`,
        iat: T0 + k * 3,
        action: novel ? `x/new${k}:write` : `${purpose.split(".")[0]}/a${r % 3}:read`,
        resource: novel ? `https://new${k}.example/x` : `db://${purpose}/r${agent}-${r}`,
        purpose,
        data: ["internal"],
      } as unknown as TClaims;
      fresh.push({ index: i, claims, raw: "", alg: "EdDSA", kid: "k", keyRevokedAt: null, drift: null, seq: 0, prevHash: "", hash: "" });
    }
    const started = performance.now();
    await s.ingest.run(
      (function* () {
        yield* ask("lockHead");
        const judged = yield* judgeDrifts(fresh, [], DEFAULT_DRIFT_SETTINGS);
        yield* ask("write", driftOnlyWrite(new Date(), judged.write));
        return null;
      })(),
    );
    perBatch.push(performance.now() - started);
    drifts += fresh.filter((f) => f.drift !== null).length;
    done += n;
    if (done % Math.max(BATCH, Math.floor(EVENTS / 10 / BATCH) * BATCH) === 0 || done === EVENTS) {
      const l = latency(perBatch.splice(0));
      tenths.push(
        `${done.toLocaleString("en")} invokes: batch p50 ${round(l.p50Ms)} ms, p95 ${round(l.p95Ms)} ms (${round((l.p50Ms * 1000) / BATCH)} µs/invoke at p50); drifts so far ${drifts}; load ${load()[0]}`,
      );
      log(tenths[tenths.length - 1]);
    }
  }
  if (values.database !== "postgres") {
    const conn = (await (await import("@/lib/db")).database()).sqlite!;
    const count = (t: string) => (conn.prepare(`SELECT COUNT(*) AS n FROM "${t}"`).get() as { n: number }).n;
    const storedRows = count("DriftValue") + count("DriftBucket") + count("DriftBaseline");
    log(
      `rows: DriftBaseline ${count("DriftBaseline")}, DriftValue ${count("DriftValue")}, DriftBucket ${count("DriftBucket")} (${storedRows} in all)`,
    );
  }
  await closeDatabase();
  await drop();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
