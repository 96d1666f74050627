"use client";
// The chain as a left-to-right graph from the human root. Layout runs in a Web Worker for big
// chains. Past the node budget the opening view draws the budget's worth breadth-first from the
// root (every finding with its path first), and fan-outs over 15 end in "N more delegations ▸"
// stubs that expand; "Show all" draws everything. Big drawings render only what is in view, drop
// labels when zoomed out (level of detail), and very large ones zoomed out are painted on a canvas.
import "@xyflow/react/dist/style.css";
import { Controls, MarkerType, MiniMap, Panel, ReactFlow, ReactFlowProvider, useReactFlow, useStore, useStoreApi, type Node } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { TChainDetail } from "@/lib/contracts/chains";
import { authorityPath, hopForPrincipal, type TChainIndex, type TSelection } from "@/lib/ui/chain-selection";
import { buildGraph, NODE_BUDGET, principalNodeId, type TGraphEdge, type TGraphModel, type TGraphNode } from "@/lib/ui/graph/build-graph";
import { highlightFor } from "@/lib/ui/graph/highlight";
import { graphNav } from "@/lib/ui/graph/keyboard";
import { useGraphLayout } from "@/lib/ui/graph/use-graph-layout";
import { findingName, SEVERITY_ORDER } from "@/lib/ui/findings";
import { isoUtc, plural } from "@/lib/ui/format";
import { FindingBadge } from "../ui/severity";
import { Spinner } from "../ui/states";
import { EDGE_TYPES, edgeStroke, scopeChangeText } from "./grant-edge";
import { NODE_TYPES } from "./graph-nodes";
import type { TFlowEdge, TFlowNode } from "./graph-types";
import { hitNode, indexGraph, OverviewCanvas } from "./overview-canvas";

/** Below this zoom labels are unreadable: nodes drop them and fill by severity instead. */
export const DETAIL_ZOOM = 0.35;
/** Drawings this big are painted on a canvas below DETAIL_ZOOM instead of as DOM nodes. */
export const CANVAS_MIN_NODES = 500;
/** Past this many nodes a minimap shows where the view is. */
const MINIMAP_MIN_NODES = 150;
const NO_NODES: TFlowNode[] = [];
const NO_EDGES: TFlowEdge[] = [];
const SEVERITY_FILL: Record<string, string> = { critical: "#dc2626", error: "#ea580c", warning: "#d97706" };
function minimapColour(n: Node): string {
  const node = (n as TFlowNode).data.node;
  if (node.findings.worst) return SEVERITY_FILL[node.findings.worst];
  return node.kind === "human" ? "#0f172a" : node.kind === "hidden" ? "#cbd5e1" : "#94a3b8";
}

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
    const how = n.hidden?.expand
      ? " Press Enter to draw them."
      : n.hidden?.jumpTo
        ? " Press Enter to show the worst hidden hop."
        : " Press Enter to show all.";
    return `${n.label.replace(" ▸", "")}: ${n.ref}; ${findingWords(n.findings)}.${how}`;
  }
  const outcomes = (n.outcomes ?? []).map((o) =>
    o.kind === "expired"
      ? `no report, grant expired ${isoUtc(o.at)}`
      : `${o.status}, ${o.attestation === "third_party" ? "third-party attested" : o.attestation ? o.attestation.replace("_", " ") : "signer not allowed"}`,
  );
  const key = n.keyRevokedAt != null ? [`key revoked at ${isoUtc(n.keyRevokedAt)}, after it signed here`] : [];
  const extra = [...outcomes, ...key].map((x) => `; ${x}`).join("");
  return `${n.ref}, ${n.kind}, ${plural(total, "finding")}${n.isRoot ? ", human root" : ""}${n.label !== n.ref ? `; ${n.label}` : ""}${extra}`;
}

function edgeAriaLabel(e: TGraphEdge, labelOf: (id: string) => string): string {
  const from = labelOf(e.source);
  const to = labelOf(e.target);
  if (e.kind === "hidden") return `${from} to ${to}, stands in for hidden grants`;
  if (e.kind === "attest") return `${from} attested the report of ${to} (third party)`;
  if (e.observed) return `${from} to ${to}: ${e.label}, ${e.observed.outcome}; ${e.dashReason}; ${findingWords(e.findings)}`;
  if (e.kind === "invoke")
    return `${from} invoked ${e.fullLabel ?? `${e.label} on ${to}`}; ${findingWords(e.findings)}${e.isDashed ? "; pending" : ""}`;
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
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const [showAll, setShowAll] = useState(false);
  const model: TGraphModel = useMemo(
    () => buildGraph(detail, { focusNodeId: focus, budget: NODE_BUDGET, expanded, showAll }),
    [detail, focus, expanded, showAll],
  );
  const nodeById = useMemo(() => new Map(model.nodes.map((n) => [n.id, n] as const)), [model]);

  // Re-centre the drawn neighbourhood only when the selection falls outside it.
  useEffect(() => {
    if (target && model.hiddenCount > 0 && !nodeById.has(target)) setFocus(target);
  }, [target, model.hiddenCount, nodeById]);

  const nav = useMemo(() => graphNav(model.nodes, model.edges), [model]);
  // Roving focus: one graph element is in the Tab sequence (the one last focused, else the human
  // root); Tab and the arrows move through the story from there (lib/ui/graph/keyboard.ts).
  const [current, setCurrent] = useState<string | null>(null);
  const rovingId = current && (nodeById.has(current) || model.edges.some((e) => e.id === current)) ? current : (nav.order[0] ?? null);
  const [focusedEdge, setFocusedEdge] = useState<string | null>(null);

  const layout = useGraphLayout(model);
  const positions = layout.data?.positions;
  // What the next layout should do to the viewport: fit everything ("Show all"), or keep an
  // expanded parent in view.
  const viewIntent = useRef<{ kind: "fit" } | { kind: "centre"; id: string } | null>(null);
  const zoomedOut = useStore((s) => s.transform[2] < DETAIL_ZOOM);
  // Set by "Show all" until the fitted view is in: a drawing that will be fitted on the canvas never
  // goes through React Flow's DOM first (thousands of nodes handed over just to be taken back).
  const [fitPending, setFitPending] = useState(false);
  const canvasMode = Boolean(positions) && (zoomedOut || fitPending) && model.nodes.length >= CANVAS_MIN_NODES;
  const graphIndex = useMemo(
    () => (positions && model.nodes.length >= CANVAS_MIN_NODES ? indexGraph(model.nodes, model.edges, positions) : null),
    [model, positions],
  );
  const wrapperRef = useRef<HTMLDivElement>(null);
  const reportPainted = useCallback((n: number) => {
    if (wrapperRef.current) wrapperRef.current.dataset.paintedNodes = String(n);
  }, []);

  const activateNode = useCallback(
    (id: string) => {
      const n = nodeById.get(id);
      if (!n) return;
      if (n.kind === "hidden") {
        const parent = n.hidden?.expand;
        if (parent) {
          viewIntent.current = { kind: "centre", id: parent };
          setExpanded((prev) => new Set([...prev, parent]));
        } else if (n.hidden?.jumpTo) onSelect(n.hidden.jumpTo);
        else {
          // Hidden parts folded together "in other branches": the way in is to draw everything.
          viewIntent.current = { kind: "fit" };
          setFitPending(true);
          setShowAll(true);
        }
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
  const nodeCache = useRef(new Map<string, { src: TGraphNode; pos: unknown; sel: boolean; path: boolean; cur: boolean; out: TFlowNode }>());
  const nodes: TFlowNode[] = useMemo(() => {
    if (!positions || canvasMode) return NO_NODES;
    const cache = nodeCache.current;
    const next = new Map<string, { src: TGraphNode; pos: unknown; sel: boolean; path: boolean; cur: boolean; out: TFlowNode }>();
    const out = model.nodes.map((n) => {
      const sel = target === n.id;
      const path = highlight.nodes.has(n.id);
      const cur = rovingId === n.id;
      const pos = positions[n.id];
      const hit = cache.get(n.id);
      if (hit && hit.src === n && hit.pos === pos && hit.sel === sel && hit.path === path && hit.cur === cur) {
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
        className: `${n.kind === "hidden" ? "dg-hidden-node " : ""}dg-sev-${n.findings.worst ?? (n.kind === "human" ? "human" : "none")}`,
        domAttributes: { tabIndex: cur ? 0 : -1 },
      };
      next.set(n.id, { src: n, pos, sel, path, cur, out: flowNode });
      return flowNode;
    });
    nodeCache.current = next;
    return out;
  }, [model.nodes, positions, highlight, canvasMode, target, rovingId]);

  const edgeCache = useRef(
    new Map<string, { src: TGraphEdge; route: unknown; sel: boolean; path: boolean; cur: boolean; foc: boolean; out: TFlowEdge }>(),
  );
  const edges: TFlowEdge[] = useMemo(() => {
    if (!layout.data || canvasMode) return NO_EDGES;
    const routes = layout.data.edges;
    const labelOf = (id: string) => nodeById.get(id)?.ref ?? id;
    const cache = edgeCache.current;
    const next = new Map<string, { src: TGraphEdge; route: unknown; sel: boolean; path: boolean; cur: boolean; foc: boolean; out: TFlowEdge }>();
    const out = model.edges.map((e) => {
      const isSelected = highlight.selectedEdge === e.id;
      const isOnPath = highlight.edges.has(e.id);
      const cur = rovingId === e.id;
      const foc = focusedEdge === e.id;
      const route = routes[e.id];
      const hit = cache.get(e.id);
      if (hit && hit.src === e && hit.route === route && hit.sel === isSelected && hit.path === isOnPath && hit.cur === cur && hit.foc === foc) {
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
          isFocused: foc,
          onActivate: onEdgeLabel,
        },
        markerEnd: { type: MarkerType.ArrowClosed, color: edgeStroke(e), width: 14, height: 14 },
        ariaLabel: edgeAriaLabel(e, labelOf),
        focusable: e.kind !== "hidden",
        selectable: false,
        zIndex: isSelected || isOnPath || foc ? 1 : 0,
        domAttributes: e.kind === "hidden" ? undefined : { tabIndex: cur ? 0 : -1 },
      };
      next.set(e.id, { src: e, route, sel: isSelected, path: isOnPath, cur, foc, out: flowEdge });
      return flowEdge;
    });
    edgeCache.current = next;
    return out;
  }, [model.edges, layout.data, highlight, nodeById, onEdgeLabel, canvasMode, rovingId, focusedEdge]);

  const rf = useReactFlow();

  /** Moves keyboard focus to a node or an edge, bringing it into view first when it is not drawn yet. */
  const focusElement = useCallback(
    (id: string) => {
      setCurrent(id);
      const wrapper = wrapperRef.current;
      if (!wrapper) return;
      const find = () =>
        wrapper.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(id)}"], .react-flow__edge[data-id="${CSS.escape(id)}"]`);
      // An edge is kept in view by its label; a node by itself (React Flow pans to a focused node).
      const edge = nodeById.has(id) ? null : model.edges.find((x) => x.id === id);
      const at = edge ? layout.data?.edges[id]?.label : null;
      if (at) {
        const { x, y, zoom } = rf.getViewport();
        const sx = at.x * zoom + x;
        const sy = at.y * zoom + y;
        const r = wrapper.getBoundingClientRect();
        if (sx < 60 || sy < 60 || sx > r.width - 60 || sy > r.height - 60) void rf.setCenter(at.x, at.y, { zoom, duration: 0 });
      } else if (!find() && positions?.[id]) {
        const n = nodeById.get(id)!;
        void rf.setCenter(positions[id].x + n.width / 2, positions[id].y + n.height / 2, { zoom: rf.getViewport().zoom, duration: 0 });
      }
      let tries = 0;
      const attempt = () => {
        const el = find();
        if (el) el.focus({ preventScroll: true });
        else if (tries++ < 30) requestAnimationFrame(attempt);
      };
      requestAnimationFrame(attempt);
    },
    [nodeById, model.edges, layout.data, positions, rf],
  );

  const onKeyDown = (e: React.KeyboardEvent) => {
    const el = (e.target as HTMLElement).closest?.(".react-flow__node, .react-flow__edge");
    const id = el?.getAttribute("data-id");
    if (!id) return;
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      if (el!.classList.contains("react-flow__node")) activateNode(id);
      else activateEdge(id);
      return;
    }
    if (e.key === "Tab" && !e.altKey && !e.ctrlKey && !e.metaKey) {
      // Through the story; at either end Tab leaves the graph as usual.
      const next = nav.step(id, e.shiftKey ? -1 : 1);
      if (!next) return;
      e.preventDefault();
      focusElement(next);
      return;
    }
    if (e.key === "ArrowRight" || e.key === "ArrowLeft" || e.key === "ArrowUp" || e.key === "ArrowDown") {
      e.preventDefault();
      const next = nav.arrow(id, e.key);
      if (next) focusElement(next);
    }
  };
  const onFocusIn = (e: React.FocusEvent) => {
    const el = (e.target as HTMLElement).closest?.(".react-flow__node, .react-flow__edge");
    const id = el?.getAttribute("data-id");
    if (!id) return;
    setCurrent(id);
    setFocusedEdge(el!.classList.contains("react-flow__edge") ? id : null);
  };
  const onFocusOut = (e: React.FocusEvent) => {
    if ((e.target as HTMLElement).classList?.contains("react-flow__edge")) setFocusedEdge(null);
  };

  // Text scale by zoom band (app/globals.css): set on the wrapper as the zoom changes, O(1) per
  // frame; only a change of band restyles the drawn text.
  const storeApi = useStoreApi();
  useEffect(() => {
    const apply = (zoom: number) => {
      const band = zoom >= 1 ? "1" : zoom >= 0.7 ? "2" : "3";
      const w = wrapperRef.current;
      if (w && w.dataset.textBand !== band) w.dataset.textBand = band;
    };
    apply(storeApi.getState().transform[2]);
    return storeApi.subscribe((st) => apply(st.transform[2]));
  }, [storeApi]);

  // What the opening view must show when the whole chain does not fit legibly: the path from the
  // human root to the selection (or, with none, the root and the first principals it reached).
  const rootNodeId = model.nodes.find((n) => n.isRoot)?.id ?? null;
  const pathIds = useMemo(() => {
    const ids = new Set<string>();
    if (rootNodeId) ids.add(rootNodeId);
    for (const id of highlight.nodes) ids.add(id);
    if (target) {
      ids.add(target);
      if (highlight.nodes.size === 0 && selectedPrincipal)
        for (const h of authorityPath(index, hopForPrincipal(index, selectedPrincipal))) {
          ids.add(principalNodeId(h.from));
          ids.add(principalNodeId(h.to));
        }
    } else if (rootNodeId) {
      for (const e of model.edges) if (e.source === rootNodeId && e.kind === "grant" && ids.size < 4) ids.add(e.target);
    }
    return [...ids].filter((id) => nodeById.has(id));
  }, [rootNodeId, highlight, target, selectedPrincipal, index, model.edges, nodeById]);
  const [isPartial, setPartial] = useState(false);
  const isBig = model.nodes.length > MINIMAP_MIN_NODES;
  const realNodes = model.nodes.length - model.nodes.reduce((c, n) => c + (n.kind === "hidden" ? 1 : 0), 0);
  const hiddenFindings = model.nodes.reduce((c, n) => c + (n.kind === "hidden" ? n.findings.critical + n.findings.error + n.findings.warning : 0), 0);
  // Set once the reader pans or zooms (programmatic moves carry no event).
  const userMoved = useRef(false);
  const moveStart = useRef<{ x: number; y: number; zoom: number } | null>(null);
  const layoutKey = model.signature.length + ":" + model.nodes.length + ":" + (model.nodes[0]?.id ?? "");

  return (
    <div
      ref={wrapperRef}
      className={`dg-graph relative h-full w-full ${zoomedOut && isBig ? "dg-lod-low" : ""}`}
      onKeyDown={onKeyDown}
      onFocus={onFocusIn}
      onBlur={onFocusOut}
      data-testid="chain-graph"
      data-model-nodes={realNodes}
      data-total-nodes={model.totalNodes}
      data-hidden-findings={hiddenFindings}
      data-render={canvasMode ? "canvas" : "dom"}
      data-layout-ready={positions ? "true" : "false"}
    >
      <p id="chain-graph-help" className="sr-only">
        Delegation graph, left to right from the human root. Tab moves through the story (the human, the grant, the agent it reached, …); the arrow
        keys follow edges (right to the next, left back, up and down between siblings). Enter opens what is focused; Escape closes the inspector.
      </p>
      <ReactFlow<TFlowNode, TFlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        edgeTypes={EDGE_TYPES}
        onNodeClick={(_, n) => activateNode(n.id)}
        onEdgeClick={(_, e) => activateEdge(e.id)}
        onPaneClick={(event) => {
          if (canvasMode && graphIndex) {
            const p = rf.screenToFlowPosition({ x: event.clientX, y: event.clientY });
            const hit = hitNode(graphIndex, p.x, p.y);
            if (hit) return activateNode(hit.id);
          }
          onSelect(null);
        }}
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
        minZoom={0.005}
        maxZoom={2}
        attributionPosition="top-right"
        aria-describedby="chain-graph-help"
      >
        {canvasMode && graphIndex && <OverviewCanvas index={graphIndex} selected={highlight.nodes} report={reportPainted} />}
        <ViewportKeeper
          pathIds={pathIds}
          onPartial={setPartial}
          viewIntent={viewIntent}
          onFitted={() => setFitPending(false)}
          canvasMode={canvasMode}
          layoutKey={positions ? layoutKey : null}
          rootId={model.nodes.find((n) => n.isRoot)?.id ?? null}
          target={target}
          positions={positions ?? null}
          nodeById={nodeById}
          userMoved={userMoved}
        />
        <Controls showInteractive={false} position="bottom-right" />
        {(isBig || isPartial) && !canvasMode && (
          <MiniMap
            position="bottom-right"
            className="!mr-14 !mb-2 hidden sm:block"
            nodeColor={minimapColour}
            nodeStrokeWidth={0}
            pannable
            zoomable
            ariaLabel="Minimap of the whole drawing"
          />
        )}
        <Panel position="top-left" className="!m-2">
          <GraphNotice
            model={model}
            isShowingAll={showAll}
            isExpanded={expanded.size > 0}
            onJump={onSelect}
            onShowAll={() => {
              viewIntent.current = { kind: "fit" };
              setFitPending(true);
              setShowAll(true);
            }}
            onBack={() => {
              viewIntent.current = null;
              setShowAll(false);
              setExpanded(new Set());
            }}
          />
        </Panel>
        <Panel position="bottom-left" className="!m-2">
          <Legend />
        </Panel>
        {!canvasMode && positions && <OffscreenHint positions={positions} nodeById={nodeById} />}
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

/**
 * The lowest zoom the graph opens at: its text is scaled by zoom band so that it reads at 11 px or
 * more from here up (app/globals.css). A chain that fits at this zoom opens whole; a bigger one opens
 * on the path from the root to the selection, with the minimap and an "N nodes off-screen" hint.
 */
export const OPEN_MIN_ZOOM = 0.5;
const LEGIBLE_ZOOM = OPEN_MIN_ZOOM;

/** Fits or centres the view when a layout arrives, and keeps the selected node on screen. */
function ViewportKeeper({
  pathIds,
  onPartial,
  layoutKey,
  rootId,
  target,
  positions,
  nodeById,
  userMoved,
  viewIntent,
  onFitted,
  canvasMode,
}: {
  pathIds: string[];
  onPartial: (isPartial: boolean) => void;
  onFitted: () => void;
  userMoved: React.RefObject<boolean>;
  viewIntent: React.RefObject<{ kind: "fit" } | { kind: "centre"; id: string } | null>;
  canvasMode: boolean;
  layoutKey: string | null;
  rootId: string | null;
  target: string | null;
  positions: Record<string, { x: number; y: number }> | null;
  nodeById: Map<string, TGraphNode>;
}) {
  const rf = useReactFlow();
  // Our nodes carry fixed sizes, so they are usable as soon as this layout's nodes are in the store
  // (on the canvas React Flow holds no nodes: the positions are all there is).
  const expected = positions ? Object.keys(positions).length : -1;
  const inStore = useStore((s) => s.nodeLookup.size === expected);
  const initialized = inStore || canvasMode;
  const width = useStore((s) => s.width);
  const height = useStore((s) => s.height);
  const done = useRef<string | null>(null);
  const lastWidth = useRef(width);

  const centreOn = useCallback(
    (id: string, force: boolean, zoomTo?: number) => {
      const p = positions?.[id];
      const n = nodeById.get(id);
      if (!p || !n || !width || !height) return false;
      const { x: vx, y: vy, zoom } = rf.getViewport();
      const left = p.x * zoom + vx;
      const top = p.y * zoom + vy;
      const margin = 40;
      const isVisible = left >= margin && top >= margin && left + n.width * zoom <= width - margin && top + n.height * zoom <= height - margin;
      if (!force && isVisible) return true;
      void rf.setCenter(p.x + n.width / 2, p.y + n.height / 2, {
        zoom: zoomTo ?? (force ? 0.85 : Math.max(zoom, LEGIBLE_ZOOM)),
        duration: force ? 0 : 250,
      });
      return true;
    },
    [positions, nodeById, rf, width, height],
  );

  // Fits the whole drawing from the positions (React Flow's fitView needs its nodes, and the
  // canvas hands it none).
  const fitAll = useCallback(
    (maxZoom: number) => {
      const b = bounds(positions, nodeById);
      if (!b || !width || !height) return Promise.resolve(false);
      const zoom = Math.max(0.005, Math.min(maxZoom, (width * 0.9) / (b.x1 - b.x0), (height * 0.9) / (b.y1 - b.y0)));
      return rf.setViewport({ x: (width - (b.x1 - b.x0) * zoom) / 2 - b.x0 * zoom, y: (height - (b.y1 - b.y0) * zoom) / 2 - b.y0 * zoom, zoom });
    },
    [positions, nodeById, rf, width, height],
  );

  // The path from the root to the selection at the opening zoom (the lowest that stays legible, so
  // the view holds as much of the drawing around the path as it can: fitting a two-node path at
  // the highest zoom showed an investigator two nodes of a thousand), its left end at the left edge
  // so what the path leads to fills the rest; a path too long for that starts at the selection (or
  // the root).
  const fitPath = useCallback(() => {
    const b = boundsOf(pathIds, positions, nodeById);
    if (!b || !width || !height) return false;
    const fit = Math.min((width * 0.9) / (b.x1 - b.x0), (height * 0.9) / (b.y1 - b.y0));
    if (fit >= LEGIBLE_ZOOM) {
      const zoom = LEGIBLE_ZOOM;
      void rf.setViewport({ x: 40 - b.x0 * zoom, y: (height - (b.y1 - b.y0) * zoom) / 2 - b.y0 * zoom, zoom });
      return true;
    }
    const at = target && nodeById.has(target) ? target : rootId;
    if (!at || !positions?.[at]) return false;
    const p = positions[at];
    const n = nodeById.get(at)!;
    const zoom = LEGIBLE_ZOOM;
    // The selection sits at the right so as much of the path leading to it shows; the root at the left.
    const sx = at === rootId ? 40 : Math.max(40, width - 40 - n.width * zoom);
    void rf.setViewport({ x: sx - p.x * zoom, y: height / 2 - (p.y + n.height / 2) * zoom, zoom });
    return true;
  }, [pathIds, positions, nodeById, width, height, rf, target, rootId]);

  /** The opening view: the whole chain when it fits at the opening zoom, else the path to the selection. */
  const openView = useCallback(() => {
    const whole = fitZoom(positions, nodeById, width, height) >= LEGIBLE_ZOOM;
    onPartial(!whole);
    if (whole) return fitAll(1.1);
    if (!fitPath()) return fitAll(1.1);
    return Promise.resolve(true);
  }, [positions, nodeById, width, height, onPartial, fitAll, fitPath]);

  useEffect(() => {
    if (!layoutKey || !initialized || !width || done.current === layoutKey) return;
    done.current = layoutKey;
    const intent = viewIntent.current;
    viewIntent.current = null;
    if (intent?.kind === "fit") {
      onPartial(false);
      void fitAll(1.1).then(onFitted);
      return;
    }
    onFitted();
    if (intent?.kind === "centre" && nodeById.has(intent.id)) {
      centreOn(intent.id, true, Math.max(rf.getViewport().zoom, 0.5));
      return;
    }
    void openView();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [layoutKey, initialized, width]);

  // A new selection, or the inspector opening and narrowing the canvas: keep the node in view.
  // While the reader has not panned or zoomed, a resize opens the view anew in the width left.
  useEffect(() => {
    // Kept current even while a layout is pending: a stale width would later read as a resize.
    const resized = lastWidth.current !== width;
    lastWidth.current = width;
    if (!layoutKey || done.current !== layoutKey) return;
    const id = requestAnimationFrame(() => {
      if (resized && !userMoved.current) {
        // The inspector opened or closed. With a selection the view opens anew around it; with
        // none (the inspector just closed) it stays where the reader was, unless all of it fits.
        if (target || fitZoom(positions, nodeById, width, height) >= LEGIBLE_ZOOM) void openView().then(() => target && centreOn(target, false));
      } else if (target) centreOn(target, false);
    });
    return () => cancelAnimationFrame(id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [target, width, height, layoutKey]);

  return null;
}

/** The box around some nodes, in flow coordinates. */
function boundsOf(ids: readonly string[], positions: Record<string, { x: number; y: number }> | null, nodeById: Map<string, TGraphNode>) {
  if (!positions) return null;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const id of ids) {
    const p = positions[id];
    const n = nodeById.get(id);
    if (!p || !n) continue;
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x + n.width);
    y1 = Math.max(y1, p.y + n.height);
  }
  return Number.isFinite(x0) ? { x0, y0, x1, y1 } : null;
}

/**
 * "N nodes off-screen": counted once the view settles (a short pause after the last pan or zoom
 * frame), so no per-frame work grows with the drawing.
 */
function OffscreenHint({ positions, nodeById }: { positions: Record<string, { x: number; y: number }>; nodeById: Map<string, TGraphNode> }) {
  const storeApi = useStoreApi();
  const [off, setOff] = useState(0);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const count = () => {
      const { transform, width, height } = storeApi.getState();
      const [tx, ty, zoom] = transform;
      if (!width || !height) return;
      let n = 0;
      for (const [id, p] of Object.entries(positions)) {
        const node = nodeById.get(id);
        if (!node) continue;
        const l = p.x * zoom + tx;
        const t = p.y * zoom + ty;
        if (l + node.width * zoom < 0 || t + node.height * zoom < 0 || l > width || t > height) n += 1;
      }
      setOff(n);
    };
    count();
    let last = storeApi.getState().transform;
    const unsubscribe = storeApi.subscribe((st) => {
      if (st.transform === last) return;
      last = st.transform;
      if (timer) clearTimeout(timer);
      timer = setTimeout(count, 150);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [storeApi, positions, nodeById]);
  if (off === 0) return null;
  return (
    <Panel position="top-right" className="!mt-8 !mr-2">
      <p
        className="rounded-md border border-slate-300 bg-white/95 px-2 py-1 text-xs text-slate-700 shadow-sm"
        role="status"
        data-testid="offscreen-hint"
      >
        {plural(off, "node")} off-screen<span className="hidden sm:inline"> · zoom out or drag the minimap</span>
      </p>
    </Panel>
  );
}

function bounds(positions: Record<string, { x: number; y: number }> | null, nodeById: Map<string, TGraphNode>) {
  if (!positions) return null;
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
  return Number.isFinite(x0) ? { x0, y0, x1, y1 } : null;
}

/** The zoom at which the whole graph would fit the canvas. */
function fitZoom(
  positions: Record<string, { x: number; y: number }> | null,
  nodeById: Map<string, TGraphNode>,
  width: number,
  height: number,
): number {
  const b = bounds(positions, nodeById);
  if (!b || !width || !height) return 0;
  return Math.min((width * 0.88) / (b.x1 - b.x0), (height * 0.88) / (b.y1 - b.y0));
}

function GraphNotice({
  model,
  isShowingAll,
  isExpanded,
  onJump,
  onShowAll,
  onBack,
}: {
  model: TGraphModel;
  isShowingAll: boolean;
  isExpanded: boolean;
  /** selects the hidden finding's own event (the view re-centres on it) */
  onJump: (jti: string) => void;
  onShowAll: () => void;
  onBack: () => void;
}) {
  const total = model.totalNodes.toLocaleString("en-US");
  const back = (
    <button type="button" className="link" onClick={onBack}>
      Back to the overview
    </button>
  );
  if (model.hiddenCount === 0) {
    if (!isShowingAll && !isExpanded) return null;
    return (
      <div
        className="max-w-md rounded-md border border-slate-300 bg-white/95 px-2.5 py-1.5 text-xs text-slate-700 shadow-sm"
        role="status"
        aria-live="polite"
      >
        <p>
          Showing all {total} nodes.{" "}
          <span className="hidden sm:inline">Zoomed out, labels give way to colour by severity; zoom in to read them. </span>
          {back}
        </p>
      </div>
    );
  }
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
        Showing {shown.toLocaleString("en-US")} of {total} nodes
        <span className="hidden sm:inline">: breadth-first from the human root, every finding with its path first</span>.{" "}
        <strong>{model.hiddenCount.toLocaleString("en-US")} hidden</strong>
        <span className="hidden sm:inline"> behind dashed stubs; click one to expand it</span>.{" "}
        <button type="button" className="link font-semibold" onClick={onShowAll}>
          Show all {total}
        </button>
        {isExpanded && <> · {back}</>}
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
                <button type="button" className="link" onClick={() => onJump(n.hidden!.jumpTo!)}>
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
