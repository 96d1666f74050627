import { describe, expect, it } from "vitest";
import { hasInvisible, revealInvisible, splitInvisible } from "@/lib/ui/invisible";

describe("invisible characters", () => {
  it("names bidi overrides and controls visibly", () => {
    expect(revealInvisible("Q1 \u202Efdp.exe")).toBe("Q1 ⟦RLO⟧fdp.exe");
    expect(revealInvisible("a\u001b[31mred")).toBe("a⟦ESC⟧[31mred");
    expect(revealInvisible("\u2066x\u2069\u200F\u0007")).toBe("⟦LRI⟧x⟦PDI⟧⟦RLM⟧⟦U+0007⟧");
  });

  it("keeps ordinary text, lines, tabs, joiners and right-to-left letters as they are", () => {
    for (const s of ["plain", "line 1\nline 2\tx\r\n", "👨\u200D👩", "שלום عربى", ""]) {
      expect(hasInvisible(s)).toBe(false);
      expect(revealInvisible(s)).toBe(s);
    }
  });

  it("splits text around each hidden character", () => {
    expect(splitInvisible("a\u202Eb\u202Cc")).toEqual(["a", { hidden: "\u202E" }, "b", { hidden: "\u202C" }, "c"]);
    expect(splitInvisible("abc")).toEqual(["abc"]);
  });
});
