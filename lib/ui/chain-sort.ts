// Sorting the rows of a chain table by a column. The list pages on the server newest first; a sort
// orders the rows in hand (the page), and the table says so.
import type { TChainSummary } from "@/lib/contracts/chains";
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
