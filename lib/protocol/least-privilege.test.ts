import { describe, expect, it } from "vitest";
import {
  analyseGrants,
  analyseGrantUses,
  countGrantUses,
  coveringPatterns,
  grantUsesOf,
  grantsForPurpose,
  narrowestCover,
  rankUnusedAuthority,
  suggestGrant,
  type TLpGrant,
  type TLpInvoke,
} from "./least-privilege";
import { isValidScope, scopeCovers, scopesWithin } from "./scope";
import { mulberry32 } from "./test-helpers";
import type { TClaims } from "./types";

// Random patterns from a small alphabet, so that random sets overlap, nest and repeat.
function rng(seed: number) {
  const next = mulberry32(seed);
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}
type TRng = ReturnType<typeof rng>;

function randomScope(r: TRng, concrete = false): string {
  const action = concrete ? r.pick(["x", "y", "z"]) : r.pick(["x", "y", "*"]);
  if (!concrete && r.int(12) === 0) return `*:${action}`;
  const segments = Array.from({ length: 1 + r.int(4) }, () => r.pick(["a", "b", "c"]));
  return `${segments.join("/")}${!concrete && r.int(2) ? "/*" : ""}:${action}`;
}
const list = (r: TRng, max: number, concrete = false) => Array.from({ length: r.int(max + 1) }, () => randomScope(r, concrete));

/** Some pattern of `granted` covering it made concrete, or a random scope (that may be outside). */
function randomUse(r: TRng, granted: string[]): string {
  if (granted.length === 0 || r.int(4) === 0) return randomScope(r, r.int(2) === 0);
  const g = r.pick(granted);
  const [resource, action] = g.split(":");
  const tail = Array.from({ length: 1 + r.int(2) }, () => r.pick(["a", "b", "c"])).join("/");
  const res = resource === "*" ? tail : resource.endsWith("/*") ? `${resource.slice(0, -2)}/${tail}` : resource;
  return `${res}:${action === "*" ? r.pick(["x", "y", "z", "*"]) : action}`;
}

describe("coveringPatterns", () => {
  it("lists exactly the patterns that cover a scope (checked against scopeCovers on random pairs)", () => {
    const r = rng(7);
    for (let i = 0; i < 3000; i++) {
      const c = randomScope(r);
      const p = randomScope(r);
      const listed = coveringPatterns(c);
      expect(listed).toContain(c);
      for (const q of listed) expect(scopeCovers(q, c), `${q} covers ${c}`).toBe(true);
      expect(listed.includes(p), `${p} vs ${c}`).toBe(scopeCovers(p, c));
    }
  });

  it("lists nothing for an invalid scope", () => {
    expect(coveringPatterns("A:x")).toEqual([]);
  });
});

describe("narrowestCover", () => {
  it("keeps the used scopes, drops those another covers and those outside the grant", () => {
    expect(narrowestCover(["finance/q1/revenue:read", "finance/q1/*:read", "finance/q2/costs:read", "hr/staff:read"], ["finance/*:read"])).toEqual([
      "finance/q1/*:read",
      "finance/q2/costs:read",
    ]);
    expect(narrowestCover(["a:x", "a:x", "a:*"], ["*:*"])).toEqual(["a:*"]);
    expect(narrowestCover([], ["*:*"])).toEqual([]);
    expect(narrowestCover(["a:x"], [])).toEqual([]);
  });

  it("on 2,000 random granted and used sets: never widens, covers every covered use, invents nothing, has no redundant element, and is within every other covering set", () => {
    const r = rng(42);
    for (let i = 0; i < 2000; i++) {
      const granted = list(r, 8);
      const used = Array.from({ length: r.int(12) }, () => randomUse(r, granted));
      const out = narrowestCover(used, granted);
      const coveredUses = used.filter((u) => granted.some((g) => scopeCovers(g, u)));
      const ctx = `granted ${granted.join(" ")} used ${used.join(" ")} → ${out.join(" ")}`;
      // never widens: within what was granted
      expect(scopesWithin(out, granted), ctx).toBe(true);
      // covers every use the grant covered
      expect(scopesWithin(coveredUses, out), ctx).toBe(true);
      // invents nothing: each element is one of the uses
      for (const s of out) expect(coveredUses, ctx).toContain(s);
      // no element covers another
      for (const a of out) for (const b of out) if (a !== b) expect(scopeCovers(a, b), ctx).toBe(false);
      // as narrow as the grammar allows: any set within `granted` covering the uses covers it;
      // try the granted set itself and generalisations of the uses
      const generalised = coveredUses.map((u) => r.pick(coveringPatterns(u).filter((p) => granted.some((g) => scopeCovers(g, p)))));
      for (const other of [granted, generalised]) expect(scopesWithin(out, other), `${ctx} vs ${other.join(" ")}`).toBe(true);
      expect(out.every(isValidScope)).toBe(true);
    }
  });
});

const grant = (over: Partial<TLpGrant> & { jti: string }): TLpGrant => ({
  chain: "c1",
  parent: null,
  iss: "user:alice",
  aud: "agent:planner",
  iat: 1000,
  exp: 5000,
  scope: ["finance/*:read", "hr/*:read", "mail:send"],
  purpose: "finance.reporting",
  constraints: null,
  maxDepth: null,
  ...over,
});
const invoke = (over: Partial<TLpInvoke> & { jti: string }): TLpInvoke => ({
  grant: "g1",
  iss: "agent:planner",
  iat: 1100,
  action: "finance/q1/revenue:read",
  resource: "db://finance/q1",
  data: [],
  ...over,
});

describe("analyseGrants", () => {
  it("counts invocations per granted scope and lists the scopes never used", () => {
    const g1 = grant({ jti: "g1" });
    const [u] = analyseGrants({
      targets: [g1],
      chainGrants: [g1],
      invokes: [invoke({ jti: "i1" }), invoke({ jti: "i2", iat: 1300, action: "finance/q2/costs:read" }), invoke({ jti: "i3" })],
    });
    expect(u.used).toEqual([{ scope: "finance/*:read", invocations: 3, delegations: 0, uses: ["finance/q1/revenue:read", "finance/q2/costs:read"] }]);
    expect(u.unused).toEqual(["hr/*:read", "mail:send"]);
    expect(u.outside).toEqual([]);
    expect(u.lifetimeUsed).toBe(300);
    expect(u.depthUsed).toBe(0);
  });

  it("counts delegating part of a scope as using it, and the depth delegated below", () => {
    const g1 = grant({ jti: "g1" });
    const g2 = grant({ jti: "g2", parent: "g1", iss: "agent:planner", aud: "agent:viz", iat: 1200, scope: ["hr/staff:read"] });
    const g3 = grant({ jti: "g3", parent: "g2", iss: "agent:viz", aud: "tool:chart", iat: 1250, scope: ["hr/staff:read"] });
    const [u1, u2] = analyseGrants({ targets: [g1, g2], chainGrants: [g1, g2, g3], invokes: [] });
    expect(u1.used).toEqual([{ scope: "hr/*:read", invocations: 0, delegations: 1, uses: ["hr/staff:read"] }]);
    expect(u1.depthUsed).toBe(2);
    expect(u1.lifetimeUsed).toBe(200);
    expect(u2.used.map((s) => s.scope)).toEqual(["hr/staff:read"]);
    expect(u2.depthUsed).toBe(1);
  });

  it("never counts uses the grant does not cover, nor invokes somebody else signed under it", () => {
    const g1 = grant({ jti: "g1" });
    const escalating = grant({ jti: "g2", parent: "g1", iss: "agent:planner", aud: "agent:viz", scope: ["treasury/*:read"] });
    const [u] = analyseGrants({
      targets: [g1],
      chainGrants: [g1, escalating],
      invokes: [
        invoke({ jti: "i1", action: "payments:write" }),
        invoke({ jti: "i2", action: "payments:write" }),
        invoke({ jti: "i3", iss: "agent:intruder", action: "mail:send" }),
        invoke({ jti: "i4", grant: "other" }),
      ],
    });
    expect(u.used).toEqual([]);
    expect(u.unused).toEqual(g1.scope);
    expect(u.outside).toEqual([
      { scope: "payments:write", count: 2 },
      { scope: "treasury/*:read", count: 1 },
    ]);
    expect(u.lifetimeUsed).toBeNull();
  });

  it("keeps only data classes and hosts the effective constraints allowed", () => {
    const root = grant({ jti: "g0", aud: "agent:lead", constraints: { data: ["pii", "financial"], egress: ["*.bank.example"] } });
    const g1 = grant({ jti: "g1", parent: "g0", iss: "agent:lead", constraints: { data: ["financial", "health"] } });
    const [u] = analyseGrants({
      targets: [g1],
      chainGrants: [root, g1],
      invokes: [
        invoke({ jti: "i1", resource: "https://api.bank.example/x", data: ["financial", "health"] }),
        invoke({ jti: "i2", resource: "https://evil.example/x", data: ["pii"] }),
      ],
    });
    expect(u.effectiveConstraints).toEqual({ data: ["financial"], egress: ["*.bank.example"] });
    expect(u.dataUsed).toEqual(["financial"]);
    expect(u.hostsUsed).toEqual(["api.bank.example"]);
  });

  it("handles a chain 50,000 hops deep without deep recursion", () => {
    const hops = Array.from({ length: 50_000 }, (_, i) =>
      grant({
        jti: `h${i}`,
        parent: i === 0 ? null : `h${i - 1}`,
        iss: i === 0 ? "user:alice" : `agent:${i - 1}`,
        aud: `agent:${i}`,
        scope: ["finance/*:read"],
        constraints: i === 0 ? { data: ["financial"] } : null,
      }),
    );
    const [root, last] = analyseGrants({ targets: [hops[0], hops[hops.length - 1]], chainGrants: hops, invokes: [] });
    expect(root.depthUsed).toBe(49_999);
    expect(last.effectiveConstraints).toEqual({ data: ["financial"] });
  });

  it("survives a parent cycle", () => {
    const a = grant({ jti: "a", parent: "b" });
    const b = grant({ jti: "b", parent: "a", iss: "agent:planner" });
    const out = analyseGrants({ targets: [a, b], chainGrants: [a, b], invokes: [] });
    expect(out).toHaveLength(2);
  });
});

describe("suggestGrant", () => {
  it("suggests the narrowest claims covering what several grants were used for", () => {
    const g1 = grant({ jti: "g1", constraints: { data: ["financial"] } });
    const g2 = grant({ jti: "g2", chain: "c2", iat: 2000, exp: 9000 });
    const g3 = grant({ jti: "g3", chain: "c2", parent: "g2", iss: "agent:planner", aud: "agent:viz", iat: 2100, scope: ["hr/staff:read"] });
    const usages = analyseGrants({
      targets: [g1, g2],
      chainGrants: [g1, g2, g3],
      invokes: [
        invoke({ jti: "i1", data: ["financial", "pii"], resource: "https://api.bank.example/r" }),
        invoke({ jti: "i2", grant: "g2", iat: 2500, action: "finance/q1/*:read" }),
      ],
    });
    const s = suggestGrant(usages);
    expect(s).toEqual({
      scope: ["finance/q1/*:read", "hr/staff:read"],
      constraints: { data: ["financial"], egress: ["api.bank.example"] },
      max_depth: 1,
      ttl: 540,
      purpose: "finance.reporting",
    });
    expect(scopesWithin(s.scope, [...g1.scope, ...g2.scope])).toBe(true);
  });

  it("suggests nothing for authority never used", () => {
    const g1 = grant({ jti: "g1" });
    expect(suggestGrant(analyseGrants({ targets: [g1], chainGrants: [g1], invokes: [] }), "finance")).toEqual({
      scope: [],
      constraints: { data: [], egress: [] },
      max_depth: 0,
      ttl: null,
      purpose: "finance",
    });
  });
});

describe("grantsForPurpose and rankUnusedAuthority", () => {
  it("filters by a covering purpose code", () => {
    const gs = [grant({ jti: "a", purpose: "finance.reporting" }), grant({ jti: "b", purpose: "finance" }), grant({ jti: "c", purpose: "hr" })];
    expect(grantsForPurpose(gs, "finance").map((g) => g.jti)).toEqual(["a", "b"]);
    expect(grantsForPurpose(gs, "finance.reporting").map((g) => g.jti)).toEqual(["a"]);
    expect(grantsForPurpose(gs, undefined)).toHaveLength(3);
  });

  it("ranks principal and purpose by unused scope entries, then by share", () => {
    const a1 = grant({ jti: "a1" });
    const a2 = grant({ jti: "a2", chain: "c2" });
    const b1 = grant({ jti: "b1", aud: "agent:viz", scope: ["x:y", "z:y"] });
    const c1 = grant({ jti: "c1", aud: "agent:all", purpose: "ops", scope: ["q:r"] });
    const usages = analyseGrants({
      targets: [a1, a2, b1, c1],
      chainGrants: [a1, a2, b1, c1],
      invokes: [
        invoke({ jti: "i1", grant: "a1" }),
        invoke({ jti: "i2", grant: "a2", action: "hr/x:read" }),
        invoke({ jti: "i3", grant: "c1", iss: "agent:all", action: "q:r" }),
      ],
    });
    const ranked = rankUnusedAuthority(usages);
    expect(ranked.map((r) => [r.principal, r.purpose, r.unused, r.granted])).toEqual([
      ["agent:planner", "finance.reporting", 4, 6],
      ["agent:viz", "finance.reporting", 2, 2],
      ["agent:all", "ops", 0, 1],
    ]);
    expect(ranked[0].neverUsed).toEqual(["mail:send"]);
    expect(ranked[0].uses).toBe(2);
    expect(ranked[1].unusedShare).toBe(1);
  });
});

describe("analyseGrantUses (the counts kept at ingest)", () => {
  const RESOURCES = ["https://api.bank.example/x", "HTTP://Files.Bank.Example/y", "https://exfil.example/z", "db://a/b", "http://", "s3://k"];
  const DATA = ["financial", "pii", "health"];
  const AUDS = ["agent:a", "agent:b", "agent:c"];

  it("answers exactly what analyseGrants answers from the events, on 300 random forests, whatever order the events arrive in", () => {
    const r = rng(2026);
    let used = 0;
    let touched = 0;
    for (let round = 0; round < 300; round++) {
      const grants: TLpGrant[] = [];
      const claims: TClaims[] = [];
      const invokes: TLpInvoke[] = [];
      for (let i = 0; i < 1 + r.int(12); i++) {
        const parent = i > 0 && r.int(4) > 0 ? r.pick(grants) : null;
        // Now and then a delegate claims another chain than its parent's.
        const chain = parent && r.int(8) > 0 ? parent.chain : `c${r.int(3)}`;
        const g: TLpGrant = {
          jti: `g${i}`,
          chain,
          parent: parent ? parent.jti : null,
          iss: parent ? (r.int(5) > 0 ? parent.aud : r.pick(AUDS)) : "user:root",
          aud: r.pick(AUDS),
          iat: 1000 + r.int(50),
          exp: 9000,
          scope: parent && r.int(3) > 0 ? [...parent.scope.slice(0, 1 + r.int(2)), ...list(r, 1, true)] : list(r, 3),
          purpose: "p",
          constraints:
            r.int(3) === 0
              ? { ...(r.int(2) ? { data: DATA.slice(0, 1 + r.int(2)) } : {}), ...(r.int(2) ? { egress: ["*.bank.example"] } : {}) }
              : null,
          maxDepth: null,
        };
        grants.push(g);
        claims.push({
          v: 1,
          kind: parent ? "delegate" : "authorize",
          jti: g.jti,
          chain,
          iss: g.iss,
          aud: g.aud,
          iat: g.iat,
          exp: g.exp,
          scope: g.scope,
          purpose: { code: "p", text: "p" },
          ...(parent ? { parent: parent.jti } : {}),
        } as unknown as TClaims);
      }
      for (let i = 0; i < r.int(15); i++) {
        const g = r.pick(grants);
        const inv: TLpInvoke = {
          jti: `i${i}`,
          grant: g.jti,
          iss: r.int(5) > 0 ? g.aud : r.pick(AUDS),
          iat: 1000 + r.int(500),
          action: randomUse(r, g.scope),
          resource: r.pick(RESOURCES),
          data: Array.from({ length: r.int(3) }, () => r.pick(DATA)),
        };
        invokes.push(inv);
        claims.push({
          v: 1,
          kind: "invoke",
          jti: inv.jti,
          chain: g.chain,
          iss: inv.iss,
          iat: inv.iat,
          grant: g.jti,
          action: inv.action,
          resource: inv.resource,
          data: inv.data,
        } as unknown as TClaims);
      }
      const targets = grants.filter(() => r.int(3) > 0);
      const chains = new Set(targets.map((g) => g.chain));
      const chainGrants = grants.filter((g) => chains.has(g.chain));
      const expected = analyseGrants({ targets, chainGrants, invokes: invokes.filter((i) => targets.some((g) => g.jti === i.grant)) });
      // Counted in one go, or event by event in a shuffled order and summed: the same rows.
      const shuffled = [...claims].sort(() => r.next() - 0.5);
      const summed = new Map<string, ReturnType<typeof grantUsesOf>[number]>();
      for (const c of shuffled)
        for (const u of grantUsesOf([c])) {
          const key = JSON.stringify([u.grantJti, u.kind, u.iss, u.chainId, u.use, u.detail]);
          const prior = summed.get(key);
          summed.set(key, prior ? { ...prior, count: prior.count + u.count, last: Math.max(prior.last, u.last) } : u);
        }
      const byKey = (rows: ReturnType<typeof grantUsesOf>) => [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
      expect(byKey([...summed.values()])).toEqual(byKey(grantUsesOf(claims)));
      const uses = [...summed.values()];
      const links = chainGrants.map((g) => ({ jti: g.jti, parent: g.parent, constraints: g.constraints }));
      // Targets as the counted read gives them: no parent or constraints (those come from the links).
      const heads = targets.map((g) => ({ ...g, parent: null, constraints: null }));
      expect(analyseGrantUses({ targets: heads, uses, links })).toEqual(expected);
      expect(countGrantUses(heads, uses)).toEqual(
        expected.map(({ effectiveConstraints: _e, dataUsed: _d, hostsUsed: _h, depthUsed: _p, ...rest }) => rest),
      );
      used += expected.filter((u) => u.used.length > 0).length;
      touched += expected.filter((u) => u.dataUsed.length + u.hostsUsed.length > 0 && Object.keys(u.effectiveConstraints).length > 0).length;
    }
    expect(used).toBeGreaterThan(100);
    expect(touched).toBeGreaterThan(5);
  });
});
