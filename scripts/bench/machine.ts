// The machine a figure was measured on, and how busy it was: benchmarks on a shared 2-core box
// mean little without the load next to them.
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg, totalmem } from "node:os";

export type TMachine = { nproc: number; cpu: string; memoryGiB: number; node: string; platform: string };

export function describeMachine(): TMachine {
  let cpu = "unknown";
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux
  }
  return {
    nproc: availableParallelism(),
    cpu,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** 1-, 5- and 15-minute load averages, rounded. */
export function load(): [number, number, number] {
  const [a, b, c] = loadavg();
  return [a, b, c].map((x) => Math.round(x * 100) / 100) as [number, number, number];
}
