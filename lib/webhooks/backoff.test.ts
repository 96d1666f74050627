import { describe, expect, it } from "vitest";
import { retryDelayMs } from "./backoff";

const B = { baseMs: 10_000, maxMs: 3_600_000 };

describe("retryDelayMs", () => {
  it("doubles the ceiling with each failed try, the wait drawn from its upper half", () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, B, () => 1))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, B, () => 0))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(retryDelayMs(3, B, () => 0.5)).toBe(30_000);
  });

  it("never waits longer than the maximum, however many tries failed", () => {
    expect(retryDelayMs(9, B, () => 1)).toBe(2_560_000);
    expect(retryDelayMs(10, B, () => 1)).toBe(3_600_000);
    expect(retryDelayMs(10_000, B, () => 1)).toBe(3_600_000);
    expect(retryDelayMs(10_000, B, () => 0)).toBe(1_800_000);
  });

  it("treats a count below one as the first failure", () => {
    expect(retryDelayMs(0, B, () => 1)).toBe(10_000);
    expect(retryDelayMs(-3, B, () => 1)).toBe(10_000);
  });

  it("spreads the retries of many deliveries that failed together", () => {
    const waits = new Set(Array.from({ length: 50 }, () => retryDelayMs(5, B)));
    expect(waits.size).toBeGreaterThan(40);
    for (const w of waits) expect(w >= 80_000 && w <= 160_000).toBe(true);
  });
});
