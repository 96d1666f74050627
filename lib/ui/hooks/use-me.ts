"use client";
import { useQuery } from "@tanstack/react-query";
import { apiGet } from "../fetcher";
import { authKeys } from "../query-keys";
import type { TMe } from "@/lib/contracts/auth";

/** The signed-in user and the CSRF token every cookie-authenticated write must echo back. */
export function useMe() {
  return useQuery({
    queryKey: authKeys.me(),
    queryFn: ({ signal }) => apiGet<TMe>("/api/auth/me", signal),
    staleTime: 5 * 60_000,
  });
}
