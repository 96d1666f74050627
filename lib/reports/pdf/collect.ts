// A full garbage collection for the PDF render thread (worker.ts), which runs one when it is left
// idle after a report.
//
// A report's document tree lives through the whole render, so it is promoted to the old generation,
// and it is dead once the PDF is sent. Without a full collection the thread keeps all of it: V8
// starts one only when the old generation reaches its limit, and its memory reducer (which compacts
// the heap and shrinks the young generation when a thread is idle) is only started by a full
// collection. So after the benchmark's 200-hop report the idle thread held 92 MiB of heap, about
// half of it garbage, for the minute until it ended. One collection when it goes idle frees the
// garbage (resident −10 to −15 MiB at once; the rest of the freed space is in pages that still hold
// live objects, given back only by a compaction, whose copy of the live heap would raise the peak
// instead: docs/benchmarks.md, "The PDF thread's garbage collected when it goes idle").
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * V8's `gc` for this thread, or null when V8 will not give one. Without --expose-gc, `gc` is made
 * only for contexts created while the flag is set: it is set for one new context and cleared at
 * once, so no other context of the process gets a `gc`.
 */
export function fullCollection(): (() => void) | null {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === "function") return exposed;
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as unknown;
    return typeof gc === "function" ? (gc as () => void) : null;
  } catch {
    return null;
  } finally {
    setFlagsFromString("--no-expose-gc");
  }
}
