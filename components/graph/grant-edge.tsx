"use client";
// One edge per grant, labelled with its purpose code and scope change: "−2 scopes" in a neutral
// colour for attenuation, "+treasury/*:read" in red for escalation. Dashed means pending or
// inferred; only signed, resolved events draw solid lines.
import { BaseEdge, EdgeLabelRenderer, getBezierPath, Position, type EdgeProps } from "@xyflow/react";
import { memo } from "react";
import type { TGraphEdge } from "@/lib/ui/graph/build-graph";
import { smoothPath } from "@/lib/ui/graph/layout";
import { findingName } from "@/lib/ui/findings";
import { SOURCE_LABEL } from "@/lib/ui/sources";
import { SEVERITY_STYLE, SeverityIcon } from "../ui/severity";
import type { TFlowEdge } from "./graph-types";

export function scopeChangeText(edge: TGraphEdge): { text: string; isEscalation: boolean } | null {
  const c = edge.scopeChange;
  if (!c) return null;
  if (c.kind === "escalation") return { text: `+${c.added[0]}${c.added.length > 1 ? ` +${c.added.length - 1}` : ""}`, isEscalation: true };
  if (c.kind === "attenuation") return { text: `−${c.removed} scope${c.removed === 1 ? "" : "s"}`, isEscalation: false };
  if (c.kind === "root") return { text: `${c.scopes.length} scope${c.scopes.length === 1 ? "" : "s"}`, isEscalation: false };
  return { text: "= same scope", isEscalation: false };
}

/** An edge's own colour. Selection never changes it: a halo behind the line shows it instead. */
export function edgeStroke(edge: TGraphEdge): string {
  if (edge.kind === "attest") return "#047857";
  if (edge.observed) return edge.observed.outcome === "failed" ? SEVERITY_STYLE.error.stroke : "#64748b";
  if (edge.scopeChange?.kind === "escalation") return SEVERITY_STYLE.critical.stroke;
  if (edge.findings.worst) return SEVERITY_STYLE[edge.findings.worst].stroke;
  return edge.kind === "grant" ? "#64748b" : "#94a3b8";
}

export const GrantEdge = memo(function GrantEdge(props: EdgeProps<TFlowEdge>) {
  const { id, sourceX, sourceY, targetX, targetY, data, markerEnd } = props;
  if (!data) return null;
  const { edge, points, labelAt, isSelected, isOnPath, isFocused, onActivate } = data;
  let path: string;
  let lx: number;
  let ly: number;
  if (points.length) {
    path = smoothPath([{ x: sourceX, y: sourceY }, ...points, { x: targetX, y: targetY }]);
    lx = labelAt?.x ?? points[Math.floor(points.length / 2)].x;
    ly = labelAt?.y ?? points[Math.floor(points.length / 2)].y;
  } else {
    [path, lx, ly] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition: Position.Right, targetPosition: Position.Left });
  }
  const stroke = edgeStroke(edge);
  const width = isSelected ? 2.6 : isOnPath ? 2.2 : edge.kind === "grant" ? 1.6 : 1.2;
  const change = scopeChangeText(edge);
  const f = edge.findings;
  const dash = edge.kind === "attest" ? "2 4" : edge.isDashed ? "6 4" : undefined;

  return (
    <>
      {(isSelected || isOnPath) && (
        <path
          d={path}
          className="dg-edge-halo"
          fill="none"
          stroke="#60a5fa"
          strokeOpacity={isSelected ? 0.55 : 0.35}
          strokeWidth={isSelected ? 14 : 9}
          strokeLinecap="round"
          data-halo={isSelected ? "selected" : "path"}
        />
      )}
      {isFocused && (
        <>
          <path d={path} className="dg-edge-focus" fill="none" stroke="#0f172a" strokeWidth={width + 9} strokeLinecap="round" />
          <path d={path} className="dg-edge-focus" fill="none" stroke="#ffffff" strokeWidth={width + 4} strokeLinecap="round" />
        </>
      )}
      <BaseEdge
        id={id}
        path={path}
        markerEnd={markerEnd}
        className="dg-edge-path"
        style={{ stroke, strokeWidth: width, strokeDasharray: dash, strokeLinecap: edge.kind === "attest" ? "round" : undefined }}
        interactionWidth={14}
      />
      {edge.kind !== "hidden" && (
        <EdgeLabelRenderer>
          <div
            className={`dg-text nodrag nopan absolute cursor-pointer rounded-md ${isFocused ? "outline-[3px] outline-offset-2 outline-slate-900 outline-solid" : ""} ${
              isSelected ? "ring-4 ring-blue-400/60" : isOnPath ? "ring-2 ring-blue-300/60" : ""
            }`}
            style={{ transform: `translate(-50%, -50%) translate(${lx}px, ${ly}px)`, pointerEvents: "all" }}
            onClick={() => onActivate(id)}
            aria-hidden="true"
            data-edge-label={id}
            title={edge.kind === "grant" && !edge.observed ? edge.label : edge.fullLabel}
          >
            {edge.kind === "attest" ? (
              <span className="rounded border border-dotted border-emerald-700 bg-white/95 px-1 text-[1em] text-emerald-800 italic">attested</span>
            ) : edge.observed ? (
              // Observed (OpenTelemetry, MCP/A2A capture): dashed, labelled with its source, never verified.
              <div
                className="flex max-w-[168px] flex-col items-center gap-0.5 rounded-md border border-dashed border-slate-400 bg-white/95 px-1.5 py-1 text-center"
                data-observed-edge={edge.observed.kind}
              >
                <span className="max-w-full truncate text-[1em] leading-tight text-slate-700">{edge.label}</span>
                <span className="flex max-w-full items-center gap-1 text-[1em] leading-tight text-slate-600 italic">
                  <span className="truncate">observed · {SOURCE_LABEL[edge.observed.source].word}</span>
                  {edge.observed.outcome !== "completed" && (
                    <span
                      className={`rounded px-1 not-italic ${edge.observed.outcome === "failed" ? "bg-orange-600 text-white" : "bg-slate-100 text-slate-600"}`}
                    >
                      {edge.observed.outcome}
                    </span>
                  )}
                </span>
              </div>
            ) : edge.kind === "grant" ? (
              <div className="flex max-w-[158px] flex-col items-center gap-0.5 rounded-md border border-slate-200 bg-white/95 px-1.5 py-1 text-center shadow-sm">
                <code className="max-w-full truncate font-mono text-[1em] leading-tight text-slate-700">{edge.shortLabel ?? edge.label}</code>
                <span className="flex max-w-full items-center gap-1">
                  {change && (
                    <code
                      className={`max-w-full truncate rounded px-1 font-mono text-[1em] leading-tight ${
                        change.isEscalation ? "bg-red-600 font-semibold text-white" : "bg-slate-100 text-slate-600"
                      }`}
                    >
                      {change.text}
                    </code>
                  )}
                  {edge.isRevoked && <span className="rounded bg-slate-700 px-1 text-[1em] text-white">revoked</span>}
                  {edge.isDashed && <span className="text-[1em] text-slate-600 italic">{edge.isUnverified ? "unverified" : "pending"}</span>}
                </span>
                {f.worst && (
                  <span
                    className={`inline-flex max-w-full items-center gap-0.5 rounded px-1 text-[1em] font-medium ring-1 ring-inset ${SEVERITY_STYLE[f.worst].badge}`}
                  >
                    <SeverityIcon severity={f.worst} size={10} />
                    <span className="truncate">
                      {findingName(f.codes[0])}
                      {f.codes.length > 1 ? ` +${f.codes.length - 1}` : ""}
                    </span>
                  </span>
                )}
              </div>
            ) : (
              <div
                className={`flex max-w-[180px] items-center gap-1 rounded border bg-white/95 px-1 py-px ${f.worst ? SEVERITY_STYLE[f.worst].badge : "border-slate-200"}`}
              >
                {f.worst && (
                  <span className={SEVERITY_STYLE[f.worst].text}>
                    <SeverityIcon severity={f.worst} size={10} />
                  </span>
                )}
                {f.worst ? (
                  // "Scope drift → render.chartcloud.io": the name, then the host, wrapping rather than cut.
                  <span className="line-clamp-3 text-[1em] leading-tight font-medium break-words">{edge.label}</span>
                ) : (
                  <code className="truncate font-mono text-[1em] text-slate-600">{edge.label}</code>
                )}
              </div>
            )}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
});

export const EDGE_TYPES = { grant: GrantEdge };
