// `--events N` (scripts/bench.ts): filling the store to a size chosen on the command line, up to
// 10M events and beyond, in bounded memory. Background chains are signed on worker threads (every
// core but one; signing costs about what verifying does) a few batches ahead of the ingest, and
// handed over in order; nothing holds more than those few batches. Also: the database's size on
// disk, and the pure helpers (chain sizes, progress marks) the unit tests check.
import { statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import pg from "pg";
import { SMALL_CHAIN_EVENTS, type TPopulation } from "./workload";

/**
 * How many events smallChain(n) signs, without signing: ten, less the root when the chain is
 * orphaned (n % 50 == 29) and the four completes when it has expired (n % 20 == 7).
 */
export function chainEventCount(n: number): number {
  return SMALL_CHAIN_EVENTS - (n % 50 === 29 ? 1 : 0) - (n % 20 === 7 ? 4 : 0);
}

export type TChainJob = { first: number; end: number; events: number };

/**
 * Consecutive runs of `chainsPerJob` chains from `first` until at least `events` events are
 * planned (the last job stops at the first chain boundary past it).
 */
export function* planChainJobs(first: number, events: number, chainsPerJob: number): Generator<TChainJob> {
  let planned = 0;
  let n = first;
  while (planned < events) {
    const start = n;
    let inJob = 0;
    while (n - start < chainsPerJob && planned + inJob < events) inJob += chainEventCount(n++);
    planned += inJob;
    yield { first: start, end: n, events: inJob };
  }
}

/** Calls back once per `step` fraction of `total` passed (5% by default), with the fraction reached. */
export function progressMarks(total: number, step = 0.05): (done: number) => number | null {
  let next = step;
  return (done) => {
    if (total <= 0 || done / total < next - 1e-9) return null;
    const reached = Math.min(1, Math.floor(done / total / step + 1e-9) * step);
    next = reached + step;
    return Math.round(reached * 1000) / 1000;
  };
}

/** The signing threads for a population: every core but the one the ingest runs on, at least one. */
export function signingThreads(cores = availableParallelism()): number {
  return Math.max(1, cores - 1);
}

/**
 * Signed background chains, `jobs` at a time, in order. At most 2 jobs per thread are in flight or
 * waiting, so memory holds a few thousand tokens whatever the fill's size.
 */
export async function* signedChains(
  jobs: Iterable<TChainJob>,
  pop: TPopulation,
  now: number,
  threads = signingThreads(),
): AsyncGenerator<{ job: TChainJob; chains: string[][] }> {
  const api = import.meta.resolve("tsx/esm/api");
  const script = new URL("./sign-worker.ts", import.meta.url).href;
  const workers = Array.from(
    { length: threads },
    () =>
      new Worker(`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(script)}); })`, {
        eval: true,
        workerData: { pop, now },
      }),
  );
  const pending = new Map<number, { resolve: (chains: string[][]) => void; reject: (e: Error) => void }>();
  let failure: Error | null = null;
  for (const w of workers) {
    w.on("message", (m: { id: number; chains: string[][] }) => {
      pending.get(m.id)?.resolve(m.chains);
      pending.delete(m.id);
    });
    w.on("error", (e) => {
      failure = e;
      for (const p of pending.values()) p.reject(e);
      pending.clear();
    });
  }
  const queue: { job: TChainJob; result: Promise<string[][]> }[] = [];
  const iterator = jobs[Symbol.iterator]();
  let id = 0;
  const launch = () => {
    while (queue.length < threads * 2) {
      const next = iterator.next();
      if (next.done) return;
      const job = next.value;
      const myId = id++;
      const result = new Promise<string[][]>((resolve, reject) => {
        if (failure) return reject(failure);
        pending.set(myId, { resolve, reject });
      });
      workers[myId % threads].postMessage({ id: myId, first: job.first, end: job.end });
      queue.push({ job, result });
    }
  };
  try {
    launch();
    while (queue.length) {
      const head = queue.shift()!;
      const chains = await head.result;
      launch();
      yield { job: head.job, chains };
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

export type TDiskSize = { bytes: number; parts: { name: string; bytes: number }[] };

/** The database's size on disk: SQLite's file, WAL and shared-memory file; PostgreSQL's pg_database_size. */
export async function databaseSize(url: string): Promise<TDiskSize> {
  if (url.startsWith("file:")) {
    const file = url.slice("file:".length).split("?")[0];
    const parts = ["", "-wal", "-shm"].map((suffix) => {
      try {
        return { name: `bench.db${suffix}`, bytes: statSync(file + suffix).size };
      } catch {
        return { name: `bench.db${suffix}`, bytes: 0 };
      }
    });
    return { bytes: parts.reduce((n, p) => n + p.bytes, 0), parts };
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ n: string }>("SELECT pg_database_size(current_database())::text AS n");
    return { bytes: Number(r.rows[0].n), parts: [{ name: "pg_database_size", bytes: Number(r.rows[0].n) }] };
  } finally {
    await client.end();
  }
}

export const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
