// The profile scripts' CPU profiler (--cpu-prof-dir): an inspector session sampling every 200 µs.
import { mkdirSync } from "node:fs";
import { Session } from "node:inspector/promises";

/** An enabled profiler writing into `dir` (created), or null without one. */
export async function openProfiler(dir: string | null | undefined): Promise<Session | null> {
  if (!dir) return null;
  mkdirSync(dir, { recursive: true });
  const profiler = new Session();
  profiler.connect();
  await profiler.post("Profiler.enable");
  await profiler.post("Profiler.setSamplingInterval", { interval: 200 });
  return profiler;
}
