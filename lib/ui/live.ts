// How often live views poll. New events should appear without a reload, but a huge chain's JSON
// must not be re-fetched and re-diffed every few seconds.
export const LIVE_INTERVAL_MS = 5_000;

export function liveIntervalFor(eventCount: number): number {
  if (eventCount > 1_000) return 30_000;
  if (eventCount > 500) return 15_000;
  return LIVE_INTERVAL_MS;
}
