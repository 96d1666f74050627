// The chain graph for print: the UI's own graph model (lib/ui/graph/build-graph.ts) laid out by the
// UI's own dagre layout (lib/ui/graph/layout.ts), so the PDF draws what the dashboard draws.
// Grant labels are drawn 170 pt wide here (graph.tsx), so dagre keeps that much room for them.
// Then the layout is cut into page-sized tiles at a legible scale.
import type { TChainDetail } from "@/lib/contracts/chains";
import { buildGraph, type TGraphModel } from "@/lib/ui/graph/build-graph";
import { layoutGraph, toLayoutInput, type TLayoutResult } from "@/lib/ui/graph/layout";

/** The widest a grant's label is drawn (graph.tsx), and so the room dagre keeps for it. */
export const GRANT_LABEL_WIDTH = 170;

export type TTile = { x: number; y: number; width: number; height: number; row: number; col: number };

/** A graph model laid out and cut into page tiles; `scale` is points per layout unit. */
export type TGraphView = { model: TGraphModel; layout: TLayoutResult; scale: number; tiles: TTile[]; rows: number; cols: number };

/**
 * The overview (the whole graph on one page, null when even a map would be specks) and, when the
 * overview is too small to read, legible detail tiles. At least one of the two is present.
 */
export type TGraphPlan = { overview: TGraphView | null; detail: TGraphView | null };

/** Below this an overview is specks, not a map: skip it. */
export const OVERVIEW_MIN_SCALE = 0.12;

/** Below this, node labels (15 layout units) print under ~5.4 pt: detail tiles follow the overview. */
export const MIN_SCALE = 0.36;
/** Above this, a three-node chain would print with poster-sized boxes. */
export const MAX_SCALE = 0.62;
export const MAX_TILES = 6;
const OVERLAP = 30;

function laidOut(detail: TChainDetail, budget?: number) {
  const model = buildGraph(detail, budget === undefined ? {} : { budget });
  return { model, layout: layoutGraph(toLayoutInput(model, GRANT_LABEL_WIDTH)) };
}

function tiled(model: TGraphModel, layout: TLayoutResult, area: { width: number; height: number }, scale: number): TGraphView {
  const w = Math.max(layout.width, 1);
  const h = Math.max(layout.height, 1);
  const tw = area.width / scale;
  const th = area.height / scale;
  const cols = w <= tw ? 1 : Math.ceil((w - OVERLAP) / (tw - OVERLAP));
  const rows = h <= th ? 1 : Math.ceil((h - OVERLAP) / (th - OVERLAP));
  const tiles: TTile[] = [];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++)
      tiles.push({ x: c * (tw - OVERLAP), y: r * (th - OVERLAP), width: cols === 1 ? w : tw, height: rows === 1 ? h : th, row: r, col: c });
  return { model, layout, scale, tiles, rows, cols };
}

/**
 * The overview is the dashboard's own model (its node budget included) fitted to one page. When
 * that prints too small to read, detail tiles follow at a legible scale; if those would take more
 * than MAX_TILES pages, the detail is drawn like the dashboard draws big chains: the root's
 * neighbourhood, the rest stood in for by "N hidden" placeholders that keep their findings.
 */
export function planGraph(detail: TChainDetail, area: { width: number; height: number }): TGraphPlan {
  const full = laidOut(detail);
  const fit = Math.min(area.width / Math.max(full.layout.width, 1), area.height / Math.max(full.layout.height, 1));
  const overview = tiled(full.model, full.layout, area, Math.min(fit, MAX_SCALE));
  if (fit >= MIN_SCALE) return { overview, detail: null };
  const map = fit >= OVERVIEW_MIN_SCALE ? overview : null;
  let view = tiled(full.model, full.layout, area, MIN_SCALE);
  let budget = full.model.nodes.filter((n) => n.kind !== "hidden").length;
  while (view.tiles.length > MAX_TILES && budget > 8) {
    budget = Math.max(8, Math.floor(budget * Math.sqrt(MAX_TILES / view.tiles.length) * 0.9));
    const small = laidOut(detail, budget);
    view = tiled(small.model, small.layout, area, MIN_SCALE);
  }
  return { overview: map, detail: view };
}
