// Building blocks shared by the chain report and the period summary.
//
// Long reports are paginated here, not by react-pdf: every block knows its height (text is broken
// into lines with the real font metrics before react-pdf sees it, and a line is size × LINE_HEIGHT
// points), blocks are packed into pages, and each page is its own small <Page>. react-pdf's own
// page splitting re-lays out everything after the break on every page, which made a 200-hop
// report take minutes; packing ourselves keeps rendering linear, and lets tables repeat their
// header row on every page. Pages still have wrap on as a safety net.
import { Canvas, Page, Text, View } from "@react-pdf/renderer";
import { Fragment, type ReactNode } from "react";
import type { Style } from "@react-pdf/types";
import type { TChainStatus, TSeverity } from "@/lib/protocol/types";
import { MONO_STACK, SANS_STACK, wrapLines, type TFace, type TMeasurer, type TRun } from "./fonts";
import {
  contentHeight,
  contentWidth,
  FAINT,
  HAIRLINE,
  INK,
  MARGIN,
  MUTED,
  PAPER,
  RULE,
  SEVERITY_COLOR,
  SIZE,
  STATUS_COLOR,
  type TPaper,
} from "./theme";

let current: TMeasurer | null = null;

/** The measurer for the fonts react-pdf will draw with; set once the fonts are loaded. */
export function setMeasurer(m: TMeasurer): void {
  current = m;
}

export function measure(): TMeasurer {
  if (!current) throw new Error("PDF fonts are not loaded: call loadFonts() before rendering");
  return current;
}

export const LINE_HEIGHT = 1.28;

export function fontStyle(face: TFace): Style {
  switch (face) {
    case "mono":
      return { fontFamily: MONO_STACK, fontWeight: 400 };
    case "bold":
      return { fontFamily: SANS_STACK, fontWeight: 700 };
    case "italic":
      return { fontFamily: SANS_STACK, fontWeight: 400, fontStyle: "italic" };
    default:
      return { fontFamily: SANS_STACK, fontWeight: 400 };
  }
}

export const SEVERITY_MARK: Record<TSeverity, string> = { critical: "■", error: "◆", warning: "▲" };
export const STATUS_MARK: Record<TChainStatus, string> = { violation: "■", warning: "▲", pending: "○", verified: "✓", observed: "◌" };

// ---------------------------------------------------------------------------------------------
// Text that knows its height.

/** A run of text in one face, size and colour; each part starts on a new line. */
export type TPart = { text: string; face?: TFace; size?: number; color?: string };

export type TSized = { node: ReactNode; height: number };

/**
 * One <Text> holding every part, each broken to `width` points (ids and scopes break between
 * characters, never with an inserted hyphen), and its exact height.
 */
export function textBlock(parts: TPart[], width: number, style: Style = {}): TSized {
  const m = measure();
  let height = 0;
  const spans: ReactNode[] = [];
  const shown = parts.filter((p) => p.text !== "");
  shown.forEach((p, i) => {
    const size = p.size ?? SIZE.body;
    const face = p.face ?? "sans";
    const lines = wrapLines(m, p.text, width, size, face);
    height += lines.length * size * LINE_HEIGHT;
    spans.push(
      // lineHeight on each span, not the parent: react-pdf resolves a unitless lineHeight against the
      // font size of the element that declares it, and children inherit the resolved points.
      <Text key={i} style={[{ fontSize: size, lineHeight: LINE_HEIGHT, color: p.color ?? INK }, fontStyle(face)]}>
        {lines.join("\n") + (i < shown.length - 1 ? "\n" : "")}
      </Text>,
    );
  });
  return { node: <Text style={style}>{spans}</Text>, height };
}

/** Text wrapped to `w` points (no height bookkeeping): for the cover and other one-off places. */
export function W({
  w,
  size = SIZE.body,
  face = "sans",
  color = INK,
  style,
  children,
}: {
  w: number;
  size?: number;
  face?: TFace;
  color?: string;
  style?: Style;
  children: string | number | null | undefined;
}) {
  const text = children === null || children === undefined ? "" : String(children);
  return (
    <Text style={[{ fontSize: size, color, lineHeight: LINE_HEIGHT }, fontStyle(face), style ?? {}]}>
      {wrapLines(measure(), text, w, size, face).join("\n")}
    </Text>
  );
}

export function Badge({ color, wash, children, size = SIZE.small }: { color: string; wash: string; children: string; size?: number }) {
  return (
    <View style={{ flexDirection: "row" }}>
      <Text
        style={[
          {
            fontSize: size,
            color,
            backgroundColor: wash,
            borderWidth: 0.75,
            borderColor: color,
            borderRadius: 2,
            paddingHorizontal: 3,
            paddingTop: 1,
            paddingBottom: 0.5,
          },
          fontStyle("bold"),
        ]}
      >
        {children}
      </Text>
    </View>
  );
}

export function StatusBadge({ status, size }: { status: TChainStatus; size?: number }) {
  const s = STATUS_COLOR[status];
  return <Badge color={s.ink} wash={s.wash} size={size}>{`${STATUS_MARK[status]} ${s.word.toUpperCase()}`}</Badge>;
}

export function Caption({ children, color = FAINT }: { children: string; color?: string }) {
  return <Text style={[{ fontSize: SIZE.caption, color, letterSpacing: 0.4, marginBottom: 1.5 }, fontStyle("bold")]}>{children.toUpperCase()}</Text>;
}

/** A two-column key/value table with hairline rules (the cover). */
export function KeyValues({ width, rows, labelWidth = 120 }: { width: number; labelWidth?: number; rows: { label: string; value: ReactNode }[] }) {
  return (
    <View style={{ borderTopWidth: 0.75, borderTopColor: RULE }}>
      {rows.map((r, i) => (
        <View key={i} wrap={false} style={{ flexDirection: "row", paddingVertical: 4, borderBottomWidth: 0.5, borderBottomColor: HAIRLINE }}>
          <View style={{ width: labelWidth, paddingRight: 8 }}>
            <Text style={[{ fontSize: SIZE.small, color: MUTED }, fontStyle("sans")]}>{r.label}</Text>
          </View>
          <View style={{ width: width - labelWidth }}>{r.value}</View>
        </View>
      ))}
    </View>
  );
}

// ---------------------------------------------------------------------------------------------
// Blocks and pages.

/**
 * Something of known height on a page. Painted blocks (table rows) also carry `paint`, so the
 * consecutive ones of a page are drawn in one <Canvas> (one layout node, fewer font switches).
 */
export type TBlock = { node: ReactNode; height: number; paint?: { width: number; draw: (p: TPainter, y: number, state: TPaintState) => void } };

export type TPaintState = { font: object | null };

export function heading(title: string, width: number): TBlock {
  const t = textBlock([{ text: title, face: "bold", size: SIZE.h1 }], width);
  return {
    node: <View style={{ marginBottom: 8, paddingBottom: 3, borderBottomWidth: 1, borderBottomColor: INK }}>{t.node}</View>,
    height: t.height + 12,
  };
}

export function subheading(title: string, width: number): TBlock {
  const t = textBlock([{ text: title, face: "bold", size: SIZE.h2 }], width);
  return { node: <View style={{ marginTop: 8, marginBottom: 4 }}>{t.node}</View>, height: t.height + 12 };
}

export function paragraph(parts: TPart[], width: number, marginBottom = 6): TBlock {
  const t = textBlock(parts, width);
  return { node: <View style={{ marginBottom }}>{t.node}</View>, height: t.height + marginBottom };
}

export function spacer(height: number): TBlock {
  return { node: <View style={{ height }} />, height };
}

/** A column: text parts, or for anything else (a bar) its own painter and height. */
export type TColumn<T> = {
  title: string;
  weight: number;
  parts?: (row: T) => TPart[];
  cell?: (row: T, innerWidth: number) => { height: number; paint: (p: TPainter, x: number, y: number, state: TPaintState) => void };
};

const CELL_PAD_X = 3;
const ROW_PAD_Y = 2.5;

/** The subset of pdfkit that react-pdf's <Canvas paint> hands over. */
export type TPainter = {
  font(src: object, family?: string): TPainter;
  fontSize(size: number): TPainter;
  fillColor(color: string): TPainter;
  text(text: string, x: number, y: number, options?: object): TPainter;
  rect(x: number, y: number, w: number, h: number): TPainter;
  fill(color?: string): TPainter;
  moveTo(x: number, y: number): TPainter;
  lineTo(x: number, y: number): TPainter;
  lineWidth(w: number): TPainter;
  strokeColor(color: string): TPainter;
  stroke(): TPainter;
  bezierCurveTo(cp1x: number, cp1y: number, cp2x: number, cp2y: number, x: number, y: number): TPainter;
  scale(x: number, y: number): TPainter;
  translate(x: number, y: number): TPainter;
  save(): TPainter;
  restore(): TPainter;
  clip(): TPainter;
};

type TLine = { text: string; face: TFace; size: number; color: string };

/** Parts broken into lines for `width` points, and their height. */
export function layoutParts(parts: TPart[], width: number): { lines: TLine[]; height: number } {
  const m = measure();
  const lines: TLine[] = [];
  let height = 0;
  for (const p of parts) {
    if (p.text === "") continue;
    const size = p.size ?? SIZE.body;
    const face = p.face ?? "sans";
    for (const text of wrapLines(m, p.text, width, size, face)) {
      lines.push({ text, face, size, color: p.color ?? INK });
      height += size * LINE_HEIGHT;
    }
  }
  return { lines, height };
}

/**
 * Draws pre-broken lines with pdfkit. Table cells are painted rather than laid out as react-pdf
 * <Text>: a 200-hop report has thousands of cells, and react-pdf's per-Text layout made it take
 * tens of seconds. The text is real PDF text in the same embedded fonts (selectable, extractable);
 * runs without a glyph in DejaVu switch to the CJK fallback, on the same baseline.
 */
export function paintLines(p: TPainter, lines: TLine[], x: number, y: number, state: TPaintState = { font: null }): void {
  const m = measure();
  let top = y;
  for (const l of lines) {
    const lh = l.size * LINE_HEIGHT;
    const baseline = top + (lh - l.size * 1.164) / 2 + l.size * 0.928;
    let cx = x;
    p.fontSize(l.size).fillColor(l.color);
    for (const run of m.runs(l.text, l.face)) {
      // Only switch when the run needs another font. Named by its PostScript name: pdfkit files
      // the fonts it opens under that name, so the switch is a lookup. Given the fontkit object
      // alone (no name), pdfkit opens a new font object on every call and compares it with the one
      // it has by their JSON-serialised name tables: 7,600 switches took ~300 ms of a 200-hop report.
      if (state.font !== run.font) {
        p.font(run.font, run.name);
        state.font = run.font;
      }
      p.text(run.text, cx, baseline - run.ascent * l.size, { lineBreak: false });
      cx += m.width(run.text, l.size, l.face);
    }
    top += lh;
  }
}

/** A block drawn with pdfkit: alone it is its own <Canvas>; on a page, runs of them share one. */
function painted(width: number, height: number, draw: (p: TPainter, y: number, state: TPaintState) => void): TBlock {
  return { node: <PaintedRun width={width} blocks={[{ height, paint: { width, draw } }]} />, height, paint: { width, draw } };
}

function PaintedRun({ width, blocks }: { width: number; blocks: Pick<TBlock, "height" | "paint">[] }) {
  const height = blocks.reduce((h, b) => h + b.height, 0);
  return (
    <Canvas
      style={{ width, height }}
      paint={(painter) => {
        const p = painter as unknown as TPainter;
        const state: TPaintState = { font: null };
        let y = 0;
        for (const b of blocks) {
          b.paint!.draw(p, y, state);
          y += b.height;
        }
        return null;
      }}
    />
  );
}

/** A ruled table as blocks: the header row (repeated on every page it continues to) and one block per row. */
export function tableBlocks<T>(
  columns: TColumn<T>[],
  rows: readonly T[],
  width: number,
  options: { zebra?: boolean } = {},
): { header: TBlock; rows: TBlock[] } {
  const sum = columns.reduce((a, c) => a + c.weight, 0);
  const widths = columns.map((c) => (width * c.weight) / sum);
  const xs = widths.map((_, i) => widths.slice(0, i).reduce((a, b) => a + b, 0));
  const head = columns.map((c, i) =>
    layoutParts([{ text: c.title.toUpperCase(), face: "bold", size: SIZE.caption, color: MUTED }], widths[i] - 2 * CELL_PAD_X),
  );
  const headHeight = Math.max(...head.map((h) => h.height)) + 2 * ROW_PAD_Y;
  const header = painted(width, headHeight + 1.75, (p, y, state) => {
    p.moveTo(0, y + 0.5)
      .lineTo(width, y + 0.5)
      .lineWidth(1)
      .strokeColor(INK)
      .stroke();
    head.forEach((h, i) => paintLines(p, h.lines, xs[i] + CELL_PAD_X, y + 1 + ROW_PAD_Y, state));
    p.moveTo(0, y + headHeight + 1.25)
      .lineTo(width, y + headHeight + 1.25)
      .lineWidth(0.75)
      .strokeColor(INK)
      .stroke();
  });
  const blocks = rows.map((row, r) => {
    const cells = columns.map((c, i) => {
      const inner = widths[i] - 2 * CELL_PAD_X;
      if (c.cell) return c.cell(row, inner);
      const laid = layoutParts(c.parts?.(row) ?? [], inner);
      return { height: laid.height, paint: (p: TPainter, x: number, y: number, state: TPaintState) => paintLines(p, laid.lines, x, y, state) };
    });
    const height = Math.max(0, ...cells.map((c) => c.height)) + 2 * ROW_PAD_Y + 0.5;
    const zebra = options.zebra && r % 2 === 1;
    return painted(width, height, (p, y, state) => {
      if (zebra) p.rect(0, y, width, height - 0.5).fill("#f8fafc");
      cells.forEach((c, i) => c.paint(p, xs[i] + CELL_PAD_X, y + ROW_PAD_Y, state));
      p.moveTo(0, y + height - 0.25)
        .lineTo(width, y + height - 0.25)
        .lineWidth(0.5)
        .strokeColor(HAIRLINE)
        .stroke();
    });
  });
  return { header, rows: blocks };
}

/** A table as blocks, with what to print above its header when it continues on a new page. */
export type TTableBlocks = { header: TBlock; rows: TBlock[]; continued: TBlock };

/** Content that flows: blocks, then optionally a table. */
export type TSegment = { blocks?: TBlock[]; table?: TTableBlocks };

/** A run of segments that starts on a new page. */
export type TSection = { landscape?: boolean; segments: TSegment[] };

/** Packs a section into pages of `paper`: an array of pages, each an array of blocks. */
export function paginate(section: TSection, paper: TPaper): TBlock[][] {
  const capacity = contentHeight(paper, section.landscape) - 4;
  const pages: TBlock[][] = [];
  let page: TBlock[] = [];
  let used = 0;
  const newPage = () => {
    pages.push(page);
    page = [];
    used = 0;
  };
  const add = (b: TBlock) => {
    if (used + b.height > capacity && page.length > 0) newPage();
    page.push(b);
    used += b.height;
  };
  for (const seg of section.segments) {
    const blocks = seg.blocks ?? [];
    // A heading or intro stays with the table's header and first row.
    const lead =
      blocks.reduce((h, b) => h + b.height, 0) + (seg.table && seg.table.rows.length ? seg.table.header.height + seg.table.rows[0].height : 0);
    if (seg.table && used + lead > capacity && page.length > 0 && lead <= capacity) newPage();
    for (const b of blocks) add(b);
    if (!seg.table) continue;
    const { header, rows, continued } = seg.table;
    add(header);
    for (const r of rows) {
      if (used + r.height > capacity && page.length > 0) {
        newPage();
        add(continued);
        add(header);
      }
      add(r);
    }
  }
  if (page.length) pages.push(page);
  return pages;
}

const HEADER_SPACING = 0.4;

/**
 * The running header or footer of a numbered page, painted on a <Canvas> covering the page,
 * exactly where the <View>s of the cover put them (same fonts, baselines, kerning, letter spacing
 * and rules; pixel-identical). As react-pdf <Text> they were four text layouts and four text
 * renders per page, ~15% of the time of a 200-hop report. Frame text is ASCII (chain ids are
 * [A-Za-z0-9._:-]), so each face's own line box applies.
 */
function PaintedFrame({
  part,
  width,
  height,
  header,
  footer,
  pageLabel,
}: {
  part: "header" | "footer";
  width: number;
  height: number;
  header: { left: string; right: string };
  footer: string;
  pageLabel: string;
}) {
  const m = measure();
  const size = SIZE.caption;
  const lineOf = (faces: TFace[]) => Math.max(...faces.map((f) => m.lineBox(f).height)) * size;
  const text = (p: TPainter, s: string, face: TFace, x: number, top: number, align: "left" | "right", spacing = 0) => {
    const runs = m.runs(s, face);
    const chars = (t: string) => Array.from(t).length;
    const advance = (r: TRun) => m.shapedWidth(r, size) + spacing * chars(r.text);
    // react-pdf adds letter spacing after every glyph but the last.
    let cx = align === "left" ? x : x - (runs.reduce((w, r) => w + advance(r), 0) - spacing);
    const baseline = top + m.lineBox(face).ascent * size;
    p.fontSize(size).fillColor(MUTED);
    for (const r of runs) {
      p.font(r.font, r.name);
      p.text(r.text, cx, baseline - r.ascent * size, { lineBreak: false, ...(spacing ? { characterSpacing: spacing } : {}) });
      cx += advance(r);
    }
  };
  const left = MARGIN.x;
  const right = width - MARGIN.x;
  // A 0.5 pt border drawn the way react-pdf draws the <View>'s: a 1 pt stroke along the box's
  // outer edge, clipped to the border's band, both paths with zero-length curves at the corners
  // (its rounded-corner path with radius 0). Viewers snap plain rectangles and straight strokes to
  // the pixel grid, so a plain rect or line would render a shade darker than the cover's rules.
  const rule = (p: TPainter, y: number, edge: "top" | "bottom") => {
    const at = edge === "top" ? y : y + 0.5;
    const corner = (x: number, cy: number) => p.bezierCurveTo(x, cy, x, cy, x, cy);
    p.save();
    p.moveTo(right, y + 0.5).lineTo(left, y + 0.5);
    corner(left, y + 0.5).lineTo(left, y);
    corner(left, y).lineTo(right, y);
    corner(right, y).lineTo(right, y + 0.5);
    corner(right, y + 0.5).clip();
    if (edge === "top")
      p.moveTo(left, y + 0.5)
        .bezierCurveTo(left, at, left, at, left, at)
        .lineTo(right, at);
    else p.moveTo(right, at).bezierCurveTo(right, at, right, at, right, at).lineTo(left, at);
    corner(edge === "top" ? right : left, at);
    p.lineWidth(1).strokeColor(RULE).stroke();
    p.restore();
  };
  return (
    <Canvas
      fixed
      style={{ position: "absolute", top: 0, left: 0, width, height }}
      paint={(painter) => {
        const p = painter as unknown as TPainter;
        if (part === "header") {
          const top = 26;
          text(p, header.left.toUpperCase(), "bold", left, top, "left", HEADER_SPACING);
          text(p, header.right, "mono", right, top, "right");
          rule(p, top + lineOf(["bold", "mono"]) + 4, "bottom");
        } else {
          const top = height - 24 - lineOf(["sans"]) - 4 - 0.5;
          rule(p, top, "top");
          text(p, footer, "sans", left, top + 4.5, "left");
          text(p, pageLabel, "sans", right, top + 4.5, "right");
        }
        return null;
      }}
    />
  );
}

/** "Page 3 of 105", when the caller knows: it paginated the content itself. */
export type TPageNumber = { page: number; total: number };

/**
 * A page with the running header and footer. Pages we paginate ourselves get their number in
 * advance (`number`). A page whose content we did not measure (the cover) is numbered by react-pdf
 * instead, which lays the page out three more times to do so, and tells `onSplit` how many pages
 * it split into. Numbering every page that way cost a 200-hop report ~300 ms, and laying out a
 * page again is needed only where something on it depends on the page number.
 *
 * A numbered page is also not split by react-pdf (wrap off): its content was packed to fit, and
 * splitting costs one more layout of every page. Without wrap, react-pdf sizes a page to its
 * content, hence the page height pinned with min/max height; a block taller than a whole page
 * (a single hop row with ~80 scopes) runs past the bottom margin as it did before.
 */
export function ReportPage({
  paper,
  landscape = false,
  header,
  footer,
  number,
  onSplit,
  children,
}: {
  paper: TPaper;
  landscape?: boolean;
  header: { left: string; right: string };
  footer: string;
  number?: TPageNumber;
  onSplit?: (pages: number) => void;
  children: ReactNode;
}) {
  const width = landscape ? PAPER[paper].height : PAPER[paper].width;
  const height = landscape ? PAPER[paper].width : PAPER[paper].height;
  return (
    <Page
      size={paper}
      orientation={landscape ? "landscape" : "portrait"}
      style={[
        { paddingTop: MARGIN.top, paddingBottom: MARGIN.bottom, paddingHorizontal: MARGIN.x, fontSize: SIZE.body, color: INK },
        fontStyle("sans"),
        number ? { minHeight: height, maxHeight: height } : {},
      ]}
      wrap={!number}
    >
      {number ? (
        <PaintedFrame
          part="header"
          width={width}
          height={height}
          header={header}
          footer={footer}
          pageLabel={`Page ${number.page} of ${number.total}`}
        />
      ) : (
        <View
          fixed
          style={{
            position: "absolute",
            top: 26,
            left: MARGIN.x,
            right: MARGIN.x,
            flexDirection: "row",
            justifyContent: "space-between",
            borderBottomWidth: 0.5,
            borderBottomColor: RULE,
            paddingBottom: 4,
          }}
        >
          <Text style={[{ fontSize: SIZE.caption, color: MUTED, letterSpacing: HEADER_SPACING }, fontStyle("bold")]}>
            {header.left.toUpperCase()}
          </Text>
          <Text style={[{ fontSize: SIZE.caption, color: MUTED }, fontStyle("mono")]}>{header.right}</Text>
        </View>
      )}
      {children}
      {number ? (
        <PaintedFrame
          part="footer"
          width={width}
          height={height}
          header={header}
          footer={footer}
          pageLabel={`Page ${number.page} of ${number.total}`}
        />
      ) : (
        <View
          fixed
          style={{
            position: "absolute",
            bottom: 24,
            left: MARGIN.x,
            right: MARGIN.x,
            flexDirection: "row",
            justifyContent: "space-between",
            borderTopWidth: 0.5,
            borderTopColor: RULE,
            paddingTop: 4,
          }}
        >
          <Text style={[{ fontSize: SIZE.caption, color: MUTED }, fontStyle("sans")]}>{footer}</Text>
          <Text
            style={[{ fontSize: SIZE.caption, color: MUTED }, fontStyle("sans")]}
            render={({ pageNumber, totalPages, subPageTotalPages }) => {
              if (subPageTotalPages) onSplit?.(subPageTotalPages);
              return `Page ${pageNumber} of ${totalPages}`;
            }}
          />
        </View>
      )}
    </Page>
  );
}

/** Pages of a paginated section (see paginate), numbered from `firstPage` of `total`. */
export function SectionPages({
  pages,
  landscape,
  paper,
  header,
  footer,
  firstPage,
  total,
}: {
  pages: TBlock[][];
  landscape?: boolean;
  paper: TPaper;
  header: { left: string; right: string };
  footer: string;
  firstPage: number;
  total: number;
}) {
  return (
    <>
      {pages.map((blocks, i) => (
        <ReportPage key={i} paper={paper} landscape={landscape} header={header} footer={footer} number={{ page: firstPage + i, total }}>
          {groupPainted(blocks).map((g, j) => (
            <Fragment key={j}>{Array.isArray(g) ? <PaintedRun width={g[0].paint!.width} blocks={g} /> : g.node}</Fragment>
          ))}
        </ReportPage>
      ))}
    </>
  );
}

/** Consecutive painted blocks of the same width, grouped; others stay single. */
function groupPainted(blocks: TBlock[]): (TBlock | TBlock[])[] {
  const out: (TBlock | TBlock[])[] = [];
  for (const b of blocks) {
    const last = out[out.length - 1];
    if (b.paint && Array.isArray(last) && last[0].paint!.width === b.paint.width) last.push(b);
    else out.push(b.paint ? [b] : b);
  }
  return out;
}

export function width(paper: TPaper, landscape = false): number {
  return contentWidth(paper, landscape);
}

export function severityPart(severity: TSeverity, text: string, size: number = SIZE.table): TPart {
  return { text: `${SEVERITY_MARK[severity]} ${text}`, face: "bold", size, color: SEVERITY_COLOR[severity].ink };
}
