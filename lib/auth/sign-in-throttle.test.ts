import { describe, expect, it } from "vitest";
import { delayAfter, MAX_DELAY_SECONDS } from "@/lib/auth/sign-in-throttle";

describe("sign-in delays", () => {
  it("are free for the first attempts, then double, then stop growing", () => {
    expect([1, 2, 3, 4].map((n) => delayAfter(n, 5))).toEqual([0, 0, 0, 0]);
    expect([5, 6, 7, 8].map((n) => delayAfter(n, 5))).toEqual([1, 2, 4, 8]);
    expect(delayAfter(40, 5)).toBe(MAX_DELAY_SECONDS);
  });
});
