import { describe, expect, it } from "vitest";
import { formatDateTime, formatTime, plural, pluralAtLeast, zoneLabel } from "./format";

// 2026-03-04T09:07:05Z
const T = Date.UTC(2026, 2, 4, 9, 7, 5) / 1000;

describe("formatTime", () => {
  it("prints only the time, with its zone, on the same day", () => {
    expect(formatTime(T, new Date(Date.UTC(2026, 2, 4, 23, 0)), "utc")).toBe("09:07 UTC");
  });
  it("prints the date whenever the day is not today", () => {
    expect(formatTime(T, new Date(Date.UTC(2026, 2, 5, 0, 1)), "utc")).toBe("4 Mar 09:07 UTC");
    expect(formatTime(T, new Date(Date.UTC(2027, 0, 1)), "utc")).toBe("4 Mar 2026 09:07 UTC");
  });
  it("names the reader's zone in local mode", () => {
    const text = formatTime(T, new Date(Date.UTC(2027, 0, 1)), "local");
    expect(text).toMatch(/\d{2}:\d{2} \S+$/);
    expect(text.endsWith(zoneLabel("local", new Date(T * 1000)))).toBe(true);
  });
  it("accepts ISO strings and refuses nonsense with a dash", () => {
    expect(formatTime("2026-03-04T09:07:05Z", new Date(Date.UTC(2026, 2, 4)), "utc")).toBe("09:07 UTC");
    expect(formatTime("not a date", new Date(), "utc")).toBe("—");
  });
});

describe("formatDateTime", () => {
  it("has seconds and the zone", () => {
    expect(formatDateTime(T, "utc")).toBe("4 Mar 2026 09:07:05 UTC");
  });
});

describe("pluralAtLeast", () => {
  it("says a capped count is a lower bound, and an exact one as plural does", () => {
    expect(pluralAtLeast(10_000, false, "chain")).toBe("10,000+ chains");
    expect(pluralAtLeast(1, false, "chain")).toBe("1+ chains");
    expect(pluralAtLeast(10_000, true, "chain")).toBe(plural(10_000, "chain"));
    expect(pluralAtLeast(1, true, "chain")).toBe("1 chain");
  });
});
