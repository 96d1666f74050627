"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { TChainList } from "@/lib/contracts/chains";
import { apiGet, toQueryString } from "../fetcher";
import { chainKeys } from "../query-keys";
import { chainFilterParams, type TChainFilters } from "../chain-filters";
import { LIVE_INTERVAL_MS } from "../live";

export const CHAIN_PAGE_SIZE = 50;

export function useChains(filters: TChainFilters, cursor: string | null) {
  return useQuery({
    queryKey: chainKeys.list(filters, cursor),
    queryFn: ({ signal }) =>
      apiGet<TChainList>(`/api/v1/chains${toQueryString({ ...chainFilterParams(filters), cursor, limit: CHAIN_PAGE_SIZE })}`, signal),
    placeholderData: keepPreviousData,
    refetchInterval: LIVE_INTERVAL_MS,
  });
}
