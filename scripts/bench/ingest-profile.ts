// An in-process profile of the SQLite ingest (docs/benchmarks.md, "Where the ingest's time goes"):
// the bench's quick workload ingested through lib/ingest without HTTP, with the time of each phase.
//
//   npx tsx scripts/bench/ingest-profile.ts [--events 100000] [--clients 4] [--runs 2] [--keep]
//   node --cpu-prof --import tsx scripts/bench/ingest-profile.ts …     (a CPU profile as well)
//   … --events 1000000 --save-store /tmp/x/1m.db   (fill, keep the store and its keys, stop)
//   … --store /tmp/x/1m.db                          (a copy of that store instead of a fill)
//   … --sql 'DROP INDEX "x"; CREATE INDEX …'         (run after the migrations, before the fill:
//                                                    an A/B of an index in one tree)
//
// A fresh, migrated SQLite store is filled with --events background events (npm run bench's
// 10-event chains, batches of 1,000, through ingestBatch), then each workload (batches of 100 and of
// 1,000 on new chains, batches of 100 interleaved) is ingested by --clients concurrent callers, --runs
// times, each run right after the every-core raw Ed25519 rate it is compared with. The ingest is
// ingestBatch's own steps (verifyBatch, the store's runner with ingestSteps, the checkpoint), with a
// timer around each store operation, BEGIN, COMMIT and the group sync (timed-ingest.ts, shared with
// ingest-growth.ts). Both only use what the ingest exports, so the two files copied into an older
// tree run there for a back-to-back comparison.
import { openProfiler } from "./profiler";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { tmpdir, loadavg } from "node:os";
import { join } from "node:path";
import type Database from "better-sqlite3";
import { ingestConcurrently, mainThreadCpuUs, Phases, statCpuUs, timedIngest, timeExec, timePreparedStatements } from "./timed-ingest";
import { allPrincipals, chainBatches, population, smallChain, SMALL_CHAIN_EVENTS } from "./workload";
import { rawVerifyRateAllCores } from "./raw-verify";

type TArgs = {
  events: number;
  clients: number;
  runs: number;
  keep: boolean;
  profileDir: string | null;
  walAutocheckpoint: number | null;
  store: string | null;
  saveStore: string | null;
  pragmas: string[];
  sql: string[];
};
function parseArgs(argv: string[]): TArgs {
  const a: TArgs = {
    events: 100_000,
    clients: 4,
    runs: 2,
    keep: false,
    profileDir: null,
    walAutocheckpoint: null,
    store: null,
    saveStore: null,
    pragmas: [],
    sql: [],
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--events") a.events = Number(argv[++i]);
    else if (argv[i] === "--clients") a.clients = Number(argv[++i]);
    else if (argv[i] === "--runs") a.runs = Number(argv[++i]);
    else if (argv[i] === "--keep") a.keep = true;
    else if (argv[i] === "--cpu-prof-dir") a.profileDir = argv[++i];
    else if (argv[i] === "--wal-autocheckpoint") a.walAutocheckpoint = Number(argv[++i]);
    else if (argv[i] === "--store") a.store = argv[++i];
    else if (argv[i] === "--save-store") a.saveStore = argv[++i];
    else if (argv[i] === "--pragma") a.pragmas.push(argv[++i]);
    else if (argv[i] === "--sql") a.sql.push(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return a;
}

const log = (msg: string) => console.log(`[profile ${new Date().toISOString().slice(11, 19)} load ${loadavg()[0].toFixed(2)}] ${msg}`);
const tick = () => new Promise((r) => setImmediate(r));

/** Bytes this process handed to write() so far (/proc/self/io wchar): WAL frames, mostly. */
const written = () => Number(/wchar: (\d+)/.exec(readFileSync("/proc/self/io", "utf8"))?.[1] ?? 0);

/** CPU µs so far by thread ("main", or its tid). */
const cpuByThreadName = (): Map<string, number> => {
  const by = new Map<string, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const name = tid === String(process.pid) ? "main" : tid;
      by.set(name, (by.get(name) ?? 0) + statCpuUs(`/proc/self/task/${tid}/stat`));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return by;
};

/** The population's private keys beside a saved store, so a later run signs as its principals. */
type TSavedKeys = Record<string, string>;

let phases = new Phases();

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), "delegraph-profile-"));
  const url = `file:${join(dir, "profile.db")}`;
  if (args.store) {
    for (const suffix of ["", "-wal"]) if (existsSync(args.store + suffix)) copyFileSync(args.store + suffix, join(dir, "profile.db" + suffix));
  }
  execFileSync(join(process.cwd(), "node_modules/.bin/tsx"), ["scripts/migrate.ts"], { env: { ...process.env, DATABASE_URL: url }, stdio: "ignore" });
  process.env.DATABASE_URL = url;
  const { database, closeDatabase } = await import("@/lib/db");
  const fill = await import("./fill");

  // Every statement timed by its first words: wrapped as it is prepared, before the first ingest.
  const db = await database();
  const conn = db.sqlite as Database.Database;
  // --wal-autocheckpoint N: both connections checkpoint the WAL past N pages instead of their setting.
  if (args.walAutocheckpoint !== null) {
    conn.pragma(`wal_autocheckpoint = ${args.walAutocheckpoint}`);
    await db.prisma.$queryRawUnsafe(`PRAGMA wal_autocheckpoint = ${args.walAutocheckpoint}`);
  }
  log(`wal_autocheckpoint ${String(conn.pragma("wal_autocheckpoint", { simple: true }))} pages`);
  // --pragma "cache_size = -65536": set on the direct (ingest) connection before the fill.
  for (const p of args.pragmas) conn.pragma(p);
  // --sql: the schema as another tree would have it (an index dropped or added), same code.
  for (const s of args.sql) {
    conn.exec(s);
    log(`ran ${s.replace(/\s+/g, " ")}`);
  }
  log(
    `direct connection: cache_size ${String(conn.pragma("cache_size", { simple: true }))}, mmap_size ${String(conn.pragma("mmap_size", { simple: true }))}`,
  );
  timePreparedStatements(conn, () => phases, 60);
  const now = Math.floor(Date.now() / 1000);
  const pop = population({ humans: 100, agents: 1000, tools: 100 });
  if (args.store) {
    const saved = JSON.parse(readFileSync(`${args.store}.keys.json`, "utf8")) as TSavedKeys;
    for (const p of allPrincipals(pop)) {
      p.key.privateKey = createPrivateKey(saved[p.id]);
      p.key.publicKey = createPublicKey(p.key.privateKey);
    }
  } else await fill.registerPrincipals(allPrincipals(pop));
  const keyOf = new Map(allPrincipals(pop).map((p) => [p.id, p.key.publicKey]));
  const issuerOf = (t: string) => (JSON.parse(Buffer.from(t.split(".")[1], "base64url").toString("utf8")) as { iss: string }).iss;
  const rawSample = Array.from({ length: 200 }, (_, i) => smallChain(50_000_000 + i, pop, now))
    .flat()
    .map((token) => ({ token, key: keyOf.get(issuerOf(token))! }));

  log(`filling ${args.events} events in batches of 1,000 through ingestBatch (${dir})`);
  const fillChains = Math.ceil(args.events / SMALL_CHAIN_EVENTS);
  const background = function* () {
    for (let n = 0; n < fillChains; n += 100) {
      const batch: string[] = [];
      for (let i = n; i < Math.min(fillChains, n + 100); i++) batch.push(...smallChain(i, pop, now));
      yield batch;
    }
  };
  if (!args.store) {
    const filled = await fill.ingestInProcess(background());
    log(`filled ${filled.events} events in ${filled.seconds.toFixed(1)} s (${filled.perSec}/s)`);
  } else log(`a copy of ${args.store}, no fill`);
  if (args.saveStore) {
    conn.pragma("wal_checkpoint(TRUNCATE)");
    await closeDatabase();
    copyFileSync(join(dir, "profile.db"), args.saveStore);
    const keys: TSavedKeys = Object.fromEntries(
      allPrincipals(pop).map((p) => [p.id, p.key.privateKey.export({ format: "pem", type: "pkcs8" }) as string]),
    );
    writeFileSync(`${args.saveStore}.keys.json`, JSON.stringify(keys));
    rmSync(dir, { recursive: true, force: true });
    log(`saved ${args.saveStore} and its keys`);
    return;
  }

  phases = new Phases();
  // BEGIN and COMMIT timed on the connection itself.
  timeExec(conn, () => phases);
  const { ingest } = await timedIngest({ conn, phases: () => phases, name: "profile" });

  // --cpu-prof-dir: a CPU profile of each timed run alone (no fill, no signing), one file each.
  const profiler = await openProfiler(args.profileDir);
  let nextChain = 10_000_000;
  const workloads = [
    { name: "batches of 100", size: 100, events: 6000, interleaved: false },
    { name: "batches of 1,000", size: 1000, events: 20_000, interleaved: false },
    { name: "batches of 100, interleaved", size: 100, events: 3000, interleaved: true },
  ];
  // Warm-up: the code paths compiled, as the bench's untimed round.
  {
    const { batches, next } = chainBatches(nextChain, 2000, 100, pop, now);
    nextChain = next;
    for (const b of batches) await ingest(b);
  }
  for (let run = 1; run <= args.runs; run++) {
    for (const w of workloads) {
      const { batches, next } = chainBatches(nextChain, w.events, w.size, pop, now, w.interleaved);
      nextChain = next;
      await tick();
      const rawCpu = process.cpuUsage();
      const rawThreads = cpuByThreadName();
      const raw = await rawVerifyRateAllCores(rawSample, 1);
      const rawUsed = process.cpuUsage(rawCpu);
      // libuv's pool: the threads the raw verify kept busy (the callback form runs on it alone).
      const pool = new Set(
        [...cpuByThreadName()].filter(([name, us]) => name !== "main" && us - (rawThreads.get(name) ?? 0) > 50_000).map(([name]) => name),
      );
      // CPU per raw verification, all threads: with every core busy in both, the ratio the target
      // asks for is this over the ingest's CPU per event, whatever share of the cores the load leaves.
      const rawCpuUs = (rawUsed.user + rawUsed.system) / raw.verified;
      if (profiler) await profiler.post("Profiler.start");
      phases = new Phases();
      const cpu = process.cpuUsage();
      const mainCpu = mainThreadCpuUs();
      const threadsCpu = cpuByThreadName();
      const wchar = written();
      const started = performance.now();
      await ingestConcurrently(batches, args.clients, ingest);
      const wall = performance.now() - started;
      const used = process.cpuUsage(cpu);
      const usedMain = mainThreadCpuUs() - mainCpu;
      const byThread = new Map<string, number>();
      for (const [name, us] of cpuByThreadName()) {
        const group = name === "main" ? "main" : pool.has(name) ? "libuv pool" : "other threads (V8's GC and compiler helpers)";
        byThread.set(group, (byThread.get(group) ?? 0) + us - (threadsCpu.get(name) ?? 0));
      }
      if (profiler) {
        const { profile } = (await profiler.post("Profiler.stop")) as { profile: object };
        const file = join(args.profileDir!, `${w.size}${w.interleaved ? "i" : ""}-run${run}.cpuprofile`);
        writeFileSync(file, JSON.stringify(profile));
      }
      const perSec = w.events / (wall / 1000);
      log(
        `run ${run}, ${w.name}: ${Math.round(perSec)} events/s = ${((perSec / raw.perSec) * 100).toFixed(0)}% of ${raw.perSec}/s raw (every core); ` +
          `CPU ${((used.user + used.system) / w.events) | 0} µs/event (all threads), ${(usedMain / w.events) | 0} main thread; ` +
          `raw verify ${rawCpuUs.toFixed(0)} µs/signature, CPU ratio ${((rawCpuUs / ((used.user + used.system) / w.events)) * 100).toFixed(0)}%; written ${((written() - wchar) / w.events) | 0} B/event; wall ${wall.toFixed(0)} ms`,
      );
      console.log(`    CPU by thread (µs/event): ${[...byThread].map(([name, us]) => `${name} ${(us / w.events).toFixed(0)}`).join(", ")}`);
      const rows = [...phases.ms.entries()].sort((a, b) => b[1] - a[1]);
      const inSqlite = rows.filter(([name]) => name.startsWith("sql ") || name === "begin" || name === "commit").reduce((sum, [, ms]) => sum + ms, 0);
      console.log(
        `    ${"(all SQLite statements)".padEnd(28)} ${((inSqlite * 1000) / w.events).toFixed(1).padStart(8)} µs/event  ${inSqlite.toFixed(0).padStart(7)} ms`,
      );
      for (const [name, ms] of rows)
        console.log(`    ${name.padEnd(28)} ${((ms * 1000) / w.events).toFixed(1).padStart(8)} µs/event  ${ms.toFixed(0).padStart(7)} ms`);
    }
  }
  log(
    `process RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB at the end (peak ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB)`,
  );
  await closeDatabase();
  if (!args.keep) rmSync(dir, { recursive: true, force: true });
  else log(`kept ${url}`);
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e.stack ?? e.message);
    process.exit(1);
  },
);
