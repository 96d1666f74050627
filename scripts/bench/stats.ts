// Small statistics for the benchmark: nearest-rank percentiles over measured samples.

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when there are none. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export type TLatency = { n: number; p50Ms: number; p95Ms: number; maxMs: number };

export function latency(samples: number[]): TLatency {
  return { n: samples.length, p50Ms: round(percentile(samples, 50)), p95Ms: round(percentile(samples, 95)), maxMs: round(Math.max(...samples)) };
}

export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Runs f n times after `warmup` untimed runs; returns each run's wall time in ms. */
/** `n` timings of `f` after `warmup` untimed calls; `before` runs ahead of every call, untimed. */
export async function timeRuns(n: number, warmup: number, f: () => Promise<unknown>, before?: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) {
    await before?.(i);
    await f();
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    await before?.(warmup + i);
    const t = performance.now();
    await f();
    out.push(performance.now() - t);
  }
  return out;
}
