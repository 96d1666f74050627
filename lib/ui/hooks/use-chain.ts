"use client";
import { useQuery } from "@tanstack/react-query";
import type { TChainDetail, TChainRefusals, TRawEvent } from "@/lib/contracts/chains";
import { apiGet } from "../fetcher";
import { chainKeys } from "../query-keys";
import { LIVE_INTERVAL_MS, liveIntervalFor } from "../live";

export function chainPath(id: string): string {
  return `/api/v1/chains/${encodeURIComponent(id)}`;
}

// The detail comes without raw tokens (GET /api/v1/chains/{id} leaves them out unless asked): a
// thousand-hop chain's tokens are a third of its answer, and a reader looks at one at a time.
export function useChain(id: string) {
  return useQuery({
    queryKey: chainKeys.detail(id),
    queryFn: ({ signal }) => apiGet<TChainDetail>(chainPath(id), signal),
    // A thousand-hop chain is megabytes of JSON: poll it less often than a small one.
    refetchInterval: (q) => (q.state.data ? liveIntervalFor(q.state.data.eventCount) : LIVE_INTERVAL_MS),
  });
}

/** Refused submissions naming the chain, polled with it. */
export function useChainRefusals(id: string) {
  return useQuery({
    queryKey: chainKeys.refusals(id),
    queryFn: ({ signal }) => apiGet<TChainRefusals>(`${chainPath(id)}/refused`, signal),
    refetchInterval: LIVE_INTERVAL_MS,
  });
}

/**
 * One event's raw token, asked for when the reader opens it (investigators and admins; other
 * roles get 403, which the inspector shows as "hidden for your role"). A stored token never
 * changes, so it is fetched once.
 */
export function useRawEvent(jti: string, enabled: boolean) {
  return useQuery({
    queryKey: chainKeys.rawEvent(jti),
    queryFn: ({ signal }) => apiGet<TRawEvent>(`/api/v1/events/${encodeURIComponent(jti)}`, signal),
    enabled,
    staleTime: Infinity,
  });
}
