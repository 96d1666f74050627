import { describe, expect, it } from "vitest";
import type { TClaims } from "@/lib/protocol/types";
import { blastTree, type TBlastEvent } from "./blast-radius";

const T = 1_800_000_000;
const base = { v: 1 as const, chain: "c" };
const grant = (jti: string, iss: string, aud: string, parent: string | null, iat: number): TClaims =>
  parent
    ? { ...base, kind: "delegate", jti, iss, aud, parent, iat, exp: iat + 3600, scope: ["a:read"], purpose: { code: "p", text: "p" } }
    : { ...base, kind: "authorize", jti, iss, aud, iat, exp: iat + 3600, scope: ["a:read"], purpose: { code: "p", text: "p" } };
const act = (jti: string, iss: string, g: string, iat: number): TClaims => ({
  ...base,
  kind: "invoke",
  jti,
  iss,
  grant: g,
  iat,
  action: "a:read",
  resource: `db://${jti}`,
});
const ev = (claims: TClaims, kid = "k1"): TBlastEvent => ({ jti: claims.jti, chainId: "c", claims, kid });

// human → planner (g0); planner → worker (g1, signed with k1), planner → other (g2, signed with k2); worker acts under g1.
const events = [
  ev(grant("g0", "user:h", "agent:planner", null, T)),
  ev(act("i0", "agent:planner", "g0", T + 5)),
  ev(grant("g1", "agent:planner", "agent:worker", "g0", T + 10), "k1"),
  ev(grant("g2", "agent:planner", "agent:other", "g0", T + 20), "k2"),
  ev(act("i1", "agent:worker", "g1", T + 30)),
  ev(grant("g3", "agent:worker", "agent:sub", "g1", T + 40)),
  ev(act("i3", "agent:sub", "g3", T + 50)),
];
const none = new Map();

describe("blastTree", () => {
  it("a principal: the grant it received is the root, everything under it downstream, its own acts marked signed", () => {
    const t = blastTree(events, "agent:planner", { kid: null, since: 0, findings: none, limit: 100 });
    expect(t.roots.map((r) => [r.jti, r.relation])).toEqual([["g0", "received"]]);
    const g0 = t.roots[0];
    expect(g0.children.map((c) => [c.jti, c.relation])).toEqual([
      ["i0", "signed"],
      ["g1", "signed"],
      ["g2", "signed"],
    ]);
    expect(g0.children[1].children.map((c) => c.jti)).toEqual(["i1", "g3"]);
    expect(g0.children[1].children[1].children.map((c) => [c.jti, c.relation, c.resource])).toEqual([["i3", "downstream", "db://i3"]]);
    expect([t.direct, t.downstream, t.truncated]).toEqual([4, 3, false]);
  });

  it("a key: only what that key signed, and what hangs under it", () => {
    const t = blastTree(events, "agent:planner", { kid: "k2", since: 0, findings: none, limit: 100 });
    expect(t.roots.map((r) => r.jti)).toEqual(["g2"]);
    const k1 = blastTree(events, "agent:planner", { kid: "k1", since: T + 6, findings: none, limit: 100 });
    expect(k1.roots.map((r) => r.jti)).toEqual(["g1"]);
    expect(k1.roots[0].children.map((c) => c.jti)).toEqual(["i1", "g3"]);
    expect(k1.downstream).toBe(3);
  });

  it("since T: earlier events are not direct, and the tree stops at its limit and says so", () => {
    expect(blastTree(events, "agent:planner", { kid: null, since: T + 15, findings: none, limit: 100 }).roots.map((r) => r.jti)).toEqual(["g2"]);
    const small = blastTree(events, "agent:planner", { kid: null, since: 0, findings: none, limit: 3 });
    expect(small.truncated).toBe(true);
    expect(small.direct + small.downstream).toBe(3);
  });
});
