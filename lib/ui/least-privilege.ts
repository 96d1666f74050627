"use client";
// Least privilege in the dashboard: the query keys and hooks of its two reads, the windows people
// pick from, and a hop's granted-against-used worked out in the browser from the chain already
// loaded (the same lib/protocol function the server uses, so the chain page and the API agree).
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { TChainDetail, THop } from "@/lib/contracts/chains";
import type { TLeastPrivilegeRanking, TPrincipalLeastPrivilege } from "@/lib/contracts/least-privilege";
import type { TCompareHop } from "@/lib/protocol/compare";
import { analyseGrants, suggestGrant, type TGrantUsage, type TLpGrant } from "@/lib/protocol/least-privilege";
import { apiGet, toQueryString } from "./fetcher";

export const LP_WINDOWS = [
  { id: "1d", label: "Last 24 hours", seconds: 24 * 3600 },
  { id: "7d", label: "Last 7 days", seconds: 7 * 24 * 3600 },
  { id: "30d", label: "Last 30 days", seconds: 30 * 24 * 3600 },
  { id: "90d", label: "Last 90 days", seconds: 90 * 24 * 3600 },
  { id: "365d", label: "Last 365 days", seconds: 365 * 24 * 3600 },
] as const;
export type TLpWindowId = (typeof LP_WINDOWS)[number]["id"];

export function lpWindow(id: string | null): (typeof LP_WINDOWS)[number] {
  return LP_WINDOWS.find((w) => w.id === id) ?? LP_WINDOWS[2];
}

/** The query of a window: `since` as whole minutes, so a cache entry survives re-renders. */
export function lpQuery(windowId: string | null, purpose: string | null): { since: number; purpose?: string } {
  const now = Math.floor(Date.now() / 60_000) * 60;
  return { since: now - lpWindow(windowId).seconds, ...(purpose ? { purpose } : {}) };
}

export const leastPrivilegeKeys = {
  all: ["least-privilege"] as const,
  ranking: (q: { since: number; purpose?: string }) => [...leastPrivilegeKeys.all, "ranking", q] as const,
  principal: (id: string, q: { since: number; purpose?: string }) => [...leastPrivilegeKeys.all, "principal", id, q] as const,
};

export function useLeastPrivilegeRanking(q: { since: number; purpose?: string }) {
  return useQuery({
    queryKey: leastPrivilegeKeys.ranking(q),
    queryFn: ({ signal }) => apiGet<TLeastPrivilegeRanking>(`/api/v1/least-privilege${toQueryString(q)}`, signal),
    placeholderData: keepPreviousData,
  });
}

export function usePrincipalLeastPrivilege(id: string, q: { since: number; purpose?: string }) {
  return useQuery({
    queryKey: leastPrivilegeKeys.principal(id, q),
    queryFn: ({ signal }) =>
      apiGet<TPrincipalLeastPrivilege>(`/api/v1/principals/${encodeURIComponent(id)}/least-privilege${toQueryString(q)}`, signal),
    placeholderData: keepPreviousData,
  });
}

function hopGrant(h: THop, chain: string): TLpGrant {
  return {
    jti: h.jti,
    chain,
    parent: h.parent,
    iss: h.from,
    aud: h.to,
    iat: h.iat,
    exp: h.exp,
    scope: h.scope,
    purpose: h.purpose.code,
    constraints: h.constraints,
    maxDepth: h.maxDepth,
  };
}

/** A hop's granted against used, from the chain's own hops and invocations. */
export function hopUsage(hop: THop, hops: readonly THop[], chain: string): TGrantUsage {
  const [usage] = analyseGrants({
    targets: [hopGrant(hop, chain)],
    chainGrants: hops.map((h) => hopGrant(h, chain)),
    invokes: hop.invocations.map((i) => ({
      jti: i.jti,
      grant: hop.jti,
      iss: i.iss,
      iat: i.iat,
      action: i.action,
      resource: i.resource,
      data: i.data,
    })),
  });
  return usage;
}

/** The report's link for exactly what is on screen. */
export function lpReportHref(q: { since: number; purpose?: string; principal?: string }, format: "csv" | "pdf" = "csv"): string {
  return `/api/v1/least-privilege/report.${format}${toQueryString(q)}`;
}

/** A hop as the chain compare takes it. */
export function compareHopOf(h: THop): TCompareHop {
  const last = h.completions.length ? h.completions[h.completions.length - 1] : null;
  const findings = new Set<string>([...h.findings.map((f) => f.code), ...h.invocations.flatMap((i) => i.findings.map((f) => f.code))]);
  return {
    jti: h.jti,
    to: h.to,
    purpose: h.purpose.code,
    iat: h.iat,
    scope: h.scope,
    constraints: h.effectiveConstraints,
    depth: h.depth,
    maxDepth: h.maxDepth,
    outcome: last ? last.status : "open",
    findings: [...findings].sort(),
  };
}

/**
 * The chain as its suggested grants would have drawn it: each hop with the narrowest scope,
 * constraints and max_depth that covered its own observed use (same principals, purposes, depth,
 * outcome and findings, so only authority differs).
 */
export function suggestedHopsOf(detail: TChainDetail): TCompareHop[] {
  return detail.hops.map((h) => {
    const s = suggestGrant([hopUsage(h, detail.hops, detail.id)]);
    return { ...compareHopOf(h), jti: `${h.jti} (suggested)`, scope: s.scope, constraints: s.constraints, maxDepth: s.max_depth };
  });
}
