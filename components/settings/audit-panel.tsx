"use client";
// The dashboard's own audit trail, newest first. Actions read in plain words with the recorded
// code beside them; details show as recorded (keys and values), never as markup.
import { FreeText } from "@/components/ui/free-text";
import { revealInvisible } from "@/lib/ui/invisible";
import { useState } from "react";
import { type TAuditEntry, type TAuditLogFilters, useAuditLog } from "@/lib/ui/hooks/use-settings";
import { toQueryString } from "@/lib/ui/fetcher";
import { DownloadButton } from "../ui/download-button";
import { SearchInput } from "../ui/search-input";
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
  "finding.state": "Changed a finding's state",
  "finding.assign": "Assigned a finding",
  "finding.comment": "Commented on a finding",
  "chain.review_status": "Changed a chain's review",
  "chain.sign_off": "Signed a chain off",
  "exports.findings.csv": "Exported findings (CSV)",
  "exports.audit.csv": "Exported the audit log (CSV)",
  "webhook.create": "Added a webhook",
  "webhook.delete": "Deleted a webhook",
  "webhook.test": "Sent a webhook test",
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
  if (pairs.length === 0) return <span className="text-slate-500">—</span>;
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

/** A date input (YYYY-MM-DD) as the start or the end of that UTC day. */
const dayBound = (v: string, end: boolean) => (v ? `${v}T${end ? "23:59:59" : "00:00:00"}Z` : undefined);

export function AuditPanel() {
  const [f, setF] = useState<{ actor: string; action: string; target: string; since: string; until: string }>({
    actor: "",
    action: "",
    target: "",
    since: "",
    until: "",
  });
  const filters: TAuditLogFilters = {};
  if (f.actor) filters.actor = f.actor;
  if (f.action) filters.action = f.action;
  if (f.target) filters.target = f.target;
  if (f.since) filters.since = dayBound(f.since, false);
  if (f.until) filters.until = dayBound(f.until, true);
  const audit = useAuditLog(filters);
  const day = new Date().toISOString().slice(0, 10);
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
      <div role="group" aria-label="Audit filters" className="mb-3 grid grid-cols-2 gap-2 md:grid-cols-3 xl:grid-cols-6">
        <SearchInput
          showLabel
          icon={false}
          mono
          id="a-actor"
          label="Who"
          value={f.actor}
          placeholder="session:ana@"
          onCommit={(v) => setF({ ...f, actor: v })}
        />
        <SearchInput
          showLabel
          icon={false}
          mono
          id="a-action"
          label="Action"
          value={f.action}
          placeholder="finding."
          onCommit={(v) => setF({ ...f, action: v })}
        />
        <SearchInput
          showLabel
          icon={false}
          mono
          id="a-target"
          label="Target"
          value={f.target}
          placeholder="chain or finding"
          onCommit={(v) => setF({ ...f, target: v })}
        />
        <div>
          <label htmlFor="a-since" className="label">
            From (UTC)
          </label>
          <input id="a-since" type="date" className="input" value={f.since} onChange={(e) => setF({ ...f, since: e.target.value })} />
        </div>
        <div>
          <label htmlFor="a-until" className="label">
            Until (UTC)
          </label>
          <input id="a-until" type="date" className="input" value={f.until} onChange={(e) => setF({ ...f, until: e.target.value })} />
        </div>
        <div className="flex items-end">
          <DownloadButton href={`/api/v1/audit/export.csv${toQueryString({ ...filters })}`} label="CSV" filename={`delegraph-audit-${day}.csv`} />
        </div>
      </div>
      {audit.isRefetchError && <StaleNotice error={audit.error} onRetry={() => audit.refetch()} />}
      {audit.isPending ? (
        <LoadingBlock label="Loading the audit log" rows={5} />
      ) : !audit.data ? (
        <ErrorState error={audit.error} onRetry={() => audit.refetch()} compact />
      ) : entries.length === 0 ? (
        Object.keys(filters).length ? (
          <EmptyState title="No entries match these filters">Clear a filter to see more.</EmptyState>
        ) : (
          <EmptyState title="Nothing recorded yet">Sign-ins, chain views, exports and admin changes are recorded here as they happen.</EmptyState>
        )
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
                        <span className="text-slate-500">—</span>
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
