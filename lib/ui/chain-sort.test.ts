import { describe, expect, it } from "vitest";
import { nextServerSort, parseChainSort, serverSortOf } from "./chain-sort";

describe("the Chains page's sort (the API's `sort`)", () => {
  it("cycles a column through its natural direction, the other, then newest first", () => {
    expect(nextServerSort(null, "hops")).toBe("-hops");
    expect(nextServerSort("-hops", "hops")).toBe("hops");
    expect(nextServerSort("hops", "hops")).toBeNull();
    expect(nextServerSort(null, "status")).toBe("status");
    expect(nextServerSort("status", "status")).toBe("-status");
    expect(nextServerSort("-status", "status")).toBeNull();
    expect(nextServerSort("-findings", "purpose")).toBe("purpose");
  });

  it("treats newest first as the default: no sort in the URL, the Started column descending", () => {
    expect(serverSortOf(null)).toEqual({ key: "started", dir: "desc" });
    expect(nextServerSort(null, "started")).toBe("started");
    expect(nextServerSort("started", "started")).toBeNull();
    expect(nextServerSort("-hops", "started")).toBeNull();
  });

  it("leaves the root column alone (the API cannot sort by a display name)", () => {
    expect(nextServerSort("-hops", "root")).toBe("-hops");
  });

  it("reads only sorts the API accepts from the URL", () => {
    expect(parseChainSort(new URLSearchParams("sort=-purpose"))).toBe("-purpose");
    expect(parseChainSort(new URLSearchParams("sort=root"))).toBeNull();
    expect(parseChainSort(new URLSearchParams(""))).toBeNull();
  });
});
