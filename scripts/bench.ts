// `npm run bench [-- --quick | --smoke] [--json <file>] [--database sqlite|postgres|both] [--keep]
//   [--server-node-options "--max-old-space-size=256"] [--events 10000000] [--soak 600]`
//
// On a fresh database (its own temp SQLite file, or a fresh PostgreSQL database on 127.0.0.1:5432),
// measures and prints: the raw Ed25519 verification rate of this machine; end-to-end verified ingest
// over HTTP against the real server; chain-detail and chain-list latency with the store filled;
// PDF and CSV export times; graph render time in Chromium; the server's peak memory.
// Benchmarks are not tests: no figure fails the run. It exits 1 only when a measurement could not
// be made (an error, a rejected event, a ledger that does not verify). docs/benchmarks.md explains
// each figure. Modes and sizes: scripts/bench/config.ts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBuild } from "./build";
import { spawn } from "node:child_process";
import pg from "pg";
import { dropDatabase, postgresTestUrl } from "./postgres";
import { startServer, TEST_ADMIN, type TTestServer } from "../tests/server";
import { parseBenchArgs } from "./bench/args";
import { CONFIGS } from "./bench/config";
import { describeMachine, load } from "./bench/machine";
import { watchMemory } from "./bench/memory";
import { rawVerifyRate, rawVerifyRateAllCores } from "./bench/raw-verify";
import { aipIngestOverHttp, mintAipTokens } from "./bench/aip";
import * as fill from "./bench/fill";
import { download, downloadMedian, getJson, getLatency, ingestOverHttp, postEvents, type TApi } from "./bench/http";
import { measureGraphs, withBrowser } from "./bench/graph";
import { LP_TARGET_P95_MS, printReport, type TBenchReport } from "./bench/report";
import { allPrincipals, chainBatches, population, slices, smallChain, treeChain, SMALL_CHAIN_EVENTS, type TTreeChain } from "./bench/workload";
import { measureWorstGrant, worstGrantPrincipals } from "./bench/worst-grant";
import { measureObservedIngest } from "./bench/observed";
import { compareDatabases, printComparison } from "./bench/compare";
import { databaseSize, mib, planChainJobs, progressMarks, signedChains, signingThreads, type TDiskSize } from "./bench/scale";
import { describeSoak, runSoak, type TSoak } from "./bench/soak";

const log = (msg: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

async function freshDatabase(kind: "sqlite" | "postgres"): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "delegraph-bench-"));
    return { url: `file:${join(dir, "bench.db")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const pg = await postgresTestUrl();
  if (!pg) throw new Error("--database postgres: no PostgreSQL server reachable (DATABASE_URL_POSTGRES or 127.0.0.1:5432)");
  const url = await pg.fresh();
  return { url, drop: () => dropDatabase(url) };
}

/**
 * scripts/migrate.ts in a child process, awaited: its synchronous form would block this process's
 * event loop for seconds (see rawVerifyRate on why that must not happen here).
 */
function migrateAsync(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const root = join(import.meta.dirname, "..");
    const child = spawn(join(root, "node_modules/.bin/tsx"), ["scripts/migrate.ts"], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`migration failed (exit ${code}):\n${output}`))));
  });
}

const tick = () => new Promise((r) => setImmediate(r));

const ratio = (r: { eventsPerSec: number; rawVerifyPerSec: number }) => Math.round((r.eventsPerSec / r.rawVerifyPerSec) * 100) / 100;

/** This script again in a child process, with these arguments; resolves when it exits 0. */
function benchChild(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const root = join(import.meta.dirname, "..");
    const child = spawn(join(root, "node_modules/.bin/tsx"), ["scripts/bench.ts", ...argv], { cwd: root, env, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`bench ${argv.join(" ")} exited ${code}`))));
  });
}

/**
 * `--database both`: the whole benchmark on SQLite, then on PostgreSQL, each in a process of its
 * own (the data layer opens one database per process), started back to back; then PostgreSQL's
 * figures beside SQLite's (scripts/bench/compare.ts). --json writes both reports and the comparison.
 */
async function runBoth(argv: string[], json: string | null): Promise<void> {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--database" || argv[i] === "--json") i++;
    else if (!argv[i].startsWith("--database=") && !argv[i].startsWith("--json=")) rest.push(argv[i]);
  }
  const dir = mkdtempSync(join(tmpdir(), "delegraph-bench-both-"));
  try {
    const reports: Record<"sqlite" | "postgres", TBenchReport> = {} as never;
    for (const database of ["sqlite", "postgres"] as const) {
      const file = join(dir, `${database}.json`);
      // The first run builds the app when it is stale; the second trusts that build.
      await benchChild(
        [...rest, "--database", database, "--json", file],
        database === "sqlite" ? process.env : { ...process.env, DELEGRAPH_SKIP_BUILD: "1" },
      );
      reports[database] = JSON.parse(readFileSync(file, "utf8")) as TBenchReport;
    }
    const comparison = compareDatabases(reports.sqlite, reports.postgres);
    printComparison(comparison);
    if (json) {
      writeFileSync(json, JSON.stringify({ ...reports, comparison }, null, 2) + "\n");
      log(`figures written to ${json}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const args = parseBenchArgs(process.argv.slice(2));
  if (args.database === "both") return runBoth(process.argv.slice(2), args.json);
  const kind = args.database;
  const cfg = CONFIGS[args.mode];
  const machine = describeMachine();
  const loadAtStart = load();
  log(
    `mode ${cfg.mode} on ${kind}; ${machine.nproc} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}; load ${loadAtStart.join(" ")}`,
  );
  // The server runs the production build; DELEGRAPH_SKIP_BUILD=1 trusts the one already there.
  if (!process.env.DELEGRAPH_SKIP_BUILD) ensureBuild();

  // Keys and principals, then the raw verification rate on tokens shaped like the ingested ones.
  const now = Math.floor(Date.now() / 1000);
  const pop = population(cfg.population);
  const rawTokens = Array.from({ length: Math.ceil(2000 / SMALL_CHAIN_EVENTS) }, (_, i) => smallChain(50_000_000 + i, pop, now)).flat();
  const keyOf = new Map(allPrincipals(pop).map((p) => [p.id, p.key.publicKey]));
  const issuerOf = (t: string) => (JSON.parse(Buffer.from(t.split(".")[1], "base64url").toString("utf8")) as { iss: string }).iss;
  const rawSample = rawTokens.map((token) => ({ token, key: keyOf.get(issuerOf(token))! }));
  const raw = await rawVerifyRate(rawSample, cfg.rawVerifySeconds);
  const rawAll = await rawVerifyRateAllCores(rawSample, cfg.rawVerifySeconds);
  log(`raw Ed25519 verify: ${raw.perSec}/s on one core, ${rawAll.perSec}/s on every core (${raw.verified + rawAll.verified} verifications)`);

  const database = await freshDatabase(kind);
  let server: TTestServer | undefined;
  let serverOutput = "";
  try {
    await migrateAsync(database.url);
    log(`fresh database migrated: ${kind === "sqlite" ? database.url : database.url.replace(/\/\/[^@]*@/, "//…@")}`);
    process.env.DATABASE_URL = database.url;
    // Open the database now: its client is imported on first use, and an import that follows the
    // seconds of synchronous signing below never returned on PostgreSQL (tsx's esbuild service).
    await fill.openFillClient();

    // The chains the read benchmarks look at.
    const trees: { role: "query" | "pdf" | "graph"; chain: TTreeChain }[] = [];
    for (const h of cfg.queryHops) {
      trees.push({ role: "query", chain: treeChain(`q${h}`, h, now, { leaves: true }) });
      await tick();
    }
    trees.push({ role: "pdf", chain: treeChain(`r${cfg.pdfHops}`, cfg.pdfHops, now, { leaves: true }) });
    for (const n of args.graphNodes ?? cfg.graphNodes) {
      await tick();
      trees.push({ role: "graph", chain: treeChain(`g${n}`, n - 1, now) });
    }
    const worstSigners = worstGrantPrincipals();
    const principals = [...allPrincipals(pop), ...trees.flatMap((t) => t.chain.principals), ...worstSigners];
    await fill.registerPrincipals(principals);
    log(`registered ${principals.length} principals`);

    log(
      `filling: ${args.events ?? cfg.fillChains * SMALL_CHAIN_EVENTS} background events in batches of ${cfg.fillBatch}, then ${trees.length} tree chains, in-process through ingestBatch` +
        (args.events ? ` (--events: signed on ${signingThreads()} worker thread(s) ahead of the ingest)` : ""),
    );
    const perBatch = cfg.fillBatch / SMALL_CHAIN_EVENTS;
    const background = function* () {
      for (let n = 0; n < cfg.fillChains; n += perBatch) {
        const end = Math.min(cfg.fillChains, n + perBatch);
        const batch: string[] = [];
        for (let i = n; i < end; i++) batch.push(...smallChain(i, pop, now));
        yield batch;
      }
    };
    // --events N: the same chains, as many as make N events, signed on worker threads a few batches
    // ahead and never held all at once (scripts/bench/scale.ts).
    const streamed = async function* (events: number) {
      for await (const { chains } of signedChains(planChainJobs(0, events, perBatch), pop, now)) yield chains.flat();
    };
    let lastLog = performance.now();
    const fillStarted = performance.now();
    const mark = progressMarks(args.events ?? 0);
    const fillProgress: { events: number; seconds: number; eventsPerSec: number; benchRssMiB: number; heapUsedMiB: number }[] = [];
    const fillBackground = await fill.ingestInProcess(args.events ? streamed(args.events) : background(), (events) => {
      const reached = args.events ? mark(events) : null;
      if (reached !== null) {
        const seconds = (performance.now() - fillStarted) / 1000;
        const m = process.memoryUsage();
        const p = {
          events,
          seconds: Math.round(seconds),
          eventsPerSec: Math.round(events / seconds),
          benchRssMiB: mib(m.rss),
          heapUsedMiB: mib(m.heapUsed),
        };
        fillProgress.push(p);
        const eta = Math.round((seconds / events) * (args.events! - events));
        log(
          `  … ${Math.round(reached * 100)}%: ${events} events in ${p.seconds} s (${p.eventsPerSec} events/s; about ${eta} s to go); ` +
            `this process: RSS ${p.benchRssMiB} MiB, heap ${p.heapUsedMiB} MiB`,
        );
      } else if (!args.events && performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        log(`  … ${events} events stored`);
      }
    });
    const fillTrees = await fill.ingestInProcess(trees.flatMap((t) => slices(t.chain.tokens, cfg.fillBatch)));
    await fill.closeFillClient();
    if (kind === "postgres") {
      // Planner statistics for the filled tables, as autovacuum gathers them on a server where it
      // runs (the benchmark's local server may run without it; SQLite's are taken at open, see
      // lib/db/connect.ts). Without them every list filter is planned on default guesses.
      const analyzed = performance.now();
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query("ANALYZE").finally(() => client.end());
      log(`ANALYZE after the fill: ${((performance.now() - analyzed) / 1000).toFixed(1)} s`);
    }
    const filled = fillBackground.events + fillTrees.events;
    log(
      `filled ${filled} events in ${(fillBackground.seconds + fillTrees.seconds).toFixed(1)} s (${fillBackground.perSec} events/s for the background chains)`,
    );
    const sizeAfterFill = await databaseSize(database.url);
    log(
      `database on disk after the fill: ${mib(sizeAfterFill.bytes)} MiB (${sizeAfterFill.parts.map((p) => `${p.name} ${mib(p.bytes)}`).join(", ")})`,
    );

    server = await startServer({ databaseUrl: database.url, env: args.serverNodeOptions ? { NODE_OPTIONS: args.serverNodeOptions } : {} });
    // The server's last output, printed if a measurement fails.
    server.child.stdout!.on("data", (d) => (serverOutput = (serverOutput + d).slice(-16_000)));
    server.child.stderr!.on("data", (d) => (serverOutput = (serverOutput + d).slice(-16_000)));
    server.child.on("exit", (code, signal) => (serverOutput += `\n[server exited: code ${code}, signal ${signal}]`));
    const memory = watchMemory(server.child.pid!);
    const api: TApi = { url: server.url, token: server.token };
    log(`server up at ${server.url}`);

    // Ingest over HTTP: new chains, pre-signed, sent by several producers at once. The raw rate is
    // re-measured just before each run: on a shared machine the load moves minute by minute.
    // Every run's batches are signed up front, so no connection sits idle while the next run is
    // prepared (see ingestOverHttp on kept-alive connections).
    let nextChain = 10_000_000;
    const runs = cfg.httpEvents.map(({ batchSize, events, interleaved }) => {
      const { batches, next } = chainBatches(nextChain, events, batchSize, pop, now, interleaved);
      nextChain = next;
      return { batchSize, interleaved: interleaved ?? false, batches };
    });
    // Untimed rounds first, one per shape (cfg.httpWarmupEvents each), measured but not counted:
    // the route's first requests load its code, V8 keeps compiling and re-optimising it for tens of
    // thousands of events (new object shapes deoptimise hot functions; docs/benchmarks.md, "The ingest
    // over HTTP, by thread"), and each principal's key is validated once, at its first sight (~0.4 ms).
    // A server that has run for a while is past all three, so the timed runs measure that server; the
    // rounds' own rates are a cold server's and are logged and kept in the report beside them.
    const warmup = [];
    for (const { batchSize, interleaved } of cfg.httpEvents) {
      const { batches, next } = chainBatches(nextChain, cfg.httpWarmupEvents, batchSize, pop, now, interleaved);
      nextChain = next;
      const run = await ingestOverHttp(api, batches, cfg.httpClients);
      warmup.push({ ...run, interleaved: interleaved ?? false });
      log(
        `HTTP ingest warm-up (untimed), batches of ${batchSize}${interleaved ? " (interleaved chains)" : ""}: ${run.events} events at ${run.eventsPerSec} events/s (a cold server's first batches of this shape)`,
      );
    }
    const ingest = [];
    for (const { batchSize, interleaved, batches } of runs) {
      // The server verifies on every core (libuv's pool), so its reference is the all-core rate.
      const rawOne = await rawVerifyRate(rawSample, Math.min(1, cfg.rawVerifySeconds));
      const rawNow = await rawVerifyRateAllCores(rawSample, Math.min(1, cfg.rawVerifySeconds));
      const loadBefore = load();
      memory.phase(`ingest ${batchSize}${interleaved ? " interleaved" : ""}`);
      const run = await ingestOverHttp(api, batches, cfg.httpClients);
      ingest.push({ ...run, interleaved, rawVerifyPerSec: rawNow.perSec, rawVerifyOneCorePerSec: rawOne.perSec, load: loadBefore });
      log(
        `HTTP ingest, batches of ${batchSize}${interleaved ? " (interleaved chains)" : ""}, ${cfg.httpClients} clients: ${run.eventsPerSec} events/s = ` +
          `${Math.round((run.eventsPerSec / rawNow.perSec) * 100)}% of raw ${rawNow.perSec}/s on every core (${rawOne.perSec}/s on one) ` +
          `(request p50 ${run.request.p50Ms} ms, p95 ${run.request.p95Ms} ms${run.retries ? `; ${run.retries} resent after a closed connection` : ""}${run.refusals ? `; ${run.refusals} refused (503) and resent` : ""})`,
      );
    }
    const headline = ingest.find((r) => r.batchSize === 1000 && !r.interleaved) ?? ingest[0];
    let stored = filled + warmup.reduce((n, r) => n + r.events, 0) + ingest.reduce((n, r) => n + r.events, 0);

    // Ingest over time (--soak S): open-loop arrivals at 80% of the rate the server sustains just
    // before it (runSoak measures it with the soak's own batches, ten whole chains, ~98 events; the
    // batches-of-100 run's rate above sizes the signing ahead), after the warm-up's chains.
    let soak: TSoak | null = null;
    if (args.soakSeconds) {
      const base = ingest.find((r) => r.batchSize === 100 && !r.interleaved) ?? ingest[0];
      memory.phase("soak");
      const result = await runSoak({
        api,
        serverPid: server.child.pid!,
        seconds: args.soakSeconds,
        maxRatePerSec: base.eventsPerSec,
        fraction: 0.8,
        pop,
        now,
        firstChain: nextChain + 1_000,
        spoolFile: join(tmpdir(), `delegraph-soak-${process.pid}.txt`),
        load,
        log,
      });
      stored += result.accepted;
      const { nextChain: _n, accepted: _a, ...figures } = result;
      soak = figures;
      for (const line of describeSoak(soak)) log(line);
    }

    // AIP ingest: chained tokens verified block by block (Biscuit, on the server's main thread).
    const aipTokens = await mintAipTokens(api, cfg.aipTokens + 10, now, `run${Date.now().toString(36)}`);
    stored += (await aipIngestOverHttp(api, aipTokens.slice(0, 10), 10)).blocks; // untimed: loads the engine
    const aipRawOne = await rawVerifyRate(rawSample, Math.min(1, cfg.rawVerifySeconds));
    const aipRawAll = await rawVerifyRateAllCores(rawSample, Math.min(1, cfg.rawVerifySeconds));
    memory.phase("aip ingest");
    const aipRun = await aipIngestOverHttp(api, aipTokens.slice(10), 100);
    stored += aipRun.blocks;
    const aipIngest = { ...aipRun, rawVerifyPerSec: aipRawAll.perSec, rawVerifyOneCorePerSec: aipRawOne.perSec };
    log(
      `AIP ingest, 3-block chained tokens: ${aipRun.tokensPerSec} tokens/s = ${aipRun.blockVerificationsPerSec} block signatures/s, ` +
        `${Math.round((aipRun.blockVerificationsPerSec / aipRawOne.perSec) * 100)}% of one core's raw ${aipRawOne.perSec}/s`,
    );

    // Chain detail and chain list, after one untimed pass over every route the reads use.
    for (const t of trees.filter((x) => x.role === "query")) await getJson(api, `/api/v1/chains/${encodeURIComponent(t.chain.chainId)}`);
    await getJson(api, "/api/v1/chains?status=violation");
    const queryLoad = load();
    memory.phase("chain detail");
    // Each chain twice: repeated reads of an unchanged chain (what a page polling it, or several
    // people looking at it, cost: answered from the detail cache after the first), and reads each
    // right after an event lands in the chain (untimed), so every read rebuilds the answer.
    const detail = [];
    for (const t of trees.filter((x) => x.role === "query")) {
      const path = `/api/v1/chains/${encodeURIComponent(t.chain.chainId)}`;
      const repeated = await getLatency(api, path, cfg.queryRuns);
      detail.push({ hops: t.chain.hops, events: t.chain.tokens.length, reads: "repeated" as const, ...repeated });
      log(
        `chain detail, ${t.chain.hops} hops (${t.chain.tokens.length} events), repeated reads: p50 ${repeated.p50Ms} ms, p95 ${repeated.p95Ms} ms, ${(repeated.bytes / 1024).toFixed(0)} KiB`,
      );
      let k = 0;
      const changed = await getLatency(api, path, cfg.queryRuns, {
        before: async () => {
          const [r] = await postEvents(api, [t.chain.laterInvoke(k++)]);
          if (r.status !== "accepted") throw new Error(`a later invoke of ${t.chain.chainId} was ${r.status}`);
          stored++;
        },
      });
      detail.push({ hops: t.chain.hops, events: t.chain.tokens.length, reads: "after a change" as const, ...changed });
      log(`chain detail, ${t.chain.hops} hops, each read after an event landed in it: p50 ${changed.p50Ms} ms, p95 ${changed.p95Ms} ms`);
    }
    // The largest once more with every raw token (?include=raw): the body every admin and
    // investigator read before 2026-12-03, when tokens became opt-in: the before and after of the
    // change in the same run.
    {
      const t = trees.filter((x) => x.role === "query").at(-1)!;
      let k = 1_000; // past the reads above (k from 0), within the clock skew (iat + 180 + k)
      const withRaw = await getLatency(api, `/api/v1/chains/${encodeURIComponent(t.chain.chainId)}?include=raw`, cfg.queryRuns, {
        before: async () => {
          const [r] = await postEvents(api, [t.chain.laterInvoke(k++)]);
          if (r.status !== "accepted") throw new Error(`a later invoke of ${t.chain.chainId} was ${r.status}`);
          stored++;
        },
      });
      detail.push({ hops: t.chain.hops, events: t.chain.tokens.length, reads: "after a change, with raw tokens" as const, ...withRaw });
      log(
        `chain detail, ${t.chain.hops} hops, ?include=raw, each read after an event landed in it: p50 ${withRaw.p50Ms} ms, p95 ${withRaw.p95Ms} ms, ${(withRaw.bytes / 1024).toFixed(0)} KiB`,
      );
    }
    // The largest once more as the dashboard's browser polls it: revalidating its copy with
    // If-None-Match, answered 304 without a body while the chain is unchanged.
    const largest = trees.filter((x) => x.role === "query").at(-1)!.chain;
    const largestPath = `/api/v1/chains/${encodeURIComponent(largest.chainId)}`;
    const etag = (await fetch(api.url + largestPath, { headers: { authorization: `Bearer ${api.token}` } })).headers.get("etag") ?? "";
    const revalidated = await getLatency(api, largestPath, cfg.queryRuns, { headers: { "if-none-match": etag }, expectStatus: 304 });
    detail.push({ hops: largest.hops, events: largest.tokens.length, reads: "revalidated" as const, ...revalidated });
    log(`chain detail, ${largest.hops} hops, revalidated with If-None-Match (304): p50 ${revalidated.p50Ms} ms, p95 ${revalidated.p95Ms} ms`);
    const someAgent = pop.agents[42 % pop.agents.length].id;
    const listFilters: Record<string, string> = {
      "none (first page)": "",
      "status=violation": "status=violation",
      [`principal=${someAgent}`]: `principal=${encodeURIComponent(someAgent)}`,
      "scope=d3/p93/ledger:read": `scope=${encodeURIComponent("d3/p93/ledger:read")}`,
      "q=d3/p93/": `q=${encodeURIComponent("d3/p93/")}`,
      "finding=scope_escalation": "finding=scope_escalation",
      [`status=verified&principal=${someAgent}`]: `status=verified&principal=${encodeURIComponent(someAgent)}`,
    };
    const list = [];
    memory.phase("chain list");
    for (const [name, qs] of Object.entries(listFilters)) {
      const l = await getLatency(api, `/api/v1/chains${qs ? `?${qs}` : ""}`, cfg.listRuns);
      const items = (await getJson<{ items: unknown[] }>(api, `/api/v1/chains${qs ? `?${qs}` : ""}`)).items.length;
      list.push({ filter: name, items, ...l });
      log(`chain list, ${name}: p50 ${l.p50Ms} ms, p95 ${l.p95Ms} ms (${items} items)`);
    }

    // Least privilege (docs/least-privilege.md): the granted-vs-used reads, p95 ≤ 200 ms at 1M events
    // (issue 18): one agent's page (every purpose, and one), the ranking (every purpose, and one) and
    // the CSV report of every principal, each read on the whole 30-day window.
    const lpLoad = load();
    memory.phase("least privilege");
    const lpReads = [];
    for (const [name, path] of [
      [`principal ${someAgent}`, `/api/v1/principals/${encodeURIComponent(someAgent)}/least-privilege`],
      [`principal ${someAgent}, purpose ops.d3`, `/api/v1/principals/${encodeURIComponent(someAgent)}/least-privilege?purpose=ops.d3`],
      ["ranking", "/api/v1/least-privilege"],
      ["ranking, purpose ops.d3", "/api/v1/least-privilege?purpose=ops.d3"],
      ["report CSV, every principal", "/api/v1/least-privilege/report.csv"],
    ] as const) {
      const l = await getLatency(api, path, cfg.listRuns);
      lpReads.push({ name, ...l });
      log(`least privilege, ${name}: p50 ${l.p50Ms} ms, p95 ${l.p95Ms} ms (target p95 ≤ ${LP_TARGET_P95_MS} ms at 1M events)`);
    }
    // The worst legal grant: what one batch within the list limits of docs/protocol.md §8 can cost.
    const storedDuringReads = stored;
    const worstLoad = load();
    memory.phase("worst grant");
    const worst = await measureWorstGrant(api, worstSigners, cfg.worstGrantRuns, now);
    stored += worst.events * (worst.runs + 2);
    log(
      `worst legal grant (${Math.round(worst.tokenBytes / 1024)} KiB per batch): ingest p50 ${worst.ingest.p50Ms} ms, p95 ${worst.ingest.p95Ms} ms; ` +
        `first chain read p50 ${worst.read.p50Ms} ms, p95 ${worst.read.p95Ms} ms (${worst.runs} chains)`,
    );

    // OTLP ingest: the pure core, then the server's receiver end to end (docs/observed.md).
    const observedLoad = load();
    memory.phase("otlp ingest");
    const observed = await measureObservedIngest(api, cfg.mode);
    for (const f of observed.pure) log(`otlp ${f.encoding}${f.gzip ? "+gzip" : ""} decode+assemble: ${f.spansPerSec} spans/s`);
    for (const h of observed.http)
      log(`otlp ${h.encoding}${h.gzip ? "+gzip" : ""} over HTTP, stored: ${h.spansPerSec} spans/s (${h.requests} requests)`);

    // Exports, when their routes exist.
    const bigQuery = trees.filter((t) => t.role === "query").at(-1)!.chain;
    const pdfChain = trees.find((t) => t.role === "pdf")!.chain;
    // One untimed export of the smallest chain first, as for every route above: a route's first
    // request loads its code (react-pdf and its fonts: ~0.5 s) and runs it cold.
    const smallest = trees.filter((t) => t.role === "query")[0].chain;
    const firstPdf = await download(api, `/api/v1/chains/${encodeURIComponent(smallest.chainId)}/report.pdf`);
    if (firstPdf.status === "ok")
      log(`first PDF since the server started (${smallest.hops}-hop chain, untimed warm-up): ${firstPdf.ms.toFixed(0)} ms`);
    await download(api, `/api/v1/chains/${encodeURIComponent(smallest.chainId)}/export.csv`);
    await download(api, `/api/v1/exports/events.csv?q=${encodeURIComponent(smallest.chainId)}`);
    const exportLoad = load();
    memory.phase("PDF");
    const pdf = await download(api, `/api/v1/chains/${encodeURIComponent(pdfChain.chainId)}/report.pdf`);
    memory.phase("CSV");
    // The median of three at smoke and quick size, where one export is tens of ms and one sample is
    // mostly the machine's noise; once at full size (every event: ~25 s each).
    const csvRuns = cfg.mode === "full" ? 1 : 3;
    const csvChain = await downloadMedian(api, `/api/v1/chains/${encodeURIComponent(bigQuery.chainId)}/export.csv`, csvRuns);
    const csvAll = await downloadMedian(api, `/api/v1/exports/events.csv${cfg.csvAllFilter ? `?${cfg.csvAllFilter}` : ""}`, csvRuns);
    for (const [name, d] of [
      ["PDF", pdf],
      ["CSV chain", csvChain],
      ["CSV all", csvAll],
    ] as const) {
      log(
        `${name}: ${d.status === "ok" ? `${d.ms.toFixed(0)} ms, ${d.rows} rows, ${(d.bytes / 1024).toFixed(0)} KiB${"runs" in d && d.runs ? ` (median of ${d.runs.join(", ")} ms)` : ""}` : `n/a (${d.reason})`}`,
      );
    }

    // Graph rendering in Chromium.
    const graphLoad = load();
    memory.phase("graph");
    const graphs = await withBrowser((browser) =>
      measureGraphs(
        browser,
        server!.url,
        TEST_ADMIN,
        trees.filter((t) => t.role === "graph").map((t) => ({ chainId: t.chain.chainId, nodes: t.chain.nodes })),
      ),
    );
    for (const g of graphs)
      log(
        `graph ${g.nodes} nodes: ${g.renderedNodes} drawn (${g.domNodes} in the DOM) at ${g.firstNodesMs} ms, interactive at ${g.interactiveMs} ms${g.lostClicks ? ` (${g.lostClicks} lost click${g.lostClicks > 1 ? "s" : ""} made again)` : ""}; ` +
          `show all: ${g.showAll ? `${g.showAll.nodes} nodes in ${g.showAll.ms} ms (${g.showAll.render}, ${g.showAll.painted} painted)` : "not offered"}; ` +
          `pan/zoom frames p50 ${g.frames.p50Ms} p95 ${g.frames.p95Ms} max ${g.frames.maxMs} ms over ${g.frames.n}`,
      );

    memory.phase("ledger verify");
    const ledgerLoad = load();
    const ledgerStarted = performance.now();
    const ledger = await getJson<{ ok: boolean; count: number }>(api, "/api/v1/ledger/verify");
    const ledgerSeconds = (performance.now() - ledgerStarted) / 1000;
    log(
      `ledger verify: ok=${ledger.ok}, ${ledger.count} events in ${ledgerSeconds.toFixed(1)} s (${Math.round(ledger.count / ledgerSeconds)} events/s; load ${ledgerLoad.join(" ")})`,
    );
    const peak = memory.stop();
    await server.stop();
    server = undefined;
    const sizeAtEnd: TDiskSize = await databaseSize(database.url);
    log(
      `database on disk at the end: ${mib(sizeAtEnd.bytes)} MiB for ${ledger.count} events = ${Math.round(sizeAtEnd.bytes / Math.max(1, ledger.count))} bytes/event ` +
        `(${sizeAtEnd.parts.map((p) => `${p.name} ${mib(p.bytes)}`).join(", ")})`,
    );

    const report: TBenchReport = {
      mode: cfg.mode,
      database: kind,
      at: new Date().toISOString(),
      machine: { ...machine, loadAtStart, loadAtEnd: load() },
      aipIngest,
      ingest: {
        // The batches-of-1,000 run, and the all-core raw rate measured just before it.
        eventsPerSec: headline.eventsPerSec,
        rawVerifyPerSec: headline.rawVerifyPerSec,
        rawVerifyOneCorePerSec: headline.rawVerifyOneCorePerSec,
        ratioToRawVerify: ratio(headline),
        rawVerifyAtStartPerSec: rawAll.perSec,
        rawVerifyOneCoreAtStartPerSec: raw.perSec,
        runs: ingest,
        warmup,
        fill: { events: filled, seconds: fillBackground.seconds + fillTrees.seconds, backgroundEventsPerSec: fillBackground.perSec },
      },
      chainQuery: {
        storedEvents: storedDuringReads,
        // The largest chain read right after each change: the slower of the two ways of reading.
        p95Ms: detail.filter((d) => d.reads === "after a change").at(-1)!.p95Ms,
        p95MsRepeatedReads: detail.filter((d) => d.reads === "repeated").at(-1)!.p95Ms,
        load: queryLoad,
        detail,
        list,
        listP95Ms: Math.max(...list.map((l) => l.p95Ms)),
      },
      exports: {
        load: exportLoad,
        pdf: { hops: pdfChain.hops, ...pdf },
        csvChain: { events: bigQuery.tokens.length, ...csvChain },
        csvAll: { filter: cfg.csvAllFilter, ...csvAll },
      },
      leastPrivilege: { storedEvents: storedDuringReads, load: lpLoad, reads: lpReads },
      worstGrant: { ...worst, load: worstLoad },
      observed: { ...observed, load: observedLoad },
      graph: { load: graphLoad, runs: graphs },
      memory: {
        peakTreeMiB: Math.round(peak.tree.treeMiB),
        atPeak: peak.tree.byProcess,
        peakByProcess: peak.byProcess,
        peakServerMiB: Math.max(0, ...peak.byProcess.filter((p) => p.name.startsWith("next-server")).map((p) => p.mib)),
        serverByPhase: peak.serverByPhase,
      },
      ledger,
    };
    printReport(report);
    // The --events/--soak figures (scripts/bench/scale.ts, soak.ts) beside the report's own.
    const scale = {
      events: args.events,
      fillProgress,
      ledgerVerify: { seconds: Math.round(ledgerSeconds * 10) / 10, events: ledger.count, load: ledgerLoad },
      disk: { afterFill: sizeAfterFill, atEnd: sizeAtEnd, bytesPerEvent: Math.round(sizeAtEnd.bytes / Math.max(1, ledger.count)) },
    };
    if (args.json) {
      writeFileSync(args.json, JSON.stringify({ ...report, scale, soak }, null, 2) + "\n");
      log(`figures written to ${args.json}`);
    }
    if (!ledger.ok || ledger.count !== stored) throw new Error(`ledger: ok=${ledger.ok}, count ${ledger.count}, expected ${stored}`);
  } catch (e) {
    if (serverOutput) console.error(`[bench] the server's last output:\n${serverOutput}`);
    throw e;
  } finally {
    await server?.stop();
    if (args.keep) log(`kept the database: ${database.url}`);
    else await database.drop().catch((e: Error) => log(`could not remove the database: ${e.message}`));
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(`[bench] failed: ${e.stack ?? e.message}`);
    process.exit(1);
  },
);
