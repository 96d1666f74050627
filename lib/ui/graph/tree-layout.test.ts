import { describe, expect, it } from "vitest";
import type { TLayoutInput } from "./layout";
import { treeLayout } from "./tree-layout";

const node = (id: string) => ({ id, width: 232, height: 76 });
const edge = (s: string, t: string) => ({ id: `${s}>${t}`, source: s, target: t, labelWidth: 160, labelHeight: 52 });

function line(n: number): TLayoutInput {
  const nodes = Array.from({ length: n }, (_, i) => node(`n${i}`));
  const edges = Array.from({ length: n - 1 }, (_, i) => edge(`n${i}`, `n${i + 1}`));
  return { nodes, edges };
}

function overlaps(input: TLayoutInput, pos: Record<string, { x: number; y: number }>): number {
  // Sweep by x: linear enough for tests of a few thousand nodes.
  const boxes = input.nodes.map((n) => ({ x0: pos[n.id].x, y0: pos[n.id].y, x1: pos[n.id].x + n.width, y1: pos[n.id].y + n.height }));
  boxes.sort((a, b) => a.x0 - b.x0);
  let count = 0;
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length && boxes[j].x0 < boxes[i].x1; j++) if (boxes[j].y0 < boxes[i].y1 && boxes[i].y0 < boxes[j].y1) count += 1;
  return count;
}

describe("treeLayout", () => {
  it("lays a tree out left to right, parents before children, without overlaps", () => {
    const input: TLayoutInput = {
      nodes: ["r", "a", "b", "a1", "a2", "b1"].map(node),
      edges: [edge("r", "a"), edge("r", "b"), edge("a", "a1"), edge("a", "a2"), edge("b", "b1")],
    };
    const l = treeLayout(input);
    expect(l.positions.r.x).toBeLessThan(l.positions.a.x);
    expect(l.positions.a.x).toBeLessThan(l.positions.a1.x);
    expect(l.positions.a.y).toBeLessThan(l.positions.b.y);
    expect(overlaps(input, l.positions)).toBe(0);
    expect(Object.keys(l.edges)).toHaveLength(5);
  });

  it("packs a wide fan-out on shelves so the picture stays about 1.6 times wider than tall", () => {
    const nodes = [node("r"), ...Array.from({ length: 1000 }, (_, i) => node(`c${i}`))];
    const edges = Array.from({ length: 1000 }, (_, i) => edge("r", `c${i}`));
    const l = treeLayout({ nodes, edges });
    const aspect = l.width / l.height;
    expect(aspect).toBeGreaterThan(1);
    expect(aspect).toBeLessThan(2.5);
    expect(overlaps({ nodes, edges }, l.positions)).toBe(0);
    for (let i = 0; i < 1000; i++) expect(l.positions[`c${i}`].x).toBeGreaterThan(l.positions.r.x + 232);
  });

  it("is cycle-safe and places every node once, cross edges included", () => {
    const input: TLayoutInput = {
      nodes: ["a", "b", "c", "d"].map(node),
      edges: [edge("a", "b"), edge("b", "c"), edge("c", "a"), edge("d", "d"), edge("b", "a")],
    };
    const l = treeLayout(input);
    expect(Object.keys(l.positions).sort()).toEqual(["a", "b", "c", "d"]);
    expect(overlaps(input, l.positions)).toBe(0);
  });

  it("lays a 2,000-node line out without overlaps and a 20,000-node line without recursion, in linear time", () => {
    const two = line(2000);
    const l2 = treeLayout(two);
    expect(overlaps(two, l2.positions)).toBe(0);
    expect(l2.positions.n1999.x).toBeGreaterThan(l2.positions.n0.x);

    const big = line(20_000);
    const t0 = performance.now();
    const l = treeLayout(big);
    const ms = performance.now() - t0;
    expect(Object.keys(l.positions)).toHaveLength(20_000);
    expect(l.positions.n19999.x).toBeGreaterThan(l.positions.n19998.x);
    expect(ms).toBeLessThan(2_000);
  });

  it("lays out 20,000 nodes in a tree of fan-out 8 in well under a second", () => {
    const nodes = Array.from({ length: 20_000 }, (_, i) => node(`n${i}`));
    const edges = Array.from({ length: 19_999 }, (_, i) => edge(`n${Math.floor(i / 8)}`, `n${i + 1}`));
    const t0 = performance.now();
    const l = treeLayout({ nodes, edges });
    expect(performance.now() - t0).toBeLessThan(1_500);
    expect(Object.keys(l.positions)).toHaveLength(20_000);
    // Small fan-outs do not stack into a tower: the picture stays roughly as wide as 1.6 × tall.
    expect(l.width / l.height).toBeGreaterThan(0.8);
    expect(l.width / l.height).toBeLessThan(3.5);
    expect(overlaps({ nodes, edges }, l.positions)).toBe(0);
  });
});
