// An in-process profile of the CSV exports (docs/benchmarks.md, "CSV export VII"): the route's stream
// (eventCsvStream over chainEventCsv or filteredEventCsv) drained without HTTP, with the CPU of each
// export per row.
//
//   npx tsx scripts/bench/csv-profile.ts --save-store /tmp/x/quick.db        (fill like the quick bench, keep it, stop)
//   npx tsx scripts/bench/csv-profile.ts --store /tmp/x/quick.db [--runs 12] [--warmups 2]
//        [--export chain|all|violation …] [--out DIR] [--now SECONDS] [--retain 600000] [--cpu-prof-dir DIR]
//   node --max-semi-space-size=8 --max-old-space-size=256 --import tsx scripts/bench/csv-profile.ts …  (the server's heap)
//
// The fill is the quick bench's (scripts/bench.ts): its population, the q10/q100/q1000 and r200 tree
// chains with leaves, the graph chains, and 10,300 background chains, in-process through ingestBatch.
// With --store, a copy of the store is opened (each run reads the same bytes); "chain" is the
// 1,000-hop chain (q1000), "all" the many-chain export of every event, "violation" the quick bench's
// `status=violation`. Each export runs --warmups times, then --runs times; CPU is process.cpuUsage
// (user + system) per row. --out writes each export's bytes once (after the timed runs) for `cmp`
// against another tree's; --now fixes the read time so two trees' bytes can be compared. The script
// uses only what the routes use, so a copy of it runs in an older tree for an A/B comparison.
import { openProfiler } from "./profiler";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { allPrincipals, population, slices, smallChain, treeChain } from "./workload";
import { worstGrantPrincipals } from "./worst-grant";
import { CONFIGS } from "./config";

type TArgs = {
  store: string | null;
  saveStore: string | null;
  runs: number;
  warmups: number;
  exports: string[];
  out: string | null;
  now: number | null;
  retain: number;
  profileDir: string | null;
};

function parseArgs(argv: string[]): TArgs {
  const a: TArgs = { store: null, saveStore: null, runs: 12, warmups: 2, exports: [], out: null, now: null, retain: 0, profileDir: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--store") a.store = argv[++i];
    else if (argv[i] === "--save-store") a.saveStore = argv[++i];
    else if (argv[i] === "--runs") a.runs = Number(argv[++i]);
    else if (argv[i] === "--warmups") a.warmups = Number(argv[++i]);
    else if (argv[i] === "--export") a.exports.push(argv[++i]);
    else if (argv[i] === "--out") a.out = argv[++i];
    else if (argv[i] === "--now") a.now = Number(argv[++i]);
    else if (argv[i] === "--retain") a.retain = Number(argv[++i]);
    else if (argv[i] === "--cpu-prof-dir") a.profileDir = argv[++i];
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (a.exports.length === 0) a.exports = ["chain", "all", "violation"];
  return a;
}

const log = (msg: string) => console.log(`[csv ${new Date().toISOString().slice(11, 19)} load ${loadavg()[0].toFixed(2)}] ${msg}`);

/** Fills a fresh store as the quick bench does, in-process. */
async function fillQuick(): Promise<void> {
  const fill = await import("./fill");
  const cfg = CONFIGS.quick;
  const now = Math.floor(Date.now() / 1000);
  const pop = population(cfg.population);
  await fill.openFillClient();
  const trees = [
    ...cfg.queryHops.map((h) => treeChain(`q${h}`, h, now, { leaves: true })),
    treeChain(`r${cfg.pdfHops}`, cfg.pdfHops, now, { leaves: true }),
    ...cfg.graphNodes.map((n) => treeChain(`g${n}`, n - 1, now)),
  ];
  await fill.registerPrincipals([...allPrincipals(pop), ...trees.flatMap((t) => t.principals), ...worstGrantPrincipals()]);
  const perBatch = cfg.fillBatch / 10;
  const background = function* () {
    for (let n = 0; n < cfg.fillChains; n += perBatch) {
      const batch: string[] = [];
      for (let i = n; i < Math.min(cfg.fillChains, n + perBatch); i++) batch.push(...smallChain(i, pop, now));
      yield batch;
    }
  };
  const b = await fill.ingestInProcess(background());
  const t = await fill.ingestInProcess(trees.flatMap((c) => slices(c.tokens, cfg.fillBatch)));
  log(`filled ${b.events + t.events} events (${b.perSec} events/s for the background chains)`);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), "delegraph-csv-profile-"));
  const file = join(dir, "csv.db");
  if (args.store) for (const suffix of ["", "-wal"]) if (existsSync(args.store + suffix)) copyFileSync(args.store + suffix, file + suffix);
  const url = `file:${file}`;
  execFileSync(join(process.cwd(), "node_modules/.bin/tsx"), ["scripts/migrate.ts"], { env: { ...process.env, DATABASE_URL: url }, stdio: "ignore" });
  process.env.DATABASE_URL = url;
  const { database, closeDatabase } = await import("@/lib/db");

  if (!args.store) {
    await fillQuick();
    if (args.saveStore) {
      (await database()).sqlite!.pragma("wal_checkpoint(TRUNCATE)");
      await closeDatabase();
      copyFileSync(file, args.saveStore);
      rmSync(dir, { recursive: true, force: true });
      log(`saved ${args.saveStore}`);
      return;
    }
  }

  const { chainEventCsv, filteredEventCsv } = await import("@/lib/reports/queries");
  const { eventCsvStream } = await import("@/lib/reports/stream");
  const { ZChainFilters } = await import("@/lib/contracts/chains");
  const now = args.now ?? Math.floor(Date.now() / 1000);
  log(`read time ${now}`);
  // A server-sized old generation (the server holds Next's modules and caches): what a scavenge
  // and a mark-compact walk is closer to the server's.
  const retained: object[] = [];
  for (let i = 0; i < args.retain; i++) retained.push({ i, s: `retained ${i}` });

  const exportsOf: Record<string, () => AsyncIterator<string | Uint8Array>> = {
    chain: () => chainEventCsv("q1000", now, "iso"),
    all: () => filteredEventCsv(ZChainFilters.parse({}), now, "iso"),
    violation: () => filteredEventCsv(ZChainFilters.parse({ status: "violation" }), now, "iso"),
  };
  /** Drains the route's stream: bytes, rows (CRLFs outside quotes are not told apart: exact for these stores), sha256 when asked. */
  const drain = async (name: string, hash: boolean) => {
    const reader = eventCsvStream(exportsOf[name](), {}).getReader();
    const sha = hash ? createHash("sha256") : null;
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    let lines = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      for (let i = value.indexOf(10); i !== -1; i = value.indexOf(10, i + 1)) lines++;
      if (sha) {
        sha.update(value);
        if (args.out) chunks.push(Buffer.from(value));
      }
    }
    return { bytes, rows: lines - 1, sha256: sha?.digest("hex") ?? null, chunks };
  };

  const profiler = await openProfiler(args.profileDir);
  for (const name of args.exports) {
    for (let i = 0; i < args.warmups; i++) await drain(name, false);
    const perRow: number[] = [];
    let rows = 0;
    const load = loadavg()[0];
    if (profiler) await profiler.post("Profiler.start");
    for (let i = 0; i < args.runs; i++) {
      const cpu = process.cpuUsage();
      const r = await drain(name, false);
      const used = process.cpuUsage(cpu);
      rows = r.rows;
      perRow.push((used.user + used.system) / r.rows);
    }
    if (profiler) {
      const { profile } = (await profiler.post("Profiler.stop")) as { profile: object };
      writeFileSync(join(args.profileDir!, `${name}.cpuprofile`), JSON.stringify(profile));
    }
    const sorted = [...perRow].sort((x, y) => x - y);
    const check = await drain(name, true);
    if (args.out) {
      mkdirSync(args.out, { recursive: true });
      writeFileSync(join(args.out, `${name}.csv`), Buffer.concat(check.chunks));
    }
    log(
      `${name}: ${rows} rows, ${check.bytes} bytes, sha256 ${check.sha256!.slice(0, 12)}; CPU µs/row best ${sorted[0].toFixed(2)}, ` +
        `median ${sorted[Math.floor(sorted.length / 2)].toFixed(2)} (load ${load.toFixed(2)} → ${loadavg()[0].toFixed(2)}); runs ${perRow.map((x) => x.toFixed(2)).join(" ")}`,
    );
  }
  retained.length = 0;
  await closeDatabase();
  rmSync(dir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e.stack ?? e.message);
    process.exit(1);
  },
);
