"use client";
import Link from "next/link";
import type { TChainStatus } from "@/lib/protocol/types";
import { plural } from "@/lib/ui/format";
import { useStats } from "@/lib/ui/hooks/use-stats";
import { ChainTable } from "../chains/chain-table";
import { principalHref } from "../chains/chain-links";
import { Card, PageHeader } from "../ui/page-header";
import { STATUS_STYLE, StatusIcon } from "../ui/severity";
import { EmptyState, ErrorState, FirstEventHint, LoadingBlock, StaleNotice } from "../ui/states";
import { FindingsChart } from "./findings-chart";
import { StartHere } from "./start-here";
import { CHAIN_STATUSES } from "@/lib/protocol/grammar";

const STATUS_TEXT: Record<TChainStatus, string> = {
  violation: "text-red-700",
  pending: "text-slate-600",
  warning: "text-amber-700",
  verified: "text-green-700",
  observed: "text-slate-600",
};

export function OverviewView() {
  const stats = useStats();
  if (stats.isPending) return <LoadingBlock label="Loading overview" />;
  if (!stats.data) return <ErrorState error={stats.error} onRetry={() => stats.refetch()} />;
  const s = stats.data;

  if (s.totalChains === 0) {
    return (
      <>
        <PageHeader title="Overview" />
        <EmptyState title="No delegation chains yet">
          <FirstEventHint />
        </EmptyState>
      </>
    );
  }

  return (
    <>
      <PageHeader
        title="Overview"
        description={`${s.totalChains.toLocaleString("en-US")} chains from ${s.totalEvents.toLocaleString("en-US")} signed events. Updates live.`}
      />
      {stats.isError && <StaleNotice error={stats.error} onRetry={() => stats.refetch()} />}
      <StartHere />
      <section aria-label="Chains by status" className="mb-5 grid grid-cols-2 gap-3 lg:grid-cols-4">
        {CHAIN_STATUSES.map((st) => (
          <Link
            key={st}
            href={`/chains?status=${st}`}
            className="rounded-lg border border-slate-200 bg-white p-4 hover:border-slate-300 hover:shadow-sm"
          >
            <span className={`flex items-center gap-1.5 text-sm font-medium ${STATUS_TEXT[st]}`}>
              <StatusIcon status={st} size={15} />
              {STATUS_STYLE[st].word}
            </span>
            <span className="mt-1 block text-2xl font-semibold tabular-nums text-slate-900">
              {(s.chainsByStatus[st] ?? 0).toLocaleString("en-US")}
            </span>
            <span className="text-xs text-slate-500">chains</span>
          </Link>
        ))}
      </section>

      <div className="mb-5 grid gap-5 lg:grid-cols-2">
        <Card title="Findings by code, last 14 days">
          <FindingsChart data={s.findingsOverTime} />
        </Card>
        <Card title="Principals with most findings">
          {s.topPrincipals.length ? (
            <ol className="divide-y divide-slate-100">
              {s.topPrincipals.map((p, i) => (
                <li key={p.principalId} className="flex items-center gap-3 py-1.5 text-sm">
                  <span className="w-5 text-right text-xs text-slate-500 tabular-nums">{i + 1}</span>
                  <Link href={principalHref(p.principalId)} className="link min-w-0 flex-1 truncate font-mono text-[13px]" title={p.principalId}>
                    {p.principalId}
                  </Link>
                  {p.kind && <span className="text-xs text-slate-500">{p.kind}</span>}
                  <span className="w-24 text-right text-slate-800 tabular-nums">{plural(p.findings, "finding")}</span>
                </li>
              ))}
            </ol>
          ) : (
            <p className="text-sm text-slate-600">No principal has findings.</p>
          )}
        </Card>
      </div>
      <Card
        title="Recent violations"
        actions={
          <Link href="/chains?status=violation" className="link text-sm">
            All violations
          </Link>
        }
      >
        {s.recentViolations.length ? (
          <div className="-m-4">
            <ChainTable items={s.recentViolations} caption="Recent violations" />
          </div>
        ) : (
          <p className="text-sm text-slate-600">No violations. Every chain so far stayed within what its human authorized.</p>
        )}
      </Card>
    </>
  );
}
