"use client";
// The dashboard's own audit trail, newest first. Actions read in plain words with the recorded
// code beside them; details show as recorded (keys and values), never as markup.
import { FreeText } from "@/components/ui/free-text";
import { revealInvisible } from "@/lib/ui/invisible";
import { type TAuditEntry, useAuditLog } from "@/lib/ui/hooks/use-settings";
import { plural } from "@/lib/ui/format";
import { Card } from "../ui/page-header";
import { EmptyState, ErrorState, LoadingBlock, StaleNotice } from "../ui/states";
import { Time } from "../ui/time";

const ACTION_WORDS: Record<string, string> = {
  "auth.sign_in": "Signed in",
  "auth.sign_in_failed": "Failed sign-in",
  "auth.sign_out": "Signed out",
  "chain.view": "Viewed a chain",
  "chain.export.pdf": "Exported a chain report (PDF)",
  "chain.export.csv": "Exported a chain (CSV)",
  "chain.export.evidence": "Exported an evidence bundle",
  "exports.events.csv": "Exported events (CSV)",
  "exports.summary.pdf": "Exported a period summary (PDF)",
  "token.create": "Created an API token",
  "token.revoke": "Revoked an API token",
  "user.create": "Added a user",
  "user.update": "Changed a user",
  "principal.create": "Registered a principal",
  "key.revoke": "Revoked a key",
};

function actionWords(action: string): string {
  if (ACTION_WORDS[action]) return ACTION_WORDS[action];
  if (action.startsWith("export")) return "Exported";
  return action;
}

const isAlert = (action: string) => action === "auth.sign_in_failed" || action.endsWith(".revoke");

function text(v: unknown): string {
  if (typeof v === "string") return v;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function Details({ entry }: { entry: TAuditEntry }) {
  const pairs: [string, unknown][] = [];
  const d = entry.detail;
  if (d && typeof d === "object" && !Array.isArray(d)) {
    for (const [k, v] of Object.entries(d)) if (v !== undefined && v !== null) pairs.push([k, v]);
  } else if (d !== null && d !== undefined) {
    pairs.push(["detail", d]);
  }
  if (entry.ip) pairs.push(["ip", entry.ip]);
  if (pairs.length === 0) return <span className="text-slate-400">—</span>;
  return (
    <dl className="flex flex-wrap gap-x-3 gap-y-0.5 text-xs">
      {pairs.map(([k, v]) => (
        <div key={k} className="flex min-w-0 gap-1">
          <dt className="text-slate-500">{k}</dt>
          <dd className="max-w-72 truncate font-mono text-slate-800" title={revealInvisible(text(v))}>
            <FreeText value={text(v)} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function AuditPanel() {
  const audit = useAuditLog();
  const entries = audit.data?.pages.flatMap((p) => p.items) ?? [];
  const refresh = (
    <button type="button" className="btn-ghost text-xs" onClick={() => audit.refetch()} disabled={audit.isFetching}>
      {audit.isFetching && !audit.isFetchingNextPage ? "Refreshing…" : "Refresh"}
    </button>
  );

  return (
    <Card title="Audit log" actions={audit.data ? refresh : undefined}>
      <p className="-mt-1 mb-3 text-sm text-slate-600">
        What people and tokens did in Delegraph itself: sign-ins, chain views, exports, and changes to tokens, users, principals and keys. Newest
        first.
      </p>
      {audit.isRefetchError && <StaleNotice error={audit.error} onRetry={() => audit.refetch()} />}
      {audit.isPending ? (
        <LoadingBlock label="Loading the audit log" rows={5} />
      ) : !audit.data ? (
        <ErrorState error={audit.error} onRetry={() => audit.refetch()} compact />
      ) : entries.length === 0 ? (
        <EmptyState title="Nothing recorded yet">Sign-ins, chain views, exports and admin changes are recorded here as they happen.</EmptyState>
      ) : (
        <>
          <div className="-mx-4 overflow-x-auto border-t border-slate-100">
            <table className="data-table">
              <caption className="sr-only">Audit log, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <tr key={e.id} data-audit-action={e.action}>
                    <td className="text-slate-600">
                      <Time t={e.at} mode="full" />
                    </td>
                    <td className="max-w-64">
                      <span className="block truncate font-mono text-xs text-slate-800" title={e.actor}>
                        {e.actor}
                      </span>
                    </td>
                    <td>
                      <span className={`block whitespace-nowrap ${isAlert(e.action) ? "font-medium text-orange-800" : "text-slate-800"}`}>
                        {actionWords(e.action)}
                      </span>
                      <code className="font-mono text-[11px] text-slate-500">{e.action}</code>
                    </td>
                    <td className="max-w-72">
                      {e.target ? (
                        <span className="block truncate font-mono text-xs text-slate-800" title={e.target}>
                          {e.target}
                        </span>
                      ) : (
                        <span className="text-slate-400">—</span>
                      )}
                    </td>
                    <td>
                      <Details entry={e} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="flex items-center justify-between gap-3 pt-3 text-sm">
            <span className="text-slate-500" role="status">
              {plural(entries.length, "entry", "entries")} shown{audit.hasNextPage ? "" : " · the start of the log"}
            </span>
            {audit.hasNextPage && (
              <button type="button" className="btn-secondary" onClick={() => audit.fetchNextPage()} disabled={audit.isFetchingNextPage}>
                {audit.isFetchingNextPage ? "Loading…" : "Load more"}
              </button>
            )}
          </div>
          {audit.isFetchNextPageError && (
            <div className="pt-2">
              <ErrorState error={audit.error} onRetry={() => audit.fetchNextPage()} compact />
            </div>
          )}
        </>
      )}
    </Card>
  );
}
