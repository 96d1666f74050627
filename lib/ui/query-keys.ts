// Query key factories: one place decides how a cache entry is named, so invalidation and
// prefetching never guess. Filters go in as plain objects; React Query hashes them stably.
import type { TChainFilters } from "./chain-filters";

export const authKeys = {
  all: ["auth"] as const,
  me: () => [...authKeys.all, "me"] as const,
};

export const chainKeys = {
  all: ["chains"] as const,
  lists: () => [...chainKeys.all, "list"] as const,
  list: (filters: TChainFilters, cursor: string | null, sort: string | null = null) => [...chainKeys.lists(), filters, cursor, sort] as const,
  details: () => [...chainKeys.all, "detail"] as const,
  detail: (id: string) => [...chainKeys.details(), id] as const,
  refusals: (id: string) => [...chainKeys.all, "refusals", id] as const,
  /** one event's raw token (GET /api/v1/events/{jti}): it never changes once stored */
  rawEvent: (jti: string) => [...chainKeys.all, "raw-event", jti] as const,
};

export const statsKeys = {
  all: ["stats"] as const,
  overview: () => [...statsKeys.all, "overview"] as const,
};

export const principalKeys = {
  all: ["principals"] as const,
  list: (q: string, cursor: string | null) => [...principalKeys.all, "list", { q }, cursor] as const,
  detail: (id: string) => [...principalKeys.all, "detail", id] as const,
};

export type TFindingFilters = { code?: string; severity?: string; principal?: string; chain?: string; state?: string; assignee?: string };

export const findingKeys = {
  all: ["findings"] as const,
  list: (filters: TFindingFilters, cursor: string | null) => [...findingKeys.all, "list", filters, cursor] as const,
};

export const investigateKeys = {
  all: ["investigate"] as const,
  resource: (resource: string) => [...investigateKeys.all, "resource", resource] as const,
  principal: (principal: string, since: string, kid = "") => [...investigateKeys.all, "principal", principal, since, kid] as const,
};

export const searchKeys = {
  all: ["search"] as const,
  query: (q: string) => [...searchKeys.all, q] as const,
};
