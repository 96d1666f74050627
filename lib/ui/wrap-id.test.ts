import { describe, expect, it } from "vitest";
import { idSegments } from "./wrap-id";

describe("idSegments", () => {
  it("breaks after dots, slashes and colons, keeping every character", () => {
    expect(idSegments("liq-q3.writer.d1")).toEqual(["liq-q3.", "writer.", "d1"]);
    expect(idSegments("ledger://works/rec/final")).toEqual(["ledger:", "/", "/", "works/", "rec/", "final"]);
    expect(idSegments("agent:ledger-writer").join("")).toBe("agent:ledger-writer");
    expect(idSegments("abc")).toEqual(["abc"]);
  });
});
