// Does the ingest's cost grow with a principal's history? (docs/benchmarks.md, "The smoke soak's
// collapse, profiled".) The soak's own workload (ten whole background chains per batch,
// ~98 events, as scripts/bench/soak.ts sends them) ingested in-process, without HTTP, on a fresh
// SQLite store, window after window, by concurrent callers; for each window the CPU per event (all
// threads and the main thread), the time in each store operation and SQL statement, and the steps'
// own JavaScript; the full breakdown at the sizes given with --at.
//
//   npx tsx scripts/bench/ingest-growth.ts --pop smoke|quick [--to 1500000] [--clients 4] [--window 20000]
//                                          [--at 100000,500000,1000000,1500000] [--keep] [--step-cpu]
//   … --plan "4:60000,600:60000,…"   windows of (concurrent callers, events) instead: a backlog of
//                                     600 batches verifying at once against the usual 4
//
// The population is the bench mode's (smoke: 80 principals, ~21,000 events each at 1.7M; quick:
// 1,200). Signing happens between windows, untimed. Like ingest-profile.ts it runs ingestBatch's own
// steps (verifyBatch, runPhasedSync with ingestSteps, the checkpoint) with a timer around each
// (timed-ingest.ts).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir, loadavg } from "node:os";
import { join } from "node:path";
import type Database from "better-sqlite3";
import { ingestConcurrently, mainThreadCpuUs, Phases, timedIngest, timeExec, timePreparedStatements } from "./timed-ingest";
import { allPrincipals, population, smallChain } from "./workload";
import { CONFIGS } from "./config";

const argv = process.argv.slice(2);
const arg = (name: string, d: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : d;
};
const popName = arg("--pop", "smoke") as "smoke" | "quick";
const to = Number(arg("--to", "1500000"));
const clients = Number(arg("--clients", "4"));
const windowEvents0 = Number(arg("--window", "20000"));
// --plan "4:100000,600:60000,…": windows of (clients, events) instead of --clients/--window/--to.
const plan = arg("--plan", "")
  .split(",")
  .filter(Boolean)
  .map((w) => w.split(":").map(Number) as [number, number]);
let windowEvents = windowEvents0;
const reportAt = arg("--at", "100000,500000,1000000,1500000").split(",").map(Number);
const keep = argv.includes("--keep");

const log = (msg: string) =>
  console.log(`[ingest-growth ${popName} ${new Date().toISOString().slice(11, 19)} load ${loadavg()[0].toFixed(2)}] ${msg}`);

// --step-cpu: the process's CPU around each timed step as well (process.cpuUsage; Node 20 has no
// per-thread figure). With --clients 1 nothing else runs while a synchronous step does (the batch's
// signatures are verified before its steps start), so it is that step's main-thread CPU and does not
// depend on the share of a core the load leaves, as wall time does.
const stepCpu = argv.includes("--step-cpu");
let phases = new Phases(stepCpu);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "delegraph-growth-"));
  const url = `file:${join(dir, "g.db")}`;
  execFileSync(join(process.cwd(), "node_modules/.bin/tsx"), ["scripts/migrate.ts"], { env: { ...process.env, DATABASE_URL: url }, stdio: "ignore" });
  process.env.DATABASE_URL = url;
  const { database, closeDatabase } = await import("@/lib/db");
  const fill = await import("./fill");
  const db = await database();
  const conn = db.sqlite as Database.Database;
  timePreparedStatements(conn, () => phases, 70);
  timeExec(conn, () => phases);

  const pop = population(CONFIGS[popName].population);
  await fill.registerPrincipals(allPrincipals(pop));
  const now = Math.floor(Date.now() / 1000);

  const timed = await timedIngest({ conn, phases: () => phases, name: "ingest-growth", stepsJs: true });

  let nextChain = 1_000_000;
  let stored = 0;
  let nextReport = 0;
  const started = performance.now();
  let w = 0;
  let clientsNow = clients;
  while (plan.length ? w < plan.length : stored < to) {
    if (plan.length) [clientsNow, windowEvents] = plan[w];
    w++;
    // sign one window (untimed)
    const batches: string[][] = [];
    let evs = 0;
    while (evs < windowEvents) {
      const b: string[] = [];
      for (let k = 0; k < 10; k++) b.push(...smallChain(nextChain++, pop, now));
      batches.push(b);
      evs += b.length;
    }
    await new Promise((r) => setImmediate(r));
    phases = new Phases(stepCpu);
    timed.resetReleases();
    const cpu = process.cpuUsage();
    const main0 = mainThreadCpuUs();
    const t0 = performance.now();
    await ingestConcurrently(batches, clientsNow, timed.ingest);
    const wall = performance.now() - t0;
    const used = process.cpuUsage(cpu);
    const mainUs = mainThreadCpuUs() - main0;
    const at = stored;
    stored += evs;
    const cpuPer = (used.user + used.system) / evs;
    const runMs = phases.ms.get("run (wall)") ?? 0;
    const storeMs = [...phases.ms].filter(([k]) => k.startsWith("store.")).reduce((s, [, v]) => s + v, 0);
    const jsMs = phases.ms.get("steps' own JS (generator)") ?? 0;
    const storeCpuUs = [...phases.cpuUs].filter(([k]) => k.startsWith("store.")).reduce((s, [, v]) => s + v, 0);
    const jsCpuUs = phases.cpuUs.get("steps' own JS (generator)") ?? 0;
    log(
      `at ${at}→${stored}, ${clientsNow} clients: ${Math.round(evs / (wall / 1000))} ev/s, CPU ${cpuPer.toFixed(0)} µs/ev (all threads) ${(mainUs / evs).toFixed(0)} main thread, main thread busy ${((mainUs / 1000 / wall) * 100).toFixed(0)}% of wall, run ${((runMs * 1000) / evs).toFixed(0)} µs/ev, ` +
        `store ops ${((storeMs * 1000) / evs).toFixed(0)}, steps' own JS ${((jsMs * 1000) / evs).toFixed(0)}, releases ${timed.releases()}, ` +
        (stepCpu ? `CPU in store ops ${(storeCpuUs / evs).toFixed(0)}, in steps' own JS ${(jsCpuUs / evs).toFixed(0)}, ` : "") +
        `RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
    );
    if (nextReport < reportAt.length && stored >= reportAt[nextReport]) {
      nextReport++;
      const rows = [...phases.ms.entries()].sort((a, b) => b[1] - a[1]);
      for (const [name, ms] of rows)
        console.log(
          `    ${name.padEnd(80)} ${((ms * 1000) / evs).toFixed(1).padStart(8)} µs/ev` +
            (stepCpu ? ` ${((phases.cpuUs.get(name) ?? 0) / evs).toFixed(1).padStart(8)} µs/ev CPU` : "") +
            `  ${((ms * 1000) / (phases.n.get(name) ?? 1)).toFixed(0).padStart(8)} µs/call  ${String(phases.n.get(name)).padStart(6)} calls`,
        );
    }
  }
  log(`done ${stored} events in ${((performance.now() - started) / 1000).toFixed(0)} s; store ${dir}`);
  await closeDatabase();
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e.stack ?? e.message);
    process.exit(1);
  },
);
