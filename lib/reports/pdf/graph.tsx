// The chain graph painted with pdfkit on one react-pdf <Canvas>: boxes, routes, arrowheads and
// every line of text in one layer, at the view's scale (graph-plan.ts). Solid = signed grant;
// dashed = pending, inferred, AIP-asserted or observed (and the label says which); dotted = a
// third party's attestation; a red label = escalation; a box's outline = its worst finding.
import { Canvas } from "@react-pdf/renderer";
import type { TGraphEdge, TGraphNode } from "@/lib/ui/graph/build-graph";
import { smoothPath, type TPoint } from "@/lib/ui/graph/layout";
import type { TMeasurer } from "./fonts";
import type { TBox, TGraphView } from "./graph-plan";
import { INK, SEVERITY_COLOR } from "./theme";
import type { TPaintState, TPainter } from "./kit";

/** The pdfkit calls a graph needs beyond the table painter's, all among those react-pdf's painter offers. */
type TGraphPainter = TPainter & {
  dash(length: number, options?: { space: number }): TGraphPainter;
  path(d: string): TGraphPainter;
  polygon(...points: [number, number][]): TGraphPainter;
  roundedRect(x: number, y: number, w: number, h: number, r: number): TGraphPainter;
  fillAndStroke(fill: string, stroke: string): TGraphPainter;
};

function nodeStyle(n: TGraphNode): { stroke: string; width: number; r: number; fill: string; dashed: boolean } {
  const sev = n.findings.worst ? SEVERITY_COLOR[n.findings.worst] : null;
  const r = n.kind === "human" ? 10 : n.kind === "tool" || n.kind === "resource" ? 2 : 5;
  const fill = n.kind === "resource" ? "#f8fafc" : n.kind === "hidden" ? "#f1f5f9" : "#ffffff";
  const dashed = n.kind === "hidden" || n.kind === "unregistered" || n.isAsserted === true;
  if (sev) return { stroke: sev.stroke, width: n.kind === "human" ? 2.2 : 1.8, r, fill, dashed };
  if (n.kind === "human") return { stroke: INK, width: 2.2, r, fill, dashed };
  return { stroke: "#94a3b8", width: 1.1, r, fill, dashed };
}

function edgeStroke(e: TGraphEdge): string {
  if (e.scopeChange?.kind === "escalation") return SEVERITY_COLOR.critical.stroke;
  if (e.findings.worst) return SEVERITY_COLOR[e.findings.worst].stroke;
  return e.kind === "grant" ? "#64748b" : "#94a3b8";
}

function arrowHead(from: TPoint, to: TPoint, size: number): [number, number][] {
  const a = Math.atan2(to.y - from.y, to.x - from.x);
  return [
    [to.x, to.y],
    [to.x - size * Math.cos(a - 0.45), to.y - size * Math.sin(a - 0.45)],
    [to.x - size * Math.cos(a + 0.45), to.y - size * Math.sin(a + 0.45)],
  ];
}

/** Lines of a box at its top-left corner, each centred or left-aligned; escalations white on red. */
function paintBoxText(p: TGraphPainter, m: TMeasurer, box: TBox, x: number, y: number, centred: boolean, state: TPaintState): void {
  for (const l of box.lines) {
    const runs = m.runs(l.text, l.face);
    const w = runs.reduce((s, r) => s + m.shapedWidth(r, l.size), 0);
    let cx = centred ? x + (box.width - w) / 2 : x + 5;
    if (l.box) {
      p.roundedRect(cx - 3, y + l.y - 0.5, w + 6, l.size * 1.2, 1.5).fill(l.box);
    }
    p.fontSize(l.size).fillColor(l.fill);
    for (const r of runs) {
      if (state.font !== r.font) {
        p.font(r.font, r.name);
        state.font = r.font;
      }
      // Baseline at the line's top plus its size (what react-pdf's Svg <Text> did).
      p.text(r.text, cx, y + l.y + l.size * 0.95 - r.ascent * l.size, { lineBreak: false });
      cx += m.shapedWidth(r, l.size);
    }
  }
}

/**
 * A map's box carries the "#" of the grants its principal received (the authority-path table's
 * numbers), and the human root "root", at whatever size prints at least 7 pt, when that fits.
 */
function mapTitle(n: TGraphNode, view: TGraphView, m: TMeasurer): TBox | null {
  const numbers = view.numbers?.get(n.id) ?? [];
  const text = n.isRoot && numbers.length === 0 ? "root" : numbers.length ? numbers.map((k) => `#${k}`).join(" ") : "";
  if (!text) return null;
  const size = Math.max(7 / view.scale, 14);
  const room = { w: n.width - 12, h: n.height - 8 };
  if (size > room.h || m.width(text, size, "bold") > room.w) return null;
  return { width: n.width, height: n.height, lines: [{ text, size, face: "bold", fill: INK, y: (n.height - size * 1.2) / 2 }] };
}

function paintGraph(painter: TGraphPainter, view: TGraphView, m: TMeasurer): void {
  const p = painter;
  const state: TPaintState = { font: null };
  p.save();
  p.scale(view.scale, view.scale);
  const lw = (w: number) => (view.labelled ? w : w / Math.max(view.scale * 2.5, 1) + w * 0.6);
  // Edges first, under the boxes and labels.
  for (const e of view.model.edges) {
    const pts = view.routes[e.id];
    if (!pts || pts.length < 2) continue;
    const stroke = edgeStroke(e);
    p.save();
    if (e.kind === "attest") p.dash(1.2, { space: 2.4 });
    else if (e.isDashed || e.kind === "hidden") p.dash(5, { space: 3.5 });
    p.path(smoothPath(pts))
      .lineWidth(lw(e.kind === "grant" ? 1.4 : 1))
      .strokeColor(stroke)
      .stroke();
    p.restore();
    p.polygon(...arrowHead(pts[pts.length - 2], pts[pts.length - 1], view.labelled ? 6 : 9)).fill(stroke);
  }
  for (const n of view.model.nodes) {
    const at = view.positions[n.id];
    const box = view.nodeBoxes.get(n.id);
    if (!at || !box) continue;
    const s = nodeStyle(n);
    p.save();
    if (s.dashed) p.dash(4, { space: 3 });
    p.lineWidth(lw(s.width));
    p.roundedRect(at.x, at.y, box.width, box.height, s.r).fillAndStroke(s.fill, s.stroke);
    p.restore();
    const title = view.labelled ? box : mapTitle(n, view, m);
    if (title) paintBoxText(p, m, title, at.x, at.y, false, state);
  }
  for (const e of view.model.edges) {
    const box = view.labelBoxes.get(e.id);
    const at = view.labelAt[e.id];
    if (!box || !at) continue;
    const x = at.x - box.width / 2;
    const y = at.y - box.height / 2;
    p.lineWidth(0.6);
    p.roundedRect(x, y, box.width, box.height, 3).fillAndStroke("#ffffff", e.findings.worst ? SEVERITY_COLOR[e.findings.worst].stroke : "#cbd5e1");
    paintBoxText(p, m, box, x, y, true, state);
  }
  p.restore();
}

/** The whole graph at `view.scale` points per layout unit, as one painted layer. */
export function GraphCanvas({ view, m }: { view: TGraphView; m: TMeasurer }) {
  const width = view.width * view.scale;
  const height = view.height * view.scale;
  return (
    <Canvas
      style={{ width, height }}
      paint={(painter) => {
        const p = painter as unknown as TGraphPainter;
        paintGraph(p, view, m);
        return null;
      }}
    />
  );
}
