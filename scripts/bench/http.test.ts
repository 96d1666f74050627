import { describe, expect, it } from "vitest";
import { csvRecordCounter, csvRecords } from "./http";

const body = (s: string) => Buffer.from(s, "utf8");
const QUOTED = 'h\r\n1,"x: one\ny: two",3\r\n2,"say ""hi""\r\n, again",4\r\n';

describe("csvRecords", () => {
  it("counts records, not line feeds inside quoted cells", () => {
    expect(csvRecords(body("a,b\r\n1,2\r\n"))).toBe(2);
    // Two findings: their messages are one per line in one quoted cell.
    expect(csvRecords(body(QUOTED))).toBe(3);
    expect(csvRecords(body(""))).toBe(0);
  });

  it("counts the same when the body arrives in chunks cut anywhere, inside quotes included", () => {
    const whole = body(QUOTED);
    for (let size = 1; size <= whole.length; size++) {
      const counter = csvRecordCounter();
      for (let i = 0; i < whole.length; i += size) counter.push(whole.subarray(i, i + size));
      expect(counter.records(), `chunks of ${size}`).toBe(3);
    }
  });
});
