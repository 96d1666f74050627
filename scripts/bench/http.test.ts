import { describe, expect, it } from "vitest";
import { csvRecords } from "./http";

describe("csvRecords", () => {
  it("counts records, not line feeds inside quoted cells", () => {
    const body = (s: string) => Buffer.from(s, "utf8");
    expect(csvRecords(body("a,b\r\n1,2\r\n"))).toBe(2);
    // Two findings: their messages are one per line in one quoted cell.
    expect(csvRecords(body('h\r\n1,"x: one\ny: two",3\r\n2,"say ""hi""\r\n, again",4\r\n'))).toBe(3);
    expect(csvRecords(body(""))).toBe(0);
  });
});
