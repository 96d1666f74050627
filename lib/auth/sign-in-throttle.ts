// Sign-in limits (docs/operations.md, threat model). Every attempt is counted BEFORE its password
// is checked, with a compare-and-swap on the key's row, so a burst of concurrent guesses is counted
// one by one: at most FREE attempts of a burst reach the password check, however many arrive at
// once. Past the free attempts the limit is a growing delay (1 s, 2 s, 4 s … up to 15 min) rather
// than a lockout, so a forgotten password or a shared address costs a wait, not the account.
// An attempt stays counted until it succeeds; a success clears the account's count and takes its
// own count back from the address.
import { stores } from "@/lib/db";

export const THROTTLE_WINDOW_SECONDS = 15 * 60;
export const MAX_DELAY_SECONDS = 15 * 60;
/** Free attempts per account, and per client address (an office behind one address shares it). */
export const FREE_ATTEMPTS = { email: 5, address: 20 } as const;
const PRUNE_AFTER_SECONDS = 24 * 3600;
const CAS_TRIES = 20;

/** The wait imposed after the n-th counted attempt: none while n < free, then doubling. */
export function delayAfter(n: number, free: number): number {
  return n < free ? 0 : Math.min(2 ** (n - free), MAX_DELAY_SECONDS);
}

export type TClaim = { ok: true } | { ok: false; retryAfter: number };

/** Counts one attempt against `key`, or says how long to wait when the key is in its delay. */
export async function claimAttempt(key: string, free: number, now: number): Promise<TClaim> {
  const store = (await stores()).auth;
  for (let i = 0; i < CAS_TRIES; i++) {
    const row = await store.throttle(key);
    if (!row) {
      if (await store.createThrottle({ key, failures: 1, lastAttemptAt: now, nextAllowedAt: now + delayAfter(1, free) })) return { ok: true };
      continue; // another attempt made the row first
    }
    const expired = now - row.lastAttemptAt > THROTTLE_WINDOW_SECONDS;
    if (!expired && now < row.nextAllowedAt) return { ok: false, retryAfter: Math.max(1, Math.ceil(row.nextAllowedAt - now)) };
    const n = (expired ? 0 : row.failures) + 1;
    if (await store.swapThrottle(key, row.version, { failures: n, lastAttemptAt: now, nextAllowedAt: now + delayAfter(n, free) }))
      return { ok: true };
  }
  // Lost the race every time: so many concurrent attempts on one key are an attack; make it wait.
  return { ok: false, retryAfter: 1 };
}

/** A successful sign-in clears the account's count. */
export async function clearAttempts(key: string): Promise<void> {
  await (await stores()).auth.clearThrottle(key);
}

/**
 * A successful sign-in takes back its own count from the address (others behind the same address
 * keep theirs): the address counts failed attempts, and the ones still in flight.
 */
export async function uncountAttempt(key: string): Promise<void> {
  await (await stores()).auth.uncountThrottle(key);
}

let lastPrune = 0;

/** Drops rows no attempt has touched for a day, at most every ten minutes per process. */
export async function pruneAttempts(now: number): Promise<void> {
  if (now - lastPrune < 600) return;
  lastPrune = now;
  await (await stores()).auth.pruneThrottles(now - PRUNE_AFTER_SECONDS);
}
