// The overview: chains by status (read-time missing_evidence included), findings over the last 30
// days, the latest violations and the principals with the most findings.
import { stores } from "@/lib/db";
import { nowSeconds, nameChains, toChainSummary } from "@/lib/chains/queries";
import type { TStats } from "@/lib/contracts/stats";
import type { TChainStatus, TFindingCode, TPrincipalKind } from "@/lib/protocol/types";

const DAY = 86_400;

export async function getStats(now = nowSeconds()): Promise<TStats> {
  const store = (await stores()).insights;
  const since = new Date((now - 30 * DAY) * 1000);
  // Every figure exact at any size (docs/benchmarks.md "Growth"): counts kept by triggers and index
  // ranges of the window, no capped scan that undercounts past its cap.
  const [counts, recent, findingDays, overdueDays, topPrincipals] = await Promise.all([
    store.counts(now),
    store.recentViolations(8),
    store.findingDays(since),
    store.overdueExpiries({ since: since.getTime() / 1000, now }),
    principalsWithMostFindings(8),
  ]);
  const chainsByStatus: Record<TChainStatus, number> = { verified: 0, warning: 0, pending: 0, violation: 0, observed: 0 };
  for (const row of counts.byStatus) chainsByStatus[row.status as TChainStatus] = row.count;
  // Read-time missing_evidence turns verified chains into warnings.
  chainsByStatus.verified -= counts.overdueVerified;
  chainsByStatus.warning += counts.overdueVerified;
  return {
    totalChains: counts.chains,
    totalEvents: counts.events,
    chainsByStatus,
    recentViolations: await nameChains(recent.map((r) => toChainSummary(r, now))),
    // Stored findings on the day of their chain's latest activity; read-time missing_evidence on
    // the day each open grant's exp passed.
    findingsOverTime: [
      ...findingDays.map((r) => ({ day: r.day, code: r.code as TFindingCode, count: r.count })),
      ...overdueDays.map((r) => ({ day: r.day, code: "missing_evidence" as const, count: r.count })),
    ].sort((a, b) => a.day.localeCompare(b.day) || a.code.localeCompare(b.code)),
    topPrincipals,
  };
}

/** Ties in the count by id in the database's (code point) order, which the counts' index keeps. */
async function principalsWithMostFindings(limit: number) {
  const store = (await stores()).insights;
  return (await store.topFindingIssuers(limit)).map((p) => ({ principalId: p.id, kind: p.kind as TPrincipalKind, findings: p.findings }));
}
