"use client";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { TSearchAnswer } from "@/lib/contracts/search";
import { apiGet, toQueryString } from "../fetcher";
import { searchKeys } from "../query-keys";

/** Suggestions for what is typed, asked for once typing pauses (2 characters at least). */
export function useSearchSuggestions(text: string, delayMs = 200) {
  const [q, setQ] = useState(text.trim());
  useEffect(() => {
    const t = setTimeout(() => setQ(text.trim()), delayMs);
    return () => clearTimeout(t);
  }, [text, delayMs]);
  return useQuery({
    queryKey: searchKeys.query(q),
    queryFn: ({ signal }) => fetchSearch(q, signal),
    enabled: q.length >= 2,
    staleTime: 10_000,
  });
}

export function fetchSearch(q: string, signal?: AbortSignal) {
  return apiGet<TSearchAnswer>(`/api/v1/search${toQueryString({ q })}`, signal);
}
