"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { apiGet, toQueryString } from "../fetcher";
import { findingKeys, type TFindingFilters } from "../query-keys";
import type { TFindingList } from "@/lib/contracts/findings";
import { LIVE_INTERVAL_MS } from "../live";

export function useFindings(filters: TFindingFilters, cursor: string | null) {
  return useQuery({
    queryKey: findingKeys.list(filters, cursor),
    queryFn: ({ signal }) => apiGet<TFindingList>(`/api/v1/findings${toQueryString({ ...filters, cursor, limit: 100 })}`, signal),
    placeholderData: keepPreviousData,
    refetchInterval: LIVE_INTERVAL_MS * 2,
  });
}
