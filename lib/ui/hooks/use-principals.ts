"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { apiGet, toQueryString } from "../fetcher";
import { principalKeys } from "../query-keys";
import type { TPrincipalList } from "@/lib/contracts/principals";

export function usePrincipals(q: string, cursor: string | null) {
  return useQuery({
    queryKey: principalKeys.list(q, cursor),
    queryFn: ({ signal }) => apiGet<TPrincipalList>(`/api/v1/principals${toQueryString({ q, cursor })}`, signal),
    placeholderData: keepPreviousData,
  });
}
