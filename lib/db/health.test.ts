import { describe, expect, it } from "vitest";
import { isUnavailableError } from "@/lib/db/health";

describe("isUnavailableError", () => {
  it("knows an unreachable, closed, timed-out or busy database, however deep the cause", () => {
    const cases: unknown[] = [
      Object.assign(new Error("Can't reach database server"), { code: "P1001" }),
      Object.assign(new Error("x"), { code: "P2028" }),
      Object.assign(new Error("x"), { cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }) }),
      { name: "DriverAdapterError", cause: { kind: "postgres", originalCode: "57P01" } },
      { code: "P2010", meta: { driverAdapterError: { cause: { kind: "postgres", originalCode: "08006" } } } },
      Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" }),
      Object.assign(new Error("disk I/O error"), { code: "SQLITE_IOERR_WRITE" }),
    ];
    for (const e of cases) expect(isUnavailableError(e)).toBe(true);
  });

  it("does not take a request's own fault for an outage", () => {
    for (const e of [
      new Error("boom"),
      Object.assign(new Error("dup"), { code: "P2002" }),
      { cause: { kind: "postgres", originalCode: "22P02" } },
      null,
      "text",
    ])
      expect(isUnavailableError(e)).toBe(false);
  });
});
