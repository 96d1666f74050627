import { describe, expect, it } from "vitest";
import { SpatialGrid } from "./spatial";

describe("SpatialGrid", () => {
  it("finds the items in a rectangle once each, and the item under a point", () => {
    const g = new SpatialGrid(100);
    const a = g.insert({ x0: 0, y0: 0, x1: 50, y1: 50 });
    const b = g.insert({ x0: 90, y0: 90, x1: 350, y1: 120 }); // spans several cells
    const c = g.insert({ x0: -500, y0: -500, x1: -450, y1: -450 });
    const out: number[] = [];
    expect(g.query({ x0: 0, y0: 0, x1: 400, y1: 400 }, out).sort()).toEqual([a, b]);
    expect(g.query({ x0: -1000, y0: -1000, x1: 0, y1: 0 }, out).sort()).toEqual([a, c]);
    expect(g.query({ x0: 200, y0: 0, x1: 210, y1: 10 }, out)).toEqual([]);
    expect(g.hit(300, 100)).toBe(b);
    expect(g.hit(10, 10)).toBe(a);
    expect(g.hit(70, 70)).toBe(-1);
  });

  it("answers a viewport query over 20,000 items with only what is in view", () => {
    const g = new SpatialGrid(512);
    for (let i = 0; i < 20_000; i++)
      g.insert({ x0: (i % 200) * 300, y0: Math.floor(i / 200) * 100, x1: (i % 200) * 300 + 232, y1: Math.floor(i / 200) * 100 + 76 });
    const out: number[] = [];
    g.query({ x0: 0, y0: 0, x1: 1440, y1: 899 }, out);
    expect(out.length).toBe(5 * 9);
    // Zoomed all the way out, everything (the walk switches to the occupied cells).
    g.query({ x0: -1e7, y0: -1e7, x1: 1e7, y1: 1e7 }, out);
    expect(out.length).toBe(20_000);
  });
});
