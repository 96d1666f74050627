import { describe, expect, it } from "vitest";
import { compareHops, pairDiffers, type TCompareHop } from "./compare";

const hop = (over: Partial<TCompareHop> & { jti: string }): TCompareHop => ({
  to: "agent:planner",
  purpose: "finance.reporting",
  iat: 100,
  scope: ["finance/*:read"],
  constraints: {},
  depth: 0,
  maxDepth: 3,
  outcome: "completed",
  findings: [],
  ...over,
});

describe("compareHops", () => {
  it("pairs hops by receiving principal and purpose, and finds nothing between equal ones", () => {
    const pairs = compareHops(
      [hop({ jti: "a1" }), hop({ jti: "a2", to: "agent:viz", depth: 1 })],
      [hop({ jti: "b2", to: "agent:viz", depth: 1 }), hop({ jti: "b1" })],
    );
    expect(pairs.map((p) => [p.a?.jti, p.b?.jti])).toEqual([
      ["a1", "b1"],
      ["a2", "b2"],
    ]);
    expect(pairs.every((p) => !pairDiffers(p))).toBe(true);
  });

  it("highlights scope by coverage, constraints, depth, outcome and findings", () => {
    const [p] = compareHops(
      [hop({ jti: "a", scope: ["finance/*:read", "hr/*:read"], constraints: { data: ["financial"] }, outcome: "completed" })],
      [
        hop({
          jti: "b",
          scope: ["finance/q1:read", "payments:write"],
          constraints: { data: ["financial", "pii"], egress: ["API.bank.example"] },
          depth: 1,
          maxDepth: null,
          outcome: "open",
          findings: ["ghost_permission"],
        }),
      ],
    );
    expect(p.differences).toEqual({
      scope: { added: ["payments:write"], removed: ["finance/*:read", "hr/*:read"], narrowed: ["finance/q1:read"] },
      data: { added: ["pii"], removed: [] },
      egress: { added: ["api.bank.example"], removed: ["any"] },
      depth: { a: 0, b: 1 },
      maxDepth: { a: 3, b: null },
      outcome: { a: "completed", b: "open" },
      findings: { added: ["ghost_permission"], removed: [] },
    });
    expect(pairDiffers(p)).toBe(true);
  });

  it("treats two spellings of the same authority as no scope difference", () => {
    const [p] = compareHops([hop({ jti: "a", scope: ["a:x", "a:*"] })], [hop({ jti: "b", scope: ["a:*"] })]);
    expect(p.differences.scope).toBeUndefined();
  });

  it("says an empty constraint list allows none", () => {
    const [p] = compareHops([hop({ jti: "a" })], [hop({ jti: "b", constraints: { data: [] } })]);
    expect(p.differences.data).toEqual({ added: ["none"], removed: ["any"] });
  });

  it("lists hops on one side only, in order of issue, and pairs repeated keys in order", () => {
    const pairs = compareHops(
      [hop({ jti: "a1", iat: 1 }), hop({ jti: "a2", iat: 2 }), hop({ jti: "only-a", to: "agent:x" })],
      [hop({ jti: "b2", iat: 20 }), hop({ jti: "b1", iat: 10 }), hop({ jti: "only-b", purpose: "hr" })],
    );
    expect(pairs.map((p) => [p.a?.jti ?? null, p.b?.jti ?? null])).toEqual([
      ["a1", "b1"],
      ["a2", "b2"],
      ["only-a", null],
      [null, "only-b"],
    ]);
    expect(pairs.filter(pairDiffers)).toHaveLength(2);
  });
});
