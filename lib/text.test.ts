import { describe, expect, it } from "vitest";
import { jsonDepth, jsonText, storableRaw } from "@/lib/text";

describe("jsonText", () => {
  it("writes what JSON.stringify writes", () => {
    for (const v of [null, 1, -0.5, 'a"b\n', true, [], {}, [1, [2, [3]]], { a: { b: [1, { c: "x" }] }, d: null, e: [] }, { u: undefined, k: 1 }])
      expect(jsonText(v)).toBe(JSON.stringify(v));
  });

  it("serialises a value nested 200,000 levels deep, where JSON.stringify overflows its stack", () => {
    const text = "[".repeat(200_000) + "]".repeat(200_000);
    const deep = JSON.parse(text);
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(jsonText(deep)).toBe(text);
    expect(storableRaw(deep)).toBe(text);
  });
});

describe("jsonDepth", () => {
  it("counts nesting and stops early", () => {
    expect(jsonDepth("x")).toBe(0);
    expect(jsonDepth({ a: [1, { b: [] }] })).toBe(4);
    const deep = JSON.parse("[".repeat(100_000) + "]".repeat(100_000));
    expect(jsonDepth(deep, 33)).toBe(33);
  });
});
