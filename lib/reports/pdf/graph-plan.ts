// The chain graph for print. The nodes and edges are the dashboard's own graph model
// (lib/ui/graph/build-graph.ts: the same principals, resources, grants, actions, findings and
// outcomes, observed and AIP hops dashed), but every box and edge label is sized here to hold its
// whole text, wrapped (names, ids broken after `.` `/` `:`, purposes, scope changes, every finding
// by name, outcomes), and laid out by dagre around those sizes, left to right or top to bottom,
// whichever prints larger on the page. When even the better of the two would print its labels
// below ~6.5 pt, the chain is too big for one legible page: the report prints the authority-path
// table instead (chain-report.tsx), after a map of the graph's shape when one is worth printing.
import dagre from "@dagrejs/dagre";
import type { TChainDetail, THop } from "@/lib/contracts/chains";
import { indexChain, storyOrder } from "@/lib/ui/chain-selection";
import { FINDING_SEVERITY } from "@/lib/protocol/types";
import { buildGraph, principalNodeId, type TGraphEdge, type TGraphModel, type TGraphNode } from "@/lib/ui/graph/build-graph";
import { layoutGraph, toLayoutInput, type TLayoutResult, type TPoint } from "@/lib/ui/graph/layout";
import { ATTESTATION_LABEL, findingName } from "@/lib/ui/findings";
import { SOURCE_LABEL } from "@/lib/ui/sources";
import { wrapLines, type TFace, type TMeasurer } from "./fonts";
import { SEVERITY_MARK } from "./kit";
import { FAINT, INK, MUTED, SEVERITY_COLOR, utc } from "./theme";

/** One line of graph text, relative to its box: `y` is the line's top. */
export type TGraphLine = { text: string; size: number; face: TFace; fill: string; y: number; box?: string };
/** A node's or an edge label's box, its size in layout units (points at scale 1) and its lines. */
export type TBox = { width: number; height: number; lines: TGraphLine[] };

/**
 * A laid-out graph. `labelled`: boxes sized to their whole text (a legible page); otherwise a map
 * of the graph's shape (the dashboard's box sizes, names only where they print ≥ 6 pt).
 */
export type TGraphView = {
  model: TGraphModel;
  rankdir: "LR" | "TB";
  /** printed on a landscape page (always, for a map) */
  landscape: boolean;
  /** top-left corners */
  positions: Record<string, TPoint>;
  /** every point of each edge's route, from its source's border to its target's */
  routes: Record<string, TPoint[]>;
  /** label centres */
  labelAt: Record<string, TPoint>;
  width: number;
  height: number;
  /** points per layout unit */
  scale: number;
  labelled: boolean;
  nodeBoxes: Map<string, TBox>;
  labelBoxes: Map<string, TBox>;
  /** a map's boxes: the "#" of the grants each principal received, as the authority-path table numbers them */
  numbers?: Map<string, number[]>;
};

/** The grants in story order (a grant, then those given under it), numbered from 1, with the number of the grant each was given under. */
export function authorityOrder(detail: TChainDetail): { hop: THop; n: number; under: number | null }[] {
  const order = storyOrder(indexChain(detail));
  const number = new Map(order.map(({ hop }, i) => [hop.jti, i + 1] as const));
  return order.map(({ hop }, i) => ({ hop, n: i + 1, under: hop.parent ? (number.get(hop.parent) ?? null) : null }));
}

/**
 * `view`: the graph page (null when there is nothing worth printing); `table`: the chain is too
 * big to label legibly on one page, so the authority-path table follows (the view, if any, is a map).
 */
export type TGraphPlan = { view: TGraphView | null; table: boolean; nodes: number };

/** Type sizes at scale 1, in points. */
export const GRAPH_TEXT = { name: 9.5, label: 7.5, caption: 6.5 } as const;
/**
 * The smallest scale a labelled graph is printed at: edge labels and ids (7.5 at scale 1) then
 * print at 6.5 pt, the size of the report's own table captions, and captions at 5.6 pt. Below it
 * the authority-path table replaces the graph. Decided by looking at the sample reports.
 */
export const LEGIBLE_SCALE = 0.87;
/** Above this a three-node chain would print with poster-sized boxes. */
export const MAX_SCALE = 1.25;
/** A labelled graph of more nodes cannot reach LEGIBLE_SCALE on a page: not even tried. */
export const LABELLED_MAX_NODES = 40;
/** Below this a map of the graph's shape is specks: none is printed. */
export const MAP_MIN_SCALE = 0.12;

// Labels are set in the upright faces only: in a process that has rendered other reports, pdfkit
// sometimes leaves a DejaVu Oblique glyph out of the text layer's Unicode map (seen: "p", so
// "unverified hop" extracted as "unverified ho "), though it prints; searchable text matters here.
const PAD = 5;
const LINE = 1.22;
const NODE_WIDTH = { principal: 160, small: 124 };
const LABEL_WIDTH = { LR: 128, TB: 168 };

const KIND_CAPTION: Record<TGraphNode["kind"], string> = {
  human: "HUMAN",
  agent: "AGENT",
  tool: "TOOL",
  attester: "ATTESTER",
  resource: "RESOURCE",
  unregistered: "UNREGISTERED",
  hidden: "NOT DRAWN",
};

type TText = { text: string; size: number; face: TFace; fill: string; box?: string; gap?: number };

/** Stacks wrapped lines into a box `width` wide. */
function boxOf(m: TMeasurer, width: number, texts: TText[], minHeight = 0): TBox {
  const inner = width - 2 * PAD;
  const lines: TGraphLine[] = [];
  let y = PAD - 1;
  for (const t of texts) {
    if (!t.text) continue;
    y += t.gap ?? 0;
    for (const text of wrapLines(m, t.text, inner - (t.box ? 6 : 0), t.size, t.face)) {
      lines.push({ text, size: t.size, face: t.face, fill: t.fill, y, box: t.box });
      y += t.size * LINE;
    }
  }
  return { width, height: Math.max(minHeight, y + PAD - 1), lines };
}

function findingTexts(codes: readonly string[]): TText[] {
  return codes.map((code) => {
    const sev = FINDING_SEVERITY[code as keyof typeof FINDING_SEVERITY] ?? "warning";
    return {
      text: `${SEVERITY_MARK[sev]} ${SEVERITY_COLOR[sev].word}: ${findingName(code)}`,
      size: GRAPH_TEXT.label,
      face: "bold",
      fill: SEVERITY_COLOR[sev].ink,
    };
  });
}

function nodeBox(m: TMeasurer, n: TGraphNode): TBox {
  const small = n.kind === "tool" || n.kind === "resource" || n.kind === "hidden";
  const width = small ? NODE_WIDTH.small : NODE_WIDTH.principal;
  const caption = [KIND_CAPTION[n.kind], n.isRoot ? "ROOT" : "", n.isAsserted ? "ASSERTED, NOT SIGNED" : ""].filter(Boolean).join(" · ");
  const texts: TText[] = [{ text: caption, size: GRAPH_TEXT.caption, face: "bold", fill: FAINT }];
  if (n.kind === "resource") texts.push({ text: n.ref, size: GRAPH_TEXT.label, face: "mono", fill: INK, gap: 1 });
  else if (n.kind === "hidden") {
    texts.push({ text: n.label, size: GRAPH_TEXT.label, face: "bold", fill: INK, gap: 1 });
    texts.push({ text: n.ref, size: GRAPH_TEXT.label, face: "sans", fill: MUTED });
  } else {
    const named = n.label !== n.ref;
    texts.push({ text: n.label, size: named ? GRAPH_TEXT.name : GRAPH_TEXT.label + 0.5, face: named ? "bold" : "mono", fill: INK, gap: 1 });
    if (named) texts.push({ text: n.ref, size: GRAPH_TEXT.label, face: "mono", fill: MUTED });
  }
  if (n.keyRevokedAt != null)
    texts.push({
      text: `Key revoked later, at ${utc(n.keyRevokedAt)}`,
      size: GRAPH_TEXT.label,
      face: "bold",
      fill: SEVERITY_COLOR.error.ink,
      gap: 2,
    });
  texts.push(...findingTexts(n.findings.codes).map((t, i) => ({ ...t, gap: i === 0 ? 2 : 0 })));
  for (const o of n.outcomes ?? []) {
    if (o.kind === "completion") {
      const mark = o.status === "completed" ? "✓" : o.status === "failed" ? "✕" : "◐";
      const who = o.attestation ? (ATTESTATION_LABEL[o.attestation]?.name ?? o.attestation).toLowerCase() : "signer not allowed";
      texts.push({
        text: `${mark} ${o.status} · ${who}`,
        size: GRAPH_TEXT.label,
        face: "sans",
        fill: o.attestation ? INK : SEVERITY_COLOR.error.ink,
      });
    } else texts.push({ text: `✗ no report · expired ${utc(o.at)}`, size: GRAPH_TEXT.label, face: "bold", fill: SEVERITY_COLOR.warning.ink });
  }
  return boxOf(m, width, texts, 30);
}

/** "+payments/wire:write +…" (an escalation, white on red), "−2 scopes", "3 scopes", "= same scope". */
export function scopeChangeText(edge: TGraphEdge): { text: string; isEscalation: boolean } | null {
  const c = edge.scopeChange;
  if (!c) return null;
  if (c.kind === "escalation") return { text: c.added.map((s) => `+${s}`).join(" "), isEscalation: true };
  if (c.kind === "attenuation") return { text: `−${c.removed} scope${c.removed === 1 ? "" : "s"} (narrowed)`, isEscalation: false };
  if (c.kind === "root") return { text: `${c.scopes.length} scope${c.scopes.length === 1 ? "" : "s"}`, isEscalation: false };
  return { text: "= same scope", isEscalation: false };
}

function labelBox(m: TMeasurer, e: TGraphEdge, width: number, targetRef: string | undefined): TBox | null {
  if (e.kind === "hidden") return null;
  const texts: TText[] = [];
  const small = GRAPH_TEXT.label;
  if (e.observed) {
    texts.push({ text: e.label, size: small, face: "mono", fill: INK });
    texts.push({ text: `observed, not verified · ${SOURCE_LABEL[e.observed.source].word}`, size: small, face: "sans", fill: MUTED });
    if (e.observed.outcome !== "completed") texts.push({ text: `latest call: ${e.observed.outcome}`, size: small, face: "sans", fill: MUTED });
  } else if (e.kind === "grant") {
    texts.push({ text: e.label, size: small, face: "mono", fill: INK });
    const change = scopeChangeText(e);
    if (change)
      texts.push(
        change.isEscalation
          ? { text: change.text, size: small, face: "bold", fill: "#ffffff", box: SEVERITY_COLOR.critical.stroke }
          : { text: change.text, size: small, face: "sans", fill: MUTED },
      );
    const tags = [e.isRevoked ? "revoked" : "", e.dashReason ?? ""].filter(Boolean).join(" · ");
    if (tags) texts.push({ text: tags, size: small, face: "sans", fill: MUTED });
  } else if (e.kind === "invoke") {
    const suffix = targetRef ? ` on ${targetRef}` : "";
    const actions = e.fullLabel && suffix && e.fullLabel.endsWith(suffix) ? e.fullLabel.slice(0, -suffix.length) : e.label;
    texts.push({ text: `${actions}${e.jtis.length > 1 ? ` ×${e.jtis.length}` : ""}`, size: small, face: "mono", fill: INK });
    if (e.dashReason) texts.push({ text: e.dashReason, size: small, face: "sans", fill: MUTED });
  } else texts.push({ text: e.label, size: small, face: "sans", fill: MUTED });
  texts.push(...findingTexts(e.findings.codes));
  const box = boxOf(m, width, texts);
  // As wide as its widest line: narrow labels leave the layout room.
  const widest = Math.max(...box.lines.map((l) => m.width(l.text, l.size, l.face) + (l.box ? 6 : 0)));
  return { ...box, width: Math.min(width, Math.ceil(widest + 2 * PAD + 1)) };
}

function dagreLayout(
  model: TGraphModel,
  nodeBoxes: Map<string, TBox>,
  labelBoxes: Map<string, TBox>,
  rankdir: "LR" | "TB",
): Omit<TGraphView, "model" | "scale" | "labelled" | "nodeBoxes" | "labelBoxes" | "landscape"> {
  const g = new dagre.graphlib.Graph({ multigraph: true, compound: false });
  g.setGraph({ rankdir, nodesep: 14, ranksep: 12, edgesep: 8, marginx: 4, marginy: 4 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of model.nodes) {
    const b = nodeBoxes.get(n.id)!;
    g.setNode(n.id, { width: b.width, height: b.height });
  }
  for (const e of model.edges) {
    if (!g.hasNode(e.source) || !g.hasNode(e.target)) continue;
    const l = labelBoxes.get(e.id);
    g.setEdge(e.source, e.target, { width: l ? l.width + 4 : 0, height: l ? l.height + 4 : 0, labelpos: "c" }, e.id);
  }
  dagre.layout(g);
  const positions: Record<string, TPoint> = {};
  for (const n of model.nodes) {
    const d = g.node(n.id) as { x: number; y: number };
    const b = nodeBoxes.get(n.id)!;
    positions[n.id] = { x: d.x - b.width / 2, y: d.y - b.height / 2 };
  }
  const routes: Record<string, TPoint[]> = {};
  const labelAt: Record<string, TPoint> = {};
  for (const e of model.edges) {
    const d = g.edge({ v: e.source, w: e.target, name: e.id }) as { points?: TPoint[]; x?: number; y?: number } | undefined;
    if (!d) continue;
    routes[e.id] = (d.points ?? []).map((p) => ({ x: p.x, y: p.y }));
    if (typeof d.x === "number" && typeof d.y === "number") labelAt[e.id] = { x: d.x, y: d.y };
    // A grant to oneself (an AIP authority block held by its own identity): dagre's loop points can
    // fall outside the drawing, so the loop runs from the box's side to its label and back.
    const at = labelAt[e.id];
    const l = labelBoxes.get(e.id);
    if (e.source === e.target && at && l) {
      const p = positions[e.source];
      const b = nodeBoxes.get(e.source)!;
      const side = at.x >= p.x + b.width / 2 ? p.x + b.width : p.x;
      const edge = side === p.x ? at.x + l.width / 2 : at.x - l.width / 2;
      const cy = p.y + b.height / 2;
      routes[e.id] = [
        { x: side, y: cy - 6 },
        { x: edge, y: at.y - 4 },
        { x: edge, y: at.y + 4 },
        { x: side, y: cy + 6 },
      ];
    }
  }
  const graph = g.graph() as { width?: number; height?: number };
  return { rankdir, positions, routes, labelAt, width: graph.width ?? 1, height: graph.height ?? 1 };
}

function fit(area: { width: number; height: number }, w: number, h: number): number {
  return Math.min(area.width / Math.max(w, 1), area.height / Math.max(h, 1));
}

/** Where a graph may go: the room on a landscape and on a portrait page. */
export type TGraphArea = (landscape: boolean) => { width: number; height: number };

/**
 * The labelled graph left to right or top to bottom, on a landscape or a portrait page, whichever
 * prints largest; null past LABELLED_MAX_NODES.
 */
export function labelledView(model: TGraphModel, m: TMeasurer, areaFor: TGraphArea): TGraphView | null {
  if (model.nodes.length > LABELLED_MAX_NODES || model.hiddenCount > 0) return null;
  const nodeBoxes = new Map(model.nodes.map((n) => [n.id, nodeBox(m, n)] as const));
  const refOf = new Map(model.nodes.map((n) => [n.id, n.ref] as const));
  let best: TGraphView | null = null;
  for (const rankdir of ["LR", "TB"] as const) {
    const labelBoxes = new Map<string, TBox>();
    for (const e of model.edges) {
      const b = labelBox(m, e, LABEL_WIDTH[rankdir], refOf.get(e.target));
      if (b) labelBoxes.set(e.id, b);
    }
    const laid = dagreLayout(model, nodeBoxes, labelBoxes, rankdir);
    for (const landscape of [true, false]) {
      const scale = Math.min(MAX_SCALE, fit(areaFor(landscape), laid.width, laid.height));
      // Left to right on a landscape page, as the dashboard draws, unless another prints clearly larger.
      if (!best || scale > best.scale * 1.05) best = { model, ...laid, landscape, scale, labelled: true, nodeBoxes, labelBoxes };
    }
  }
  return best;
}

/** The dashboard's layout of the graph as a map: its shape and where the findings are. */
function mapView(model: TGraphModel, area: { width: number; height: number }, detail: TChainDetail): TGraphView | null {
  if (model.nodes.length === 0) return null;
  const layout: TLayoutResult = layoutGraph(toLayoutInput(model, 170));
  const scale = Math.min(MAX_SCALE, fit(area, layout.width, layout.height));
  if (scale < MAP_MIN_SCALE) return null;
  const byId = new Map(model.nodes.map((n) => [n.id, n] as const));
  const routes: Record<string, TPoint[]> = {};
  const labelAt: Record<string, TPoint> = {};
  for (const e of model.edges) {
    const src = byId.get(e.source);
    const dst = byId.get(e.target);
    const ps = layout.positions[e.source];
    const pt = layout.positions[e.target];
    if (!src || !dst || !ps || !pt) continue;
    const r = layout.edges[e.id];
    routes[e.id] = [{ x: ps.x + src.width, y: ps.y + src.height / 2 }, ...(r?.points ?? []), { x: pt.x, y: pt.y + dst.height / 2 }];
    if (r?.label) labelAt[e.id] = r.label;
  }
  return {
    model,
    rankdir: "LR",
    landscape: true,
    positions: layout.positions,
    routes,
    labelAt,
    width: Math.max(layout.width, 1),
    height: Math.max(layout.height, 1),
    scale,
    labelled: false,
    nodeBoxes: new Map(model.nodes.map((n) => [n.id, { width: n.width, height: n.height, lines: [] }] as const)),
    labelBoxes: new Map(),
    numbers: mapNumbers(detail),
  };
}

function mapNumbers(detail: TChainDetail): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const { hop, n } of authorityOrder(detail)) {
    const id = principalNodeId(hop.to);
    out.set(id, [...(out.get(id) ?? []), n]);
  }
  return out;
}

/**
 * A labelled graph when it prints at LEGIBLE_SCALE or larger; otherwise the authority-path table,
 * after a map of the graph when the map is more than specks.
 */
export function planGraph(detail: TChainDetail, m: TMeasurer, areaFor: TGraphArea): TGraphPlan {
  const model = buildGraph(detail);
  const nodes = model.nodes.length;
  if (nodes === 0) return { view: null, table: false, nodes };
  const labelled = labelledView(model, m, areaFor);
  if (labelled && labelled.scale >= LEGIBLE_SCALE) return { view: labelled, table: false, nodes };
  // A chain of loose events only (no grant) has no authority path: its Timeline lists them.
  return { view: mapView(model, areaFor(true), detail), table: detail.hops.length > 0, nodes };
}
