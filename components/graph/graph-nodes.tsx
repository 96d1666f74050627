"use client";
// Node shapes tell the kind at a glance: the human is rounded with a strong outline, agents are
// plain cards, tools and resources are small squares, hidden parts are dashed placeholders.
// Every finding shows as icon + word, never colour alone.
import { FreeText } from "@/components/ui/free-text";
import { revealInvisible } from "@/lib/ui/invisible";
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { TFindingSummary } from "@/lib/ui/graph/build-graph";
import { findingName } from "@/lib/ui/findings";
import { SEVERITY_STYLE, SeverityIcon } from "../ui/severity";
import type { TFlowNode } from "./graph-types";

const HANDLE = "!size-1.5 !min-w-0 !border-0 !bg-transparent";

function FindingLine({ f, compact }: { f: TFindingSummary; compact?: boolean }) {
  if (!f.worst) return null;
  const total = f.critical + f.error + f.warning;
  const s = SEVERITY_STYLE[f.worst];
  return (
    <span className={`mt-1 inline-flex max-w-full items-center gap-1 rounded px-1 py-px text-[11px] font-medium ring-1 ring-inset ${s.badge}`}>
      <SeverityIcon severity={f.worst} size={11} />
      <span className="truncate">
        {compact ? `${total} ${s.word.toLowerCase()}` : `${f.codes.length ? findingName(f.codes[0]) : s.word}${total > 1 ? ` +${total - 1}` : ""}`}
      </span>
    </span>
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
      className={`flex h-full w-full flex-col justify-center px-3 py-2 shadow-sm ${shape} ${ring} ${tint}`}
      title={revealInvisible(`${node.label}\n${node.ref}`)}
    >
      <Handle type="target" position={Position.Left} className={HANDLE} isConnectable={false} />
      <span className="flex items-center gap-1.5">
        <span
          className={`shrink-0 rounded px-1 text-[10px] font-semibold uppercase tracking-wide ${isHuman ? "bg-slate-900 text-white" : "bg-slate-100 text-slate-600"}`}
        >
          {KIND_WORD[node.kind] ?? node.kind}
        </span>
        <span className="truncate text-[13px] font-semibold text-slate-900">
          <FreeText value={node.label} />
        </span>
      </span>
      {node.label !== node.ref && (
        <span className="truncate font-mono text-[11px] text-slate-500">
          <FreeText value={node.ref} />
        </span>
      )}
      <span className="flex">
        <FindingLine f={node.findings} />
      </span>
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
    <div className="flex h-full w-full flex-col items-center" title={node.ref}>
      <div className={`relative grid size-11 shrink-0 place-items-center rounded-[3px] border shadow-sm ${color} ${ring}`}>
        <Handle type="target" position={Position.Left} className={HANDLE} isConnectable={false} />
        <span className="text-[9px] font-semibold uppercase tracking-wide text-slate-500">{node.kind === "tool" ? "tool" : "res"}</span>
        <Handle type="source" position={Position.Right} className={HANDLE} isConnectable={false} />
      </div>
      <span className="mt-1 line-clamp-2 w-full text-center font-mono text-[10px] leading-tight break-all text-slate-700">
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
    <div className="flex h-full w-full flex-col justify-center rounded-lg border-2 border-dashed border-slate-400 bg-slate-50 px-3 py-2">
      <Handle type="target" position={Position.Left} className={HANDLE} isConnectable={false} />
      <span className="text-sm font-semibold text-slate-800">{node.label}</span>
      <span className="truncate text-[11px] text-slate-600">{node.ref}</span>
      {f.worst ? (
        <span className="mt-1 flex flex-wrap gap-1">
          {(["critical", "error", "warning"] as const)
            .filter((k) => f[k] > 0)
            .map((k) => (
              <span
                key={k}
                className={`inline-flex items-center gap-0.5 rounded px-1 text-[10px] font-medium ring-1 ring-inset ${SEVERITY_STYLE[k].badge}`}
              >
                <SeverityIcon severity={k} size={10} />
                {f[k]} {SEVERITY_STYLE[k].word.toLowerCase()}
              </span>
            ))}
        </span>
      ) : (
        <span className="mt-1 text-[11px] text-slate-500">no findings hidden</span>
      )}
      <Handle type="source" position={Position.Right} className={HANDLE} isConnectable={false} />
    </div>
  );
});

export const NODE_TYPES = { principal: PrincipalNode, small: SmallNode, hidden: HiddenNode };
