// Embedded fonts for the PDF reports and the text measuring that lets us wrap ids and scopes
// ourselves. Helvetica (PDF's built-in) has no Cyrillic, Greek or CJK, so names like 李小龙 or
// Ольга would print as blanks: we embed DejaVu Sans (Latin, Greek, Cyrillic, symbols) with Droid
// Sans Fallback for CJK as the second font of every stack (public/fonts, licences beside them).
//
// Why measure: react-pdf breaks lines only at spaces, or at hyphenation points where it inserts a
// "-" glyph. Neither suits a 120-character principal id or scope, which must wrap without a
// hyphen that is not part of it. So text is broken into lines here, with the same font data
// react-pdf will draw with, and handed over with explicit "\n".
import { revealInvisible } from "@/lib/ui/invisible";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Font } from "@react-pdf/renderer";

export const SANS = "DgSans";
export const MONO = "DgMono";
const CJK = "DgCjk";

/** Font stacks: the CJK fallback is used glyph by glyph where DejaVu has none. */
export const SANS_STACK = [SANS, CJK];
export const MONO_STACK = [MONO, CJK];

export type TFace = "sans" | "bold" | "italic" | "mono";

const FILES = {
  sans: "DejaVuSans.ttf",
  bold: "DejaVuSans-Bold.ttf",
  italic: "DejaVuSans-Oblique.ttf",
  mono: "DejaVuSansMono.ttf",
  cjk: "DroidSansFallback.ttf",
} as const;

/**
 * public/fonts, resolved at run time: next start, tests and tsx all run from the repository root;
 * DELEGRAPH_FONT_DIR overrides it for other layouts.
 */
export function fontDir(): string {
  const dir = process.env.DELEGRAPH_FONT_DIR || join(process.cwd(), "public", "fonts");
  if (!existsSync(join(dir, FILES.sans))) throw new Error(`PDF fonts not found in ${dir}: run from the repository root or set DELEGRAPH_FONT_DIR`);
  return dir;
}

type TGlyphFont = {
  postscriptName: string;
  unitsPerEm: number;
  ascent: number;
  descent: number;
  lineGap: number;
  hasGlyphForCodePoint(cp: number): boolean;
  glyphForCodePoint(cp: number): { advanceWidth: number };
  layout(text: string): { advanceWidth: number };
};

type TMetrics = Record<TFace | "cjk", TGlyphFont>;

let ready: Promise<TMetrics> | null = null;

/** Registers the fonts once per process and loads them, so text can be measured synchronously. */
export function loadFonts(): Promise<TMetrics> {
  ready ??= (async () => {
    const dir = fontDir();
    Font.register({
      family: SANS,
      fonts: [
        { src: join(dir, FILES.sans), fontWeight: 400 },
        { src: join(dir, FILES.bold), fontWeight: 700 },
        { src: join(dir, FILES.italic), fontWeight: 400, fontStyle: "italic" },
      ],
    });
    Font.register({
      family: MONO,
      fonts: [
        { src: join(dir, FILES.mono), fontWeight: 400 },
        { src: join(dir, FILES.mono), fontWeight: 700 },
      ],
    });
    Font.register({
      family: CJK,
      fonts: [
        { src: join(dir, FILES.cjk), fontWeight: 400 },
        { src: join(dir, FILES.cjk), fontWeight: 700 },
        { src: join(dir, FILES.cjk), fontWeight: 400, fontStyle: "italic" },
      ],
    });
    // We break lines ourselves (see wrapText); react-pdf must not hyphenate words.
    Font.registerHyphenationCallback((word) => [word]);
    const descriptors: Record<TFace | "cjk", { fontFamily: string; fontWeight: number; fontStyle?: "italic" }> = {
      sans: { fontFamily: SANS, fontWeight: 400 },
      bold: { fontFamily: SANS, fontWeight: 700 },
      italic: { fontFamily: SANS, fontWeight: 400, fontStyle: "italic" },
      mono: { fontFamily: MONO, fontWeight: 400 },
      cjk: { fontFamily: CJK, fontWeight: 400 },
    };
    const out = {} as TMetrics;
    for (const [face, d] of Object.entries(descriptors) as [TFace | "cjk", (typeof descriptors)[TFace]][]) {
      await Font.load(d);
      const source = Font.getFont(d) as unknown as { data: TGlyphFont | null } | undefined;
      if (!source?.data) throw new Error(`font ${d.fontFamily} did not load`);
      out[face] = source.data;
    }
    // Painted text names each font by its PostScript name (TRun.name): they must be distinct.
    const names = new Set(Object.values(out).map((f) => f.postscriptName));
    if (names.size !== Object.keys(out).length) throw new Error(`PDF fonts share a PostScript name: ${[...names].join(", ")}`);
    return out;
  })();
  ready.catch(() => {
    ready = null;
  });
  return ready;
}

// ---------------------------------------------------------------------------------------------
// Measuring and wrapping.

export type TMeasurer = {
  /** width of `text` in points at `size` */
  width(text: string, size: number, face: TFace): number;
  /**
   * `text` cut into runs drawable with one font file each: the face's own font, or the CJK
   * fallback where it has no glyph (what react-pdf's font stacks do glyph by glyph).
   */
  runs(text: string, face: TFace): TRun[];
  /**
   * Width of a run drawn by pdfkit: shaped, so with the font's kerning, as react-pdf's own <Text>
   * measures it (width() ignores kerning, which only matters where text is right-aligned).
   */
  shapedWidth(run: TRun, size: number): number;
  /** A face's ascent and its natural line height (what <Text> uses without lineHeight), in em. */
  lineBox(face: TFace): { ascent: number; height: number };
};

/**
 * `font` is the very fontkit object react-pdf draws with, so pdfkit embeds each font once; `name`
 * is its PostScript name, the key under which pdfkit keeps the font it opened for it (see paintLines).
 */
export type TRun = { text: string; font: object; name: string; ascent: number };

export function measurer(metrics: TMetrics): TMeasurer {
  const cache = new Map<string, number>();
  const advance = (cp: number, face: TFace): number => {
    const key = `${face}:${cp}`;
    let w = cache.get(key);
    if (w === undefined) {
      const primary = metrics[face];
      const font = primary.hasGlyphForCodePoint(cp) ? primary : metrics.cjk.hasGlyphForCodePoint(cp) ? metrics.cjk : primary;
      w = font.glyphForCodePoint(cp).advanceWidth / font.unitsPerEm;
      cache.set(key, w);
    }
    return w;
  };
  const ascentOf = (f: TGlyphFont) => f.ascent / f.unitsPerEm;
  const shaped = new Map<string, number>();
  return {
    lineBox(face) {
      const f = metrics[face];
      return { ascent: f.ascent / f.unitsPerEm, height: (f.ascent - f.descent + f.lineGap) / f.unitsPerEm };
    },
    shapedWidth(run, size) {
      const font = run.font as TGlyphFont;
      const key = `${run.name}:${run.text}`;
      let w = shaped.get(key);
      if (w === undefined) {
        w = font.layout(run.text).advanceWidth / font.unitsPerEm;
        shaped.set(key, w);
      }
      return w * size;
    },
    width(text, size, face) {
      let em = 0;
      for (const ch of text) em += advance(ch.codePointAt(0)!, face);
      return em * size;
    },
    runs(text, face) {
      const out: TRun[] = [];
      const primary = metrics[face];
      for (const ch of text) {
        const cp = ch.codePointAt(0)!;
        const font = !primary.hasGlyphForCodePoint(cp) && metrics.cjk.hasGlyphForCodePoint(cp) ? metrics.cjk : primary;
        const last = out[out.length - 1];
        if (last && last.font === font) last.text += ch;
        else out.push({ text: ch, font, name: font.postscriptName, ascent: ascentOf(font) });
      }
      return out;
    },
  };
}

// Characters after which an id, scope, URI or hash may break: the next line starts with what
// follows, so nothing is inserted and nothing is lost.
const BREAK_AFTER = new Set(["/", ":", ".", "@", "_", "-", ",", "?", "&", "=", "#", ")", "]", "}", "|", ";"]);

/**
 * Breaks `text` into lines no wider than `width` points: at spaces where possible, and inside a
 * word that is wider than the line after a separator (/ : . @ - …) or, failing that, between any
 * two characters. Existing newlines are kept.
 */
export function wrapLines(m: TMeasurer, text: string, width: number, size: number, face: TFace): string[] {
  const limit = width * 0.98;
  const out: string[] = [];
  // Every text of a report passes here: bidi overrides and control characters are printed as
  // visible markers, so no token-supplied text can reorder or hide what the page says.
  for (const paragraph of revealInvisible(text).split(/\r\n|\r|\n/)) {
    const words = paragraph.split(/( +)/).filter((w) => w.length > 0);
    let line = "";
    const push = () => {
      out.push(line.trimEnd());
      line = "";
    };
    for (const word of words) {
      if (/^ +$/.test(word)) {
        if (line) line += word;
        continue;
      }
      if (m.width(line + word, size, face) <= limit) {
        line += word;
        continue;
      }
      if (line.trim() && m.width(word, size, face) <= limit) {
        push();
        line = word;
        continue;
      }
      // The word does not fit on a line of its own: split it.
      let rest = word;
      while (rest) {
        const room = line.trim() ? limit - m.width(line, size, face) : limit;
        const cut = cutPoint(m, rest, room, size, face);
        if (cut === 0) {
          if (line.trim()) {
            push();
            continue;
          }
        }
        const n = Math.max(cut, 1);
        line += rest.slice(0, n);
        rest = rest.slice(n);
        if (rest) push();
      }
    }
    push();
  }
  return out;
}

/** How many characters of `word` fit in `room`, preferring to end after a separator. */
function cutPoint(m: TMeasurer, word: string, room: number, size: number, face: TFace): number {
  const chars = Array.from(word);
  let w = 0;
  let fit = 0;
  let lastSep = 0;
  let units = 0;
  for (const ch of chars) {
    const cw = m.width(ch, size, face);
    if (w + cw > room) break;
    w += cw;
    fit++;
    units += ch.length;
    if (BREAK_AFTER.has(ch)) lastSep = units;
  }
  if (fit === chars.length) return word.length;
  const fitUnits = chars.slice(0, fit).join("").length;
  // A separator in the last two fifths of the line is a nicer break than a hard one.
  return lastSep > 0 && lastSep >= fitUnits * 0.6 ? lastSep : fitUnits;
}

export function wrapText(m: TMeasurer, text: string, width: number, size: number, face: TFace): string {
  return wrapLines(m, text, width, size, face).join("\n");
}

/** At most `maxLines` lines; the last one ends with "…" when text was left out. */
export function clampLines(m: TMeasurer, text: string, width: number, size: number, face: TFace, maxLines: number): string[] {
  const lines = wrapLines(m, text, width, size, face);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  let last = kept[maxLines - 1];
  while (last && m.width(last + "…", size, face) > width) last = Array.from(last).slice(0, -1).join("");
  kept[maxLines - 1] = last + "…";
  return kept;
}
