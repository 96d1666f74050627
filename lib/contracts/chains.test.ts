import { describe, expect, it } from "vitest";
import { searchParamsObject, ZChainListQuery } from "@/lib/contracts/chains";

describe("chain list query", () => {
  it("defaults limit to 50 and clamps it to 1..200", () => {
    expect(ZChainListQuery.parse({}).limit).toBe(50);
    expect(ZChainListQuery.parse({ limit: "1000" }).limit).toBe(200);
    expect(ZChainListQuery.parse({ limit: "0" }).limit).toBe(1);
    expect(ZChainListQuery.parse({ limit: "abc" }).limit).toBe(50);
  });
  it("reads since/until as NumericDate or ISO 8601", () => {
    expect(ZChainListQuery.parse({ since: "1700000000" }).since).toBe(1700000000);
    expect(ZChainListQuery.parse({ until: "2026-01-01T00:00:00Z" }).until).toBe(Date.parse("2026-01-01T00:00:00Z") / 1000);
    expect(ZChainListQuery.safeParse({ since: "yesterday" }).success).toBe(false);
  });
  it("refuses unknown statuses and finding codes", () => {
    expect(ZChainListQuery.safeParse({ status: "ok" }).success).toBe(false);
    expect(ZChainListQuery.safeParse({ finding: "ghost" }).success).toBe(false);
    expect(ZChainListQuery.parse({ finding: "ghost_permission" }).finding).toBe("ghost_permission");
  });
  it("ignores empty parameters", () => {
    expect(searchParamsObject(new URLSearchParams("status=&q=abc"))).toEqual({ q: "abc" });
  });
});
