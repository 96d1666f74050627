// The SQLite WAL's checkpoints, on a worker thread with a connection of its own, so that no commit
// on the main thread waits for one (docs/operations.md, "The WAL and its checkpoints").
//
// With SQLite's automatic checkpoint, the COMMIT that takes the WAL past the mark
// (WAL_AUTOCHECKPOINT_PAGES) copies every page the WAL holds into the database file and syncs it
// before it returns: in-process, that COMMIT blocked the main thread ~66 ms (p50) and up to 233 ms,
// and with it every request queued behind it (docs/benchmarks.md, "The WAL checkpoint off the main
// thread"). Here both of the process's connections run with `wal_autocheckpoint = 0`, and after each
// commit on the direct connection the main thread nudges the worker (one postMessage at most per
// checkpoint), which runs `PRAGMA wal_checkpoint(PASSIVE)` at most once per CHECKPOINT_INTERVAL_MS.
// PASSIVE takes no lock a writer needs: commits go on beside it.
//
// Durability is unchanged. A commit's frames are made durable by the group sync's fdatasync of the
// `-wal` file (lib/db/sqlite.ts groupSync) or by Prisma's synchronous=FULL commit, before anything is
// acknowledged. A checkpoint copies only committed frames; with synchronous=FULL on the worker's
// connection SQLite fsyncs the WAL before copying and fsyncs the database file after, and only then
// records the frames as checkpointed (nBackfill). The WAL is rewritten from its start (restarted) by
// the next writer only once every frame is recorded as checkpointed, so no frame is overwritten
// before its page is on disk in the database file. A SIGKILL or power cut at any point leaves the
// WAL frames or the synced database file, and SQLite's recovery replays the WAL on the next open
// (tests/integration/durability.test.ts kills the server mid-ingest).
//
// Keeping the WAL bounded. A PASSIVE checkpoint copies the frames committed before it started, and
// the next writer rewrites the WAL from its start only when every frame is copied; under steady
// ingest a commit lands during nearly every checkpoint (two fsyncs long), so PASSIVE alone lets the
// WAL grow (measured: 16,877 frames, 66 MiB, in 100 s of in-process ingest). So the worker repeats
// the PASSIVE checkpoint while commits landed during the last one (each repeat copies only those
// few frames), up to CATCH_UP_ROUNDS times; and if the WAL still holds more than
// WAL_RESTART_PAGES frames, it runs a RESTART checkpoint: it waits (on the worker thread, up to
// RESTART_BUSY_TIMEOUT_MS) for the writer lock, copies the tail the PASSIVE rounds left (a few
// commits' frames) and syncs, holding the lock, so the next commit starts the WAL over. Meanwhile an
// ingest's BEGIN IMMEDIATE waits asynchronously (writeTransaction retries), and a Prisma write waits
// with its busy timeout; neither waits for the bulk of the copy, which PASSIVE did beside them.
// If the worker fails (it cannot open the file, a checkpoint errors, the thread dies), the error is
// logged and the main connection and Prisma's go back to SQLite's automatic checkpoint at
// WAL_AUTOCHECKPOINT_PAGES: slower tails, never an unbounded WAL. It is not restarted (a failure
// here is a disk or file problem the operator should see in the log, not something to retry in a
// loop). An in-memory database has no WAL and no checkpointer.
import { Worker } from "node:worker_threads";
import { join } from "node:path";

/**
 * At most one checkpoint per this many milliseconds while commits keep coming. Each checkpoint
 * copies a page once however many commits rewrote it, so checkpointing more often copies more:
 * at ~1,000 events/s a second holds about as many frames as the old 4,000-page mark.
 */
export const CHECKPOINT_INTERVAL_MS = 1000;
/** Repeats of a PASSIVE checkpoint when commits landed during the previous one. */
const CATCH_UP_ROUNDS = 8;
/** WAL frames (4 KiB pages: 64 MiB) past which the worker finishes with a RESTART checkpoint. */
export const WAL_RESTART_PAGES = 16_384;
const RESTART_BUSY_TIMEOUT_MS = 5_000;

export type TCheckpointStats = {
  /** PASSIVE checkpoints run */
  passive: number;
  /** RESTART checkpoints run (the WAL past WAL_RESTART_PAGES after the PASSIVE rounds) */
  restarts: number;
  /** frames in the WAL after the last checkpoint, and how many of them are copied */
  lastLog: number;
  lastCheckpointed: number;
  /** the largest frame count a checkpoint found in the WAL */
  maxLog: number;
  /** the longest RESTART checkpoint, in ms: about how long it held the write lock */
  maxRestartMs: number;
};

export type TCheckpointer = {
  /** A commit happened: a checkpoint is scheduled unless one already is. */
  nudge(): void;
  /** Runs a checkpoint now (after any under way) and resolves with the stats after it. */
  checkpointNow(): Promise<TCheckpointStats>;
  /** Closes the worker's connection and stops the thread. */
  close(): Promise<void>;
  /** false once closed, or once the worker failed and the connections fell back to the automatic checkpoint */
  running(): boolean;
  /** the thread (diagnostics and tests) */
  worker: Worker;
};

// The worker's code, as CommonJS evaluated in the thread (Next bundles the server: a separate
// module file would need its own entry in the build). It loads better-sqlite3 from the app's
// node_modules (the working directory's, as the server and the tests run).
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createRequire } = require("node:module");
const Database = createRequire(workerData.requireFrom)("better-sqlite3");
const db = new Database(workerData.path, { fileMustExist: true });
// Both sync the WAL before copying and the database file after; OFF would not (see the module's comment).
db.pragma("synchronous = FULL");
db.pragma("wal_autocheckpoint = 0");
db.pragma("busy_timeout = 0");
const stats = { passive: 0, restarts: 0, lastLog: 0, lastCheckpointed: 0, maxLog: 0, maxRestartMs: 0 };
const checkpoint = (mode) => {
  const row = db.prepare("PRAGMA wal_checkpoint(" + mode + ")").raw().get();
  // [busy, frames in the WAL, frames checkpointed]; -1, -1 when the database is not in WAL mode
  stats.lastLog = row[1];
  stats.lastCheckpointed = row[2];
  if (row[1] > stats.maxLog) stats.maxLog = row[1];
  return row;
};
let last = 0;
let timer = null;
const run = () => {
  timer = null;
  last = Date.now();
  let before = -1;
  for (let round = 0; round < workerData.catchUpRounds; round++) {
    stats.passive++;
    const [, log, done] = checkpoint("PASSIVE");
    if (log <= 0 || (done === log && log === before)) break;
    before = log;
  }
  if (stats.lastLog > workerData.restartPages) {
    db.pragma("busy_timeout = " + workerData.restartBusyTimeoutMs);
    const started = performance.now();
    try {
      stats.restarts++;
      checkpoint("RESTART");
      stats.maxRestartMs = Math.max(stats.maxRestartMs, performance.now() - started);
    } catch (e) {
      if (!String(e && e.code).startsWith("SQLITE_BUSY")) throw e;
    } finally {
      db.pragma("busy_timeout = 0");
    }
  }
};
parentPort.on("message", (m) => {
  try {
    if (m === "close") {
      if (timer) clearTimeout(timer);
      db.close();
      parentPort.postMessage({ closed: true });
      parentPort.close();
      return;
    }
    if (m === "now") {
      if (timer) clearTimeout(timer);
      run();
      parentPort.postMessage({ done: true, now: true, stats });
      return;
    }
    // "nudge": at most one checkpoint per interval
    if (timer) return;
    const wait = Math.max(0, last + workerData.intervalMs - Date.now());
    timer = setTimeout(() => {
      try {
        run();
        parentPort.postMessage({ done: true, stats });
      } catch (e) {
        parentPort.postMessage({ error: String(e && e.stack || e) });
      }
    }, wait);
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.stack || e) });
  }
});
parentPort.postMessage({ ready: true });
`;

/**
 * Starts the checkpointer for the database file at `path`. `fallback` is called once if the worker
 * fails: it must turn the automatic checkpoint back on for the process's connections.
 */
export function startCheckpointer(path: string, fallback: (error: Error) => void): TCheckpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      path,
      requireFrom: join(process.cwd(), "package.json"),
      intervalMs: CHECKPOINT_INTERVAL_MS,
      catchUpRounds: CATCH_UP_ROUNDS,
      restartPages: WAL_RESTART_PAGES,
      restartBusyTimeoutMs: RESTART_BUSY_TIMEOUT_MS,
    },
  });
  // The thread never keeps the process alive: close() ends it, and so does the process's exit.
  worker.unref();
  let scheduled = false;
  let closing = false;
  let failed = false;
  const waiters: { resolve: (stats: TCheckpointStats) => void; reject: (e: Error) => void }[] = [];
  let closed: (() => void) | null = null;
  const fail = (error: Error) => {
    if (failed || closing) return;
    failed = true;
    console.error(`[delegraph] the WAL checkpointer failed; SQLite's automatic checkpoint is back on: ${error.message}`);
    fallback(error);
    for (const w of waiters.splice(0)) w.reject(error);
    void worker.terminate();
  };
  worker.on("message", (m: { done?: boolean; now?: boolean; stats?: TCheckpointStats; error?: string; closed?: boolean }) => {
    if (m.error !== undefined) fail(new Error(m.error));
    else if (m.closed) closed?.();
    else if (m.done) {
      if (m.now) waiters.shift()?.resolve(m.stats!);
      else scheduled = false;
    }
  });
  worker.on("error", (e) => fail(e));
  worker.on("exit", (code) => {
    if (!closing) fail(new Error(`the checkpointer's thread exited (code ${code})`));
    closed?.();
  });
  return {
    nudge: () => {
      if (scheduled || failed || closing) return;
      scheduled = true;
      worker.postMessage("nudge");
    },
    checkpointNow: () =>
      failed || closing
        ? Promise.reject(new Error("the WAL checkpointer is not running"))
        : new Promise<TCheckpointStats>((resolve, reject) => {
            waiters.push({ resolve, reject });
            worker.postMessage("now");
          }),
    close: async () => {
      if (closing) return;
      closing = true;
      if (failed) return;
      const done = new Promise<void>((resolve) => (closed = resolve));
      worker.postMessage("close");
      // The thread closes its connection and exits; if it does not within a second, it is ended.
      const timeout = setTimeout(() => void worker.terminate(), 1000);
      await done;
      clearTimeout(timeout);
      await worker.terminate();
    },
    running: () => !failed && !closing,
    worker,
  };
}
