"use client";
import { useQuery } from "@tanstack/react-query";
import { apiGet } from "../fetcher";
import { statsKeys } from "../query-keys";
import type { TStats } from "@/lib/contracts/stats";
import { LIVE_INTERVAL_MS } from "../live";

export function useStats() {
  return useQuery({
    queryKey: statsKeys.overview(),
    queryFn: ({ signal }) => apiGet<TStats>("/api/v1/stats", signal),
    refetchInterval: LIVE_INTERVAL_MS,
  });
}
