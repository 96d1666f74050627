import { describe, expect, it } from "vitest";
import type { TBlastNode } from "@/lib/contracts/investigate";
import { blastCsv, flattenTree } from "./blast-radius";

const node = (jti: string, children: TBlastNode[] = [], extra: Partial<TBlastNode> = {}): TBlastNode => ({
  jti,
  chainId: "c",
  kind: "delegate",
  iss: "agent:a",
  aud: "agent:b",
  action: null,
  resource: null,
  purpose: "p",
  iat: 1_800_000_000,
  relation: "downstream",
  findings: [],
  children,
  ...extra,
});

describe("blast radius rows", () => {
  const tree = [
    node("g1", [node("i1", [], { kind: "invoke", action: "x:write", resource: '=HYPERLINK("evil")' }), node("g2")], { relation: "signed" }),
  ];
  it("flattens depth first with depth and parent", () => {
    expect(flattenTree(tree).map((r) => [r.node.jti, r.depth, r.parent])).toEqual([
      ["g1", 0, null],
      ["i1", 1, "g1"],
      ["g2", 1, "g1"],
    ]);
  });
  it("writes one CSV row per event and per refusal, with formulas neutralised", () => {
    const csv = blastCsv({
      tree: { roots: tree, direct: 1, downstream: 2, truncated: false },
      refused: [{ id: 7, receivedAt: "2027-01-15T08:00:00.000Z", jti: "late", chainId: "c", kid: "k1", code: "key_revoked", message: "key revoked" }],
    });
    const lines = csv.trim().split("\r\n");
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^row,relation,depth,under,time_utc,kind/);
    expect(lines[1]).toContain("signed,0,,2027-01-15T08:00:00Z,delegate,g1");
    expect(lines[2]).toContain("downstream,1,g1,");
    expect(lines[2]).not.toMatch(/,=HYPERLINK/);
    expect(lines[4]).toContain("refused,refused");
    expect(lines[4]).toContain("key_revoked: key revoked");
  });
});
