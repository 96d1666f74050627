"use client";
// Admin settings: API tokens, dashboard users and the dashboard's own audit trail. Every write
// goes with the session's CSRF token; every successful write also refreshes the audit log,
// which records it.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiGet, apiRequest, toQueryString } from "../fetcher";
import { useMe } from "./use-me";

import type { TRole, TUserRole } from "@/lib/contracts/auth";
import type { TCreatedToken, TCreateToken, TCreateUser, TTokenList, TUpdateUser, TUser, TUserList } from "@/lib/contracts/admin";
import type { TAuditPage } from "@/lib/contracts/audit";

export type { TApiToken, TCreatedToken, TTokenList, TUser, TUserList } from "@/lib/contracts/admin";
export type { TAuditEntry, TAuditPage } from "@/lib/contracts/audit";
export type { TUserRole } from "@/lib/contracts/auth";

/** In the order the forms offer them: the least powerful first. */
export const TOKEN_ROLES = ["ingest", "viewer", "investigator", "admin"] as const satisfies readonly TRole[];
export type TTokenRole = (typeof TOKEN_ROLES)[number];
export const USER_ROLES = ["viewer", "investigator", "admin"] as const satisfies readonly TUserRole[];
export type TCreateTokenInput = TCreateToken;
export type TCreateUserInput = TCreateUser;
export type TUpdateUserInput = TUpdateUser;

export const AUDIT_PAGE_SIZE = 50;

export const settingsKeys = {
  all: ["settings"] as const,
  tokens: () => [...settingsKeys.all, "tokens"] as const,
  users: () => [...settingsKeys.all, "users"] as const,
  audit: (filters?: TAuditLogFilters) => [...settingsKeys.all, "audit", ...(filters ? [filters] : [])] as const,
};

export function useTokens() {
  return useQuery({
    queryKey: settingsKeys.tokens(),
    queryFn: ({ signal }) => apiGet<TTokenList>("/api/v1/tokens", signal),
  });
}

/** Writes as the signed-in user: the CSRF token comes from the shell's `me`. */
function useWrite() {
  const me = useMe();
  const qc = useQueryClient();
  const csrfToken = me.data?.csrfToken;
  return {
    csrfToken,
    refresh: (key: readonly unknown[]) =>
      Promise.all([qc.invalidateQueries({ queryKey: key }), qc.invalidateQueries({ queryKey: settingsKeys.audit() })]),
  };
}

export function useCreateToken() {
  const { csrfToken, refresh } = useWrite();
  return useMutation({
    mutationFn: (input: TCreateTokenInput) => apiRequest<TCreatedToken>("/api/v1/tokens", { method: "POST", body: input, csrfToken }),
    onSuccess: () => refresh(settingsKeys.tokens()),
  });
}

export function useRevokeToken() {
  const { csrfToken, refresh } = useWrite();
  return useMutation({
    mutationFn: (id: string) =>
      apiRequest<{ id: string; revokedAt: string }>(`/api/v1/tokens/${encodeURIComponent(id)}/revoke`, { method: "POST", body: {}, csrfToken }),
    onSuccess: () => refresh(settingsKeys.tokens()),
  });
}

export function useUsers() {
  return useQuery({
    queryKey: settingsKeys.users(),
    queryFn: ({ signal }) => apiGet<TUserList>("/api/v1/users", signal),
  });
}

export function useCreateUser() {
  const { csrfToken, refresh } = useWrite();
  return useMutation({
    mutationFn: (input: TCreateUserInput) => apiRequest<TUser>("/api/v1/users", { method: "POST", body: input, csrfToken }),
    onSuccess: () => refresh(settingsKeys.users()),
  });
}

export function useUpdateUser() {
  const { csrfToken, refresh } = useWrite();
  return useMutation({
    mutationFn: ({ id, ...input }: TUpdateUserInput & { id: string }) =>
      apiRequest<TUser>(`/api/v1/users/${encodeURIComponent(id)}`, { method: "PATCH", body: input, csrfToken }),
    onSuccess: () => refresh(settingsKeys.users()),
  });
}

/** Newest first; "Load more" appends the next page instead of replacing the one on screen. */
/** The self-audit's filters (docs/review.md): actor and target substrings, action prefix, ISO times. */
export type TAuditLogFilters = { actor?: string; action?: string; target?: string; since?: string; until?: string };

export function useAuditLog(filters: TAuditLogFilters = {}) {
  return useInfiniteQuery({
    queryKey: settingsKeys.audit(filters),
    queryFn: ({ signal, pageParam }) =>
      apiGet<TAuditPage>(`/api/v1/audit${toQueryString({ ...filters, cursor: pageParam, limit: AUDIT_PAGE_SIZE })}`, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}
