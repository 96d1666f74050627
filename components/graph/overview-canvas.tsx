"use client";
// The zoomed-out picture of a very large drawing, painted on one <canvas> instead of thousands of
// DOM nodes: React Flow keeps the pan and zoom (it is handed no nodes), and this paints, on each
// animation frame the viewport changed, only what a spatial grid says is in view. Edges are batched
// into one path per colour, nodes into one path per fill. Clicks are hit-tested on the same grid.
import { useStoreApi } from "@xyflow/react";
import { useEffect, useRef } from "react";
import type { TGraphEdge, TGraphNode } from "@/lib/ui/graph/build-graph";
import type { TPoint } from "@/lib/ui/graph/layout";
import { SpatialGrid } from "@/lib/ui/graph/spatial";
import { SEVERITY_STYLE } from "../ui/severity";

export type TGraphIndex = {
  nodes: readonly TGraphNode[];
  nodeGrid: SpatialGrid;
  /** per edge: the segment from the source's right side to the target's left side, and its colour */
  segs: { x0: number; y0: number; x1: number; y1: number; colour: number }[];
  edgeGrid: SpatialGrid;
  positions: Record<string, TPoint>;
};

const EDGE_COLOURS = ["#94a3b8", SEVERITY_STYLE.warning.stroke, SEVERITY_STYLE.error.stroke, SEVERITY_STYLE.critical.stroke, "#2563eb"];
const SEVERITY_INDEX = { warning: 1, error: 2, critical: 3 } as const;

type TFill = "plain" | "human" | "resource" | "hidden" | "warning" | "error" | "critical";
const FILLS: Record<TFill, { fill: string; stroke: string }> = {
  plain: { fill: "#ffffff", stroke: "#64748b" },
  human: { fill: "#0f172a", stroke: "#0f172a" },
  resource: { fill: "#e2e8f0", stroke: "#94a3b8" },
  hidden: { fill: "#f1f5f9", stroke: "#94a3b8" },
  warning: { fill: SEVERITY_STYLE.warning.fill, stroke: SEVERITY_STYLE.warning.stroke },
  error: { fill: SEVERITY_STYLE.error.fill, stroke: SEVERITY_STYLE.error.stroke },
  critical: { fill: SEVERITY_STYLE.critical.fill, stroke: SEVERITY_STYLE.critical.stroke },
};
const FILL_ORDER: TFill[] = ["plain", "resource", "hidden", "human", "warning", "error", "critical"];

function fillOf(n: TGraphNode): TFill {
  if (n.findings.worst) return n.findings.worst;
  if (n.kind === "human") return "human";
  if (n.kind === "hidden") return "hidden";
  if (n.kind === "resource" || n.kind === "tool") return "resource";
  return "plain";
}

/** Built once per layout: the grids the canvas and its click test query. */
export function indexGraph(nodes: readonly TGraphNode[], edges: readonly TGraphEdge[], positions: Record<string, TPoint>): TGraphIndex {
  const nodeGrid = new SpatialGrid(512);
  const byId = new Map<string, TGraphNode>();
  for (const n of nodes) {
    byId.set(n.id, n);
    const p = positions[n.id] ?? { x: 0, y: 0 };
    nodeGrid.insert({ x0: p.x, y0: p.y, x1: p.x + n.width, y1: p.y + n.height });
  }
  const edgeGrid = new SpatialGrid(512);
  const segs: TGraphIndex["segs"] = [];
  for (const e of edges) {
    const s = byId.get(e.source);
    const t = byId.get(e.target);
    const ps = positions[e.source];
    const pt = positions[e.target];
    if (!s || !t || !ps || !pt) continue;
    const seg = {
      x0: ps.x + s.width,
      y0: ps.y + s.height / 2,
      x1: pt.x,
      y1: pt.y + t.height / 2,
      colour: e.findings.worst ? SEVERITY_INDEX[e.findings.worst] : e.scopeChange?.kind === "escalation" ? 3 : 0,
    };
    segs.push(seg);
    edgeGrid.insert({ x0: Math.min(seg.x0, seg.x1), y0: Math.min(seg.y0, seg.y1), x1: Math.max(seg.x0, seg.x1), y1: Math.max(seg.y0, seg.y1) });
  }
  return { nodes, nodeGrid, segs, edgeGrid, positions };
}

/** The node under a point in flow coordinates, or null. */
export function hitNode(index: TGraphIndex, x: number, y: number): TGraphNode | null {
  const i = index.nodeGrid.hit(x, y);
  return i < 0 ? null : index.nodes[i];
}

export function OverviewCanvas({
  index,
  selected,
  report,
}: {
  index: TGraphIndex;
  /** nodes drawn with a halo: the selection and its authority path */
  selected: ReadonlySet<string>;
  /** told how many nodes the last frame painted (the wrapper exposes it for tests and the bench) */
  report: (painted: number) => void;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const store = useStoreApi();
  const reportRef = useRef(report);
  useEffect(() => {
    reportRef.current = report;
  }, [report]);

  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext("2d");
    if (!canvas || !ctx) return;
    const fills = new Map<TFill, number[]>(FILL_ORDER.map((f) => [f, []]));
    const fillOfIndex = index.nodes.map(fillOf);
    const visibleNodes: number[] = [];
    const visibleEdges: number[] = [];
    let raf = 0;
    let last = "";

    const paint = () => {
      raf = 0;
      const { transform, width, height } = store.getState();
      const [tx, ty, k] = transform;
      const dpr = window.devicePixelRatio || 1;
      const key = `${tx}|${ty}|${k}|${width}|${height}|${dpr}`;
      if (key === last) return;
      last = key;
      if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
        canvas.width = Math.round(width * dpr);
        canvas.height = Math.round(height * dpr);
      }
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      ctx.setTransform(dpr * k, 0, 0, dpr * k, dpr * tx, dpr * ty);
      const view = { x0: -tx / k, y0: -ty / k, x1: (width - tx) / k, y1: (height - ty) / k };

      // Edges: one stroked path per colour.
      index.edgeGrid.query(view, visibleEdges);
      ctx.lineWidth = 1.2 / k;
      for (let c = 0; c < EDGE_COLOURS.length; c++) {
        ctx.beginPath();
        let any = false;
        for (const i of visibleEdges) {
          const s = index.segs[i];
          if (s.colour !== c) continue;
          any = true;
          ctx.moveTo(s.x0, s.y0);
          ctx.lineTo(s.x1, s.y1);
        }
        if (any) {
          ctx.strokeStyle = EDGE_COLOURS[c];
          ctx.stroke();
        }
      }

      // Nodes: one filled (and, when big enough on screen, outlined) path per fill.
      index.nodeGrid.query(view, visibleNodes);
      for (const l of fills.values()) l.length = 0;
      for (const i of visibleNodes) fills.get(fillOfIndex[i])!.push(i);
      const outline = k > 0.04;
      for (const f of FILL_ORDER) {
        const list = fills.get(f)!;
        if (list.length === 0) continue;
        ctx.beginPath();
        for (const i of list) {
          const b = index.nodeGrid.box(i);
          ctx.rect(b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0);
        }
        ctx.fillStyle = FILLS[f].fill;
        ctx.fill();
        if (outline || f === "critical" || f === "error") {
          ctx.strokeStyle = FILLS[f].stroke;
          ctx.lineWidth = (f === "plain" || f === "resource" || f === "hidden" ? 1 : 2) / k;
          ctx.stroke();
        }
      }
      if (selected.size > 0) {
        ctx.beginPath();
        for (const i of visibleNodes) {
          if (!selected.has(index.nodes[i].id)) continue;
          const b = index.nodeGrid.box(i);
          const m = 6 / k;
          ctx.rect(b.x0 - m, b.y0 - m, b.x1 - b.x0 + 2 * m, b.y1 - b.y0 + 2 * m);
        }
        ctx.strokeStyle = "#2563eb";
        ctx.lineWidth = 3 / k;
        ctx.stroke();
      }
      reportRef.current(visibleNodes.length);
    };
    const schedule = () => {
      if (!raf) raf = requestAnimationFrame(paint);
    };
    schedule();
    const unsubscribe = store.subscribe(schedule);
    return () => {
      unsubscribe();
      if (raf) cancelAnimationFrame(raf);
    };
  }, [index, selected, store]);

  return (
    <canvas ref={canvasRef} className="pointer-events-none absolute inset-0 h-full w-full" aria-hidden="true" data-testid="graph-overview-canvas" />
  );
}
