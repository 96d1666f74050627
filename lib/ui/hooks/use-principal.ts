"use client";
import { useQuery } from "@tanstack/react-query";
import { apiGet } from "../fetcher";
import { principalKeys } from "../query-keys";
import type { TPrincipalDetail } from "@/lib/contracts/principals";

export function usePrincipal(id: string) {
  return useQuery({
    queryKey: principalKeys.detail(id),
    queryFn: ({ signal }) => apiGet<TPrincipalDetail>(`/api/v1/principals/${encodeURIComponent(id)}`, signal),
  });
}
