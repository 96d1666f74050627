// PDF reports are rendered on a worker thread, not the server's main thread (docs/operations.md,
// "PDF reports").
//
// Laying out and writing a report is ~0.2–1.5 s of synchronous CPU (a 200-hop chain: ~1 s). On the
// main thread every ingest and page request waited that long behind it, and an auditor downloading
// a report mid-soak put a second on the ingest's p99 (docs/benchmarks.md, "PDF reports off the main
// thread"). The route still reads the report's data on the main thread (the database connections
// live there); only the render moves: the data is copied to the thread by structured clone and the
// PDF's bytes come back.
//
// Admission: a route runs inside `admit`, which counts the reports in progress (reading, waiting for
// the thread, rendering) and refuses one past DELEGRAPH_PDF_MAX_QUEUED with 503 and Retry-After
// before it reads anything, as the ingest does (lib/ingest/admission.ts): a crowd of downloads
// waits behind a bounded amount of work and holds a bounded amount of report data in memory.
//
// Loading the code: the server is bundled by Next, and the report code is TSX that imports
// @react-pdf, so the thread cannot load a file of Next's bundle. In production it loads
// .next/delegraph-pdf-worker.mjs, the same sources bundled beside the Next build
// (scripts/pdf-worker-bundle.ts, from the working directory, as the fonts are); without that file
// (a build by `next build` alone, tests, development) it loads the sources themselves
// (lib/reports/pdf/worker.ts) with tsx, which `npm start` already needs, from a few lines of
// CommonJS evaluated in the thread (as lib/db/checkpointer.ts does). tsx in the thread cost ~30 MiB
// more of the server's memory and an esbuild process while the thread lived (docs/benchmarks.md,
// "The PDF thread without tsx"). If the thread cannot start (tsx or
// the sources missing, the fonts unreadable, no answer within STARTUP_TIMEOUT_MS), one warning is
// logged and reports render on the main thread as before: slower for everyone else, never refused.
// A thread that dies during a report (not at start) is replaced for the next one; that report is
// rendered on the main thread, unless the thread ran out of memory (the same data would on the
// main thread too: that report fails with a logged 500).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { env } from "@/lib/env";
import { AppError } from "@/lib/http";
import type { TPdfJob } from "./job";

/** Retry-After of a refused report, in seconds: about two renders of the benchmark's 200-hop chain. */
export const PDF_RETRY_AFTER_SECONDS = 2;
export const PDF_AT_CAPACITY_MESSAGE = `Too many PDF reports are being made right now; nothing was made for this request. Try again in ${PDF_RETRY_AFTER_SECONDS} s.`;
/** An idle thread is ended after this long, so the memory of its heap and fonts goes back. */
export const PDF_THREAD_IDLE_MS = 60_000;
const STARTUP_TIMEOUT_MS = 30_000;

// The thread's bootstrap: tsx's ESM API, resolved from the working directory (the repository root,
// where the server and the tests run), imports the TypeScript module named in workerData.
const BOOT_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { pathToFileURL } = require("node:url");
const entry = pathToFileURL(workerData.entry).href;
import("tsx/esm/api")
  .then(({ tsImport }) => tsImport(entry, entry))
  .catch((e) => parentPort.postMessage({ fatal: String((e && e.stack) || e) }));
`;

export type TPdfPoolOptions = {
  /** render threads; 0 renders on the calling thread */
  threads: number;
  /** reports in progress past which `admit` refuses */
  maxQueued: number;
  /** the thread's TypeScript module, loaded with tsx (default lib/reports/pdf/worker.ts in the working directory) */
  entry?: string;
  /**
   * the thread's code bundled as one module (scripts/pdf-worker-bundle.ts), loaded without tsx;
   * default in production, when neither this nor `entry` is given: .next/delegraph-pdf-worker.mjs if it is there
   */
  bundle?: string;
  idleMs?: number;
  /** how a report renders when no thread can (default: renderPdfJob, loaded on first use) */
  inProcess?: (job: TPdfJob) => Promise<Buffer>;
};

type TPending = { job: TPdfJob; resolve: (pdf: Buffer) => void; reject: (error: Error) => void };
type TThread = { worker: Worker; ready: boolean; gone: boolean; current: TPending | null; timer: NodeJS.Timeout | null };
type TMessage = { ready?: true; fatal?: string; pdf?: Uint8Array; error?: string };

export type TPdfPoolStats = { inProgress: number; waiting: number; threads: number; fallback: boolean };

export class PdfRenderPool {
  private inFlight = 0;
  private readonly waiting: TPending[] = [];
  private readonly threads: TThread[] = [];
  /** set once a thread failed to start: every report renders in-process from then on */
  private fallback = false;
  private closed = false;

  constructor(private readonly options: TPdfPoolOptions) {
    if (!(Number.isInteger(options.maxQueued) && options.maxQueued >= 1))
      throw new Error(`maxQueued must be a whole number ≥ 1 (got ${options.maxQueued})`);
  }

  stats(): TPdfPoolStats {
    return { inProgress: this.inFlight, waiting: this.waiting.length, threads: this.threads.length, fallback: this.fallback };
  }

  /**
   * Runs a route's `work` (read the data, `render` it, answer) as one report in progress; throws a
   * 503 AppError with Retry-After, without running `work`, when DELEGRAPH_PDF_MAX_QUEUED are.
   */
  async admit<T>(work: (render: (job: TPdfJob) => Promise<Buffer>) => Promise<T>): Promise<T> {
    if (this.inFlight >= this.options.maxQueued) throw new AppError("service_unavailable", PDF_AT_CAPACITY_MESSAGE, PDF_RETRY_AFTER_SECONDS);
    this.inFlight++;
    try {
      return await work((job) => this.render(job));
    } finally {
      this.inFlight--;
    }
  }

  /** Renders on a thread (waiting for a free one), or in-process when there is none to be had. */
  render(job: TPdfJob): Promise<Buffer> {
    if (this.options.threads === 0 || this.fallback || this.closed) return this.renderInProcess(job);
    return new Promise<Buffer>((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      this.pump();
    });
  }

  /** Ends every thread (tests; the server's threads end with the process). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.threads.map((t) => this.retire(t)));
    for (const p of this.waiting.splice(0)) this.renderInProcess(p.job).then(p.resolve, p.reject);
  }

  private renderInProcess(job: TPdfJob): Promise<Buffer> {
    if (this.options.inProcess) return this.options.inProcess(job);
    return import("./render").then((m) => m.renderPdfJob(job));
  }

  private pump(): void {
    while (this.waiting.length > 0) {
      const free = this.threads.find((t) => t.ready && !t.current);
      if (free) {
        this.dispatch(free, this.waiting.shift()!);
        continue;
      }
      const starting = this.threads.filter((t) => !t.ready).length;
      if (this.threads.length < this.options.threads && starting < this.waiting.length) this.spawn();
      return;
    }
  }

  private dispatch(thread: TThread, pending: TPending): void {
    if (thread.timer) clearTimeout(thread.timer);
    thread.timer = null;
    thread.current = pending;
    // Referenced while it works: a script awaiting a report must not exit under it.
    thread.worker.ref();
    try {
      thread.worker.postMessage(pending.job);
    } catch (e) {
      // Data that cannot be cloned is a bug of the caller's; the report is still made.
      thread.current = null;
      console.warn(`[delegraph] a PDF report could not be sent to the render thread; rendered on the main thread: ${(e as Error).message}`);
      this.renderInProcess(pending.job).then(pending.resolve, pending.reject);
      this.idle(thread);
    }
  }

  private spawn(): void {
    const built = join(/*turbopackIgnore: true*/ process.cwd(), ".next", "delegraph-pdf-worker.mjs");
    const bundle =
      this.options.bundle ?? (this.options.entry === undefined && process.env.NODE_ENV === "production" && existsSync(built) ? built : undefined);
    const entry = this.options.entry ?? join(/*turbopackIgnore: true*/ process.cwd(), "lib", "reports", "pdf", "worker.ts");
    let worker: Worker;
    try {
      worker = bundle !== undefined ? new Worker(pathToFileURL(bundle)) : new Worker(BOOT_SOURCE, { eval: true, workerData: { entry } });
    } catch (e) {
      this.startFailed(e as Error);
      return;
    }
    const thread: TThread = { worker, ready: false, gone: false, current: null, timer: null };
    this.threads.push(thread);
    thread.timer = setTimeout(
      () => this.lost(thread, new Error(`the PDF render thread did not start within ${STARTUP_TIMEOUT_MS / 1000} s`)),
      STARTUP_TIMEOUT_MS,
    );
    thread.timer.unref();
    worker.on("message", (m: TMessage) => {
      if (thread.gone) return;
      if (m.ready) {
        if (thread.timer) clearTimeout(thread.timer);
        thread.timer = null;
        thread.ready = true;
        this.pump();
        if (!thread.current) this.idle(thread);
      } else if (m.fatal !== undefined) this.lost(thread, new Error(m.fatal));
      else if (thread.current) {
        const done = thread.current;
        thread.current = null;
        if (m.pdf) done.resolve(Buffer.from(m.pdf.buffer, m.pdf.byteOffset, m.pdf.byteLength));
        else done.reject(new Error(m.error ?? "the PDF render thread answered nothing"));
        this.pump();
        if (!thread.current) this.idle(thread);
      }
    });
    worker.on("error", (e) => this.lost(thread, e));
    worker.on("exit", (code) => this.lost(thread, new Error(`the PDF render thread exited (code ${code})`)));
  }

  /** No report for the thread: unreferenced, and ended after idleMs. */
  private idle(thread: TThread): void {
    if (thread.gone) return;
    if (thread.timer) clearTimeout(thread.timer);
    thread.worker.unref();
    thread.timer = setTimeout(() => void this.retire(thread), this.options.idleMs ?? PDF_THREAD_IDLE_MS);
    thread.timer.unref();
  }

  private async retire(thread: TThread): Promise<void> {
    if (thread.gone) return;
    thread.gone = true;
    if (thread.timer) clearTimeout(thread.timer);
    this.threads.splice(this.threads.indexOf(thread), 1);
    const current = thread.current;
    thread.current = null;
    if (current) this.renderInProcess(current.job).then(current.resolve, current.reject);
    await thread.worker.terminate();
  }

  private lost(thread: TThread, error: Error): void {
    if (thread.gone) return;
    thread.gone = true;
    if (thread.timer) clearTimeout(thread.timer);
    this.threads.splice(this.threads.indexOf(thread), 1);
    void thread.worker.terminate();
    if (!thread.ready) {
      this.startFailed(error);
      return;
    }
    const current = thread.current;
    if (current) {
      if ((error as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY") current.reject(error);
      else {
        console.warn(`[delegraph] the PDF render thread died during a report; rendering it on the main thread: ${error.message}`);
        this.renderInProcess(current.job).then(current.resolve, current.reject);
      }
    }
    this.pump();
  }

  private startFailed(error: Error): void {
    if (!this.fallback) {
      this.fallback = true;
      console.warn(`[delegraph] the PDF render thread could not start; PDF reports render on the main thread: ${error.message}`);
    }
    for (const p of this.waiting.splice(0)) this.renderInProcess(p.job).then(p.resolve, p.reject);
  }
}

/** Where the process's pool lives: one per process, whichever route bundle asks first. */
const SHARED = Symbol.for("delegraph.pdfRenderPool");

/** The process's PDF renderer: DELEGRAPH_PDF_THREADS threads, DELEGRAPH_PDF_MAX_QUEUED reports in progress. */
export function pdfRenderPool(): PdfRenderPool {
  const g = globalThis as { [SHARED]?: PdfRenderPool };
  g[SHARED] ??= new PdfRenderPool({ threads: env().DELEGRAPH_PDF_THREADS, maxQueued: env().DELEGRAPH_PDF_MAX_QUEUED });
  return g[SHARED];
}
