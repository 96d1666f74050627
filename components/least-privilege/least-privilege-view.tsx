"use client";
// The Least privilege page: principals and purposes ranked by unused authority over a window, the
// scopes each was granted and never used, and the report for exactly what is on screen.
import Link from "next/link";
import { lpQuery, lpReportHref, lpWindow, useLeastPrivilegeRanking } from "@/lib/ui/least-privilege";
import { plural } from "@/lib/ui/format";
import { useUrlState } from "@/lib/ui/use-url-state";
import { principalHref } from "../chains/chain-links";
import { ScopeChip } from "../hop/section";
import { DownloadButton } from "../ui/download-button";
import { PageHeader } from "../ui/page-header";
import { EmptyState, ErrorState, LoadingBlock, StaleNotice } from "../ui/states";
import { WindowFilters } from "./window-filters";

const SHOWN_SCOPES = 6;

export function LeastPrivilegeView() {
  const { searchParams, replace } = useUrlState();
  const windowId = searchParams.get("window");
  const purpose = searchParams.get("purpose");
  const query = lpQuery(windowId, purpose);
  const ranking = useLeastPrivilegeRanking(query);
  const data = ranking.data;

  return (
    <>
      <PageHeader
        title="Least privilege"
        description="What agents were given against what they used. Principals and purposes are ranked by granted scopes no action or delegation ever needed: authority to take away."
        actions={
          <>
            <Link href="/least-privilege/compare" className="btn-secondary">
              Compare chains…
            </Link>
            <DownloadButton href={lpReportHref(query, "pdf")} label="Report (PDF)" filename="delegraph-least-privilege.pdf" />
            <DownloadButton href={lpReportHref(query)} label="Report (CSV)" filename="delegraph-least-privilege.csv" />
          </>
        }
      />
      <section aria-label="Filters" className="mb-4 rounded-lg border border-slate-200 bg-white p-3">
        <WindowFilters idPrefix="lp" windowId={windowId} purpose={purpose} onChange={(patch) => replace(patch)} />
      </section>
      {ranking.isError && data && <StaleNotice error={ranking.error} onRetry={() => ranking.refetch()} />}
      {ranking.isPending ? (
        <LoadingBlock label="Comparing grants with use" />
      ) : !data ? (
        <ErrorState error={ranking.error} onRetry={() => ranking.refetch()} />
      ) : data.items.length === 0 ? (
        <EmptyState title={purpose ? "No grants for this purpose in the window" : "No grants in the window"}>
          {purpose
            ? "Clear the purpose or pick a longer window."
            : "Pick a longer window, or send delegation events: every grant received shows here with what it was used for."}
        </EmptyState>
      ) : (
        <>
          <p className="mb-2 text-xs text-slate-600" data-testid="lp-summary">
            {plural(data.analysedGrants, "grant")} received in {lpWindow(windowId).label.toLowerCase()}
            {data.purpose ? ` for ${data.purpose}` : ""}, {plural(data.items.length, "principal and purpose", "principals and purposes")}.
            {data.truncated && " Only the newest grants were analysed: narrow the window or the purpose to see the rest."}
          </p>
          <div className="rounded-lg border border-slate-200 bg-white">
            <div className="overflow-x-auto">
              <table className="data-table" data-testid="lp-ranking">
                <caption className="sr-only">Principals and purposes ranked by unused authority</caption>
                <thead>
                  <tr>
                    <th scope="col">Principal</th>
                    <th scope="col">Purpose</th>
                    <th scope="col" className="text-right">
                      Grants
                    </th>
                    <th scope="col">Unused authority</th>
                    <th scope="col" className="text-right">
                      Uses
                    </th>
                    <th scope="col">Never used</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((r) => (
                    <tr key={`${r.principal}\u0000${r.purpose}`}>
                      <td className="font-mono text-[13px] break-all">
                        <Link
                          href={`${principalHref(r.principal)}?lpPurpose=${encodeURIComponent(r.purpose)}${windowId ? `&window=${windowId}` : ""}#least-privilege`}
                          className="link"
                        >
                          {r.principal}
                        </Link>
                      </td>
                      <td className="font-mono text-xs">{r.purpose}</td>
                      <td className="text-right tabular-nums">{r.grants}</td>
                      <td className="min-w-40">
                        <span className="flex items-center gap-2">
                          <span className="h-1.5 w-20 overflow-hidden rounded bg-slate-100" aria-hidden="true">
                            <span className="block h-full bg-amber-500" style={{ width: `${Math.round(r.unusedShare * 100)}%` }} />
                          </span>
                          <span className="text-xs text-slate-700 tabular-nums">
                            {r.unused} of {r.granted} ({Math.round(r.unusedShare * 100)}%)
                          </span>
                        </span>
                      </td>
                      <td className="text-right tabular-nums">{r.uses}</td>
                      <td>
                        {r.neverUsed.length === 0 ? (
                          <span className="text-xs text-slate-500">—</span>
                        ) : (
                          <ul className="flex flex-wrap gap-1" aria-label="Scopes never used">
                            {r.neverUsed.slice(0, SHOWN_SCOPES).map((s) => (
                              <li key={s}>
                                <ScopeChip scope={s} />
                              </li>
                            ))}
                            {r.neverUsed.length > SHOWN_SCOPES && (
                              <li className="text-xs text-slate-500">+{r.neverUsed.length - SHOWN_SCOPES} more</li>
                            )}
                          </ul>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        </>
      )}
    </>
  );
}
