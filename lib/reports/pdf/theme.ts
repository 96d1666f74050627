// The reports' visual language: the dashboard's severity colours (docs/design: critical red, error
// orange, warning amber, verified green, pending slate, always with a word), a calm typographic
// scale, and page geometry for A4 and US Letter.
import type { TChainStatus, TSeverity } from "@/lib/protocol/types";

export type TPaper = "A4" | "LETTER";

/** Page sizes in points (portrait). */
export const PAPER: Record<TPaper, { width: number; height: number; label: string }> = {
  A4: { width: 595.28, height: 841.89, label: "A4" },
  LETTER: { width: 612, height: 792, label: "US Letter" },
};

export const MARGIN = { x: 50, top: 62, bottom: 58 };

export function contentWidth(paper: TPaper, landscape = false): number {
  const p = PAPER[paper];
  return (landscape ? p.height : p.width) - 2 * MARGIN.x;
}

export function contentHeight(paper: TPaper, landscape = false): number {
  const p = PAPER[paper];
  return (landscape ? p.width : p.height) - MARGIN.top - MARGIN.bottom;
}

export const INK = "#0f172a";
export const MUTED = "#475569";
export const FAINT = "#64748b";
export const RULE = "#cbd5e1";
export const HAIRLINE = "#e2e8f0";
export const WASH = "#f8fafc";
export const ACCENT = "#1e3a5f";

export const SEVERITY_COLOR: Record<TSeverity, { ink: string; stroke: string; wash: string; word: string }> = {
  critical: { ink: "#b91c1c", stroke: "#dc2626", wash: "#fef2f2", word: "Critical" },
  error: { ink: "#c2410c", stroke: "#ea580c", wash: "#fff7ed", word: "Error" },
  warning: { ink: "#b45309", stroke: "#d97706", wash: "#fffbeb", word: "Warning" },
};

export const STATUS_COLOR: Record<TChainStatus, { ink: string; stroke: string; wash: string; word: string }> = {
  violation: { ink: "#b91c1c", stroke: "#dc2626", wash: "#fef2f2", word: "Violation" },
  warning: { ink: "#b45309", stroke: "#d97706", wash: "#fffbeb", word: "Warning" },
  pending: { ink: "#475569", stroke: "#64748b", wash: "#f1f5f9", word: "Pending" },
  verified: { ink: "#15803d", stroke: "#16a34a", wash: "#f0fdf4", word: "Verified" },
  observed: { ink: "#475569", stroke: "#64748b", wash: "#ffffff", word: "Observed, not verified" },
};

/** Type sizes in points. */
export const SIZE = {
  title: 20,
  h1: 14,
  h2: 10.5,
  body: 9,
  small: 8,
  table: 7.5,
  mono: 7,
  caption: 6.5,
} as const;

/** "2025-11-27 14:05:03 UTC": reports are read far from the server, so always UTC and say so. */
export function utc(t: number | string | null | undefined): string {
  if (t === null || t === undefined) return "—";
  const d = typeof t === "number" ? new Date(t * 1000) : new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  return d
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, " UTC");
}
