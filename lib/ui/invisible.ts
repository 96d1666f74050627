// Text that could lie to its reader. Free text in Delegraph comes from signed tokens an agent wrote
// (purposes, resources, evidence, data classes) and from people (names): a right-to-left override
// (U+202E) turned "Q1 report.pdf" into what looks like another file, and escape codes rewrote a
// terminal. The dashboard and the PDF show such characters as visible markers (⟦RLO⟧) and isolate
// every free text from its surroundings; CSV cells drop them (lib/reports/csv.ts).
// Tab, line feed and carriage return are kept: evidence summaries have lines. Zero-width joiners
// are kept too: scripts and emoji need them.

/** C0/C1 controls (but TAB, LF, CR), bidi embeddings, overrides, isolates and marks, invisible formatting. */
export const INVISIBLE =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
const HAS_INVISIBLE = new RegExp(INVISIBLE.source);

const NAMES: Record<number, string> = {
  0x061c: "ALM",
  0x200b: "ZWSP",
  0x200e: "LRM",
  0x200f: "RLM",
  0x202a: "LRE",
  0x202b: "RLE",
  0x202c: "PDF",
  0x202d: "LRO",
  0x202e: "RLO",
  0x2060: "WJ",
  0x2066: "LRI",
  0x2067: "RLI",
  0x2068: "FSI",
  0x2069: "PDI",
  0xfeff: "BOM",
  0x1b: "ESC",
  0x7f: "DEL",
};

/** A short visible name: "RLO", "ESC", else "U+0007". */
export function invisibleName(ch: string): string {
  const code = ch.codePointAt(0)!;
  return NAMES[code] ?? `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

export function hasInvisible(text: string): boolean {
  return HAS_INVISIBLE.test(text);
}

/** The text with every such character replaced by ⟦NAME⟧, for plain-text places (PDF, titles). */
export function revealInvisible(text: string): string {
  return hasInvisible(text) ? text.replace(INVISIBLE, (ch) => `⟦${invisibleName(ch)}⟧`) : text;
}

/** The text cut at each such character: strings, and the characters themselves as {hidden}. */
export function splitInvisible(text: string): (string | { hidden: string })[] {
  if (!hasInvisible(text)) return [text];
  const out: (string | { hidden: string })[] = [];
  let last = 0;
  for (const m of text.matchAll(INVISIBLE)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push({ hidden: m[0] });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
