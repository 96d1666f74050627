// When a failed delivery is tried again: exponential backoff with full jitter ("Exponential Backoff
// and Jitter", AWS Architecture Blog), so the deliveries queued while a receiver was down do not
// all arrive in the same second when it comes back.

export type TBackoff = { baseMs: number; maxMs: number };

/**
 * The wait after the `attempts`-th failed try (1 = the first try failed): a uniform draw from
 * [ceiling / 2, ceiling] where ceiling = min(maxMs, baseMs · 2^(attempts − 1)). Half the ceiling at
 * least, so the waits still grow when the draw is low; `random` is passed in for the tests.
 */
export function retryDelayMs(attempts: number, b: TBackoff, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempts));
  const ceiling = Math.min(b.maxMs, b.baseMs * 2 ** Math.min(n - 1, 40));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
