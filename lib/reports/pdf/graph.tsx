// The chain graph as vectors (react-pdf Svg: Rect, Path, Text), drawn from the dashboard's graph
// model and dagre layout: the same nodes, the same positions, the same edge semantics (solid =
// signed grant, dashed = pending or inferred, red label = escalation, outline = worst finding).
import { Canvas, G, Path, Rect, Svg } from "@react-pdf/renderer";
import type { TGraphEdge, TGraphNode } from "@/lib/ui/graph/build-graph";
import { smoothPath, type TPoint } from "@/lib/ui/graph/layout";
import { findingName } from "@/lib/ui/findings";
import { clampLines, type TFace, type TMeasurer } from "./fonts";
import { GRANT_LABEL_WIDTH, type TGraphView, type TTile } from "./graph-plan";
import { FAINT, INK, MUTED, SEVERITY_COLOR } from "./theme";
import { SEVERITY_MARK, type TPainter } from "./kit";

const KIND_CAPTION: Record<TGraphNode["kind"], string> = {
  human: "HUMAN",
  agent: "AGENT",
  tool: "TOOL",
  attester: "ATTESTER",
  resource: "RESOURCE",
  unregistered: "UNREGISTERED",
  hidden: "HIDDEN",
};

type TLine = { text: string; size: number; face: TFace; fill: string; gap?: number };

/** A line of graph text at its baseline, in layout units; drawn by paintTexts. */
type TGraphText = { x: number; y: number; text: string; size: number; face: TFace; fill: string; anchor: "start" | "middle" };

/** Stacked single lines (lines come pre-broken), collected into `out`. */
function textBlock(out: TGraphText[], x: number, y: number, lines: TLine[], anchor: "start" | "middle" = "start"): void {
  let cy = y;
  lines.forEach((l, i) => {
    cy += (l.gap ?? 0) + l.size * (i === 0 ? 1 : 1.22);
    out.push({ x, y: cy, text: l.text, size: l.size, face: l.face, fill: l.fill, anchor });
  });
}

/**
 * The graph's text, painted over the Svg on a <Canvas> of the same box, clipped and transformed
 * the way react-pdf draws the Svg, and placed as react-pdf places Svg <Text> (baseline at y, a
 * "middle" anchor centred on the shaped width): the same glyphs at the same positions. As Svg
 * <Text>, every line was a full react-pdf text layout, ~10% of a 200-hop report. The text now
 * comes after all shapes; no shape is drawn over a node's or a label's text in these layouts.
 */
function paintTexts(
  p: TPainter,
  texts: TGraphText[],
  m: TMeasurer,
  view: { width: number; height: number; scale: number; x: number; y: number },
): void {
  const { width: w, height: h } = view;
  const corner = (x: number, y: number) => p.bezierCurveTo(x, y, x, y, x, y);
  p.save();
  p.moveTo(0, 0).lineTo(w, 0);
  corner(w, 0).lineTo(w, h);
  corner(w, h).lineTo(0, h);
  corner(0, h).lineTo(0, 0);
  corner(0, 0).clip();
  p.scale(view.scale, view.scale).translate(-view.x, -view.y);
  let font: object | null = null;
  for (const t of texts) {
    const runs = m.runs(t.text, t.face);
    let x = t.anchor === "middle" ? t.x - runs.reduce((sum, r) => sum + m.shapedWidth(r, t.size), 0) / 2 : t.x;
    p.fontSize(t.size).fillColor(t.fill);
    for (const r of runs) {
      if (font !== r.font) {
        p.font(r.font, r.name);
        font = r.font;
      }
      p.text(r.text, x, t.y - r.ascent * t.size, { lineBreak: false });
      x += m.shapedWidth(r, t.size);
    }
  }
  p.restore();
}

function nodeStyle(n: TGraphNode): { stroke: string; width: number; rx: number; fill: string; dash?: string } {
  const sev = n.findings.worst ? SEVERITY_COLOR[n.findings.worst] : null;
  const rx = n.kind === "human" ? 16 : n.kind === "tool" || n.kind === "resource" ? 3 : 8;
  const fill = n.kind === "resource" ? "#f8fafc" : n.kind === "hidden" ? "#f1f5f9" : "#ffffff";
  const dash = n.kind === "hidden" || n.kind === "unregistered" ? "7 4" : undefined;
  if (sev) return { stroke: sev.stroke, width: n.kind === "human" ? 3.2 : 2.4, rx, fill, dash };
  if (n.kind === "human") return { stroke: INK, width: 3.2, rx, fill, dash };
  return { stroke: "#94a3b8", width: 1.6, rx, fill, dash };
}

function severityLine(f: TGraphNode["findings"], width: number, m: TMeasurer): TLine | null {
  if (!f.worst) return null;
  const first = f.codes[0];
  const more = f.codes.length > 1 ? ` +${f.codes.length - 1}` : "";
  const text = `${SEVERITY_MARK[f.worst]} ${SEVERITY_COLOR[f.worst].word.toUpperCase()} · ${findingName(first)}${more}`;
  return { text: clampLines(m, text, width, 10.5, "bold", 1)[0], size: 10.5, face: "bold", fill: SEVERITY_COLOR[f.worst].ink };
}

function graphNode({ n, at, m, compact, texts }: { n: TGraphNode; at: TPoint; m: TMeasurer; compact: boolean; texts: TGraphText[] }) {
  const s = nodeStyle(n);
  const pad = 10;
  const inner = n.width - 2 * pad;
  const lines: TLine[] = [];
  if (compact) {
    // A map too small to read: the box, its name and its worst finding; details are on later pages.
    const sev = severityLine(n.findings, inner, m);
    const title = clampLines(m, n.kind === "hidden" ? n.label : n.label, inner, 17, n.kind === "resource" ? "mono" : "bold", 1)[0];
    textBlock(texts, at.x + pad, at.y + n.height / 2 - 14, [{ text: title, size: 17, face: n.kind === "resource" ? "mono" : "bold", fill: INK }]);
    if (sev) textBlock(texts, at.x + pad, at.y + n.height - 22, [sev]);
    return (
      <G>
        <Rect
          x={at.x}
          y={at.y}
          width={n.width}
          height={n.height}
          rx={s.rx}
          ry={s.rx}
          fill={s.fill}
          stroke={s.stroke}
          strokeWidth={s.width}
          strokeDasharray={s.dash}
        />
      </G>
    );
  }
  const caption = n.kind === "hidden" ? "NOT DRAWN" : `${KIND_CAPTION[n.kind]}${n.isRoot ? " · ROOT" : ""}`;
  lines.push({ text: caption, size: 10, face: "sans", fill: FAINT });
  const sev = severityLine(n.findings, inner, m);
  const titleSize = n.kind === "tool" || n.kind === "resource" ? 13 : 15;
  const budget = n.height - 14 - 10 - (sev ? 14 : 0);
  const hasName = n.label !== n.ref && n.kind !== "hidden";
  const maxTitle = Math.max(1, Math.floor((budget - (hasName ? 14 : 0)) / (titleSize * 1.22)));
  const titleFace: TFace = n.kind === "resource" || (!hasName && n.kind !== "hidden") ? "mono" : "bold";
  for (const t of clampLines(m, n.label, inner, titleSize, titleFace, Math.min(maxTitle, 3)))
    lines.push({ text: t, size: titleSize, face: titleFace, fill: INK, gap: 1 });
  if (hasName) for (const t of clampLines(m, n.ref, inner, 11, "mono", 1)) lines.push({ text: t, size: 11, face: "mono", fill: MUTED });
  if (n.kind === "hidden") for (const t of clampLines(m, n.ref, inner, 11, "sans", 2)) lines.push({ text: t, size: 11, face: "sans", fill: MUTED });
  textBlock(texts, at.x + pad, at.y + 4, lines);
  if (sev) textBlock(texts, at.x + pad, at.y + n.height - 20, [sev]);
  return (
    <G>
      <Rect
        x={at.x}
        y={at.y}
        width={n.width}
        height={n.height}
        rx={s.rx}
        ry={s.rx}
        fill={s.fill}
        stroke={s.stroke}
        strokeWidth={s.width}
        strokeDasharray={s.dash}
      />
    </G>
  );
}

function arrowHead(from: TPoint, to: TPoint, size = 9): string {
  const a = Math.atan2(to.y - from.y, to.x - from.x);
  const l = { x: to.x - size * Math.cos(a - 0.45), y: to.y - size * Math.sin(a - 0.45) };
  const r = { x: to.x - size * Math.cos(a + 0.45), y: to.y - size * Math.sin(a + 0.45) };
  return `M${to.x},${to.y} L${l.x},${l.y} L${r.x},${r.y} Z`;
}

export function scopeChangeText(edge: TGraphEdge): { text: string; isEscalation: boolean } | null {
  const c = edge.scopeChange;
  if (!c) return null;
  if (c.kind === "escalation") return { text: `+${c.added[0]}${c.added.length > 1 ? ` +${c.added.length - 1}` : ""}`, isEscalation: true };
  if (c.kind === "attenuation") return { text: `−${c.removed} scope${c.removed === 1 ? "" : "s"}`, isEscalation: false };
  if (c.kind === "root") return { text: `${c.scopes.length} scope${c.scopes.length === 1 ? "" : "s"}`, isEscalation: false };
  return { text: "= same scope", isEscalation: false };
}

function edgeStroke(e: TGraphEdge): string {
  if (e.scopeChange?.kind === "escalation") return SEVERITY_COLOR.critical.stroke;
  if (e.findings.worst) return SEVERITY_COLOR[e.findings.worst].stroke;
  return e.kind === "grant" ? "#64748b" : "#94a3b8";
}

/** The drawn route of an edge: from the source's right side, through dagre's bends, to the target's left side. */
export function edgeRoute(e: TGraphEdge, plan: TGraphView, nodeOf: Map<string, TGraphNode>): TPoint[] | null {
  const src = nodeOf.get(e.source);
  const dst = nodeOf.get(e.target);
  const ps = plan.layout.positions[e.source];
  const pt = plan.layout.positions[e.target];
  if (!src || !dst || !ps || !pt) return null;
  const route = plan.layout.edges[e.id];
  return [{ x: ps.x + src.width, y: ps.y + src.height / 2 }, ...(route?.points ?? []), { x: pt.x, y: pt.y + dst.height / 2 }];
}

function GraphEdge({ e, points }: { e: TGraphEdge; points: TPoint[] }) {
  const end = points[points.length - 1];
  const stroke = edgeStroke(e);
  return (
    <G>
      <Path
        d={smoothPath(points)}
        stroke={stroke}
        strokeWidth={e.kind === "grant" ? 2 : 1.5}
        strokeDasharray={e.isDashed ? "7 5" : undefined}
        fill="none"
      />
      <Path d={arrowHead(points[points.length - 2], end)} fill={stroke} stroke={stroke} strokeWidth={1} />
    </G>
  );
}

function edgeLabel({ e, plan, m, texts }: { e: TGraphEdge; plan: TGraphView; m: TMeasurer; texts: TGraphText[] }) {
  const at = plan.layout.edges[e.id]?.label;
  if (!at || e.kind === "hidden") return null;
  const maxW = e.kind === "grant" ? GRANT_LABEL_WIDTH : 150;
  const lines: (TLine & { box?: string })[] = [];
  if (e.kind === "grant") {
    for (const t of clampLines(m, e.label, maxW - 12, 11.5, "mono", 1)) lines.push({ text: t, size: 11.5, face: "mono", fill: INK });
    const change = scopeChangeText(e);
    const tags = [change?.text, e.isRevoked ? "revoked" : null, e.isDashed ? "pending" : null].filter(Boolean).join(" · ");
    if (tags)
      for (const t of clampLines(m, tags, maxW - 12, 11, change?.isEscalation ? "bold" : "sans", 1))
        lines.push({
          text: t,
          size: 11,
          face: change?.isEscalation ? "bold" : "sans",
          fill: change?.isEscalation ? "#ffffff" : MUTED,
          box: change?.isEscalation ? SEVERITY_COLOR.critical.stroke : undefined,
        });
    if (e.findings.worst) {
      const f = e.findings;
      const text = `${SEVERITY_COLOR[f.worst!].word}: ${findingName(f.codes[0])}${f.codes.length > 1 ? ` +${f.codes.length - 1}` : ""}`;
      for (const t of clampLines(m, text, maxW - 12, 10.5, "bold", 1))
        lines.push({ text: t, size: 10.5, face: "bold", fill: SEVERITY_COLOR[f.worst!].ink });
    }
  } else {
    const sev = e.findings.worst;
    const text = `${sev ? `${SEVERITY_COLOR[sev].word}: ` : ""}${e.label}`;
    for (const t of clampLines(m, text, maxW - 10, 10.5, "mono", 1))
      lines.push({ text: t, size: 10.5, face: "mono", fill: sev ? SEVERITY_COLOR[sev].ink : MUTED });
  }
  if (lines.length === 0) return null;
  const width = Math.min(maxW, Math.max(...lines.map((l) => m.width(l.text, l.size, l.face))) + 12);
  const height = lines.reduce((h, l) => h + l.size * 1.22, 0) + 6;
  const x = at.x - width / 2;
  const y = at.y - height / 2;
  let cy = y + 3;
  return (
    <G>
      <Rect x={x} y={y} width={width} height={height} rx={4} ry={4} fill="#ffffff" stroke="#e2e8f0" strokeWidth={1} />
      {lines.map((l, i) => {
        const top = cy;
        cy += l.size * 1.22;
        const w = m.width(l.text, l.size, l.face);
        texts.push({ x: at.x, y: top + l.size * 0.95, text: l.text, size: l.size, face: l.face, fill: l.fill, anchor: "middle" });
        return <G key={i}>{l.box && <Rect x={at.x - w / 2 - 3} y={top + 0.5} width={w + 6} height={l.size * 1.18} rx={2} ry={2} fill={l.box} />}</G>;
      })}
    </G>
  );
}

/** One tile of the graph, `plan.scale` points per layout unit. */
export function GraphTile({ plan, tile, m, compact = false }: { plan: TGraphView; tile: TTile; m: TMeasurer; compact?: boolean }) {
  // Only what touches this tile is drawn (the Svg clips the rest): a big chain's tiles stay small.
  const inTile = (x: number, y: number, w: number, h: number) =>
    x + w >= tile.x && x <= tile.x + tile.width && y + h >= tile.y && y <= tile.y + tile.height;
  const nodeOf = new Map(plan.model.nodes.map((n) => [n.id, n]));
  const nodes = plan.model.nodes.filter((n) => {
    const p = plan.layout.positions[n.id];
    return p && inTile(p.x, p.y, n.width, n.height);
  });
  const edges: { e: TGraphEdge; points: TPoint[] }[] = [];
  for (const e of plan.model.edges) {
    const points = edgeRoute(e, plan, nodeOf);
    if (!points) continue;
    const xs = points.map((p) => p.x);
    const ys = points.map((p) => p.y);
    const x0 = Math.min(...xs);
    const y0 = Math.min(...ys);
    if (inTile(x0, y0, Math.max(...xs) - x0, Math.max(...ys) - y0)) edges.push({ e, points });
  }
  // A compact map keeps only the labels that carry a finding (escalations among them).
  const labelled = plan.model.edges.filter((e) => {
    const at = plan.layout.edges[e.id]?.label;
    return at && inTile(at.x - 90, at.y - 30, 180, 60) && (!compact || e.findings.worst !== null);
  });
  // Called as functions, not elements: they collect their text into `texts` as they draw.
  const texts: TGraphText[] = [];
  const nodeShapes = nodes.map((n) => <G key={n.id}>{graphNode({ n, at: plan.layout.positions[n.id], m, compact, texts })}</G>);
  const labelShapes = labelled.map((e) => <G key={`l:${e.id}`}>{edgeLabel({ e, plan, m, texts })}</G>);
  const width = tile.width * plan.scale;
  const height = tile.height * plan.scale;
  return (
    <>
      <Svg width={width} height={height} viewBox={`${tile.x} ${tile.y} ${tile.width} ${tile.height}`}>
        {edges.map(({ e, points }) => (
          <GraphEdge key={e.id} e={e} points={points} />
        ))}
        {nodeShapes}
        {labelShapes}
      </Svg>
      <Canvas
        style={{ position: "absolute", top: 0, left: 0, width, height }}
        paint={(painter) => {
          paintTexts(painter as TPainter, texts, m, { width, height, scale: plan.scale, x: tile.x, y: tile.y });
          return null;
        }}
      />
    </>
  );
}
