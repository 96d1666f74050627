"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { REJECT_CODES, type TRejectCode } from "@/lib/protocol/types";
import { apiGet, toQueryString } from "../fetcher";
import { LIVE_INTERVAL_MS } from "../live";

import type { TQuarantinePage } from "@/lib/contracts/quarantine";

export type { TQuarantineItem, TQuarantinePage } from "@/lib/contracts/quarantine";

export const QUARANTINE_PAGE_SIZE = 50;

export const quarantineKeys = {
  all: ["quarantine"] as const,
  list: (code: TRejectCode | null, cursor: string | null) => [...quarantineKeys.all, "list", { code }, cursor] as const,
};

/** A `?code=` from the URL the API would refuse (400) reads as "no filter" instead. */
export function parseRejectCode(value: string | null): TRejectCode | null {
  return value && (REJECT_CODES as readonly string[]).includes(value) ? (value as TRejectCode) : null;
}

/** `enabled` is false for roles the API would refuse, so a viewer's page does not fetch a 403. */
export function useQuarantine(code: TRejectCode | null, cursor: string | null, enabled = true) {
  return useQuery({
    queryKey: quarantineKeys.list(code, cursor),
    queryFn: ({ signal }) => apiGet<TQuarantinePage>(`/api/v1/quarantine${toQueryString({ code, cursor, limit: QUARANTINE_PAGE_SIZE })}`, signal),
    enabled,
    placeholderData: keepPreviousData,
    refetchInterval: LIVE_INTERVAL_MS * 2,
  });
}
