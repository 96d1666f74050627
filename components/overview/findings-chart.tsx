"use client";
// Findings by code over time: one small row of daily bars per code, on a shared scale so rows
// compare honestly. Drawn by hand in SVG; the same numbers are one click away as a table.
import Link from "next/link";
import type { TStats } from "@/lib/contracts/stats";
import { findingName, findingSeverity, SEVERITY_ORDER } from "@/lib/ui/findings";
import { SEVERITY_STYLE, SeverityIcon } from "../ui/severity";

const DAYS = 14;

function dayRange(endDay: string, n: number): string[] {
  const end = new Date(`${endDay}T00:00:00Z`);
  return Array.from({ length: n }, (_, i) => {
    const d = new Date(end);
    d.setUTCDate(end.getUTCDate() - (n - 1 - i));
    return d.toISOString().slice(0, 10);
  });
}

export function FindingsChart({ data }: { data: TStats["findingsOverTime"] }) {
  const today = new Date().toISOString().slice(0, 10);
  const lastDay = data.reduce((m, d) => (d.day > m ? d.day : m), today);
  const days = dayRange(lastDay, DAYS);
  const inRange = new Set(days);
  const byCode = new Map<string, Map<string, number>>();
  for (const d of data) {
    if (!inRange.has(d.day)) continue;
    let m = byCode.get(d.code);
    if (!m) byCode.set(d.code, (m = new Map<string, number>()));
    m.set(d.day, (m.get(d.day) ?? 0) + d.count);
  }
  const codes = [...byCode.keys()].sort((a, b) => SEVERITY_ORDER[findingSeverity(a)] - SEVERITY_ORDER[findingSeverity(b)] || a.localeCompare(b));
  const max = Math.max(1, ...[...byCode.values()].flatMap((m) => [...m.values()]));
  const olderCount = data.filter((d) => !inRange.has(d.day)).reduce((s, d) => s + d.count, 0);

  if (codes.length === 0) {
    return <p className="text-sm text-slate-600">No findings in the last {DAYS} days.</p>;
  }

  const ROW = 30;
  const BAR_W = 10;
  const GAP = 3;
  const plotW = days.length * (BAR_W + GAP);
  const summary = codes.map((c) => `${findingName(c)} (${c}): ${[...byCode.get(c)!.values()].reduce((a, b) => a + b, 0)}`).join("; ");

  return (
    <figure>
      <figcaption className="sr-only">{`Findings by code over the last ${DAYS} days. ${summary}.`}</figcaption>
      <div className="space-y-1">
        {codes.map((code) => {
          const counts = byCode.get(code)!;
          const total = [...counts.values()].reduce((a, b) => a + b, 0);
          const sev = findingSeverity(code);
          const style = SEVERITY_STYLE[sev];
          return (
            <div key={code} className="grid grid-cols-[minmax(0,1fr)_auto_2.5rem] items-center gap-3">
              <Link href={`/findings?code=${code}`} className="group flex min-w-0 items-start gap-1.5 text-sm">
                <span className={`mt-0.5 ${style.text}`}>
                  <SeverityIcon severity={sev} size={13} />
                </span>
                <span className="min-w-0 leading-tight">
                  <span className="block truncate text-slate-800 group-hover:underline">{findingName(code)}</span>
                  <code className="block truncate font-mono text-[11px] text-slate-500">{code}</code>
                </span>
              </Link>
              <svg width={plotW} height={ROW} aria-hidden="true" className="block">
                <line x1={0} x2={plotW} y1={ROW - 1} y2={ROW - 1} stroke="#e2e8f0" />
                {days.map((day, i) => {
                  const v = counts.get(day) ?? 0;
                  const h = v === 0 ? 0 : Math.max(2, Math.round((v / max) * (ROW - 4)));
                  return (
                    <rect key={day} x={i * (BAR_W + GAP)} y={ROW - 1 - h} width={BAR_W} height={h} rx={2} fill={style.stroke} opacity={0.85}>
                      <title>{`${day}: ${v} × ${findingName(code)}`}</title>
                    </rect>
                  );
                })}
              </svg>
              <span className="text-right text-sm tabular-nums text-slate-700">{total}</span>
            </div>
          );
        })}
        <div className="grid grid-cols-[minmax(0,1fr)_auto_2.5rem] gap-3 text-[11px] text-slate-500" aria-hidden="true">
          <span />
          <span className="flex justify-between" style={{ width: plotW }}>
            <span>{days[0].slice(5)}</span>
            <span>{days[days.length - 1].slice(5)}</span>
          </span>
          <span className="text-right">total</span>
        </div>
      </div>
      {olderCount > 0 && <p className="mt-2 text-xs text-slate-500">{olderCount} older findings are not drawn; they are in the table.</p>}
      <details className="mt-3 text-sm">
        <summary className="cursor-pointer text-slate-600 hover:text-slate-900">Show the numbers as a table</summary>
        <div className="mt-2 max-h-72 overflow-auto">
          <table className="data-table">
            <caption className="sr-only">Findings per day and code</caption>
            <thead>
              <tr>
                <th scope="col">Day (UTC)</th>
                <th scope="col">Finding</th>
                <th scope="col" className="text-right">
                  Count
                </th>
              </tr>
            </thead>
            <tbody>
              {[...data]
                .sort((a, b) => b.day.localeCompare(a.day) || a.code.localeCompare(b.code))
                .map((d) => (
                  <tr key={`${d.day}-${d.code}`}>
                    <td className="tabular-nums">{d.day}</td>
                    <td>
                      {findingName(d.code)} <code className="font-mono text-xs text-slate-500">{d.code}</code>
                    </td>
                    <td className="text-right tabular-nums">{d.count}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
