// The chain graph as vectors (react-pdf Svg: Rect, Path, Text), drawn from the dashboard's graph
// model and dagre layout: the same nodes, the same positions, the same edge semantics (solid =
// signed grant, dashed = pending or inferred, red label = escalation, outline = worst finding).
import { G, Path, Rect, Svg, Text } from "@react-pdf/renderer";
import type { TGraphEdge, TGraphNode } from "@/lib/ui/graph/build-graph";
import type { TPoint } from "@/lib/ui/graph/layout";
import { findingName } from "@/lib/ui/findings";
import { clampLines, MONO_STACK, SANS_STACK, type TFace, type TMeasurer } from "./fonts";
import type { TGraphView, TTile } from "./graph-plan";
import { FAINT, INK, MUTED, SEVERITY_COLOR } from "./theme";
import { SEVERITY_MARK } from "./kit";

const KIND_CAPTION: Record<TGraphNode["kind"], string> = {
  human: "HUMAN",
  agent: "AGENT",
  tool: "TOOL",
  attester: "ATTESTER",
  resource: "RESOURCE",
  unregistered: "UNREGISTERED",
  hidden: "HIDDEN",
};

const FONT: Record<TFace, { family: string[]; weight: number; style?: "italic" }> = {
  sans: { family: SANS_STACK, weight: 400 },
  bold: { family: SANS_STACK, weight: 700 },
  italic: { family: SANS_STACK, weight: 400, style: "italic" },
  mono: { family: MONO_STACK, weight: 400 },
};

type TLine = { text: string; size: number; face: TFace; fill: string; gap?: number };

/** Stacked single-line Svg texts (Svg text never wraps: lines come pre-broken). */
function TextBlock({ x, y, lines, anchor = "start" }: { x: number; y: number; lines: TLine[]; anchor?: "start" | "middle" }) {
  let cy = y;
  return (
    <>
      {lines.map((l, i) => {
        cy += (l.gap ?? 0) + l.size * (i === 0 ? 1 : 1.22);
        const f = FONT[l.face];
        return (
          // @ts-expect-error react-pdf's SVG text takes font props it does not declare in its types
          <Text key={i} x={x} y={cy} fill={l.fill} fontSize={l.size} fontFamily={f.family} fontWeight={f.weight} fontStyle={f.style} textAnchor={anchor}>
            {l.text}
          </Text>
        );
      })}
    </>
  );
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

function GraphNode({ n, at, m, compact }: { n: TGraphNode; at: TPoint; m: TMeasurer; compact: boolean }) {
  const s = nodeStyle(n);
  const pad = 10;
  const inner = n.width - 2 * pad;
  const lines: TLine[] = [];
  if (compact) {
    // A map too small to read: the box, its name and its worst finding; details are on later pages.
    const sev = severityLine(n.findings, inner, m);
    const title = clampLines(m, n.kind === "hidden" ? n.label : n.label, inner, 17, n.kind === "resource" ? "mono" : "bold", 1)[0];
    return (
      <G>
        <Rect x={at.x} y={at.y} width={n.width} height={n.height} rx={s.rx} ry={s.rx} fill={s.fill} stroke={s.stroke} strokeWidth={s.width} strokeDasharray={s.dash} />
        <TextBlock x={at.x + pad} y={at.y + n.height / 2 - 14} lines={[{ text: title, size: 17, face: n.kind === "resource" ? "mono" : "bold", fill: INK }]} />
        {sev && <TextBlock x={at.x + pad} y={at.y + n.height - 22} lines={[sev]} />}
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
  for (const t of clampLines(m, n.label, inner, titleSize, titleFace, Math.min(maxTitle, 3))) lines.push({ text: t, size: titleSize, face: titleFace, fill: INK, gap: 1 });
  if (hasName) for (const t of clampLines(m, n.ref, inner, 11, "mono", 1)) lines.push({ text: t, size: 11, face: "mono", fill: MUTED });
  if (n.kind === "hidden") for (const t of clampLines(m, n.ref, inner, 11, "sans", 2)) lines.push({ text: t, size: 11, face: "sans", fill: MUTED });
  return (
    <G>
      <Rect x={at.x} y={at.y} width={n.width} height={n.height} rx={s.rx} ry={s.rx} fill={s.fill} stroke={s.stroke} strokeWidth={s.width} strokeDasharray={s.dash} />
      <TextBlock x={at.x + pad} y={at.y + 4} lines={lines} />
      {sev && <TextBlock x={at.x + pad} y={at.y + n.height - 20} lines={[sev]} />}
    </G>
  );
}

/** The dashboard's edge curve: quadratic segments through dagre's bend points. */
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
      <Path d={smoothPath(points)} stroke={stroke} strokeWidth={e.kind === "grant" ? 2 : 1.5} strokeDasharray={e.isDashed ? "7 5" : undefined} fill="none" />
      <Path d={arrowHead(points[points.length - 2], end)} fill={stroke} stroke={stroke} strokeWidth={1} />
    </G>
  );
}

function EdgeLabel({ e, plan, m }: { e: TGraphEdge; plan: TGraphView; m: TMeasurer }) {
  const at = plan.layout.edges[e.id]?.label;
  if (!at || e.kind === "hidden") return null;
  const maxW = e.kind === "grant" ? 170 : 150;
  const lines: (TLine & { box?: string })[] = [];
  if (e.kind === "grant") {
    for (const t of clampLines(m, e.label, maxW - 12, 11.5, "mono", 1)) lines.push({ text: t, size: 11.5, face: "mono", fill: INK });
    const change = scopeChangeText(e);
    const tags = [change?.text, e.isRevoked ? "revoked" : null, e.isDashed ? "pending" : null].filter(Boolean).join(" · ");
    if (tags)
      for (const t of clampLines(m, tags, maxW - 12, 11, change?.isEscalation ? "bold" : "sans", 1))
        lines.push({ text: t, size: 11, face: change?.isEscalation ? "bold" : "sans", fill: change?.isEscalation ? "#ffffff" : MUTED, box: change?.isEscalation ? SEVERITY_COLOR.critical.stroke : undefined });
    if (e.findings.worst) {
      const f = e.findings;
      const text = `${SEVERITY_COLOR[f.worst!].word}: ${findingName(f.codes[0])}${f.codes.length > 1 ? ` +${f.codes.length - 1}` : ""}`;
      for (const t of clampLines(m, text, maxW - 12, 10.5, "bold", 1)) lines.push({ text: t, size: 10.5, face: "bold", fill: SEVERITY_COLOR[f.worst!].ink });
    }
  } else {
    const sev = e.findings.worst;
    const text = `${sev ? `${SEVERITY_COLOR[sev].word}: ` : ""}${e.label}`;
    for (const t of clampLines(m, text, maxW - 10, 10.5, "mono", 1)) lines.push({ text: t, size: 10.5, face: "mono", fill: sev ? SEVERITY_COLOR[sev].ink : MUTED });
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
        const f = FONT[l.face];
        const w = m.width(l.text, l.size, l.face);
        return (
          <G key={i}>
            {l.box && <Rect x={at.x - w / 2 - 3} y={top + 0.5} width={w + 6} height={l.size * 1.18} rx={2} ry={2} fill={l.box} />}
            {/* @ts-expect-error react-pdf's SVG text takes font props it does not declare in its types */}
            <Text x={at.x} y={top + l.size * 0.95} fill={l.fill} fontSize={l.size} fontFamily={f.family} fontWeight={f.weight} textAnchor="middle">
              {l.text}
            </Text>
          </G>
        );
      })}
    </G>
  );
}

/** One tile of the graph, `plan.scale` points per layout unit. */
export function GraphTile({ plan, tile, m, compact = false }: { plan: TGraphView; tile: TTile; m: TMeasurer; compact?: boolean }) {
  // Only what touches this tile is drawn (the Svg clips the rest): a big chain's tiles stay small.
  const inTile = (x: number, y: number, w: number, h: number) => x + w >= tile.x && x <= tile.x + tile.width && y + h >= tile.y && y <= tile.y + tile.height;
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
  return (
    <Svg width={tile.width * plan.scale} height={tile.height * plan.scale} viewBox={`${tile.x} ${tile.y} ${tile.width} ${tile.height}`}>
      {edges.map(({ e, points }) => (
        <GraphEdge key={e.id} e={e} points={points} />
      ))}
      {nodes.map((n) => (
        <GraphNode key={n.id} n={n} at={plan.layout.positions[n.id]} m={m} compact={compact} />
      ))}
      {labelled.map((e) => (
        <EdgeLabel key={`l:${e.id}`} e={e} plan={plan} m={m} />
      ))}
    </Svg>
  );
}
