"use client";
import { WrapId } from "@/components/ui/wrap-id";
import Link from "next/link";
import { useState } from "react";
import { FINDING_STATES } from "@/lib/contracts/review";
import { toQueryString } from "@/lib/ui/fetcher";
import { useMe } from "@/lib/ui/hooks/use-me";
import { canReview, STATE_INFO } from "@/lib/ui/review";
import { BulkReviewBar } from "../review/bulk-review";
import { FindingReviewDialog } from "../review/finding-review-dialog";
import { FindingStateBadge } from "../review/state-badge";
import { SaveViewButton } from "../review/saved-views";
import { DownloadButton } from "../ui/download-button";
import { FINDING_CODES } from "@/lib/protocol/types";
import { findingName, sortCodes } from "@/lib/ui/findings";
import { useFindings } from "@/lib/ui/hooks/use-findings";
import type { TFindingFilters } from "@/lib/ui/query-keys";
import { useUrlState } from "@/lib/ui/use-url-state";
import { chainHref, principalHref } from "../chains/chain-links";
import { PageHeader } from "../ui/page-header";
import { Pager, usePagerState } from "../ui/pager";
import { SearchInput } from "../ui/search-input";
import { FindingBadge, SEVERITY_STYLE, SeverityBadge } from "../ui/severity";
import { EmptyState, ErrorState, LoadingBlock, StaleNotice } from "../ui/states";
import { Time } from "../ui/time";
import { FindingMessage } from "../ui/finding-message";
import { findingSentence } from "@/lib/ui/finding-sentence";
import { plural } from "@/lib/ui/format";
import { useTimeZone } from "@/lib/ui/time-zone";

const SEVERITIES = ["critical", "error", "warning"] as const;

export function FindingsView() {
  const { searchParams, replace } = useUrlState();
  const filters: TFindingFilters = {};
  for (const k of ["code", "severity", "principal", "chain", "state", "assignee"] as const) {
    const v = searchParams.get(k);
    if (v) filters[k] = v;
  }
  const pager = usePagerState();
  const findings = useFindings(filters, pager.cursor);
  const set = (patch: Record<string, string | null>) => replace({ ...patch, cursor: null, prev: null });
  const isFiltered = Object.keys(filters).length > 0;
  const me = useMe();
  const isEditor = canReview(me.data?.user.role);
  const [selected, setSelected] = useState<Set<string | number>>(new Set());
  const [openId, setOpenId] = useState<string | number | null>(null);
  const toggle = (id: string | number) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const pageIds = findings.data?.items.map((f) => f.id) ?? [];
  const allSelected = pageIds.length > 0 && pageIds.every((id) => selected.has(id));
  const day = new Date().toISOString().slice(0, 10);
  const zone = useTimeZone();
  const now = new Date();

  return (
    <>
      <PageHeader
        title="Findings"
        description="Problems found on accepted events, and broken audit trails judged now from the clock, newest first by the time shown. Triage each one (acknowledge, resolve, accept a risk, mark a false positive), or open it in its chain."
        actions={
          <>
            <DownloadButton
              href={`/api/v1/exports/findings.csv${toQueryString({ ...filters })}`}
              label="CSV"
              filename={`delegraph-findings-${day}.csv`}
            />
            <SaveViewButton page="findings" />
          </>
        }
      />
      <section
        aria-label="Filters"
        className="mb-4 grid grid-cols-2 gap-3 rounded-lg border border-slate-200 bg-white p-3 md:grid-cols-3 xl:grid-cols-6"
      >
        <div>
          <label htmlFor="f-code" className="label">
            Finding
          </label>
          <select id="f-code" name="code" className="input" value={filters.code ?? ""} onChange={(e) => set({ code: e.target.value || null })}>
            <option value="">Any finding</option>
            {sortCodes(FINDING_CODES).map((c) => (
              <option key={c} value={c}>
                {findingName(c)} ({c})
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="f-severity" className="label">
            Severity
          </label>
          <select
            id="f-severity"
            name="severity"
            className="input"
            value={filters.severity ?? ""}
            onChange={(e) => set({ severity: e.target.value || null })}
          >
            <option value="">Any severity</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {SEVERITY_STYLE[s].word}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="f-state" className="label">
            State
          </label>
          <select id="f-state" name="state" className="input" value={filters.state ?? ""} onChange={(e) => set({ state: e.target.value || null })}>
            <option value="">Any state</option>
            {FINDING_STATES.map((st) => (
              <option key={st} value={st}>
                {STATE_INFO[st].word}
              </option>
            ))}
          </select>
        </div>
        <SearchInput
          showLabel
          icon={false}
          id="f-assignee"
          label="Assignee"
          value={filters.assignee ?? ""}
          placeholder="email, or none"
          onCommit={(v) => set({ assignee: v || null })}
        />
        <SearchInput
          showLabel
          icon={false}
          mono
          id="f-principal"
          label="Principal"
          value={filters.principal ?? ""}
          placeholder="agent:planner"
          onCommit={(v) => set({ principal: v || null })}
        />
        <SearchInput
          showLabel
          icon={false}
          mono
          id="f-chain"
          label="Chain id"
          value={filters.chain ?? ""}
          placeholder="chain id"
          onCommit={(v) => set({ chain: v || null })}
        />
      </section>
      {findings.isError && findings.data && <StaleNotice error={findings.error} onRetry={() => findings.refetch()} />}
      {findings.data && findings.data.readTime.notMergedChains > 0 && (
        <p role="status" className="mb-3 rounded-md border border-amber-300 bg-amber-50 px-3 py-1.5 text-sm text-amber-900">
          Broken audit trails of {plural(findings.data.readTime.notMergedChains, "more chain")} are not merged into this list.{" "}
          <button type="button" className="link" onClick={() => set({ code: "missing_evidence" })}>
            List every broken audit trail
          </button>
        </p>
      )}
      {findings.isPending ? (
        <LoadingBlock label="Loading findings" />
      ) : !findings.data ? (
        <ErrorState error={findings.error} onRetry={() => findings.refetch()} />
      ) : findings.data.items.length === 0 ? (
        <EmptyState title={isFiltered ? "No findings match these filters" : "No findings"}>
          {isFiltered ? "Clear a filter to see more." : "Every accepted event so far passed the chain checks."}
          {filters.code === "missing_evidence" && (
            <span className="mt-2 block">
              Broken audit trails are judged from the clock when the list is read: no grant has expired without a report.
            </span>
          )}
        </EmptyState>
      ) : (
        <div className="rounded-lg border border-slate-200 bg-white">
          {isEditor && selected.size > 0 && <BulkReviewBar ids={[...selected]} onDone={() => setSelected(new Set())} />}
          <div className="overflow-x-auto">
            <table className="data-table">
              <caption className="sr-only">Findings</caption>
              <thead>
                <tr>
                  {isEditor && (
                    <th scope="col" className="w-8">
                      <input
                        type="checkbox"
                        aria-label="Select every finding on this page"
                        checked={allSelected}
                        onChange={() => setSelected(allSelected ? new Set() : new Set(pageIds))}
                      />
                    </th>
                  )}
                  <th scope="col">Severity</th>
                  <th scope="col">Finding</th>
                  <th scope="col">Review</th>
                  <th scope="col">What happened</th>
                  <th scope="col">Signed by</th>
                  <th scope="col">When</th>
                  <th scope="col">Where</th>
                </tr>
              </thead>
              <tbody>
                {findings.data.items.map((f) => (
                  <tr key={f.id} data-finding-id={String(f.id)} data-state={f.review.state}>
                    {isEditor && (
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`Select finding ${String(f.id)}`}
                          checked={selected.has(f.id)}
                          onChange={() => toggle(f.id)}
                        />
                      </td>
                    )}
                    <td>
                      <SeverityBadge severity={f.severity} />
                    </td>
                    <td>
                      <FindingBadge code={f.code} />
                      {f.isReadTime && (
                        <span
                          className="mt-1 block w-fit rounded bg-slate-100 px-1.5 py-0.5 text-[11px] font-medium text-slate-700"
                          title="Computed from the clock when this list was read, not stored at ingest: the grant expired with no completion"
                          data-testid="judged-now"
                        >
                          judged now
                        </span>
                      )}
                    </td>
                    <td>
                      <button type="button" className="group text-left" onClick={() => setOpenId(f.id)} aria-label={`Review finding ${String(f.id)}`}>
                        <FindingStateBadge review={f.review} />
                        <span className="block text-xs text-blue-700 group-hover:underline">{isEditor ? "Triage" : "History"}</span>
                      </button>
                    </td>
                    <td className="max-w-md text-slate-800">
                      <FindingMessage parts={findingSentence(f.facts, (id) => f.names[id] ?? id, now, zone)} message={f.message} />
                    </td>
                    <td className="max-w-56">
                      {f.iss === null ? (
                        <span className="text-xs text-slate-500">—</span>
                      ) : (
                        <Link href={principalHref(f.iss)} className="link block truncate font-mono text-xs" title={f.iss}>
                          {f.iss}
                        </Link>
                      )}
                      <span className="text-xs text-slate-500">{f.eventKind}</span>
                    </td>
                    <td className="text-slate-600">
                      {f.at === null ? (
                        "—"
                      ) : (
                        <>
                          {f.isReadTime && <span className="block text-xs text-slate-600">expired</span>}
                          <Time t={f.at} />
                        </>
                      )}
                    </td>
                    <td>
                      <Link href={chainHref(f.chainId, { hop: f.eventJti })} className="link text-sm whitespace-nowrap">
                        Open in chain →
                      </Link>
                      <span className="block max-w-56 text-[11px] text-slate-600">
                        <WrapId value={f.chainId} copy={false} />
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="px-3 pb-3">
            <Pager
              hasPrev={pager.hasPrev}
              nextCursor={findings.data.nextCursor}
              onPrev={pager.back}
              onNext={pager.next}
              page={pager.page}
              isFetching={findings.isPlaceholderData}
            />
          </div>
        </div>
      )}
      <FindingReviewDialog id={openId} onClose={() => setOpenId(null)} canEdit={isEditor} />
    </>
  );
}
