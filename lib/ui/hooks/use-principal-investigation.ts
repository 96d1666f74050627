"use client";
import { useQuery } from "@tanstack/react-query";
import { apiGet, toQueryString } from "../fetcher";
import { investigateKeys } from "../query-keys";
import type { TPrincipalInvestigation } from "@/lib/contracts/investigate";

/** Blast radius: everything a principal did (and the chains it touched) since a moment. */
export function usePrincipalInvestigation(principal: string, since: string, kid = "") {
  return useQuery({
    queryKey: investigateKeys.principal(principal, since, kid),
    queryFn: ({ signal }) =>
      apiGet<TPrincipalInvestigation>(`/api/v1/investigate/principal${toQueryString({ principal, since, kid: kid || null })}`, signal),
    enabled: principal.length > 0,
  });
}
