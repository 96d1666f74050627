"use client";
// Node shapes tell the kind at a glance: the human is rounded with a strong outline, agents are
// plain cards, tools and resources are small squares, hidden parts are dashed placeholders.
// Every finding shows as icon + word, never colour alone.
import { FreeText } from "@/components/ui/free-text";
import { Time } from "@/components/ui/time";
import { revealInvisible } from "@/lib/ui/invisible";
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import { MAX_OUTCOME_LINES, type TFindingSummary, type TGrantOutcome } from "@/lib/ui/graph/build-graph";
import { findingName } from "@/lib/ui/findings";
import { SEVERITY_STYLE, SeverityIcon } from "../ui/severity";
import type { TFlowNode } from "./graph-types";

const HANDLE = "!size-1.5 !min-w-0 !border-0 !bg-transparent";

function FindingLine({ f, compact }: { f: TFindingSummary; compact?: boolean }) {
  if (!f.worst) return null;
  const total = f.critical + f.error + f.warning;
  const s = SEVERITY_STYLE[f.worst];
  return (
    <span className={`mt-1 inline-flex max-w-full items-center gap-1 rounded px-1 py-px text-[1em] font-medium ring-1 ring-inset ${s.badge}`}>
      <SeverityIcon severity={f.worst} size={11} />
      <span className="truncate">
        {compact ? `${total} ${s.word.toLowerCase()}` : `${f.codes.length ? findingName(f.codes[0]) : s.word}${total > 1 ? ` +${total - 1}` : ""}`}
      </span>
    </span>
  );
}

const ATTESTATION_WORD: Record<string, string> = {
  third_party: "third-party attested",
  delegator_verified: "delegator verified",
  self_reported: "self-reported",
};
const STATUS_MARK = {
  completed: { icon: "✓", tone: "text-emerald-800" },
  failed: { icon: "✗", tone: "text-red-700" },
  partial: { icon: "◐", tone: "text-amber-800" },
} as const;

/** How the grants this principal received ended: expiries nobody reported on first, then completions. */
function Outcomes({ outcomes }: { outcomes: readonly TGrantOutcome[] }) {
  const sorted = [...outcomes].sort((a, b) => (a.kind === b.kind ? a.at - b.at : a.kind === "expired" ? -1 : 1));
  const shown = sorted.length > MAX_OUTCOME_LINES ? sorted.slice(0, MAX_OUTCOME_LINES - 1) : sorted;
  const more = sorted.length - shown.length;
  return (
    <>
      {shown.map((o) =>
        o.kind === "expired" ? (
          <span
            key={`x:${o.grantJti}`}
            className="dg-outcome line-clamp-2 leading-tight font-medium break-words text-amber-800"
            data-outcome="expired"
          >
            ✗ no report · expired <Time t={o.at} />
          </span>
        ) : (
          <span key={o.jti} className={`dg-outcome line-clamp-2 leading-tight break-words ${STATUS_MARK[o.status].tone}`} data-outcome="completion">
            {STATUS_MARK[o.status].icon} {o.status} · {o.attestation ? ATTESTATION_WORD[o.attestation] : "signer not allowed"}
          </span>
        ),
      )}
      {more > 0 && <span className="dg-outcome line-clamp-2 leading-tight text-slate-600">+{more} more reports: see the inspector</span>}
    </>
  );
}

const KIND_WORD: Record<string, string> = {
  human: "human",
  agent: "agent",
  attester: "attester",
  unregistered: "unregistered",
  tool: "tool",
  resource: "resource",
};

export const PrincipalNode = memo(function PrincipalNode({ data }: NodeProps<TFlowNode>) {
  const { node, isSelected, isOnPath } = data;
  const isHuman = node.kind === "human";
  const shape = node.isAsserted
    ? "rounded-2xl border-2 border-dashed border-slate-500"
    : isHuman
      ? "rounded-2xl border-2 border-slate-900"
      : node.kind === "unregistered"
        ? "rounded-md border border-dashed border-slate-500"
        : "rounded-md border border-slate-400";
  const ring = isSelected ? "ring-[3px] ring-blue-600" : isOnPath ? "ring-2 ring-blue-300" : "";
  const tint = node.findings.worst === "critical" ? "bg-red-50/50" : node.findings.worst === "error" ? "bg-orange-50/50" : "bg-white";
  return (
    <div
      className={`dg-text flex h-full w-full flex-col justify-center overflow-hidden px-3 py-1.5 shadow-sm ${shape} ${ring} ${tint}`}
      title={revealInvisible(`${node.label}\n${node.ref}`)}
    >
      <Handle type="target" position={Position.Left} className={HANDLE} isConnectable={false} />
      <span className="dg-name line-clamp-2 text-[1.15em] leading-tight font-semibold break-words text-slate-900">
        <span
          className={`dg-kind mr-1.5 rounded px-1 align-[0.1em] text-[0.87em] font-semibold tracking-wide uppercase ${isHuman ? "bg-slate-900 text-white" : "bg-slate-100 text-slate-600"}`}
        >
          {KIND_WORD[node.kind] ?? node.kind}
        </span>
        <FreeText value={node.label} />
      </span>
      {node.label !== node.ref && (
        <span className="dg-secondary truncate font-mono text-[1em] text-slate-600">
          <FreeText value={node.ref} />
        </span>
      )}
      <span className="flex">
        <FindingLine f={node.findings} />
      </span>
      {node.outcomes && node.outcomes.length > 0 && <Outcomes outcomes={node.outcomes} />}
      {node.keyRevokedAt != null && (
        <span className="mt-0.5 flex">
          <span
            className="dg-key-revoked line-clamp-2 max-w-full rounded bg-red-700 px-1 leading-tight font-medium break-words text-white"
            data-key-revoked="true"
          >
            key revoked at <Time t={node.keyRevokedAt} />
          </span>
        </span>
      )}
      <Handle type="source" position={Position.Right} className={HANDLE} isConnectable={false} />
    </div>
  );
});

export const SmallNode = memo(function SmallNode({ data }: NodeProps<TFlowNode>) {
  const { node, isSelected, isOnPath } = data;
  const ring = isSelected ? "ring-[3px] ring-blue-600" : isOnPath ? "ring-2 ring-blue-300" : "";
  const color =
    node.findings.worst === "critical"
      ? "border-red-600 bg-red-50"
      : node.findings.worst === "error"
        ? "border-orange-600 bg-orange-50"
        : node.findings.worst === "warning"
          ? "border-amber-600 bg-amber-50"
          : "border-slate-400 bg-white";
  return (
    <div className="dg-text flex h-full w-full flex-col items-center" title={node.ref}>
      <div className={`relative grid size-11 shrink-0 place-items-center rounded-[3px] border shadow-sm ${color} ${ring}`}>
        <Handle type="target" position={Position.Left} className={HANDLE} isConnectable={false} />
        <span className="dg-secondary text-[1em] font-semibold tracking-wide text-slate-600 uppercase">{node.kind === "tool" ? "tool" : "res"}</span>
        <Handle type="source" position={Position.Right} className={HANDLE} isConnectable={false} />
      </div>
      <span className="dg-res-label mt-1 line-clamp-2 w-full text-center font-mono text-[1em] leading-tight break-all text-slate-700">
        <FreeText value={node.label} />
      </span>
      <FindingLine f={node.findings} compact />
    </div>
  );
});

export const HiddenNode = memo(function HiddenNode({ data }: NodeProps<TFlowNode>) {
  const { node } = data;
  const f = node.findings;
  return (
    <div className="dg-text flex h-full w-full flex-col justify-center overflow-hidden rounded-lg border-2 border-dashed border-slate-400 bg-slate-50 px-3 py-2">
      <Handle type="target" position={Position.Left} className={HANDLE} isConnectable={false} />
      <span className="text-[1.2em] font-semibold text-slate-800">{node.label}</span>
      <span className="dg-secondary truncate text-[1em] text-slate-600">{node.ref}</span>
      {f.worst ? (
        <span className="mt-1 flex flex-wrap gap-1">
          {(["critical", "error", "warning"] as const)
            .filter((k) => f[k] > 0)
            .map((k) => (
              <span
                key={k}
                className={`inline-flex items-center gap-0.5 rounded px-1 text-[1em] font-medium ring-1 ring-inset ${SEVERITY_STYLE[k].badge}`}
              >
                <SeverityIcon severity={k} size={10} />
                {f[k]} {SEVERITY_STYLE[k].word.toLowerCase()}
              </span>
            ))}
        </span>
      ) : (
        <span className="mt-1 text-[1em] text-slate-600">no findings hidden</span>
      )}
      <Handle type="source" position={Position.Right} className={HANDLE} isConnectable={false} />
    </div>
  );
});

export const NODE_TYPES = { principal: PrincipalNode, small: SmallNode, hidden: HiddenNode };
