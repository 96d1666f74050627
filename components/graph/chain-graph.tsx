"use client";
// The chain as a left-to-right graph from the human root. Layout runs in a Web Worker for big
// chains; past the node budget only the selected hop's neighbourhood is drawn and the rest is
// summarised by "N hidden" placeholders that keep their findings visible.
import "@xyflow/react/dist/style.css";
import { Controls, MarkerType, Panel, ReactFlow, ReactFlowProvider, useReactFlow, useStore } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { TChainDetail } from "@/lib/contracts/chains";
import { hopForPrincipal, type TChainIndex, type TSelection } from "@/lib/ui/chain-selection";
import { buildGraph, NODE_BUDGET, principalNodeId, type TGraphEdge, type TGraphModel, type TGraphNode } from "@/lib/ui/graph/build-graph";
import { highlightFor } from "@/lib/ui/graph/highlight";
import { useGraphLayout } from "@/lib/ui/graph/use-graph-layout";
import { findingName, SEVERITY_ORDER } from "@/lib/ui/findings";
import { plural } from "@/lib/ui/format";
import { FindingBadge } from "../ui/severity";
import { Spinner } from "../ui/states";
import { EDGE_TYPES, edgeStroke, scopeChangeText } from "./grant-edge";
import { NODE_TYPES } from "./graph-nodes";
import type { TFlowEdge, TFlowNode } from "./graph-types";

type TProps = {
  detail: TChainDetail;
  index: TChainIndex;
  selection: TSelection | null;
  onSelect: (jti: string | null) => void;
  /** a principal's node opens "this principal in this chain" when given */
  onSelectPrincipal?: (principalId: string) => void;
  /** the principal whose panel is open: its node is the selection */
  selectedPrincipal?: string | null;
};

export function ChainGraph(props: TProps) {
  return (
    <ReactFlowProvider>
      <ChainGraphInner {...props} />
    </ReactFlowProvider>
  );
}

function findingWords(n: { critical: number; error: number; warning: number; codes: string[] }): string {
  const total = n.critical + n.error + n.warning;
  if (total === 0) return "no findings";
  return `${plural(total, "finding")}: ${n.codes.map(findingName).join(", ")}`;
}

function nodeAriaLabel(n: TGraphNode): string {
  const total = n.findings.critical + n.findings.error + n.findings.warning;
  if (n.kind === "hidden") {
    return `${n.label}: ${n.ref}; ${findingWords(n.findings)}.${n.hidden?.jumpTo ? " Press Enter to show the worst hidden hop." : ""}`;
  }
  return `${n.ref}, ${n.kind}, ${plural(total, "finding")}${n.isRoot ? ", human root" : ""}${n.label !== n.ref ? `; ${n.label}` : ""}`;
}

function edgeAriaLabel(e: TGraphEdge, labelOf: (id: string) => string): string {
  const from = labelOf(e.source);
  const to = labelOf(e.target);
  if (e.kind === "hidden") return `${from} to ${to}, stands in for hidden grants`;
  if (e.kind === "invoke") return `${from} invoked ${e.label} on ${to}; ${findingWords(e.findings)}${e.isDashed ? "; pending" : ""}`;
  const change = scopeChangeText(e);
  return `${from} delegated to ${to} for ${e.label}${change ? `, ${change.isEscalation ? "escalation " : ""}${change.text}` : ""}; ${findingWords(e.findings)}${e.isDashed ? `; dashed: ${e.dashReason}` : ""}${e.isRevoked ? "; revoked" : ""}`;
}

function nodeType(n: TGraphNode): TFlowNode["type"] {
  if (n.kind === "hidden") return "hidden";
  if (n.kind === "tool" || n.kind === "resource") return "small";
  return "principal";
}

function ChainGraphInner({ detail, index, selection, onSelect, onSelectPrincipal, selectedPrincipal = null }: TProps) {
  const highlight = useMemo(() => highlightFor(index, selection), [index, selection]);
  const target = highlight.selectedNode ?? (selectedPrincipal ? principalNodeId(selectedPrincipal) : null);
  const [focus, setFocus] = useState<string | null>(target);
  const model: TGraphModel = useMemo(() => buildGraph(detail, { focusNodeId: focus, budget: NODE_BUDGET }), [detail, focus]);
  const nodeById = useMemo(() => new Map(model.nodes.map((n) => [n.id, n] as const)), [model]);

  // Re-centre the drawn neighbourhood only when the selection falls outside it.
  useEffect(() => {
    if (target && model.hiddenCount > 0 && !nodeById.has(target)) setFocus(target);
  }, [target, model.hiddenCount, nodeById]);

  const layout = useGraphLayout(model);
  const positions = layout.data?.positions;

  const activateNode = useCallback(
    (id: string) => {
      const n = nodeById.get(id);
      if (!n) return;
      if (n.kind === "hidden") {
        if (n.hidden?.jumpTo) onSelect(n.hidden.jumpTo);
        return;
      }
      if (n.kind === "resource") {
        const into = model.edges.find((e) => e.kind === "invoke" && e.target === id);
        if (into?.jtis[0]) onSelect(into.jtis[0]);
        return;
      }
      if (onSelectPrincipal) return onSelectPrincipal(n.ref);
      const hop = hopForPrincipal(index, n.ref);
      if (hop) return onSelect(hop.jti);
      const issued = detail.events.find((e) => e.iss === n.ref);
      if (issued) onSelect(issued.jti);
    },
    [nodeById, model.edges, index, detail.events, onSelect, onSelectPrincipal],
  );

  const activateEdge = useCallback(
    (id: string) => {
      const e = model.edges.find((x) => x.id === id);
      if (!e) return;
      if (e.kind === "hidden") {
        const hiddenEnd = nodeById.get(e.source)?.kind === "hidden" ? e.source : e.target;
        activateNode(hiddenEnd);
      } else if (e.jtis[0]) onSelect(e.jtis[0]);
    },
    [model.edges, nodeById, activateNode, onSelect],
  );

  // Edge labels call back through a stable function: the handler itself changes with every URL
  // change, and must not force every edge to re-render.
  const activateEdgeRef = useRef(activateEdge);
  useEffect(() => {
    activateEdgeRef.current = activateEdge;
  }, [activateEdge]);
  const onEdgeLabel = useCallback((id: string) => activateEdgeRef.current(id), []);

  // Selecting a hop changes a handful of nodes and edges; reusing the other objects lets React
  // Flow skip re-rendering hundreds of unchanged ones.
  const nodeCache = useRef(new Map<string, { src: TGraphNode; pos: unknown; sel: boolean; path: boolean; out: TFlowNode }>());
  const nodes: TFlowNode[] = useMemo(() => {
    if (!positions) return [];
    const cache = nodeCache.current;
    const next = new Map<string, { src: TGraphNode; pos: unknown; sel: boolean; path: boolean; out: TFlowNode }>();
    const out = model.nodes.map((n) => {
      const sel = target === n.id;
      const path = highlight.nodes.has(n.id);
      const pos = positions[n.id];
      const hit = cache.get(n.id);
      if (hit && hit.src === n && hit.pos === pos && hit.sel === sel && hit.path === path) {
        next.set(n.id, hit);
        return hit.out;
      }
      const flowNode: TFlowNode = {
        id: n.id,
        type: nodeType(n),
        position: pos ?? { x: 0, y: 0 },
        width: n.width,
        height: n.height,
        data: { node: n, isSelected: sel, isOnPath: path },
        ariaLabel: nodeAriaLabel(n),
        draggable: false,
        connectable: false,
        selectable: false,
        className: n.kind === "hidden" ? "dg-hidden-node" : undefined,
      };
      next.set(n.id, { src: n, pos, sel, path, out: flowNode });
      return flowNode;
    });
    nodeCache.current = next;
    return out;
  }, [model.nodes, positions, highlight, target]);

  const edgeCache = useRef(new Map<string, { src: TGraphEdge; route: unknown; sel: boolean; path: boolean; out: TFlowEdge }>());
  const edges: TFlowEdge[] = useMemo(() => {
    if (!layout.data) return [];
    const routes = layout.data.edges;
    const labelOf = (id: string) => nodeById.get(id)?.ref ?? id;
    const cache = edgeCache.current;
    const next = new Map<string, { src: TGraphEdge; route: unknown; sel: boolean; path: boolean; out: TFlowEdge }>();
    const out = model.edges.map((e) => {
      const isSelected = highlight.selectedEdge === e.id;
      const isOnPath = highlight.edges.has(e.id);
      const route = routes[e.id];
      const hit = cache.get(e.id);
      if (hit && hit.src === e && hit.route === route && hit.sel === isSelected && hit.path === isOnPath) {
        next.set(e.id, hit);
        return hit.out;
      }
      const flowEdge: TFlowEdge = {
        id: e.id,
        source: e.source,
        target: e.target,
        type: "grant" as const,
        data: {
          edge: e,
          points: route?.points ?? [],
          labelAt: route?.label ?? null,
          isSelected,
          isOnPath,
          onActivate: onEdgeLabel,
        },
        markerEnd: { type: MarkerType.ArrowClosed, color: edgeStroke(e, isSelected, isOnPath), width: 14, height: 14 },
        ariaLabel: edgeAriaLabel(e, labelOf),
        focusable: e.kind !== "hidden",
        selectable: false,
        zIndex: isSelected || isOnPath ? 1 : 0,
      };
      next.set(e.id, { src: e, route, sel: isSelected, path: isOnPath, out: flowEdge });
      return flowEdge;
    });
    edgeCache.current = next;
    return out;
  }, [model.edges, layout.data, highlight, nodeById, onEdgeLabel]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key !== "Enter" && e.key !== " ") return;
    const el = (e.target as HTMLElement).closest?.(".react-flow__node, .react-flow__edge");
    const id = el?.getAttribute("data-id");
    if (!id) return;
    e.preventDefault();
    if (el!.classList.contains("react-flow__node")) activateNode(id);
    else activateEdge(id);
  };

  const isBig = model.nodes.length > 150;
  // Set once the reader pans or zooms (programmatic moves carry no event).
  const userMoved = useRef(false);
  const moveStart = useRef<{ x: number; y: number; zoom: number } | null>(null);
  const layoutKey = model.signature.length + ":" + model.nodes.length + ":" + (model.nodes[0]?.id ?? "");

  return (
    <div className="relative h-full w-full" onKeyDown={onKeyDown}>
      <p id="chain-graph-help" className="sr-only">
        Delegation graph, left to right from the human root. Tab to a node or an edge and press Enter to open it in the hop inspector.
      </p>
      <ReactFlow<TFlowNode, TFlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        edgeTypes={EDGE_TYPES}
        onNodeClick={(_, n) => activateNode(n.id)}
        onEdgeClick={(_, e) => activateEdge(e.id)}
        onPaneClick={() => onSelect(null)}
        onMoveStart={(_, vp) => {
          moveStart.current = vp;
        }}
        onMoveEnd={(event, vp) => {
          const a = moveStart.current;
          // A click also starts a "move"; only a real pan or zoom by the reader counts.
          if (event && a && (Math.abs(a.x - vp.x) > 2 || Math.abs(a.y - vp.y) > 2 || a.zoom !== vp.zoom)) userMoved.current = true;
        }}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        nodesFocusable
        edgesFocusable
        onlyRenderVisibleElements={isBig}
        minZoom={0.05}
        maxZoom={2}
        attributionPosition="top-right"
        aria-describedby="chain-graph-help"
      >
        <ViewportKeeper
          layoutKey={positions ? layoutKey : null}
          rootId={model.nodes.find((n) => n.isRoot)?.id ?? null}
          target={target}
          positions={positions ?? null}
          nodeById={nodeById}
          userMoved={userMoved}
        />
        <Controls showInteractive={false} position="bottom-right" />
        <Panel position="top-left" className="!m-2">
          <GraphNotice model={model} onJump={activateNode} />
        </Panel>
        <Panel position="bottom-left" className="!m-2">
          <Legend />
        </Panel>
      </ReactFlow>
      {!positions && (
        <div className="absolute inset-0 grid place-items-center bg-white/60">
          {layout.isError ? (
            <p role="alert" className="text-sm text-red-700">
              The graph could not be laid out. The Timeline tab shows every event.
            </p>
          ) : (
            <Spinner label={`Laying out ${plural(model.nodes.length, "node")}`} />
          )}
        </div>
      )}
    </div>
  );
}

/** Below this zoom labels are unreadable: rather than fit everything, start at the focus or the root. */
const LEGIBLE_ZOOM = 0.6;

/** Fits or centres the view when a layout arrives, and keeps the selected node on screen. */
function ViewportKeeper({
  layoutKey,
  rootId,
  target,
  positions,
  nodeById,
  userMoved,
}: {
  userMoved: React.RefObject<boolean>;
  layoutKey: string | null;
  rootId: string | null;
  target: string | null;
  positions: Record<string, { x: number; y: number }> | null;
  nodeById: Map<string, TGraphNode>;
}) {
  const rf = useReactFlow();
  // Our nodes carry fixed sizes, so they are usable as soon as this layout's nodes are in the store.
  const expected = positions ? Object.keys(positions).length : -1;
  const initialized = useStore((s) => s.nodeLookup.size === expected);
  const width = useStore((s) => s.width);
  const height = useStore((s) => s.height);
  const done = useRef<string | null>(null);
  const lastWidth = useRef(width);

  const centreOn = useCallback(
    (id: string, force: boolean) => {
      const p = positions?.[id];
      const n = nodeById.get(id);
      if (!p || !n || !width || !height) return false;
      const { x: vx, y: vy, zoom } = rf.getViewport();
      const left = p.x * zoom + vx;
      const top = p.y * zoom + vy;
      const margin = 40;
      const isVisible = left >= margin && top >= margin && left + n.width * zoom <= width - margin && top + n.height * zoom <= height - margin;
      if (!force && isVisible) return true;
      void rf.setCenter(p.x + n.width / 2, p.y + n.height / 2, { zoom: force ? 0.85 : Math.max(zoom, LEGIBLE_ZOOM), duration: force ? 0 : 250 });
      return true;
    },
    [positions, nodeById, rf, width, height],
  );

  useEffect(() => {
    if (!layoutKey || !initialized || !width || done.current === layoutKey) return;
    done.current = layoutKey;
    if (fitZoom(positions, nodeById, width, height) >= LEGIBLE_ZOOM) void rf.fitView({ padding: 0.08, maxZoom: 1.1, minZoom: 0.05 });
    else if (target && nodeById.has(target)) centreOn(target, true);
    else if (rootId && positions?.[rootId]) {
      // Too big to fit legibly: start readable, at the human root, and let the reader zoom out.
      const p = positions[rootId];
      const n = nodeById.get(rootId)!;
      void rf.setViewport({ x: 40 - p.x * 0.85, y: height / 2 - (p.y + n.height / 2) * 0.85, zoom: 0.85 });
    } else void rf.fitView({ padding: 0.12, maxZoom: 1.1, minZoom: 0.05 });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [layoutKey, initialized, width]);

  // A new selection, or the inspector opening and narrowing the canvas: keep the node in view.
  // While the reader has not panned or zoomed, a resize re-fits the whole graph instead.
  useEffect(() => {
    if (!layoutKey || done.current !== layoutKey) return;
    const resized = lastWidth.current !== width;
    lastWidth.current = width;
    const id = requestAnimationFrame(() => {
      if (resized && !userMoved.current && fitZoom(positions, nodeById, width, height) >= LEGIBLE_ZOOM) {
        void rf.fitView({ padding: 0.12, maxZoom: 1.1, minZoom: 0.05 }).then(() => target && centreOn(target, false));
      } else if (target) centreOn(target, false);
    });
    return () => cancelAnimationFrame(id);
  }, [target, width, height, layoutKey, centreOn, rf, userMoved, positions, nodeById]);

  return null;
}

/** The zoom at which the whole graph would fit the canvas. */
function fitZoom(
  positions: Record<string, { x: number; y: number }> | null,
  nodeById: Map<string, TGraphNode>,
  width: number,
  height: number,
): number {
  if (!positions || !width || !height) return 0;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [id, p] of Object.entries(positions)) {
    const n = nodeById.get(id);
    if (!n) continue;
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x + n.width);
    y1 = Math.max(y1, p.y + n.height);
  }
  if (!Number.isFinite(x0)) return 0;
  return Math.min((width * 0.88) / (x1 - x0), (height * 0.88) / (y1 - y0));
}

function GraphNotice({ model, onJump }: { model: TGraphModel; onJump: (nodeId: string) => void }) {
  if (model.hiddenCount === 0) return null;
  const shown = model.totalNodes - model.hiddenCount;
  const withFindings = model.nodes
    .filter((n) => n.kind === "hidden" && n.findings.worst)
    .sort((a, b) => SEVERITY_ORDER[a.findings.worst!] - SEVERITY_ORDER[b.findings.worst!]);
  return (
    <div
      className="max-w-md rounded-md border border-slate-300 bg-white/95 px-2.5 py-1.5 text-xs text-slate-700 shadow-sm"
      role="status"
      aria-live="polite"
    >
      <p>
        Showing {shown.toLocaleString("en-US")} of {model.totalNodes.toLocaleString("en-US")} nodes around the selected hop.{" "}
        <strong>{model.hiddenCount.toLocaleString("en-US")} hidden</strong> behind dashed placeholders, which keep their findings visible. The
        Timeline lists every event.
      </p>
      {withFindings.length > 0 && (
        <ul className="mt-1.5 space-y-1 border-t border-slate-200 pt-1.5" aria-label="Findings in hidden parts">
          {withFindings.slice(0, 5).map((n) => (
            <li key={n.id} className="flex flex-wrap items-center gap-1.5">
              <span className="text-slate-500">{n.label}:</span>
              {n.findings.codes.slice(0, 3).map((c) => (
                <FindingBadge key={c} code={c} showCode={false} />
              ))}
              {n.hidden?.jumpTo && (
                <button type="button" className="link" onClick={() => onJump(n.id)}>
                  Show
                </button>
              )}
            </li>
          ))}
          {withFindings.length > 5 && <li className="text-slate-500">and {withFindings.length - 5} more hidden parts with findings</li>}
        </ul>
      )}
    </div>
  );
}

function Legend() {
  return (
    <details className="rounded-md border border-slate-200 bg-white/95 text-xs text-slate-700 shadow-sm">
      <summary className="cursor-pointer px-2 py-1 select-none">Legend</summary>
      <ul className="space-y-1 px-2 pb-2">
        <li className="flex items-center gap-2">
          <span className="inline-block h-3 w-5 rounded-md border-2 border-slate-900" /> human (the root decision)
        </li>
        <li className="flex items-center gap-2">
          <span className="inline-block h-3 w-5 rounded-sm border border-slate-400" /> agent
        </li>
        <li className="flex items-center gap-2">
          <span className="inline-block size-3 rounded-[2px] border border-slate-400" /> tool or resource acted on
        </li>
        <li className="flex items-center gap-2">
          <svg width="20" height="6" aria-hidden="true">
            <line x1="0" y1="3" x2="20" y2="3" stroke="#64748b" strokeWidth="2" />
          </svg>
          signed, verified grant
        </li>
        <li className="flex items-center gap-2">
          <svg width="20" height="6" aria-hidden="true">
            <line x1="0" y1="3" x2="20" y2="3" stroke="#64748b" strokeWidth="2" strokeDasharray="4 3" />
          </svg>
          pending or inferred
        </li>
        <li className="flex items-center gap-2">
          <code className="rounded bg-slate-100 px-1 font-mono text-[10px]">−2 scopes</code> narrowed
          <code className="rounded bg-red-600 px-1 font-mono text-[10px] text-white">+x:read</code> escalation
        </li>
      </ul>
    </details>
  );
}
