"use client";
import Link from "next/link";
import { usePrincipals } from "@/lib/ui/hooks/use-principals";
import { useUrlState } from "@/lib/ui/use-url-state";
import { principalHref } from "../chains/chain-links";
import { PageHeader } from "../ui/page-header";
import { Pager, usePagerState } from "../ui/pager";
import { EmptyState, ErrorState, FirstEventHint, LoadingBlock } from "../ui/states";
import { Time } from "../ui/time";
import { SearchInput } from "../ui/search-input";
import { KindBadge } from "./kind-badge";
import { FreeText } from "@/components/ui/free-text";

export function PrincipalsView() {
  const { searchParams, replace } = useUrlState();
  const q = searchParams.get("q") ?? "";
  const pager = usePagerState();
  const principals = usePrincipals(q, pager.cursor);

  return (
    <>
      <PageHeader title="Principals" description="Humans, agents, tools and attesters registered with their public keys." />
      <div className="mb-4 max-w-md">
        <SearchInput
          id="principal-q"
          label="Search principals"
          value={q}
          placeholder="id or name"
          onCommit={(v) => replace({ q: v, cursor: null, prev: null })}
        />
      </div>
      {principals.isPending ? (
        <LoadingBlock label="Loading principals" />
      ) : !principals.data ? (
        <ErrorState error={principals.error} onRetry={() => principals.refetch()} />
      ) : principals.data.items.length === 0 ? (
        q ? (
          <EmptyState title={`No principal matches “${q}”`}>Try part of the id, such as the word after the colon.</EmptyState>
        ) : (
          <EmptyState title="No principals registered yet">
            <FirstEventHint />
          </EmptyState>
        )
      ) : (
        <div className="rounded-lg border border-slate-200 bg-white">
          <div className="overflow-x-auto">
            <table className="data-table">
              <caption className="sr-only">Registered principals</caption>
              <thead>
                <tr>
                  <th scope="col">Principal</th>
                  <th scope="col">Kind</th>
                  <th scope="col" className="text-right">
                    Keys
                  </th>
                  <th scope="col" className="text-right">
                    Chains
                  </th>
                  <th scope="col" className="text-right">
                    Findings
                  </th>
                  <th scope="col">Registered</th>
                </tr>
              </thead>
              <tbody>
                {principals.data.items.map((p) => (
                  <tr key={p.id}>
                    <td className="max-w-96">
                      <Link href={principalHref(p.id)} className="link block truncate font-mono text-[13px]" title={p.id}>
                        {p.id}
                      </Link>
                      {p.name && (
                        <span className="block truncate text-xs text-slate-500">
                          <FreeText value={p.name} />
                        </span>
                      )}
                    </td>
                    <td>
                      <KindBadge kind={p.kind} />
                    </td>
                    <td className="text-right tabular-nums">
                      {p.keyCount}
                      {p.revokedKeyCount > 0 && <span className="ml-1 text-xs text-orange-700">({p.revokedKeyCount} revoked)</span>}
                    </td>
                    <td className="text-right tabular-nums">{p.chainCount}</td>
                    <td className={`text-right tabular-nums ${p.findingCount ? "font-medium text-red-800" : "text-slate-500"}`}>{p.findingCount}</td>
                    <td className="text-slate-600">
                      <Time t={p.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="px-3 pb-3">
            <Pager
              hasPrev={pager.hasPrev}
              nextCursor={principals.data.nextCursor}
              onPrev={pager.back}
              onNext={pager.next}
              page={pager.page}
              isFetching={principals.isPlaceholderData}
            />
          </div>
        </div>
      )}
    </>
  );
}
