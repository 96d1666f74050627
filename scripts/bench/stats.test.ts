import { describe, expect, it } from "vitest";
import { latency, percentile } from "./stats";

describe("percentile", () => {
  it("is nearest-rank", () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 95)).toBe(95);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
  it("summarises latencies", () => {
    expect(latency([1, 2, 3, 4])).toEqual({ n: 4, p50Ms: 2, p95Ms: 4, maxMs: 4 });
  });
});
