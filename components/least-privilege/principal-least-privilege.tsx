"use client";
// The principal page's least-privilege panel: every grant the principal received in the window with
// each scope marked used or unused, the uses no grant covered, and the suggested `delegate` claims
// (JSON for the SDK's delegateFromSuggestion). Window and purpose live in the URL (`window`, `lpPurpose`).
import Link from "next/link";
import { lpQuery, lpReportHref, lpWindow, usePrincipalLeastPrivilege } from "@/lib/ui/least-privilege";
import { plural } from "@/lib/ui/format";
import { useUrlState } from "@/lib/ui/use-url-state";
import { chainHref } from "../chains/chain-links";
import { ScopeChip } from "../hop/section";
import { CopyButton } from "../ui/copy-button";
import { DownloadButton } from "../ui/download-button";
import { Card } from "../ui/page-header";
import { ErrorState, LoadingBlock } from "../ui/states";
import { IconWarning } from "../ui/icons";
import { FreeText } from "../ui/free-text";
import { DEFAULT_DRIFT_SETTINGS } from "@/lib/protocol/drift";
import { Time } from "../ui/time";
import { UsedMark } from "./used-mark";
import { WindowFilters } from "./window-filters";

const DRIFT_WARM_UP = DEFAULT_DRIFT_SETTINGS.minBaselineEvents;

export function PrincipalLeastPrivilege({ id }: { id: string }) {
  const { searchParams, replace } = useUrlState();
  const windowId = searchParams.get("window");
  const purpose = searchParams.get("lpPurpose");
  const query = lpQuery(windowId, purpose);
  const lp = usePrincipalLeastPrivilege(id, query);
  const data = lp.data;
  const suggestionJson = data ? JSON.stringify(data.suggested, null, 2) : "";

  return (
    <div id="least-privilege" className="scroll-mt-4">
      <Card
        title="Least privilege: granted against used"
        actions={
          <span className="flex gap-2">
            <DownloadButton href={lpReportHref({ ...query, principal: id }, "pdf")} label="PDF" filename="delegraph-least-privilege.pdf" />
            <DownloadButton href={lpReportHref({ ...query, principal: id })} label="CSV" filename="delegraph-least-privilege.csv" />
          </span>
        }
      >
        <div className="mb-4">
          <WindowFilters
            idPrefix="plp"
            windowId={windowId}
            purpose={purpose}
            onChange={(patch) =>
              replace({
                ...(patch.window !== undefined ? { window: patch.window } : {}),
                ...(patch.purpose !== undefined ? { lpPurpose: patch.purpose } : {}),
              })
            }
          />
        </div>
        {lp.isPending ? (
          <LoadingBlock label="Comparing grants with use" rows={3} />
        ) : !data ? (
          <ErrorState compact error={lp.error} onRetry={() => lp.refetch()} />
        ) : data.grants.length === 0 ? (
          <p className="text-sm text-slate-600">
            {id} received no grant in {lpWindow(windowId).label.toLowerCase()}
            {data.purpose ? ` for ${data.purpose}` : ""}. Pick a longer window.
          </p>
        ) : (
          <div className="space-y-4">
            <p className="text-sm text-slate-700" data-testid="plp-summary">
              {plural(data.totals.grants, "grant")} received, <strong>{plural(data.totals.unused, "granted scope")}</strong> of {data.totals.granted}{" "}
              never used, {plural(data.totals.uses, "use")} covered.
              {data.truncated && " Only the newest grants were analysed."}
            </p>
            <div>
              <div className="mb-1 flex flex-wrap items-center justify-between gap-2">
                <h3 className="text-xs font-semibold text-slate-700">Suggested grant</h3>
                <CopyButton value={suggestionJson} label="Copy JSON" />
              </div>
              <p className="mb-1 text-xs text-slate-600">
                {data.suggested.scope.length === 0
                  ? "Nothing was used: no grant was needed."
                  : "The narrowest delegate claims that would have covered everything actually done, within what was granted. Pass this JSON to the SDK's delegateFromSuggestion."}
              </p>
              <pre
                className="max-h-64 overflow-auto rounded-md bg-slate-50 p-3 font-mono text-xs text-slate-800 ring-1 ring-slate-200"
                data-testid="plp-suggested"
              >
                {suggestionJson}
              </pre>
            </div>
            <div data-testid="plp-drift">
              <h3 className="mb-1 text-xs font-semibold text-slate-700">Behavioural drift ({data.drift.length})</h3>
              {data.drift.length === 0 ? (
                <p className="text-xs text-slate-600">
                  Nothing new against this principal&apos;s own history in the window (judged after {DRIFT_WARM_UP} actions per purpose).
                </p>
              ) : (
                <ul className="space-y-1">
                  {data.drift.map((d) => (
                    <li key={d.jti} className="flex flex-wrap items-start gap-x-2 gap-y-1 text-sm">
                      <span className="inline-flex items-center gap-1 rounded-md bg-amber-50 px-1.5 py-0.5 text-xs font-medium text-amber-800 ring-1 ring-amber-600/30 ring-inset">
                        <IconWarning size={11} /> Drift
                      </span>
                      <span className="min-w-0 flex-1 break-words text-slate-700">
                        <FreeText value={d.message} />
                      </span>
                      <Link href={chainHref(d.chain, { hop: d.jti })} className="link font-mono text-xs">
                        open in chain
                      </Link>
                    </li>
                  ))}
                </ul>
              )}
            </div>
            <div className="-mx-4 overflow-x-auto">
              <table className="data-table" data-testid="plp-grants">
                <caption className="sr-only">Grants received and their use</caption>
                <thead>
                  <tr>
                    <th scope="col">Grant</th>
                    <th scope="col">Purpose</th>
                    <th scope="col">Scopes, used or not</th>
                    <th scope="col">Outside the grant</th>
                  </tr>
                </thead>
                <tbody>
                  {data.grants.map((g) => (
                    <tr key={g.jti}>
                      <td className="max-w-56">
                        <Link href={chainHref(g.chain, { hop: g.jti })} className="link font-mono text-xs break-all">
                          {g.jti}
                        </Link>
                        <span className="block text-xs text-slate-500">
                          <Time t={g.iat} />
                        </span>
                      </td>
                      <td className="font-mono text-xs">{g.purpose}</td>
                      <td>
                        <ul className="flex flex-col gap-1">
                          {g.granted.map((s) => (
                            <li key={s} className="flex flex-wrap items-center gap-1">
                              <ScopeChip scope={s} />
                              <UsedMark use={g.used.find((u) => u.scope === s) ?? null} />
                            </li>
                          ))}
                        </ul>
                      </td>
                      <td>
                        {g.outside.length === 0 ? (
                          <span className="text-xs text-slate-500">—</span>
                        ) : (
                          <ul className="flex flex-col gap-1">
                            {g.outside.map((o) => (
                              <li key={o.scope} className="flex flex-wrap items-center gap-1">
                                <ScopeChip scope={o.scope} tone="added" />
                                <span className="text-xs text-red-800">×{o.count}</span>
                              </li>
                            ))}
                          </ul>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        )}
      </Card>
    </div>
  );
}
