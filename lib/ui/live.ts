// How often live views poll. New events should appear without a reload, but a huge chain's JSON
// must not be re-fetched and re-diffed every few seconds.
export const LIVE_INTERVAL_MS = 5_000;

export function liveIntervalFor(eventCount: number): number {
  if (eventCount > 1_000) return 30_000;
  if (eventCount > 500) return 15_000;
  return LIVE_INTERVAL_MS;
}

export type TLiveState = "live" | "updating" | "paused" | "offline";

/**
 * What the header's live dot says. It follows the polling as it is: green only while the last poll
 * succeeded and polling goes on; grey "paused" while the tab is hidden (React Query stops polling
 * then); red "not updating" once a poll failed, so a stale view never wears a green dot.
 */
export function liveState(q: { isError: boolean; isFetching: boolean; isHidden: boolean; isOnline: boolean }): TLiveState {
  if (q.isError || !q.isOnline) return "offline";
  if (q.isHidden) return "paused";
  if (q.isFetching) return "updating";
  return "live";
}

export const LIVE_STYLE: Record<TLiveState, { dot: string; word: string; explain: string }> = {
  live: { dot: "bg-green-600", word: "live", explain: "Refreshes every few seconds" },
  updating: { dot: "bg-blue-600 animate-pulse", word: "live · updating", explain: "Fetching the latest events" },
  paused: { dot: "bg-slate-400", word: "paused", explain: "Updates pause while this tab is hidden and resume when you come back" },
  offline: { dot: "bg-red-600", word: "not updating", explain: "The last refresh failed: what you see may be out of date" },
};
