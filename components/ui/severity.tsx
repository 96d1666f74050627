// Severity and status badges. The colours are the same everywhere (badges, edges, rows, charts):
// critical red, error orange, warning amber, verified green, pending slate, and each comes with
// an icon and a word so meaning never rests on colour alone.
import type { TChainStatus, TSeverity } from "@/lib/protocol/types";
import { findingName, findingSeverity } from "@/lib/ui/findings";
import { IconCheck, IconClock, IconCritical, IconError, IconEye, IconWarning } from "./icons";

export const SEVERITY_STYLE: Record<TSeverity, { badge: string; text: string; stroke: string; fill: string; word: string }> = {
  critical: { badge: "bg-red-50 text-red-800 ring-red-600/30", text: "text-red-700", stroke: "#dc2626", fill: "#fee2e2", word: "Critical" },
  error: { badge: "bg-orange-50 text-orange-800 ring-orange-600/30", text: "text-orange-700", stroke: "#ea580c", fill: "#ffedd5", word: "Error" },
  warning: { badge: "bg-amber-50 text-amber-900 ring-amber-600/35", text: "text-amber-700", stroke: "#d97706", fill: "#fef3c7", word: "Warning" },
};

export const STATUS_STYLE: Record<TChainStatus, { badge: string; word: string; stroke: string }> = {
  violation: { badge: "bg-red-50 text-red-800 ring-red-600/30", word: "Violation", stroke: "#dc2626" },
  warning: { badge: "bg-amber-50 text-amber-900 ring-amber-600/35", word: "Warning", stroke: "#d97706" },
  pending: { badge: "bg-slate-100 text-slate-700 ring-slate-500/30", word: "Pending", stroke: "#64748b" },
  verified: { badge: "bg-green-50 text-green-800 ring-green-600/30", word: "Verified", stroke: "#16a34a" },
  // Observed chains (docs/observed.md): a neutral, dashed badge, never a signed status.
  observed: { badge: "bg-white text-slate-700 ring-0 border border-dashed border-slate-400", word: "Observed", stroke: "#64748b" },
};

export function SeverityIcon({ severity, size }: { severity: TSeverity; size?: number }) {
  if (severity === "critical") return <IconCritical size={size} />;
  if (severity === "error") return <IconError size={size} />;
  return <IconWarning size={size} />;
}

export function StatusIcon({ status, size }: { status: TChainStatus; size?: number }) {
  if (status === "violation") return <IconCritical size={size} />;
  if (status === "warning") return <IconWarning size={size} />;
  if (status === "pending") return <IconClock size={size} />;
  if (status === "observed") return <IconEye size={size} />;
  return <IconCheck size={size} />;
}

const BADGE = "inline-flex items-center gap-1 rounded-md px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset whitespace-nowrap";

export function SeverityBadge({ severity, count }: { severity: TSeverity; count?: number }) {
  const s = SEVERITY_STYLE[severity];
  return (
    <span className={`${BADGE} ${s.badge}`}>
      <SeverityIcon severity={severity} size={12} />
      {count !== undefined ? `${count} ${s.word.toLowerCase()}` : s.word}
    </span>
  );
}

export function StatusBadge({ status }: { status: TChainStatus }) {
  const s = STATUS_STYLE[status] ?? STATUS_STYLE.pending;
  return (
    <span className={`${BADGE} ${s.badge}`}>
      <StatusIcon status={status} size={12} />
      {s.word}
    </span>
  );
}

/** "Ghost permission `ghost_permission`": the users' word, the protocol's code beside it. */
export function FindingBadge({ code, showCode = true, count }: { code: string; showCode?: boolean; count?: number }) {
  const severity = findingSeverity(code);
  const s = SEVERITY_STYLE[severity];
  return (
    <span className={`${BADGE} ${s.badge}`} title={`${s.word}: ${findingName(code)} (${code})`}>
      <SeverityIcon severity={severity} size={12} />
      <span>{findingName(code)}</span>
      {showCode && <code className="font-mono text-[11px] font-normal opacity-75">{code}</code>}
      {count !== undefined && count > 1 && <span className="tabular-nums">×{count}</span>}
    </span>
  );
}

export function FindingBadges({ codes, showCode = false, max = 4 }: { codes: readonly string[]; showCode?: boolean; max?: number }) {
  if (codes.length === 0) return null;
  const shown = codes.slice(0, max);
  const rest = codes.length - shown.length;
  return (
    <span className="inline-flex flex-wrap items-center gap-1">
      {shown.map((c) => (
        <FindingBadge key={c} code={c} showCode={showCode} />
      ))}
      {rest > 0 && (
        <span className="text-xs text-slate-500" title={codes.slice(max).map(findingName).join(", ")}>
          +{rest} more
        </span>
      )}
    </span>
  );
}

export function SeverityCounts({ counts }: { counts: { critical: number; error: number; warning: number } }) {
  const items = (["critical", "error", "warning"] as const).filter((k) => counts[k] > 0);
  if (items.length === 0) return <span className="text-xs text-slate-500">No findings</span>;
  return (
    <span className="inline-flex flex-wrap gap-1">
      {items.map((k) => (
        <SeverityBadge key={k} severity={k} count={counts[k]} />
      ))}
    </span>
  );
}
