"use client";
// Dense, scannable rows: who authorized it, for what, how far it went, and what is wrong.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { nextServerSort, nextSort, SERVER_SORT_COLUMNS, serverSortOf, sortChains, type TChainSort, type TChainSortKey } from "@/lib/ui/chain-sort";
import type { TChainSortParam, TChainSummary } from "@/lib/contracts/chains";
import { shortId } from "@/lib/ui/format";
import { sortCodes } from "@/lib/ui/findings";
import { FindingBadges, StatusBadge } from "../ui/severity";
import { Time } from "../ui/time";
import { SourceTag } from "../ui/source-tag";
import { ChainReviewBadge } from "../review/state-badge";
import { DemoTag } from "../ui/demo-tag";
import { isDemoRoot } from "@/lib/ui/demo";
import { chainHref } from "./chain-links";
import { FreeText } from "@/components/ui/free-text";
import { revealInvisible } from "@/lib/ui/invisible";

/**
 * `serverSort`: the table shows a page of the API's list in this order and a header click asks for
 * another (`onServerSort`); without it the headers order the rows the table holds.
 */
export function ChainTable({
  items,
  compact = false,
  caption,
  serverSort,
}: {
  items: TChainSummary[];
  compact?: boolean;
  caption?: string;
  serverSort?: { sort: TChainSortParam | null; onSort: (next: TChainSortParam | null) => void };
}) {
  const [localSort, setLocalSort] = useState<TChainSort>(null);
  const sort = serverSort ? serverSortOf(serverSort.sort) : localSort;
  const rows = useMemo(() => (serverSort ? items : sortChains(items, localSort)), [items, localSort, serverSort]);
  const head = (key: TChainSortKey, label: string, className = "") => {
    if (serverSort && !SERVER_SORT_COLUMNS[key])
      return (
        <th scope="col" className={className}>
          {label}
        </th>
      );
    const dir = sort?.key === key ? sort.dir : null;
    const sortName = label.split(" · ")[0].toLowerCase();
    return (
      <th scope="col" className={className} aria-sort={dir === "asc" ? "ascending" : dir === "desc" ? "descending" : "none"}>
        <button
          type="button"
          className={`inline-flex items-center gap-1 font-[inherit] uppercase hover:text-slate-900 ${className.includes("text-right") ? "flex-row-reverse" : ""}`}
          onClick={() => (serverSort ? serverSort.onSort(nextServerSort(serverSort.sort, key)) : setLocalSort((s) => nextSort(s, key)))}
          title={serverSort ? `Sort every chain by ${sortName}` : `Sort the rows shown by ${sortName}`}
        >
          {label}
          <span aria-hidden="true" className={dir ? "text-slate-900" : "text-slate-500"}>
            {dir === "asc" ? "▲" : dir === "desc" ? "▼" : "↕"}
          </span>
        </button>
      </th>
    );
  };
  return (
    <div className="overflow-x-auto">
      <table className="data-table">
        {caption && <caption className="sr-only">{caption}</caption>}
        <thead>
          <tr>
            {head("status", "Status")}
            {head("root", "Human root")}
            {head("purpose", "Purpose")}
            {!compact && head("hops", "Hops", "text-right")}
            {head("findings", "Findings")}
            {head("started", compact ? "Started" : "Started · chain")}
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <ChainRow key={c.id} chain={c} compact={compact} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ChainRow({ chain: c, compact }: { chain: TChainSummary; compact: boolean }) {
  const href = chainHref(c.id);
  const router = useRouter();
  // The whole row opens the chain; links inside it keep their own target, and the root's link is
  // the keyboard's way in (a row is not a focus stop of its own).
  const open = (e: React.MouseEvent) => {
    if ((e.target as HTMLElement).closest("a,button,input,select,summary")) return;
    if (window.getSelection()?.toString()) return;
    if (e.metaKey || e.ctrlKey) window.open(href, "_blank");
    else router.push(href);
  };
  return (
    <tr data-chain-id={c.id} onClick={open} className="cursor-pointer hover:bg-slate-50">
      <td>
        <span className="flex flex-wrap items-center gap-1">
          <StatusBadge status={c.status} />
          <SourceTag source={c.source} />
          {c.review !== "unreviewed" && <ChainReviewBadge status={c.review} />}
          {isDemoRoot(c.rootIss) && <DemoTag />}
        </span>
      </td>
      <td className="max-w-64">
        <Link href={href} className="link block truncate text-[13px] font-medium" title={c.rootIss ?? "no human root"}>
          {c.rootIss ? <FreeText value={c.rootName ?? c.rootIss} /> : <span className="text-slate-600 italic">no human root</span>}
        </Link>
        {c.rootAud && (
          <span className="block truncate text-xs text-slate-600" title={c.rootAud}>
            → <FreeText value={c.rootAudName ?? c.rootAud} />
          </span>
        )}
      </td>
      <td className="max-w-80">
        {c.purposeCode ? (
          <>
            <code className="block truncate font-mono text-[13px] text-slate-800" title={c.purposeCode}>
              {c.purposeCode}
            </code>
            {c.purposeText && (
              <span className="block truncate text-xs text-slate-500" title={revealInvisible(c.purposeText)}>
                <FreeText value={c.purposeText} />
              </span>
            )}
          </>
        ) : c.purposeText ? (
          // Observed chains carry no signed purpose: what was observed, in words.
          <span className="block truncate text-xs text-slate-500" title={revealInvisible(c.purposeText)}>
            <FreeText value={c.purposeText} />
          </span>
        ) : (
          <span className="text-slate-500">—</span>
        )}
      </td>
      {!compact && <td className="text-right tabular-nums">{c.hopCount}</td>}
      <td>
        {c.findingCodes.length ? (
          <FindingBadges codes={sortCodes(c.findingCodes)} max={compact ? 2 : 3} />
        ) : (
          <span className="text-xs text-slate-500">none</span>
        )}
      </td>
      <td className="text-slate-600">
        <Time t={c.startedAt} />
        {/* The id under the time rather than a column of its own, so the table fits 1440 px. */}
        {!compact && (
          <Link href={href} className="block font-mono text-xs whitespace-nowrap text-slate-500 hover:text-slate-900" title={c.id}>
            {shortId(c.id, 16)}
          </Link>
        )}
      </td>
    </tr>
  );
}
