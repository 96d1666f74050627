// The PDF render thread's module (lib/reports/pdf/pool.ts starts the thread and loads this with tsx):
// one report at a time, from the data the main thread gathered, answered as the PDF's bytes.
import { parentPort } from "node:worker_threads";
import { fullCollection } from "./collect";
import { loadFonts } from "./fonts";
import type { TPdfJob } from "./job";
import { renderPdfJob } from "./render";

const port = parentPort!;

/**
 * How long the thread waits for another report before collecting the last one's garbage (collect.ts).
 * The pool sends a waiting report as soon as it has the answer, so a queue of reports is not
 * interrupted; one collection after a burst costs the idle thread tens of milliseconds.
 */
const COLLECT_WHEN_IDLE_MS = 500;

const collect = fullCollection();
let collectTimer: NodeJS.Timeout | null = null;

async function answer(job: TPdfJob): Promise<void> {
  try {
    const pdf = await renderPdfJob(job);
    const bytes = new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
    // The bytes move to the main thread without a copy when they own their memory (a PDF does; a
    // small Buffer may sit in Node's shared pool, which cannot be transferred).
    const owned = pdf.byteOffset === 0 && pdf.byteLength === pdf.buffer.byteLength;
    port.postMessage({ pdf: bytes }, owned ? [pdf.buffer as ArrayBuffer] : []);
  } catch (e) {
    port.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
  if (collect) collectTimer = setTimeout(collect, COLLECT_WHEN_IDLE_MS);
}

// The pool sends the next report only after this one's answer: one at a time.
port.on("message", (job: TPdfJob) => {
  if (collectTimer) clearTimeout(collectTimer);
  collectTimer = null;
  void answer(job);
});

// Fonts first: a thread that cannot read them is one that failed to start.
await loadFonts();
port.postMessage({ ready: true });
