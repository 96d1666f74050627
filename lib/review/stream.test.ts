import { describe, expect, it } from "vitest";
import { formatStreamCursor, parseStreamCursor } from "./stream";

describe("stream cursor", () => {
  it("starts at the beginning without one and round-trips", () => {
    expect(parseStreamCursor(undefined)).toEqual({ seq: 0, finding: 0 });
    expect(parseStreamCursor(formatStreamCursor({ seq: 42, finding: 7 }))).toEqual({ seq: 42, finding: 7 });
  });
  it("refuses anything else", () => {
    for (const bad of ["", "1", "1.", "a.b", "-1.2", "1.2.3", "99999999999.1"]) expect(() => parseStreamCursor(bad), bad).toThrow(/cursor/);
  });
});
