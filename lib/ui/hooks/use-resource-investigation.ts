"use client";
import { useQuery } from "@tanstack/react-query";
import { apiGet, toQueryString } from "../fetcher";
import { investigateKeys } from "../query-keys";
import type { TResourceInvestigation } from "@/lib/contracts/investigate";

/** Who touched a resource: every invoke whose resource contains the substring. */
export function useResourceInvestigation(resource: string) {
  return useQuery({
    queryKey: investigateKeys.resource(resource),
    queryFn: ({ signal }) => apiGet<TResourceInvestigation>(`/api/v1/investigate/resource${toQueryString({ resource })}`, signal),
    enabled: resource.length > 0,
  });
}
