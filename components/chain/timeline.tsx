"use client";
// The chain as a trace: grants as collapsible parents with what was done under them, each level in
// time order, an offset from the chain's start beside each time, synthetic rows for expiries and
// for submissions refused at ingest, "findings only" and find-in-chain. Long chains render in
// slices with an explicit "show N more"; the selected event is always rendered and scrolled into view.
import { FreeText } from "@/components/ui/free-text";
import { revealInvisible } from "@/lib/ui/invisible";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { TChainDetail } from "@/lib/contracts/chains";
import { SEVERITY_ORDER, sortCodes } from "@/lib/ui/findings";
import type { TChainFinding } from "@/lib/contracts/chains";
import type { TSentencePart } from "@/lib/ui/hop-sentence";
import { useFindingSentencer } from "@/lib/ui/hooks/use-finding-sentencer";
import { FindingMessage } from "../ui/finding-message";
import { useChainRefusals } from "@/lib/ui/hooks/use-chain";
import { eventWhat, filterRows, offsetText, traceRows, type TTimelineRow } from "@/lib/ui/timeline";
import { FindingBadge, FindingBadges, SEVERITY_STYLE } from "../ui/severity";

type TSentencer = (f: Pick<TChainFinding, "code" | "eventJti">) => TSentencePart[] | null;
import { Time } from "../ui/time";

const SLICE = 300;

const KIND_STYLE: Record<string, string> = {
  authorize: "bg-slate-900 text-white",
  delegate: "bg-slate-200 text-slate-800",
  invoke: "bg-blue-50 text-blue-800 ring-1 ring-inset ring-blue-200",
  complete: "bg-green-50 text-green-800 ring-1 ring-inset ring-green-200",
  revoke: "bg-slate-700 text-white",
};

export function Timeline({ detail, selectedJti, onSelect }: { detail: TChainDetail; selectedJti: string | null; onSelect: (jti: string) => void }) {
  const refusals = useChainRefusals(detail.id).data?.items;
  const names = useMemo(() => new Map(detail.nodes.map((n) => [n.id, n.name || n.id] as const)), [detail.nodes]);
  const nameOf = useCallback((id: string) => names.get(id) ?? id, [names]);
  const sentenceOf: TSentencer = useFindingSentencer(detail, nameOf);
  const now = Date.parse(detail.generatedAt) / 1000;
  const all = useMemo(() => traceRows(detail, refusals ?? [], now), [detail, refusals, now]);
  const [findingsOnly, setFindingsOnly] = useState(false);
  const [text, setText] = useState("");
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const rows = useMemo(() => filterRows(all, { findingsOnly, text, collapsed }), [all, findingsOnly, text, collapsed]);
  const eventTotal = detail.events.length;
  const selectedIdx = selectedJti ? rows.findIndex((r) => r.kind === "event" && r.event.jti === selectedJti) : -1;
  const [limit, setLimit] = useState(SLICE);
  const shownCount = Math.max(limit, selectedIdx + 1);
  const shown = rows.slice(0, shownCount);
  const shownEvents = shown.reduce((n, r) => n + (r.kind === "event" ? 1 : 0), 0);
  const matchingEvents = rows.reduce((n, r) => n + (r.kind === "event" ? 1 : 0), 0);
  const selectedRef = useRef<HTMLTableRowElement | null>(null);
  useEffect(() => {
    selectedRef.current?.scrollIntoView({ block: "nearest" });
  }, [selectedJti]);

  const toggle = (jti: string) =>
    setCollapsed((c) => {
      const next = new Set(c);
      if (next.has(jti)) next.delete(jti);
      else next.add(jti);
      return next;
    });
  const filtered = findingsOnly || text.trim() !== "" || collapsed.size > 0;

  if (eventTotal === 0) return <p className="p-6 text-sm text-slate-600">No events.</p>;
  return (
    <div className="flex h-full flex-col">
      <div className="flex shrink-0 flex-wrap items-center gap-3 border-b border-slate-200 bg-white px-4 py-2 text-sm">
        <label className="flex items-center gap-1.5">
          <input type="checkbox" checked={findingsOnly} onChange={(e) => setFindingsOnly(e.target.checked)} />
          Findings only
        </label>
        <input
          type="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="Find in this chain: id, principal, action, finding"
          aria-label="Find in this chain"
          className="input w-72 max-w-full py-1"
        />
        {collapsed.size > 0 && (
          <button type="button" className="btn-ghost" onClick={() => setCollapsed(new Set())}>
            Expand all
          </button>
        )}
        {filtered && (
          <span className="text-xs text-slate-600" role="status">
            {matchingEvents.toLocaleString("en-US")} of {eventTotal.toLocaleString("en-US")} events match
          </span>
        )}
      </div>
      <div className="min-h-0 flex-1 overflow-auto">
        <table className="data-table">
          <caption className="sr-only">The chain as a trace: each grant with what was done under it, in time order</caption>
          <thead className="sticky top-0 z-10">
            <tr>
              <th scope="col" className="text-right">
                #
              </th>
              <th scope="col">Time</th>
              <th scope="col">Event</th>
              <th scope="col">From → to</th>
              <th scope="col">What</th>
              <th scope="col" className="sticky right-0 bg-inherit">
                Findings
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <Row
                key={r.key}
                row={r}
                startedAt={detail.startedAt}
                selected={r.kind === "event" && r.event.jti === selectedJti}
                selectedRef={selectedRef}
                collapsed={r.kind === "event" && collapsed.has(r.event.jti)}
                onToggle={toggle}
                onSelect={onSelect}
                sentenceOf={sentenceOf}
              />
            ))}
          </tbody>
        </table>
        {rows.length === 0 && <p className="p-6 text-sm text-slate-600">Nothing in this chain matches.</p>}
        {shownCount < rows.length && (
          <div className="flex items-center justify-center gap-3 p-4 text-sm">
            <span className="text-slate-600">
              Showing {shownEvents.toLocaleString("en-US")} of {matchingEvents.toLocaleString("en-US")} events.
            </span>
            <button type="button" className="btn-secondary" onClick={() => setLimit(shownCount + SLICE)}>
              Show {Math.min(SLICE, rows.length - shownCount)} more
            </button>
            <button type="button" className="btn-ghost" onClick={() => setLimit(rows.length)}>
              Show all
            </button>
          </div>
        )}
      </div>
    </div>
  );
}

function Row({
  row: r,
  startedAt,
  selected,
  selectedRef,
  collapsed,
  onToggle,
  onSelect,
  sentenceOf,
}: {
  sentenceOf: TSentencer;
  row: TTimelineRow;
  startedAt: number;
  selected: boolean;
  selectedRef: React.RefObject<HTMLTableRowElement | null>;
  collapsed: boolean;
  onToggle: (jti: string) => void;
  onSelect: (jti: string) => void;
}) {
  const indent = { paddingLeft: `${0.5 + Math.min(r.depth, 12) * 0.9}rem` };
  const when = (
    <td className="text-slate-600">
      <Time t={r.at} />
      <span className="block text-[11px] text-slate-500 tabular-nums">{offsetText(r.at - startedAt)}</span>
    </td>
  );
  if (r.kind === "expiry") {
    return (
      <tr className="bg-slate-50/60 text-slate-600" data-synthetic="expiry">
        <td />
        {when}
        <td style={indent}>
          <span className={`text-xs font-medium ${r.reported ? "text-slate-600" : "text-amber-800"}`}>
            {r.reported ? "✓ expired · reported" : "✗ no report · expired"}
          </span>
        </td>
        <td className="max-w-56">
          <span className="block truncate font-mono text-xs" title={r.hop.to}>
            {r.hop.to}
          </span>
        </td>
        <td className="max-w-[28rem] text-xs">
          {r.reported ? (
            `grant ${r.hop.jti} ended`
          ) : (
            <FindingMessage parts={sentenceOf({ code: "missing_evidence", eventJti: r.hop.jti })} message={`grant ${r.hop.jti} ended`} />
          )}
        </td>
        <td className="sticky right-0 bg-inherit">
          {r.reported ? <span className="text-xs text-slate-500">—</span> : <FindingBadge code="missing_evidence" />}
        </td>
      </tr>
    );
  }
  if (r.kind === "refused") {
    return (
      <tr className="bg-red-50/60 text-red-900" data-synthetic="refused">
        <td />
        {when}
        <td style={indent}>
          <span className="text-xs font-medium">refused at ingest</span>
          <span className="block max-w-40 truncate font-mono text-[11px] line-through" title={r.refusal.jti ?? ""}>
            {r.refusal.jti ?? "no jti"}
          </span>
        </td>
        <td />
        <td className="max-w-[28rem] text-xs">
          <FreeText value={r.refusal.message} />
        </td>
        <td className="sticky right-0 bg-inherit font-mono text-xs">{r.refusal.code}</td>
      </tr>
    );
  }
  const e = r.event;
  const what = eventWhat(e);
  // The worst finding in words; the others are the badges beside it and the inspector's list.
  const worst = [...e.findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity])[0];
  return (
    <tr
      ref={selected ? selectedRef : undefined}
      tabIndex={0}
      aria-selected={selected}
      onClick={() => onSelect(e.jti)}
      onKeyDown={(k) => {
        if (k.key === "Enter" || k.key === " ") {
          k.preventDefault();
          onSelect(e.jti);
        }
      }}
      className={`cursor-pointer ${selected ? "!bg-blue-50 outline-2 -outline-offset-2 outline-blue-600" : ""} ${e.status === "pending" ? "text-slate-500" : ""}`}
    >
      <td className="text-right font-mono text-xs text-slate-500 tabular-nums">{e.seq}</td>
      {when}
      <td style={indent}>
        {r.children > 0 && (
          <button
            type="button"
            className="mr-1 text-xs text-slate-500 hover:text-slate-900"
            aria-expanded={!collapsed}
            aria-label={`${collapsed ? "Expand" : "Collapse"} what happened under ${e.jti}`}
            onClick={(ev) => {
              ev.stopPropagation();
              onToggle(e.jti);
            }}
          >
            {collapsed ? "▸" : "▾"}
          </button>
        )}
        <span className={`rounded px-1.5 py-0.5 font-mono text-[11px] ${KIND_STYLE[e.kind] ?? ""}`}>{e.kind}</span>
        {e.status === "pending" && <span className="ml-1 text-xs text-slate-500 italic">pending</span>}
        <span className="block max-w-40 truncate font-mono text-[11px] text-slate-500" title={e.jti}>
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
        <span className="line-clamp-2 font-mono text-xs break-all text-slate-700" title={revealInvisible(what)}>
          <FreeText value={what} />
        </span>
        {worst && (
          <FindingMessage className={`mt-0.5 text-xs ${SEVERITY_STYLE[worst.severity].text}`} parts={sentenceOf(worst)} message={worst.message} />
        )}
      </td>
      <td className="sticky right-0 bg-inherit">
        {e.findings.length ? (
          <FindingBadges codes={sortCodes(e.findings.map((f) => f.code))} max={3} />
        ) : (
          <span className="text-xs text-slate-500">—</span>
        )}
      </td>
    </tr>
  );
}
