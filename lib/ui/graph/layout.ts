// Left-to-right layered layout with dagre (tree-layout.ts past DAGRE_MAX_NODES). Pure (no DOM), so the same code runs on the main thread
// for small chains and inside layout.worker.ts for big ones.
import dagre from "@dagrejs/dagre";
import type { TGraphModel } from "./build-graph";
import { treeLayout } from "./tree-layout";

/** Past this many nodes dagre takes seconds (it is super-linear): the linear tree layout takes over. */
export const DAGRE_MAX_NODES = 150;

export type TLayoutInput = {
  nodes: { id: string; width: number; height: number }[];
  edges: { id: string; source: string; target: string; labelWidth: number; labelHeight: number }[];
};

export type TPoint = { x: number; y: number };

export type TLayoutResult = {
  /** top-left corner of each node, as React Flow positions nodes */
  positions: Record<string, TPoint>;
  /** interior bend points and the label centre of each edge */
  edges: Record<string, { points: TPoint[]; label: TPoint | null }>;
  width: number;
  height: number;
};

export function layoutGraph(input: TLayoutInput): TLayoutResult {
  if (input.nodes.length > DAGRE_MAX_NODES) return treeLayout(input);
  const g = new dagre.graphlib.Graph({ multigraph: true, compound: false });
  const big = input.nodes.length > 100;
  g.setGraph({ rankdir: "LR", nodesep: big ? 24 : 36, ranksep: big ? 36 : 48, edgesep: 16, marginx: 24, marginy: 24 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of input.nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of input.edges) {
    if (!g.hasNode(e.source) || !g.hasNode(e.target)) continue;
    g.setEdge(e.source, e.target, { width: e.labelWidth, height: e.labelHeight, labelpos: "c" }, e.id);
  }
  dagre.layout(g);

  const positions: Record<string, TPoint> = {};
  for (const n of input.nodes) {
    const d = g.node(n.id) as { x: number; y: number } | undefined;
    if (d) positions[n.id] = { x: d.x - n.width / 2, y: d.y - n.height / 2 };
  }
  const edges: TLayoutResult["edges"] = {};
  for (const e of input.edges) {
    const d = g.edge({ v: e.source, w: e.target, name: e.id }) as { points?: TPoint[]; x?: number; y?: number } | undefined;
    if (!d) continue;
    const pts = d.points ?? [];
    edges[e.id] = {
      points: pts.slice(1, -1).map((p) => ({ x: p.x, y: p.y })),
      label: typeof d.x === "number" && typeof d.y === "number" ? { x: d.x, y: d.y } : null,
    };
  }
  const graph = g.graph() as { width?: number; height?: number };
  return { positions, edges, width: graph.width ?? 0, height: graph.height ?? 0 };
}

/**
 * The layout input of a graph model: dagre keeps room for each edge's label, grant labels at most
 * `grantLabelWidth` wide (the dashboard draws them in 160 px, the PDF report in 170 pt), invoke
 * labels 150 by 26 unless told (the dashboard's wrap a finding's name and a host: 180 by 40).
 */
export function toLayoutInput(
  model: TGraphModel,
  grantLabelWidth: number,
  invokeLabel: { width: number; height: number } = { width: 150, height: 26 },
): TLayoutInput {
  const labelSize = (kind: TGraphModel["edges"][number]["kind"]) =>
    kind === "grant"
      ? { labelWidth: grantLabelWidth, labelHeight: 52 }
      : kind === "invoke"
        ? { labelWidth: invokeLabel.width, labelHeight: invokeLabel.height }
        : { labelWidth: 0, labelHeight: 0 };
  return {
    nodes: model.nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
    edges: model.edges.map((e) => ({ id: e.id, source: e.source, target: e.target, ...labelSize(e.kind) })),
  };
}

/** An edge's curve as an SVG path: quadratic segments through dagre's bend points (dashboard and PDF). */
export function smoothPath(points: TPoint[]): string {
  if (points.length < 2) return "";
  let d = `M${points[0].x},${points[0].y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i];
    const n = points[i + 1];
    const mx = i === points.length - 2 ? n.x : (p.x + n.x) / 2;
    const my = i === points.length - 2 ? n.y : (p.y + n.y) / 2;
    d += ` Q${p.x},${p.y} ${mx},${my}`;
  }
  if (points.length === 2) d += ` L${points[1].x},${points[1].y}`;
  return d;
}
