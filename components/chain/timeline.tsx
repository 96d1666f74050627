"use client";
// Every event of the chain in ledger order. Long chains render in slices with an explicit
// "show N more", and the selected event is always rendered and scrolled into view.
import { FreeText } from "@/components/ui/free-text";
import { revealInvisible } from "@/lib/ui/invisible";
import { useEffect, useMemo, useRef, useState } from "react";
import type { TChainDetail, TChainEvent } from "@/lib/contracts/chains";
import { sortCodes } from "@/lib/ui/findings";
import { FindingBadges } from "../ui/severity";
import { Time } from "../ui/time";

const SLICE = 300;

const KIND_STYLE: Record<string, string> = {
  authorize: "bg-slate-900 text-white",
  delegate: "bg-slate-200 text-slate-800",
  invoke: "bg-blue-50 text-blue-800 ring-1 ring-inset ring-blue-200",
  complete: "bg-green-50 text-green-800 ring-1 ring-inset ring-green-200",
  revoke: "bg-slate-700 text-white",
};

function what(e: TChainEvent): string {
  const c = e.claims;
  switch (c.kind) {
    case "authorize":
    case "delegate":
      return `${c.scope.join(", ")} · ${c.purpose.code}`;
    case "invoke":
      return `${c.action} on ${c.resource}`;
    case "complete":
      return `${c.status} · ${c.result_hash.slice(0, 20)}…`;
    case "revoke":
      return `revokes ${c.target}${c.reason ? ` (${c.reason})` : ""}`;
    default:
      return "";
  }
}

export function Timeline({ detail, selectedJti, onSelect }: { detail: TChainDetail; selectedJti: string | null; onSelect: (jti: string) => void }) {
  const events = useMemo(() => [...detail.events].sort((a, b) => a.seq - b.seq), [detail.events]);
  const selectedIdx = selectedJti ? events.findIndex((e) => e.jti === selectedJti) : -1;
  const [limit, setLimit] = useState(SLICE);
  const shownCount = Math.max(limit, selectedIdx + 1);
  const shown = events.slice(0, shownCount);
  const selectedRef = useRef<HTMLTableRowElement | null>(null);
  useEffect(() => {
    selectedRef.current?.scrollIntoView({ block: "nearest" });
  }, [selectedJti]);

  if (events.length === 0) return <p className="p-6 text-sm text-slate-600">No events.</p>;
  return (
    <div className="h-full overflow-auto">
      <table className="data-table">
        <caption className="sr-only">Every event of the chain in ledger order</caption>
        <thead className="sticky top-0 z-10">
          <tr>
            <th scope="col" className="text-right">
              #
            </th>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            <th scope="col">From → to</th>
            <th scope="col">What</th>
            <th scope="col">Findings</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((e) => {
            const isSelected = e.jti === selectedJti;
            return (
              <tr
                key={e.jti}
                ref={isSelected ? selectedRef : undefined}
                tabIndex={0}
                aria-selected={isSelected}
                onClick={() => onSelect(e.jti)}
                onKeyDown={(k) => {
                  if (k.key === "Enter" || k.key === " ") {
                    k.preventDefault();
                    onSelect(e.jti);
                  }
                }}
                className={`cursor-pointer ${isSelected ? "!bg-blue-50 outline-2 -outline-offset-2 outline-blue-600" : ""} ${e.status === "pending" ? "text-slate-500" : ""}`}
              >
                <td className="text-right font-mono text-xs text-slate-500 tabular-nums">{e.seq}</td>
                <td className="text-slate-600">
                  <Time t={e.iat} />
                </td>
                <td>
                  <span className={`rounded px-1.5 py-0.5 font-mono text-[11px] ${KIND_STYLE[e.kind] ?? ""}`}>{e.kind}</span>
                  {e.status === "pending" && <span className="ml-1 text-xs text-slate-500 italic">pending</span>}
                  <span className="block max-w-40 truncate font-mono text-[11px] text-slate-400" title={e.jti}>
                    {e.jti}
                  </span>
                </td>
                <td className="max-w-56">
                  <span className="block truncate font-mono text-xs" title={e.iss}>
                    {e.iss}
                  </span>
                  {(e.aud || e.ref) && (
                    <span className="block truncate font-mono text-xs text-slate-500" title={e.aud ?? e.ref ?? ""}>
                      {e.aud ? `→ ${e.aud}` : `${e.kind === "revoke" ? "revokes" : e.kind === "delegate" ? "parent" : "under"} ${e.ref}`}
                    </span>
                  )}
                </td>
                <td className="max-w-[28rem] min-w-64">
                  <span className="line-clamp-2 font-mono text-xs break-all text-slate-700" title={revealInvisible(what(e))}>
                    <FreeText value={what(e)} />
                  </span>
                </td>
                <td>
                  {e.findings.length ? (
                    <FindingBadges codes={sortCodes(e.findings.map((f) => f.code))} max={3} />
                  ) : (
                    <span className="text-xs text-slate-400">—</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {shownCount < events.length && (
        <div className="flex items-center justify-center gap-3 p-4 text-sm">
          <span className="text-slate-600">
            Showing {shownCount.toLocaleString("en-US")} of {events.length.toLocaleString("en-US")} events.
          </span>
          <button type="button" className="btn-secondary" onClick={() => setLimit(shownCount + SLICE)}>
            Show {Math.min(SLICE, events.length - shownCount)} more
          </button>
          <button type="button" className="btn-ghost" onClick={() => setLimit(events.length)}>
            Show all
          </button>
        </div>
      )}
    </div>
  );
}
