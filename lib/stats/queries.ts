// The overview: chains by status (read-time missing_evidence included), findings over the last 30
// days, the latest violations and the principals with the most findings.
import { stores } from "@/lib/db";
import { nowSeconds, nameChains, toChainSummary } from "@/lib/chains/queries";
import type { TStats } from "@/lib/contracts/stats";
import type { TChainStatus, TFindingCode, TPrincipalKind } from "@/lib/protocol/types";

const DAY = 86_400;
const SCAN_LIMIT = 50_000;

export async function getStats(now = nowSeconds()): Promise<TStats> {
  const store = (await stores()).insights;
  const since = new Date((now - 30 * DAY) * 1000);
  const [counts, recent, findingDays, overdue, topPrincipals] = await Promise.all([
    store.counts(now),
    store.recentViolations(8),
    store.findingDays(since, SCAN_LIMIT),
    store.overdueExpiries(now, SCAN_LIMIT),
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
    findingsOverTime: [...findingsByDay(findingDays), ...overdueEvidenceByDay(overdue, since, now)].sort(
      (a, b) => a.day.localeCompare(b.day) || a.code.localeCompare(b.code),
    ),
    topPrincipals,
  };
}

/** Findings by code per day of their chain's latest activity. */
function findingsByDay(rows: { code: string; lastEventAt: Date }[]) {
  const counts = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.lastEventAt.toISOString().slice(0, 10)}\u0000${r.code}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => {
    const [day, code] = key.split("\u0000");
    return { day, code: code as TFindingCode, count };
  });
}

/** Read-time missing_evidence, counted on the day each open grant's exp passed. */
function overdueEvidenceByDay(openGrantExps: string[], since: Date, now: number) {
  const sinceSeconds = since.getTime() / 1000;
  const counts = new Map<string, number>();
  for (const r of openGrantExps) {
    for (const exp of JSON.parse(r) as number[]) {
      if (exp >= now || exp < sinceSeconds) continue;
      const day = new Date(exp * 1000).toISOString().slice(0, 10);
      counts.set(day, (counts.get(day) ?? 0) + 1);
    }
  }
  return [...counts].map(([day, count]) => ({ day, code: "missing_evidence" as const, count }));
}

async function principalsWithMostFindings(limit: number) {
  const store = (await stores()).insights;
  const principals = await store.principalKinds(5000);
  const counts = await store.findingCountsByIssuer(principals.map((p) => p.id));
  return principals
    .map((p) => ({ principalId: p.id, kind: p.kind as TPrincipalKind, findings: counts.get(p.id) ?? 0 }))
    .filter((p) => p.findings > 0)
    .sort((a, b) => b.findings - a.findings || a.principalId.localeCompare(b.principalId))
    .slice(0, limit);
}
