// A left-to-right tree layout for big graphs, linear in nodes + edges: dagre's layered layout costs
// seconds past a few hundred nodes, and a delegation chain is a tree (each grant has one parent)
// with at most a few cross edges (one actor invoking a resource another also touched).
//
// Iterative throughout (a 20,000-hop line would overflow the stack of a recursive walk), and
// cycle-safe: each node is placed once, under the first node that reaches it breadth-first from
// the roots. Small fan-outs stack their children in a column; past COLUMN_LIMIT children, or when
// the column would tower over the picture, the subtrees are packed on shelves so a wide fan-out keeps the picture about 1.6 times wider than tall.
import type { TLayoutInput, TLayoutResult, TPoint } from "./layout";

/**
 * Up to this many children stack in one column. The opening view draws at most 15 children of a
 * parent plus its stub and the odd child drawn for its finding; a fan-out wider than that is the
 * whole of a big one ("Show all", an expanded stub) and goes on shelves.
 */
const COLUMN_LIMIT = 20;
const ASPECT = 1.6;
/** A column of children taller than this many times its width goes on shelves instead. */
const TALL = 2;
const GAP_Y = 24;
const SHELF_GAP_X = 48;
const MIN_GAP_X = 56;
const MARGIN = 24;

export function treeLayout(input: TLayoutInput): TLayoutResult {
  const n = input.nodes.length;
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) index.set(input.nodes[i].id, i);
  const w = new Float64Array(n);
  const h = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    w[i] = input.nodes[i].width;
    h[i] = input.nodes[i].height;
  }

  // Outgoing adjacency as CSR arrays, and the room each node keeps for its outgoing edges' labels.
  const outCount = new Int32Array(n + 1);
  const indeg = new Int32Array(n);
  const labelRoom = new Float64Array(n);
  const valid: [number, number][] = [];
  for (const e of input.edges) {
    const s = index.get(e.source);
    const t = index.get(e.target);
    if (s === undefined || t === undefined || s === t) continue;
    valid.push([s, t]);
    outCount[s + 1] += 1;
    indeg[t] += 1;
    labelRoom[s] = Math.max(labelRoom[s], e.labelWidth);
  }
  for (let i = 0; i < n; i++) outCount[i + 1] += outCount[i];
  const outEdges = new Int32Array(valid.length);
  const fill = outCount.slice(0, n);
  for (const [s, t] of valid) outEdges[fill[s]++] = t;

  // Breadth-first from the roots (no incoming edge, in input order), then from whatever a cycle kept
  // unreached: every node gets exactly one parent, or none.
  const parent = new Int32Array(n).fill(-1);
  const seen = new Uint8Array(n);
  const order = new Int32Array(n);
  let len = 0;
  const roots: number[] = [];
  const walk = (start: number) => {
    seen[start] = 1;
    roots.push(start);
    order[len++] = start;
    for (let q = len - 1; q < len; q++) {
      const v = order[q];
      for (let k = outCount[v]; k < outCount[v + 1]; k++) {
        const t = outEdges[k];
        if (seen[t]) continue;
        seen[t] = 1;
        parent[t] = v;
        order[len++] = t;
      }
    }
  };
  for (let i = 0; i < n; i++) if (indeg[i] === 0 && !seen[i]) walk(i);
  for (let i = 0; i < n; i++) if (!seen[i]) walk(i);

  // Children lists (CSR again), in BFS order.
  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) if (parent[i] >= 0) childStart[parent[i] + 1] += 1;
  for (let i = 0; i < n; i++) childStart[i + 1] += childStart[i];
  const children = new Int32Array(n);
  const cfill = childStart.slice(0, n);
  for (let q = 0; q < n; q++) {
    const v = order[q];
    if (parent[v] >= 0) children[cfill[parent[v]]++] = v;
  }

  // Bottom-up: each subtree's box, and each child's box offset inside its parent's box.
  const boxW = new Float64Array(n);
  const boxH = new Float64Array(n);
  const offX = new Float64Array(n);
  const offY = new Float64Array(n);
  const selfY = new Float64Array(n);
  for (let q = n - 1; q >= 0; q--) {
    const v = order[q];
    const c0 = childStart[v];
    const c1 = childStart[v + 1];
    const k = c1 - c0;
    if (k === 0) {
      boxW[v] = w[v];
      boxH[v] = h[v];
      selfY[v] = 0;
      continue;
    }
    const gapX = Math.max(MIN_GAP_X, labelRoom[v] + 40);
    const left = w[v] + gapX;
    let packW = 0;
    let packH = 0;
    // A column, unless it is a wide fan-out or would stand far taller than the picture is wide
    // (a tree of small fan-outs stacks its leaves into a tower: 875 leaves of a 1,000-node tree).
    let columnH = 0;
    let columnW = 0;
    for (let j = c0; j < c1; j++) {
      columnH += boxH[children[j]] + (j < c1 - 1 ? GAP_Y : 0);
      columnW = Math.max(columnW, boxW[children[j]]);
    }
    if (k <= COLUMN_LIMIT && (k === 1 || columnH <= TALL * (left + columnW))) {
      for (let j = c0; j < c1; j++) {
        const c = children[j];
        offX[c] = left;
        offY[c] = packH;
        packH += boxH[c] + (j < c1 - 1 ? GAP_Y : 0);
      }
      packW = columnW;
    } else {
      // Shelves: rows of subtrees, as wide as makes the block about ASPECT times wider than tall.
      let area = 0;
      let widest = 0;
      for (let j = c0; j < c1; j++) {
        const c = children[j];
        area += (boxW[c] + SHELF_GAP_X) * (boxH[c] + GAP_Y);
        widest = Math.max(widest, boxW[c]);
      }
      const limit = Math.max(widest, Math.sqrt(area * ASPECT));
      let x = 0;
      let shelfH = 0;
      for (let j = c0; j < c1; j++) {
        const c = children[j];
        if (x > 0 && x + boxW[c] > limit) {
          packH += shelfH + GAP_Y;
          x = 0;
          shelfH = 0;
        }
        offX[c] = left + x;
        offY[c] = packH;
        x += boxW[c] + SHELF_GAP_X;
        shelfH = Math.max(shelfH, boxH[c]);
        packW = Math.max(packW, x - SHELF_GAP_X);
      }
      packH += shelfH;
    }
    const height = Math.max(h[v], packH);
    const shift = (height - packH) / 2;
    for (let j = c0; j < c1; j++) offY[children[j]] += shift;
    boxW[v] = left + packW;
    boxH[v] = height;
    selfY[v] = (height - h[v]) / 2;
  }

  // Top-down: roots stacked (or shelved when many), then each box inside its parent's.
  const ax = new Float64Array(n);
  const ay = new Float64Array(n);
  let y = MARGIN;
  let x = MARGIN;
  let shelfH = 0;
  let rootArea = 0;
  for (const r of roots) rootArea += (boxW[r] + SHELF_GAP_X) * (boxH[r] + GAP_Y);
  const rootLimit = roots.length > COLUMN_LIMIT ? Math.sqrt(rootArea * ASPECT) : Infinity;
  let width = 0;
  for (const r of roots) {
    if (rootLimit === Infinity) {
      ax[r] = MARGIN;
      ay[r] = y;
      y += boxH[r] + GAP_Y;
      width = Math.max(width, boxW[r]);
      continue;
    }
    if (x > MARGIN && x + boxW[r] > rootLimit) {
      y += shelfH + GAP_Y;
      x = MARGIN;
      shelfH = 0;
    }
    ax[r] = x;
    ay[r] = y;
    x += boxW[r] + SHELF_GAP_X;
    shelfH = Math.max(shelfH, boxH[r]);
    width = Math.max(width, x - SHELF_GAP_X - MARGIN);
  }
  if (rootLimit !== Infinity) y += shelfH + GAP_Y;
  for (let q = 0; q < n; q++) {
    const v = order[q];
    const p = parent[v];
    if (p >= 0) {
      ax[v] = ax[p] + offX[v];
      ay[v] = ay[p] + offY[v];
    }
  }

  const positions: Record<string, TPoint> = {};
  for (let i = 0; i < n; i++) positions[input.nodes[i].id] = { x: ax[i], y: ay[i] + selfY[i] };
  const edges: TLayoutResult["edges"] = {};
  for (const e of input.edges) if (index.has(e.source) && index.has(e.target)) edges[e.id] = { points: [], label: null };
  return { positions, edges, width: width + 2 * MARGIN, height: Math.max(y - GAP_Y, MARGIN) + MARGIN };
}
