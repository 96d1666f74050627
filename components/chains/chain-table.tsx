"use client";
// Dense, scannable rows: who authorized it, for what, how far it went, and what is wrong.
import Link from "next/link";
import type { TChainSummary } from "@/lib/contracts/chains";
import { shortId } from "@/lib/ui/format";
import { sortCodes } from "@/lib/ui/findings";
import { FindingBadges, StatusBadge } from "../ui/severity";
import { Time } from "../ui/time";
import { SourceTag } from "../ui/source-tag";
import { DemoTag } from "../ui/demo-tag";
import { isDemoRoot } from "@/lib/ui/demo";
import { chainHref } from "./chain-links";
import { FreeText } from "@/components/ui/free-text";
import { revealInvisible } from "@/lib/ui/invisible";

export function ChainTable({ items, compact = false, caption }: { items: TChainSummary[]; compact?: boolean; caption?: string }) {
  return (
    <div className="overflow-x-auto">
      <table className="data-table">
        {caption && <caption className="sr-only">{caption}</caption>}
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Human root</th>
            <th scope="col">Purpose</th>
            {!compact && (
              <th scope="col" className="text-right">
                Hops
              </th>
            )}
            <th scope="col">Findings</th>
            <th scope="col">Started</th>
            {!compact && <th scope="col">Chain</th>}
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <ChainRow key={c.id} chain={c} compact={compact} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ChainRow({ chain: c, compact }: { chain: TChainSummary; compact: boolean }) {
  const href = chainHref(c.id);
  return (
    <tr data-chain-id={c.id}>
      <td>
        <span className="flex flex-wrap items-center gap-1">
          <StatusBadge status={c.status} />
          <SourceTag source={c.source} />
          {isDemoRoot(c.rootIss) && <DemoTag />}
        </span>
      </td>
      <td className="max-w-64">
        <Link href={href} className="link block truncate font-mono text-[13px]" title={c.rootIss ?? "no human root"}>
          {c.rootIss ?? <span className="text-slate-500 italic">no human root</span>}
        </Link>
        {c.rootAud && (
          <span className="block truncate font-mono text-xs text-slate-500" title={c.rootAud}>
            → {c.rootAud}
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
        ) : (
          <span className="text-slate-400">—</span>
        )}
      </td>
      {!compact && <td className="text-right tabular-nums">{c.hopCount}</td>}
      <td>
        {c.findingCodes.length ? (
          <FindingBadges codes={sortCodes(c.findingCodes)} max={compact ? 2 : 3} />
        ) : (
          <span className="text-xs text-slate-400">none</span>
        )}
      </td>
      <td className="text-slate-600">
        <Time t={c.startedAt} />
      </td>
      {!compact && (
        <td>
          <Link href={href} className="font-mono text-xs whitespace-nowrap text-slate-500 hover:text-slate-900" title={c.id}>
            {shortId(c.id, 22)}
          </Link>
        </td>
      )}
    </tr>
  );
}
