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
        <PrincipalPanel principal={principal} since={since} onChange={(patch) => replace(patch)} />
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
                        <span className="text-xs text-slate-400">none</span>
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
  onChange,
}: {
  principal: string;
  since: string;
  onChange: (patch: Record<string, string | null>) => void;
}) {
  const q = usePrincipalInvestigation(principal, since);
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
      ) : q.data.events.length === 0 ? (
        <EmptyState title={`No activity for ${principal}${since ? " in that period" : ""}`}>
          Check the id on the Principals page, or move the start time back.
        </EmptyState>
      ) : (
        <>
          {q.data.truncated && <TruncatedNotice what="events" />}
          <p className="text-sm text-slate-700">
            <strong className="font-mono">{principal}</strong> appears in {plural(q.data.events.length, "event")} across{" "}
            {plural(q.data.chains.length, "chain")}
            {since ? (
              <>
                {" "}
                since <Time t={since} mode="full" />
              </>
            ) : null}
            .
          </p>
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
                        <span className="block max-w-40 truncate font-mono text-[11px] text-slate-400" title={e.jti}>
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
                          <span className="text-xs text-slate-400">none</span>
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

function TruncatedNotice({ what }: { what: string }) {
  return (
    <p role="status" className="mb-3 rounded-md border border-amber-300 bg-amber-50 px-3 py-1.5 text-sm text-amber-900">
      Only the first {what} are listed: the server stopped at its limit. Narrow the search (a longer part of the URI, a later start time) to see the
      rest.
    </p>
  );
}
