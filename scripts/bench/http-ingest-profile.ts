// The ingest over HTTP, by thread (docs/benchmarks.md, "The ingest over HTTP, by thread"): the real
// server (tests/server.ts, as `npm start` runs it) on a fresh SQLite store, fed the bench's 10-event
// chains by concurrent producers, round after round, with the CPU each round cost split between the
// server's threads and this process (the producers).
//
//   npx tsx scripts/bench/http-ingest-profile.ts [--fill 20000] [--warmup 2000] [--events 10000]
//     [--sizes 100,1000] [--rounds 2] [--clients 4] [--interleaved] [--server-node-options "…"]
//
// Needs the production build (`npm run build`). Per round: events/s and its share of the every-core
// raw Ed25519 rate measured just before it (npm run bench's figure); the server's CPU µs per event,
// all threads and each thread by its rank in creation order (Node starts V8's platform threads
// first, then libuv's pool at the first asynchronous file or crypto call, then worker threads);
// this process's CPU µs per event; the raw verify's CPU µs per signature (all of this process's
// threads over the verifications) and the CPU ratio (that over the server's CPU per event: the best
// the ratio can be when every core is busy, whatever share of them the run got).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "../../tests/server";
import * as fill from "./fill";
import { ingestOverHttp } from "./http";
import { rawVerifyRateAllCores } from "./raw-verify";
import { statCpuUs, statFields } from "./timed-ingest";
import { allPrincipals, chainBatches, population, smallChain, SMALL_CHAIN_EVENTS } from "./workload";

type TArgs = {
  fill: number;
  warmup: number;
  events: number;
  sizes: number[];
  rounds: number;
  clients: number;
  interleaved: boolean;
  nodeOptions: string;
};

function parseArgs(argv: string[]): TArgs {
  const a: TArgs = { fill: 20_000, warmup: 2_000, events: 10_000, sizes: [100, 1000], rounds: 2, clients: 4, interleaved: false, nodeOptions: "" };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--fill") a.fill = Number(argv[++i]);
    else if (argv[i] === "--warmup") a.warmup = Number(argv[++i]);
    else if (argv[i] === "--events") a.events = Number(argv[++i]);
    else if (argv[i] === "--sizes") a.sizes = argv[++i].split(",").map(Number);
    else if (argv[i] === "--rounds") a.rounds = Number(argv[++i]);
    else if (argv[i] === "--clients") a.clients = Number(argv[++i]);
    else if (argv[i] === "--interleaved") a.interleaved = true;
    else if (argv[i] === "--server-node-options") a.nodeOptions = argv[++i];
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return a;
}

const log = (msg: string) => console.log(`[http-profile ${new Date().toISOString().slice(11, 19)} load ${loadavg()[0].toFixed(2)}] ${msg}`);

/** A process's CPU µs by thread id, and the whole process's. */
function threadsCpu(pid: number): { total: number; byTid: Map<number, number> } {
  const byTid = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      byTid.set(Number(tid), statCpuUs(`/proc/${pid}/task/${tid}/stat`));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return { total: statCpuUs(`/proc/${pid}/stat`), byTid };
}

/** A thread's start time in clock ticks since boot (/proc stat field 22); 0 once it has ended. */
function threadStart(pid: number, tid: number): number {
  try {
    return Number(statFields(`/proc/${pid}/task/${tid}/stat`)[19]);
  } catch {
    return 0;
  }
}

/** The server's resident memory now and at its peak (MiB), from /proc: what the server's code costs beside its CPU. */
function serverRss(pid: number): string {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const mib = (field: string) => Math.round(Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024);
  return `${mib("VmRSS")} MiB (peak ${mib("VmHWM")})`;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), "delegraph-http-profile-"));
  const url = `file:${join(dir, "profile.db")}`;
  const migrated = spawnSync(join(process.cwd(), "node_modules/.bin/tsx"), ["scripts/migrate.ts"], { env: { ...process.env, DATABASE_URL: url } });
  if (migrated.status !== 0) throw new Error(`migration failed: ${migrated.stderr.toString()}`);
  process.env.DATABASE_URL = url;
  const now = Math.floor(Date.now() / 1000);
  const pop = population({ humans: 100, agents: 1000, tools: 100 });
  await fill.openFillClient();
  await fill.registerPrincipals(allPrincipals(pop));
  const background = function* () {
    for (let n = 0; n < args.fill / SMALL_CHAIN_EVENTS; n += 100) yield Array.from({ length: 100 }, (_, i) => smallChain(n + i, pop, now)).flat();
  };
  const filled = await fill.ingestInProcess(background());
  await fill.closeFillClient();
  log(`filled ${filled.events} events in-process`);

  const server = await startServer({ databaseUrl: url, env: args.nodeOptions ? { NODE_OPTIONS: args.nodeOptions } : {} });
  const pid = server.child.pid!; // start.sh execs the server: the shell's pid is the server's
  const api = { url: server.url, token: server.token };
  try {
    let next = 10_000_000;
    // Signed here, before the CPU of a round is read: the producers' figure is their sending alone.
    const sign = (events: number, size: number) => {
      const { batches, next: after } = chainBatches(next, events, size, pop, now, args.interleaved);
      next = after;
      return batches;
    };
    if (args.warmup) {
      const warm = await ingestOverHttp(api, sign(args.warmup, 100), args.clients);
      log(`untimed warm-up: ${warm.eventsPerSec} events/s over ${args.warmup} events in batches of 100`);
    }

    const keyOf = new Map(allPrincipals(pop).map((p) => [p.id, p.key.publicKey]));
    const issuerOf = (t: string) => (JSON.parse(Buffer.from(t.split(".")[1], "base64url").toString("utf8")) as { iss: string }).iss;
    const rawSample = Array.from({ length: 200 }, (_, i) => smallChain(50_000_000 + i, pop, now))
      .flat()
      .map((token) => ({ token, key: keyOf.get(issuerOf(token))! }));
    for (let round = 1; round <= args.rounds; round++) {
      for (const size of args.sizes) {
        const rawBefore = process.cpuUsage();
        const raw = await rawVerifyRateAllCores(rawSample, 1);
        const rawUsed = process.cpuUsage(rawBefore);
        const rawCpuUs = (rawUsed.user + rawUsed.system) / raw.verified;
        const batches = sign(args.events, size);
        const before = threadsCpu(pid);
        const client = process.cpuUsage();
        const run = await ingestOverHttp(api, batches, args.clients);
        const clientUsed = process.cpuUsage(client);
        const after = threadsCpu(pid);
        const per = (us: number) => Math.round(us / run.events);
        const serverUs = per(after.total - before.total);
        // Creation order by each thread's start time, not its id: ids wrap around on a busy machine.
        const started = new Map([...after.byTid.keys()].map((tid) => [tid, threadStart(pid, tid)]));
        const ranks = [...after.byTid.keys()].sort((a, b) => started.get(a)! - started.get(b)! || a - b);
        const threads = ranks
          .map((tid, rank) => ({ rank, us: per((after.byTid.get(tid) ?? 0) - (before.byTid.get(tid) ?? 0)) }))
          .filter((t) => t.us >= 2)
          .map((t) => (t.rank === 0 ? `main ${t.us}` : `#${t.rank} ${t.us}`));
        const clientUs = per(clientUsed.user + clientUsed.system);
        log(
          `round ${round}, batches of ${size}${args.interleaved ? " (interleaved)" : ""}: ${run.eventsPerSec} events/s = ${Math.round((run.eventsPerSec / raw.perSec) * 100)}% of raw ${raw.perSec}/s (every core); ` +
            `server ${serverUs} µs/event, producers ${clientUs}; raw verify ${rawCpuUs.toFixed(0)} µs/signature; ` +
            `CPU ratio ${Math.round((rawCpuUs / serverUs) * 100)}% (server), ${Math.round((rawCpuUs / (serverUs + clientUs)) * 100)}% (with the producers); request p50 ${run.request.p50Ms} ms`,
        );
        log(`  server threads, µs/event by creation rank: ${threads.join(", ")}; server RSS ${serverRss(pid)}`);
      }
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
