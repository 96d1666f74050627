"use client";
import { pluralAtLeast } from "@/lib/ui/format";
import type { TChainSortParam } from "@/lib/contracts/chains";
import { toQueryString } from "@/lib/ui/fetcher";
import { chainFilterParams, hasChainFilters, parseChainFilters } from "@/lib/ui/chain-filters";
import { useChains } from "@/lib/ui/hooks/use-chains";
import { parseChainSort } from "@/lib/ui/chain-sort";
import { useUrlState } from "@/lib/ui/use-url-state";
import { DownloadButton } from "../ui/download-button";
import { PageHeader } from "../ui/page-header";
import { Pager, usePagerState } from "../ui/pager";
import { EmptyState, ErrorState, FirstEventHint, LoadingBlock, Spinner, StaleNotice } from "../ui/states";
import { ChainFiltersBar } from "./chain-filters-bar";
import { ChainTable } from "./chain-table";
import { SaveViewButton } from "../review/saved-views";

/** What the order is, in words, beside the total (the headers show it as arrows). */
const SORT_WORDS: Record<TChainSortParam, string> = {
  "-started": "newest first",
  started: "oldest first",
  status: "worst status first",
  "-status": "best status first",
  "-hops": "most hops first",
  hops: "fewest hops first",
  "-findings": "worst findings first",
  findings: "fewest findings first",
  purpose: "by purpose, A to Z",
  "-purpose": "by purpose, Z to A",
};

export function ChainsView() {
  const { searchParams, replace } = useUrlState();
  const filters = parseChainFilters(searchParams);
  const pager = usePagerState();
  const sort = parseChainSort(searchParams);
  const chains = useChains(filters, pager.cursor, sort);
  const exportQs = toQueryString(chainFilterParams(filters));
  const filtered = hasChainFilters(filters);

  return (
    <>
      <PageHeader
        title="Chains"
        description="Every delegation chain, newest first unless a column header sorts them. Filters and the sort live in the address bar: copy it to share this exact view."
        actions={
          <>
            <DownloadButton href={`/api/v1/exports/events.csv${exportQs}`} label="Events CSV" filename="delegraph-events.csv" />
            <DownloadButton
              href={`/api/v1/exports/events.csv${toQueryString({ ...chainFilterParams(filters), excel: 1 })}`}
              label="Events CSV for Excel"
              filename="delegraph-events-excel.csv"
            />
            <DownloadButton href={`/api/v1/exports/summary.pdf${exportQs}`} label="Summary PDF" filename="delegraph-summary.pdf" />
            <SaveViewButton page="chains" />
          </>
        }
      />
      <ChainFiltersBar filters={filters} onChange={replace} />
      {chains.isError && chains.data && <StaleNotice error={chains.error} onRetry={() => chains.refetch()} />}
      {chains.isPending ? (
        <LoadingBlock label="Loading chains" />
      ) : !chains.data ? (
        <ErrorState error={chains.error} onRetry={() => chains.refetch()} />
      ) : chains.data.items.length === 0 ? (
        filtered || pager.cursor ? (
          <EmptyState title="No chains match these filters">Loosen or clear a filter to see more.</EmptyState>
        ) : (
          <EmptyState title="No delegation chains yet">
            <FirstEventHint />
          </EmptyState>
        )
      ) : (
        <div className="rounded-lg border border-slate-200 bg-white">
          <div className="flex items-center justify-between border-b border-slate-100 px-3 py-2 text-xs text-slate-500">
            <span
              data-testid="chains-total"
              title={chains.data.isTotalExact ? undefined : `Counted up to ${chains.data.total.toLocaleString("en-US")}: more chains match.`}
            >
              <strong className="font-semibold text-slate-900">{pluralAtLeast(chains.data.total, chains.data.isTotalExact, "chain")}</strong>
              {filtered ? " match these filters" : " in all"}
              {chains.data.total > chains.data.items.length ? ` · ${chains.data.items.length} on this page` : ""} · {SORT_WORDS[sort ?? "-started"]}
            </span>
            {chains.isFetching && <Spinner label="Updating" />}
          </div>
          <ChainTable
            items={chains.data.items}
            caption="Delegation chains"
            serverSort={{ sort, onSort: (next) => replace({ sort: next, cursor: null, prev: null }) }}
          />
          <div className="px-3 pb-3">
            <Pager
              hasPrev={pager.hasPrev}
              nextCursor={chains.data.nextCursor}
              onPrev={pager.back}
              onNext={pager.next}
              page={pager.page}
              isFetching={chains.isPlaceholderData}
            />
          </div>
        </div>
      )}
    </>
  );
}
