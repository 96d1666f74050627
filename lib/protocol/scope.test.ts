import { describe, expect, it } from "vitest";
import {
  egressEntryCovers,
  egressHost,
  hostMatches,
  isValidEgressEntry,
  isValidPurposeCode,
  isValidScope,
  parseScope,
  purposeCovers,
  scopeCovers,
  scopeDiff,
  scopeSetsEquivalent,
  scopesWithin,
} from "@/lib/protocol/scope";
import { shuffled } from "@/lib/protocol/test-helpers";

// A varied pool: bare and prefixed wildcards at several depths, exact scopes, wildcard actions,
// siblings that share prefixes, and every allowed character class in segments and actions.
const POOL = [
  "*:*",
  "*:read",
  "*:write",
  "finance:read",
  "finance:*",
  "finance/*:read",
  "finance/*:*",
  "finance/*:write",
  "finance/q1:read",
  "finance/q1:*",
  "finance/q1/*:read",
  "finance/q1/*:*",
  "finance/q1/revenue:read",
  "finance/q1/revenue:*",
  "finance/q1/revenue:write",
  "finance/q1/revenue/*:read",
  "finance/q1/revenue/daily:read",
  "finance/q2/*:read",
  "finance/q2/revenue:read",
  "finance/q10:read",
  "fin:read",
  "hr/*:read",
  "hr:read",
  "hr/people/*:write",
  "a:x",
  "a/*:x",
  "a/b:x",
  "a/b/*:x",
  "a/b/c:x",
  "a/b/c/*:x",
  "a/b/c/d:x",
  "a/b/c/d:*",
  "a/*:*",
  "b/*:x",
  "a.b/c-d/e_f:x.y",
  "a.b/*:x.y",
  "a.b/c-d/*:x.y",
  "a.b/c-d/*:x",
  "0/1/2:9",
  "0/*:9",
  "-/_/.:-",
];

/** Reference semantics, written independently of scope.ts: a pattern as a regular expression. */
function toRegex(pattern: string): RegExp {
  const [resource, action] = pattern.split(":");
  const seg = "[a-z0-9_.-]+";
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  let r: string;
  if (resource === "*") r = `${seg}(/${seg})*`;
  else if (resource.endsWith("/*")) r = `${esc(resource.slice(0, -2))}(/${seg})+`;
  else r = esc(resource);
  const a = action === "*" ? seg : esc(action);
  return new RegExp(`^${r}:${a}$`);
}

/** Concrete scopes that stand for everything a pattern matches: fresh segments no pattern names. */
function witnesses(pattern: string): string[] {
  const [resource, action] = pattern.split(":");
  const actions = action === "*" ? ["zz-fresh-action"] : [action];
  let resources: string[];
  if (resource === "*") resources = ["zz", "zz/zz"];
  else if (resource.endsWith("/*")) resources = [`${resource.slice(0, -2)}/zz`, `${resource.slice(0, -2)}/zz/zz`];
  else resources = [resource];
  return resources.flatMap((r) => actions.map((a) => `${r}:${a}`));
}

const referenceCovers = (p: string, c: string) => witnesses(c).every((w) => toRegex(p).test(w));

describe("parseScope", () => {
  it.each([
    ["finance/q1/revenue:read", { resource: ["finance", "q1", "revenue"], wildcard: false, action: "read" }],
    ["finance/*:read", { resource: ["finance"], wildcard: true, action: "read" }],
    ["*:*", { resource: "*", wildcard: true, action: "*" }],
    ["*:read", { resource: "*", wildcard: true, action: "read" }],
    ["a.b/c-d/e_f:x.y-z_0", { resource: ["a.b", "c-d", "e_f"], wildcard: false, action: "x.y-z_0" }],
  ])("parses %s", (s, expected) => {
    expect(parseScope(s)).toEqual(expected);
    expect(isValidScope(s)).toBe(true);
  });

  it.each([
    "",
    ":",
    "finance",
    "finance:",
    ":read",
    "A:read",
    "finance:Read",
    "finance/Q1:read",
    "a/*/b:read",
    "*/a:read",
    "*/*:read",
    "a/**:read",
    "a*:read",
    "a/b*:read",
    "a:b:c",
    "a/:read",
    "/a:read",
    "a//b:read",
    "a b:read",
    "a:re ad",
    "a:**",
    "a:r*",
    "finance/q1:read ",
    "é:read",
  ])("rejects %j", (s) => {
    expect(parseScope(s)).toBeNull();
    expect(isValidScope(s)).toBe(false);
  });

  it("every pool pattern is valid", () => {
    for (const p of POOL) expect(isValidScope(p), p).toBe(true);
  });
});

describe("scopeCovers: spec examples", () => {
  it.each([
    ["finance/*:read", "finance/q1/revenue:read", true],
    ["finance/*:read", "finance/q1/*:read", true],
    ["finance/q1:read", "finance/q1/*:read", false],
    ["*:*", "finance/q1/revenue:write", true],
    ["*:*", "*:*", true],
    ["*:*", "finance/*:*", true],
    ["finance/*:read", "finance/*:*", false],
    ["finance/*:*", "finance/*:read", true],
    ["*:read", "*:*", false],
    ["finance/q1/revenue:*", "finance/q1/revenue:read", true],
    ["finance/q1/revenue:read", "finance/q1/revenue:*", false],
    // `*` as last segment matches one or more further segments, never zero.
    ["finance/*:read", "finance:read", false],
    ["finance/*:read", "finance/*:read", true],
    ["finance/q1/*:read", "finance/*:read", false],
    // bare `*` matches every resource, including single-segment ones.
    ["*:read", "finance:read", true],
    ["*:read", "finance/*:read", true],
    ["finance/*:read", "*:read", false],
    // segment-wise, not string-prefix
    ["finance/q1/*:read", "finance/q10/x:read", false],
    ["fin/*:read", "finance/x:read", false],
    ["finance/q1:read", "finance/q1:read", true],
    ["finance/q1:read", "finance/q2:read", false],
    ["finance/q1:read", "finance/q1:write", false],
    // invalid scopes cover nothing and are covered by nothing
    ["*:*", "A:read", false],
    ["a/*/b:read", "a/x/b:read", false],
  ])("%s covers %s: %s", (p, c, expected) => {
    expect(scopeCovers(p, c)).toBe(expected);
  });
});

describe("scopeCovers: laws over the pool", () => {
  it("agrees with the reference semantics on every pair", () => {
    for (const p of POOL) for (const c of POOL) expect(scopeCovers(p, c), `${p} ⊇ ${c}`).toBe(referenceCovers(p, c));
  });

  it("is reflexive", () => {
    for (const p of POOL) expect(scopeCovers(p, p), p).toBe(true);
  });

  it("is transitive on every triple", () => {
    let chains = 0;
    for (const a of POOL)
      for (const b of POOL) {
        if (!scopeCovers(a, b)) continue;
        for (const c of POOL)
          if (scopeCovers(b, c)) {
            chains++;
            expect(scopeCovers(a, c), `${a} ⊇ ${b} ⊇ ${c}`).toBe(true);
          }
      }
    expect(chains).toBeGreaterThan(200);
  });

  it("is antisymmetric: two distinct patterns never cover each other", () => {
    for (const a of POOL) for (const b of POOL) if (a !== b) expect(scopeCovers(a, b) && scopeCovers(b, a), `${a} ⇔ ${b}`).toBe(false);
  });

  it("never lets a pattern cover a strictly broader one: whatever it covers, it matches", () => {
    for (const p of POOL)
      for (const c of POOL) if (scopeCovers(p, c)) for (const w of witnesses(c)) expect(toRegex(p).test(w), `${p} ⊇ ${c} but misses ${w}`).toBe(true);
  });

  it("action `*` is covered only by action `*`", () => {
    for (const p of POOL)
      for (const c of POOL.filter((s) => s.endsWith(":*"))) if (scopeCovers(p, c)) expect(p.endsWith(":*"), `${p} ⊇ ${c}`).toBe(true);
  });

  it("`*:*` covers everything; only `*:*` covers `*:*`", () => {
    for (const c of POOL) expect(scopeCovers("*:*", c)).toBe(true);
    for (const p of POOL) expect(scopeCovers(p, "*:*")).toBe(p === "*:*");
  });
});

describe("scope sets", () => {
  it("within needs one single parent element per child", () => {
    expect(scopesWithin(["finance/q1/revenue:read"], ["finance/*:read"])).toBe(true);
    expect(scopesWithin(["finance/q1/*:read", "hr:read"], ["finance/*:read", "hr:read"])).toBe(true);
    expect(scopesWithin(["finance/*:*"], ["finance/*:read", "finance/*:write"])).toBe(false);
    expect(scopesWithin(["finance/*:read"], ["finance/q1/*:read", "finance/q2/*:read"])).toBe(false);
    expect(scopesWithin(["hr:read"], ["finance/*:read"])).toBe(false);
  });

  it("within is transitive over random sets drawn from the pool", () => {
    const sets = Array.from({ length: 60 }, (_, i) => shuffled(POOL, i + 1).slice(0, 1 + (i % 4)));
    let chains = 0;
    for (const a of sets)
      for (const b of sets) {
        if (!scopesWithin(a, b)) continue;
        for (const c of sets)
          if (scopesWithin(b, c)) {
            chains++;
            expect(scopesWithin(a, c)).toBe(true);
          }
      }
    expect(chains).toBeGreaterThan(60);
  });

  it("within is reflexive, and a subset is within its superset", () => {
    for (let i = 0; i < 30; i++) {
      const s = shuffled(POOL, 100 + i).slice(0, 5);
      expect(scopesWithin(s, s)).toBe(true);
      expect(scopesWithin(s.slice(0, 2), s)).toBe(true);
    }
  });

  it("equivalent sets cover each other, regardless of order or redundant elements", () => {
    expect(scopeSetsEquivalent(["finance/*:read"], ["finance/*:read"])).toBe(true);
    expect(scopeSetsEquivalent(["a:x", "b/*:x"], ["b/*:x", "a:x"])).toBe(true);
    expect(scopeSetsEquivalent(["finance/*:read", "finance/q1/*:read"], ["finance/*:read"])).toBe(true);
    expect(scopeSetsEquivalent(["finance/q1/*:read"], ["finance/*:read"])).toBe(false);
    expect(scopeSetsEquivalent(["finance/*:read"], ["finance/*:read", "hr:read"])).toBe(false);
  });

  it.each([
    [["finance/q1/*:read"], ["finance/*:read"], { removed: ["finance/*:read"], added: [] }],
    [["finance/*:read"], ["finance/*:read", "hr:read"], { removed: ["hr:read"], added: [] }],
    [["finance/*:read", "hr:write"], ["finance/*:read"], { removed: [], added: ["hr:write"] }],
    [["finance/*:*"], ["finance/*:read"], { removed: [], added: ["finance/*:*"] }],
    [["a:x"], ["a:x"], { removed: [], added: [] }],
    [["finance/q1:read"], ["finance/q1/*:read"], { removed: ["finance/q1/*:read"], added: ["finance/q1:read"] }],
  ])("scopeDiff(%j, %j)", (child, parent, expected) => {
    expect(scopeDiff(child, parent)).toEqual(expected);
  });
});

describe("purposes", () => {
  it.each(["finance", "finance.reporting", "finance.reporting.liquidity", "a_b-c.d0", "0"])("valid %s", (c) =>
    expect(isValidPurposeCode(c)).toBe(true),
  );
  it.each(["", "Finance", "finance.", ".finance", "finance..reporting", "finance reporting", "finance/reporting", 7, null])("invalid %j", (c) =>
    expect(isValidPurposeCode(c)).toBe(false),
  );
  it.each([
    ["finance", "finance", true],
    ["finance", "finance.reporting", true],
    ["finance.reporting", "finance.reporting.liquidity", true],
    ["finance", "financeops", false],
    ["finance.reporting", "finance", false],
    ["finance.reporting", "finance.reportingx", false],
    ["hr", "finance.hr", false],
  ])("%s covers %s: %s", (p, c, expected) => expect(purposeCovers(p, c)).toBe(expected));
});

describe("egress", () => {
  it.each([
    ["api.bank.example", "api.bank.example", true],
    ["api.bank.example", "API.Bank.Example", true],
    ["API.BANK.EXAMPLE", "api.bank.example", true],
    ["api.bank.example", "bank.example", false],
    ["*.bank.example", "a.bank.example", true],
    ["*.bank.example", "x.a.bank.example", true],
    ["*.Bank.Example", "A.BANK.example", true],
    ["*.bank.example", "bank.example", false],
    ["*.bank.example", "evilbank.example", false],
    ["*.bank.example", "bank.example.evil.com", false],
    ["api.bank.example", "api.bank.example.", true],
  ])("hostMatches(%s, %s) = %s", (p, h, expected) => expect(hostMatches(p, h)).toBe(expected));

  it.each([
    ["*.bank.example", "a.bank.example", true],
    ["*.bank.example", "*.a.bank.example", true],
    ["*.bank.example", "*.bank.example", true],
    ["*.bank.example", "*.BANK.example", true],
    ["a.bank.example", "*.bank.example", false],
    ["a.bank.example", "a.bank.example", true],
    ["a.bank.example", "*.a.bank.example", false],
    ["*.a.bank.example", "*.bank.example", false],
    ["*.bank.example", "bank.example", false],
    ["*.bank.example", "*.evilbank.example", false],
  ])("egressEntryCovers(%s, %s) = %s", (p, c, expected) => expect(egressEntryCovers(p, c)).toBe(expected));

  it("entry coverage agrees with host matching on concrete hosts (soundness)", () => {
    const entries = ["*.bank.example", "*.a.bank.example", "a.bank.example", "bank.example", "x.a.bank.example", "*.example"];
    const hosts = ["bank.example", "a.bank.example", "x.a.bank.example", "y.x.a.bank.example", "b.bank.example", "other.example"];
    for (const p of entries)
      for (const c of entries)
        if (egressEntryCovers(p, c)) for (const h of hosts) if (hostMatches(c, h)) expect(hostMatches(p, h), `${p} ⊇ ${c} on ${h}`).toBe(true);
  });

  it.each([
    ["https://api.bank.example/v1/x", "api.bank.example"],
    ["HTTPS://API.Bank.Example:8443/v1", "api.bank.example"],
    ["http://user:pw@files.bank.example/x", "files.bank.example"],
    ["http://a.bank.example./x", "a.bank.example"],
    ["s3://bucket/key", null],
    ["db://finance/q1", null],
    ["mailto:someone@bank.example", null],
    ["ledger/q1/revenue", null],
    ["https://", null],
  ])("egressHost(%s) = %s", (r, expected) => expect(egressHost(r)).toBe(expected));

  it.each([
    ["api.bank.example", true],
    ["*.bank.example", true],
    ["API.Bank.Example", true],
    ["localhost", true],
    ["10.0.0.1", true],
    ["*", false],
    ["*bank.example", false],
    ["a.*.example", false],
    ["https://api.bank.example", false],
    ["api.bank.example:443", false],
    ["", false],
    ["-a.example", false],
  ])("isValidEgressEntry(%s) = %s", (e, expected) => expect(isValidEgressEntry(e)).toBe(expected));
});
