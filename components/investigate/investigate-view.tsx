"use client";
// Two questions investigators ask first: who touched this resource, and what did this principal
// do since a moment (its blast radius). Inputs live in the URL so findings can be shared.
import Link from "next/link";
import { isoToLocalInput, localInputToIso } from "@/lib/ui/chain-filters";
import { sortCodes } from "@/lib/ui/findings";
import { plural } from "@/lib/ui/format";
import { usePrincipalInvestigation } from "@/lib/ui/hooks/use-principal-investigation";
import { useResourceInvestigation } from "@/lib/ui/hooks/use-resource-investigation";
import { useUrlState } from "@/lib/ui/use-url-state";
import { ChainTable } from "../chains/chain-table";
import { chainHref, principalHref } from "../chains/chain-links";
import { Card, PageHeader } from "../ui/page-header";
import { SearchInput } from "../ui/search-input";
import { FindingBadges } from "../ui/severity";
import { EmptyState, ErrorState, LoadingBlock } from "../ui/states";
import { Time } from "../ui/time";
import { FreeText } from "@/components/ui/free-text";
import { revealInvisible } from "@/lib/ui/invisible";
import type { TBlastNode, TPrincipalInvestigation } from "@/lib/contracts/investigate";
import { blastCsv, flattenTree } from "@/lib/ui/blast-radius";

type TMode = "resource" | "principal";

export function InvestigateView() {
  const { searchParams, replace } = useUrlState();
  const resource = searchParams.get("resource") ?? "";
  const principal = searchParams.get("principal") ?? "";
  const since = searchParams.get("since") ?? "";
  const mode: TMode = (searchParams.get("mode") as TMode | null) ?? (principal && !resource ? "principal" : "resource");

  return (
    <>
      <PageHeader
        title="Investigate"
        description="Follow an incident: who acted on a resource, or everything one principal did since a given time."
      />
      <div role="tablist" aria-label="Investigations" className="mb-4 flex gap-1 border-b border-slate-200">
        {(
          [
            ["resource", "Who touched a resource"],
            ["principal", "Blast radius of a principal"],
          ] as const
        ).map(([id, label]) => (
          <button
            key={id}
            role="tab"
            type="button"
            aria-selected={mode === id}
            onClick={() => replace({ mode: id })}
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${mode === id ? "border-slate-900 text-slate-900" : "border-transparent text-slate-500 hover:text-slate-800"}`}
          >
            {label}
          </button>
        ))}
      </div>
      {mode === "resource" ? (
        <ResourcePanel resource={resource} onChange={(v) => replace({ resource: v || null })} />
      ) : (
        <PrincipalPanel principal={principal} since={since} kid={searchParams.get("kid") ?? ""} onChange={(patch) => replace(patch)} />
      )}
    </>
  );
}

function ResourcePanel({ resource, onChange }: { resource: string; onChange: (v: string) => void }) {
  const q = useResourceInvestigation(resource);
  return (
    <div role="tabpanel" className="space-y-4">
      <div className="max-w-xl">
        <SearchInput
          showLabel
          mono
          id="resource"
          label="Resource (any part of its URI)"
          value={resource}
          placeholder="https://api.bank.example/payments or treasury/liquidity"
          onCommit={onChange}
        />
      </div>
      {!resource ? (
        <p className="text-sm text-slate-600">
          Enter part of a resource URI to list every action taken on matching resources, by whom, under which chain.
        </p>
      ) : q.isPending ? (
        <LoadingBlock label="Searching" />
      ) : !q.data ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : q.data.items.length === 0 ? (
        <EmptyState title={`Nobody acted on a resource matching “${resource}”`}>Try a shorter part of the URI, such as the host name.</EmptyState>
      ) : (
        <Card title={`${plural(q.data.items.length, "action")} on matching resources`}>
          {q.data.truncated && <TruncatedNotice what="actions" />}
          <div className="-m-4 overflow-x-auto">
            <table className="data-table">
              <caption className="sr-only">Actions on matching resources</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Resource</th>
                  <th scope="col">Findings</th>
                  <th scope="col">Chain</th>
                </tr>
              </thead>
              <tbody>
                {q.data.items.map((t) => (
                  <tr key={t.jti}>
                    <td className="text-slate-600">
                      <Time t={t.iat} />
                    </td>
                    <td className="max-w-56">
                      <Link href={principalHref(t.iss)} className="link block truncate font-mono text-xs" title={t.iss}>
                        {t.iss}
                      </Link>
                    </td>
                    <td className="font-mono text-xs">{t.action}</td>
                    <td className="max-w-80">
                      <span className="block truncate font-mono text-xs" title={revealInvisible(t.resource)}>
                        <FreeText value={t.resource} />
                      </span>
                      {t.status === "pending" && <span className="text-xs text-slate-500 italic">pending</span>}
                    </td>
                    <td>
                      {t.findings.length ? (
                        <FindingBadges codes={sortCodes(t.findings.map((f) => f.code))} />
                      ) : (
                        <span className="text-xs text-slate-500">none</span>
                      )}
                    </td>
                    <td>
                      <Link href={chainHref(t.chainId, { hop: t.jti })} className="link text-sm whitespace-nowrap">
                        Open →
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      )}
    </div>
  );
}

function PrincipalPanel({
  principal,
  since,
  kid,
  onChange,
}: {
  principal: string;
  since: string;
  kid: string;
  onChange: (patch: Record<string, string | null>) => void;
}) {
  const q = usePrincipalInvestigation(principal, since, kid);
  return (
    <div role="tabpanel" className="space-y-4">
      <div className="flex flex-wrap items-end gap-3">
        <div className="w-96 max-w-full">
          <SearchInput
            showLabel
            icon={false}
            mono
            id="principal"
            label="Principal id"
            value={principal}
            placeholder="agent:ledger-writer"
            onCommit={(v) => onChange({ principal: v || null })}
          />
        </div>
        <div>
          <label htmlFor="since" className="label">
            Since
          </label>
          <input
            id="since"
            name="since"
            type="datetime-local"
            className="input"
            value={isoToLocalInput(since)}
            onChange={(e) => onChange({ since: localInputToIso(e.target.value) ?? null })}
          />
        </div>
        {since && (
          <button type="button" className="btn-ghost text-sm" onClick={() => onChange({ since: null })}>
            From the beginning
          </button>
        )}
        <div className="w-64 max-w-full">
          <SearchInput
            showLabel
            icon={false}
            mono
            id="kid"
            label="Key id (optional)"
            value={kid}
            placeholder="only what this key signed"
            onCommit={(v) => onChange({ kid: v || null })}
          />
        </div>
      </div>
      {!principal ? (
        <p className="text-sm text-slate-600">
          Enter a principal id (for example an agent whose key leaked) and, optionally, the time from which to look. You get every event it signed or
          received and every chain it touched.
        </p>
      ) : q.isPending ? (
        <LoadingBlock label="Investigating" />
      ) : !q.data ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : q.data.events.length === 0 && q.data.refused.length === 0 ? (
        <EmptyState title={`No activity for ${principal}${since ? " in that period" : ""}`}>
          Check the id on the Principals page, or move the start time back.
        </EmptyState>
      ) : (
        <>
          {q.data.truncated && <TruncatedNotice what="events" />}
          <p className="text-sm text-slate-700" data-testid="blast-summary">
            <strong className="font-mono break-all">{principal}</strong>
            {q.data.kid && (
              <>
                {" "}
                key <code className="mono-chip break-all">{q.data.kid}</code>
              </>
            )}
            : {plural(q.data.tree.direct, "direct event")}, {plural(q.data.tree.downstream, "event")} downstream and{" "}
            {plural(q.data.refused.length, "refused attempt")} across {plural(q.data.chains.length, "chain")}
            {since ? (
              <>
                {" "}
                since <Time t={since} mode="full" />
              </>
            ) : null}
            .
          </p>
          <BlastRadius data={q.data} principal={principal} />
          <Card title="Chains touched">
            <div className="-m-4">
              <ChainTable items={q.data.chains} caption="Chains touched" />
            </div>
          </Card>
          <Card title="Events">
            <div className="-m-4 overflow-x-auto">
              <table className="data-table">
                <caption className="sr-only">Events</caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Event</th>
                    <th scope="col">From → to</th>
                    <th scope="col">Findings</th>
                    <th scope="col">Chain</th>
                  </tr>
                </thead>
                <tbody>
                  {q.data.events.map((e) => (
                    <tr key={e.jti}>
                      <td className="text-slate-600">
                        <Time t={e.iat} />
                      </td>
                      <td>
                        <span className="font-mono text-xs">{e.kind}</span>
                        <span className="block max-w-40 truncate font-mono text-[11px] text-slate-500" title={e.jti}>
                          {e.jti}
                        </span>
                      </td>
                      <td className="max-w-72">
                        <span className="block truncate font-mono text-xs" title={e.iss}>
                          {e.iss}
                        </span>
                        {(e.aud || e.ref) && (
                          <span className="block truncate font-mono text-xs text-slate-500" title={e.aud ?? e.ref ?? ""}>
                            → {e.aud ?? e.ref}
                          </span>
                        )}
                      </td>
                      <td>
                        {e.findings.length ? (
                          <FindingBadges codes={sortCodes(e.findings.map((f) => f.code))} />
                        ) : (
                          <span className="text-xs text-slate-500">none</span>
                        )}
                      </td>
                      <td>
                        <Link href={chainHref(e.chainId, { hop: e.jti })} className="link text-sm whitespace-nowrap">
                          Open →
                        </Link>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
        </>
      )}
    </div>
  );
}

const RELATION_STYLE: Record<TBlastNode["relation"], { word: string; className: string }> = {
  signed: { word: "signed", className: "bg-slate-900 text-white" },
  received: { word: "received", className: "bg-slate-200 text-slate-900" },
  downstream: { word: "downstream", className: "bg-white text-slate-700 ring-1 ring-inset ring-slate-300" },
};

/** The tree of everything under the principal's authority, then its refused attempts; CSV of both. */
function BlastRadius({ data, principal }: { data: TPrincipalInvestigation; principal: string }) {
  const rows = flattenTree(data.tree.roots);
  const download = () => {
    const blob = new Blob(["\ufeff", blastCsv(data)], { type: "text/csv;charset=utf-8" });
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = `blast-radius-${principal.replace(/[^A-Za-z0-9._-]/g, "_")}${data.kid ? `-${data.kid.replace(/[^A-Za-z0-9._-]/g, "_")}` : ""}.csv`;
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <Card
      title={`Blast radius: ${plural(rows.length, "event")} in the tree, ${plural(data.refused.length, "refused attempt")}`}
      actions={
        <button type="button" className="btn-secondary" onClick={download}>
          CSV
        </button>
      }
    >
      {data.tree.truncated && <TruncatedNotice what="events of the tree" />}
      <p className="mb-2 text-xs text-slate-600">
        Each direct event (signed{data.kid ? " with this key" : " or received"}) with everything that happened under the authority that passed through
        it: delegations passed on, actions, completions and revocations, however many hops below.
      </p>
      {rows.length === 0 ? (
        <p className="text-sm text-slate-600">Nothing signed{data.kid ? " with this key" : " or received"} in this period was accepted.</p>
      ) : (
        <ul role="tree" aria-label="Blast radius" className="divide-y divide-slate-100 text-sm">
          {rows.map(({ node: n, depth }) => (
            <li
              key={n.jti}
              role="treeitem"
              aria-level={depth + 1}
              aria-selected={false}
              className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5 py-1.5"
              style={{ paddingLeft: `${Math.min(depth, 10) * 1.1}rem` }}
              data-relation={n.relation}
            >
              {depth > 0 && (
                <span className="text-slate-500" aria-hidden="true">
                  └
                </span>
              )}
              <span className={`rounded px-1.5 py-0.5 text-[11px] font-medium ${RELATION_STYLE[n.relation].className}`}>
                {RELATION_STYLE[n.relation].word}
              </span>
              <span className="font-mono text-xs text-slate-700">{n.kind}</span>
              <span className="min-w-0 font-mono text-xs break-all text-slate-900">
                {n.kind === "invoke" ? (
                  <>
                    {n.action} <span className="text-slate-600">on</span> <FreeText value={n.resource ?? ""} />
                  </>
                ) : n.kind === "authorize" || n.kind === "delegate" ? (
                  <>
                    {n.iss} → {n.aud} <span className="text-slate-600">for</span> {n.purpose}
                  </>
                ) : (
                  <>by {n.iss}</>
                )}
              </span>
              <span className="text-xs text-slate-600">
                <Time t={n.iat} />
              </span>
              {n.findings.length > 0 && <FindingBadges codes={sortCodes(n.findings.map((f) => f.code))} />}
              <Link href={chainHref(n.chainId, { hop: n.jti })} className="link text-xs whitespace-nowrap">
                Open →
              </Link>
            </li>
          ))}
        </ul>
      )}
      <h3 className="mt-4 mb-1 text-sm font-semibold text-slate-900">Refused attempts ({data.refused.length})</h3>
      {data.refusedScanLimitReached && <TruncatedNotice what="refused submissions" />}
      {data.refused.length === 0 ? (
        <p className="text-sm text-slate-600">No submission it signed{data.kid ? " with this key" : ""} was refused at ingest in this period.</p>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm" data-testid="blast-refused">
          {data.refused.map((r) => (
            <li key={r.id} className="flex flex-wrap items-baseline gap-x-2 py-1.5">
              <span className="rounded bg-red-50 px-1.5 py-0.5 text-[11px] font-medium text-red-800 ring-1 ring-red-600/30 ring-inset">refused</span>
              <span className="font-mono text-xs break-all line-through">{r.jti ?? "no jti"}</span>
              <span className="text-xs text-slate-700">
                <FreeText value={r.message} />
              </span>
              <span className="text-xs text-slate-600">
                <Time t={r.receivedAt} />
              </span>
              {r.chainId && (
                <Link href={chainHref(r.chainId)} className="link text-xs">
                  chain →
                </Link>
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function TruncatedNotice({ what }: { what: string }) {
  return (
    <p role="status" className="mb-3 rounded-md border border-amber-300 bg-amber-50 px-3 py-1.5 text-sm text-amber-900">
      Only the first {what} are listed: the server stopped at its limit. Narrow the search (a longer part of the URI, a later start time) to see the
      rest.
    </p>
  );
}
