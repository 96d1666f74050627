"use client";
import { useQuery } from "@tanstack/react-query";
import type { TChainDetail, TChainRefusals } from "@/lib/contracts/chains";
import { apiGet } from "../fetcher";
import { chainKeys } from "../query-keys";
import { LIVE_INTERVAL_MS, liveIntervalFor } from "../live";

export function chainPath(id: string): string {
  return `/api/v1/chains/${encodeURIComponent(id)}`;
}

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
