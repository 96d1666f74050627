// Sorting a chain table by a column. The Chains page asks the API for the order (`sort` in its URL
// and in the request: every chain is ordered, not the page in hand); the smaller tables elsewhere
// (a principal's chains, an investigation's) order the rows they hold.
import { CHAIN_SORTS, type TChainSortParam, type TChainSummary } from "@/lib/contracts/chains";
import { statusRank } from "@/lib/protocol/grammar";

export type TChainSortKey = "status" | "root" | "purpose" | "hops" | "findings" | "started";
export type TChainSort = { key: TChainSortKey; dir: "asc" | "desc" } | null;

const findingWeight = (c: TChainSummary) => c.counts.critical * 1e6 + c.counts.error * 1e3 + c.counts.warning;

const COMPARE: Record<TChainSortKey, (a: TChainSummary, b: TChainSummary) => number> = {
  status: (a, b) => statusRank(a.status) - statusRank(b.status),
  root: (a, b) => (a.rootName ?? a.rootIss ?? "").localeCompare(b.rootName ?? b.rootIss ?? ""),
  purpose: (a, b) => (a.purposeCode ?? "").localeCompare(b.purposeCode ?? ""),
  hops: (a, b) => a.hopCount - b.hopCount,
  findings: (a, b) => findingWeight(a) - findingWeight(b),
  started: (a, b) => a.startedAt - b.startedAt,
};

/** The rows in the chosen order (ties keep the server's order); null keeps the server's order. */
export function sortChains(items: readonly TChainSummary[], sort: TChainSort): TChainSummary[] {
  if (!sort) return [...items];
  const sign = sort.dir === "asc" ? 1 : -1;
  return items
    .map((c, i) => ({ c, i }))
    .sort((x, y) => sign * COMPARE[sort.key](x.c, y.c) || x.i - y.i)
    .map((x) => x.c);
}

/** A click on a column: first its natural direction, then the other, then back to the server's order. */
export function nextSort(current: TChainSort, key: TChainSortKey): TChainSort {
  const first: "asc" | "desc" = key === "root" || key === "purpose" || key === "status" ? "asc" : "desc";
  if (!current || current.key !== key) return { key, dir: first };
  if (current.dir === first) return { key, dir: first === "asc" ? "desc" : "asc" };
  return null;
}

// ---------------------------------------------------------------------------------------------
// The Chains page: the API's sorts (docs/api.md "Sorting the chain list").

/** The columns the API sorts by (the human root's display name has no index: it is not one). */
export const SERVER_SORT_COLUMNS: Partial<Record<TChainSortKey, string>> = {
  status: "status",
  purpose: "purpose",
  hops: "hops",
  findings: "findings",
  started: "started",
};

/** The `sort` of a URL; anything the API would refuse is the default order. */
export function parseChainSort(sp: { get(name: string): string | null }): TChainSortParam | null {
  const v = sp.get("sort");
  return v && (CHAIN_SORTS as readonly string[]).includes(v) ? (v as TChainSortParam) : null;
}

/** How a column shows a sort: null is the API's default, newest first, which is the Started column descending. */
export function serverSortOf(sort: TChainSortParam | null): TChainSort {
  const s = sort ?? "-started";
  const key = s.replace(/^-/, "") as TChainSortKey;
  return { key, dir: s.startsWith("-") ? "desc" : "asc" };
}

/**
 * A click on a column: its natural direction first (worst status, A–Z purpose, most hops, worst
 * findings, newest), then the other, then back to the default. Ascending is the API's `key`,
 * descending `-key`; `status` ascending lists the worst first (its rank: violation, pending,
 * warning, verified, observed).
 */
export function nextServerSort(current: TChainSortParam | null, key: TChainSortKey): TChainSortParam | null {
  const col = SERVER_SORT_COLUMNS[key];
  if (!col) return current;
  const first = (key === "status" || key === "purpose" ? col : `-${col}`) as TChainSortParam;
  const second = (first.startsWith("-") ? col : `-${col}`) as TChainSortParam;
  const shown = current ?? "-started";
  const next = shown === first ? second : shown === second ? null : first;
  // Newest first is the API's own order: the URL says nothing for it.
  return next === "-started" ? null : next;
}
