"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { TChainList, TChainSortParam } from "@/lib/contracts/chains";
import { apiGet, toQueryString } from "../fetcher";
import { chainKeys } from "../query-keys";
import { chainFilterParams, type TChainFilters } from "../chain-filters";
import { LIVE_INTERVAL_MS } from "../live";

export const CHAIN_PAGE_SIZE = 50;

/** `sort`: the list's order (GET /api/v1/chains `sort`); null is the API's own, newest first. */
export function useChains(filters: TChainFilters, cursor: string | null, sort: TChainSortParam | null = null) {
  return useQuery({
    queryKey: chainKeys.list(filters, cursor, sort),
    queryFn: ({ signal }) =>
      apiGet<TChainList>(`/api/v1/chains${toQueryString({ ...chainFilterParams(filters), sort, cursor, limit: CHAIN_PAGE_SIZE })}`, signal),
    placeholderData: keepPreviousData,
    refetchInterval: LIVE_INTERVAL_MS,
  });
}
