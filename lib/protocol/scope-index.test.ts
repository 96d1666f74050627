// The coverage indexes (indexScopes, indexEgress, intersectEgress) against the pairwise functions
// they replaced, kept here as the reference: the same answers on random pattern sets, in work that
// grows with the sizes of the lists, not with their product. Work is counted (coverageWork.probes),
// never timed, so these tests mean the same on a loaded machine.
import { describe, expect, it } from "vitest";
import { checkChain } from "@/lib/protocol/chain";
import {
  coverageWork,
  egressEntryCovers,
  hostMatches,
  indexEgress,
  indexScopes,
  intersectEgress,
  scopeCovers,
  scopeDiff,
  scopeSetsEquivalent,
  scopesWithin,
} from "@/lib/protocol/scope";
import { chainInput, claimsOf, mulberry32 } from "@/lib/protocol/test-helpers";

// ---------------------------------------------------------------------------------------------
// The quadratic originals, verbatim but for their names.

const refWithin = (child: string[], parent: string[]) => child.every((c) => parent.some((p) => scopeCovers(p, c)));
const refEquivalent = (a: string[], b: string[]) => refWithin(a, b) && refWithin(b, a);
const refDiff = (child: string[], parent: string[]) => ({
  removed: parent.filter((p) => !child.some((c) => scopeCovers(c, p))),
  added: child.filter((c) => !parent.some((p) => scopeCovers(p, c))),
});
function refIntersectEgress(own: string[] | undefined, parent: string[] | undefined): string[] | undefined {
  if (own === undefined) return parent;
  const lowered = [...new Set(own.map((e) => e.toLowerCase()))];
  if (parent === undefined) return lowered;
  const out = new Set<string>();
  for (const o of lowered) {
    if (parent.some((p) => egressEntryCovers(p, o))) {
      out.add(o);
      continue;
    }
    for (const p of parent) if (egressEntryCovers(o, p)) out.add(p.toLowerCase());
  }
  return [...out];
}

// ---------------------------------------------------------------------------------------------
// Random patterns from a small alphabet, so that random sets overlap, nest and repeat.

function rng(seed: number) {
  const next = mulberry32(seed);
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}
type TRng = ReturnType<typeof rng>;

function randomScope(r: TRng): string {
  if (r.int(40) === 0) return r.pick(["A:x", "a/*/b:x", "a:", "*/a:x", "a//b:x"]); // invalid: covers nothing
  const action = r.pick(["x", "y", "*"]);
  if (r.int(12) === 0) return `*:${action}`;
  const segments = Array.from({ length: 1 + r.int(4) }, () => r.pick(["a", "b", "c"]));
  return `${segments.join("/")}${r.int(2) ? "/*" : ""}:${action}`;
}

function randomEgress(r: TRng): string {
  const labels = Array.from({ length: 1 + r.int(4) }, () => r.pick(["a", "b", "c", "B"]));
  return `${r.int(2) ? "*." : ""}${labels.join(".")}${r.int(8) === 0 ? "." : ""}`;
}

/** Hosts as egressHost can return them, and some it never would (empty labels, a leading dot). */
function randomHost(r: TRng): string {
  const labels = Array.from({ length: 1 + r.int(5) }, () => r.pick(["a", "b", "c", "A", r.int(6) === 0 ? "" : "b"]));
  return labels.join(".") + r.pick(["", "", "", ".", ".."]);
}

const list = <T>(r: TRng, make: (r: TRng) => T, max: number) => Array.from({ length: r.int(max + 1) }, () => make(r));

describe("the indexes give exactly the pairwise answers", () => {
  // Sizes up to 30 exercise both the short-list scan and the trie.
  it("scopesWithin, scopeSetsEquivalent and scopeDiff on 3,000 random pairs of sets", () => {
    const r = rng(1);
    let within = 0;
    for (let i = 0; i < 3000; i++) {
      const a = list(r, randomScope, 30);
      const b = i % 3 === 0 ? [...a.slice(0, r.int(a.length + 1)), ...list(r, randomScope, 3)] : list(r, randomScope, 30);
      expect(scopesWithin(a, b), `${a.join()} within ${b.join()}`).toBe(refWithin(a, b));
      expect(scopeSetsEquivalent(a, b)).toBe(refEquivalent(a, b));
      expect(scopeDiff(a, b)).toEqual(refDiff(a, b));
      if (refWithin(a, b)) within++;
    }
    expect(within).toBeGreaterThan(300); // the sets are not trivially disjoint
  });

  it("indexScopes(set).covers(c) is some(scopeCovers(·, c)) for every pattern", () => {
    const r = rng(2);
    for (let i = 0; i < 400; i++) {
      const set = list(r, randomScope, 30);
      const index = indexScopes(set);
      for (let k = 0; k < 20; k++) {
        const c = randomScope(r);
        expect(index.covers(c), `${set.join()} ⊇ ${c}`).toBe(set.some((p) => scopeCovers(p, c)));
      }
    }
  });

  it("indexEgress answers hostMatches and egressEntryCovers over the list", () => {
    const r = rng(3);
    for (let i = 0; i < 600; i++) {
      const entries = list(r, randomEgress, 30);
      const index = indexEgress(entries);
      for (let k = 0; k < 15; k++) {
        const host = randomHost(r);
        expect(index.matchesHost(host), `${entries.join()} ∋ host ${host}`).toBe(entries.some((e) => hostMatches(e, host)));
        const child = randomEgress(r);
        expect(index.coversEntry(child), `${entries.join()} ⊇ ${child}`).toBe(entries.some((e) => egressEntryCovers(e, child)));
      }
    }
  });

  it("intersectEgress keeps the same entries in the same order", () => {
    const r = rng(4);
    for (let i = 0; i < 3000; i++) {
      const own = r.int(10) === 0 ? undefined : list(r, randomEgress, 30);
      const parent = r.int(10) === 0 ? undefined : list(r, randomEgress, 30).map((e) => e.toLowerCase());
      expect(intersectEgress(own, parent), `${own?.join()} ∩ ${parent?.join()}`).toEqual(refIntersectEgress(own, parent));
      if (parent && own) expect(intersectEgress(own, parent, indexEgress(parent))).toEqual(refIntersectEgress(own, parent));
    }
  });

  it("nested own entries that are all wider than the parent's keep the parent's order", () => {
    const parent = ["z.c.b.a", "*.d.c.b.a", "y.b.a", "c.b.a", "x.d.c.b.a", "*.c.b.a", "w.e.a", "v.b.a", "u.c.b.a"];
    for (const own of [
      ["*.c.b.a", "*.b.a", "*.a"],
      ["*.a", "*.b.a"],
      ["*.b.a", "c.b.a", "*.e.a", "*.a"],
    ])
      expect(intersectEgress(own, parent)).toEqual(refIntersectEgress(own, parent));
  });
});

// ---------------------------------------------------------------------------------------------
// Work, counted.

function probes<T>(f: () => T): number {
  const before = coverageWork.probes;
  f();
  return coverageWork.probes - before;
}

/** n distinct concrete scopes, and as many wildcards one level up: no scope of one list repeats. */
const concrete = (n: number, tag = "x") => Array.from({ length: n }, (_, i) => `d${i % 16}/p${i}/${tag}:read`);
const wildcards = (n: number) => Array.from({ length: n }, (_, i) => `d${i % 16}/p${i}/*:read`);

describe("coverage work is near-linear", () => {
  it("a 256-scope set within a 256-scope set: a few probes per scope, not 256 × 256 comparisons", () => {
    const child = concrete(256);
    const parent = wildcards(256);
    const work = probes(() => expect(scopesWithin(child, parent)).toBe(true));
    // Each child walks at most its own 3 segments, with a wildcard and an exact probe on the way.
    expect(work).toBeLessThanOrEqual(256 * 8);
    expect(work).toBeLessThan((256 * 256) / 20);
    const diff = probes(() => scopeDiff(child, parent));
    expect(diff).toBeLessThanOrEqual(2 * 256 * 8);
  });

  it("doubling both lists doubles the work", () => {
    const at = (n: number) => probes(() => scopeDiff(concrete(n), wildcards(n)));
    const [w1, w2, w4] = [at(1000), at(2000), at(4000)];
    expect(w2 / w1).toBeLessThan(2.2);
    expect(w4 / w2).toBeLessThan(2.2);
  });

  it("egress: 256 own entries against 256 parent entries, and nested own entries wider than all of them", () => {
    const parent = Array.from({ length: 256 }, (_, i) => `h${i}.x.bank.example`);
    const exact = probes(() =>
      intersectEgress(
        parent.map((h) => h.toUpperCase()),
        parent,
      ),
    );
    expect(exact).toBeLessThanOrEqual(256 * 10);
    // Own entries nested 256 deep, none covered by the parent, each covering every parent entry:
    // pairwise, each would walk all 256 parent entries again.
    const nested = Array.from({ length: 256 }, (_, i) => `*.${"n.".repeat(255 - i)}x.bank.example`);
    const deepParent = parent.map((h) => h.replace(".x.", `.${"n.".repeat(256)}x.`));
    const work = probes(() => expect(intersectEgress(nested, deepParent)).toEqual(refIntersectEgress(nested, deepParent)));
    // The own entries are up to 258 labels long: the walk to each one's node dominates.
    const labels = nested.reduce((n, e) => n + e.split(".").length, 0);
    expect(work).toBeLessThanOrEqual(3 * labels + 256 * 2);
  });

  it("the chain check of a 256-scope delegate under a 256-scope parent, with 256 invokes", () => {
    const parentScopes = wildcards(256);
    const build = (n: number) => {
      const events = [
        claimsOf("authorize", {
          scope: parentScopes.slice(0, n),
          constraints: { egress: Array.from({ length: n }, (_, i) => `*.h${i}.bank.example`), data: concrete(n, "data") },
        }),
        claimsOf("delegate", { scope: concrete(n), constraints: { egress: Array.from({ length: n }, (_, i) => `a.h${i}.bank.example`) } }),
        ...Array.from({ length: n }, (_, i) =>
          claimsOf("invoke", { jti: `i${i}`, action: `d${i % 16}/p${i}/x:read`, resource: `https://a.h${i}.bank.example/x` }),
        ),
      ];
      return chainInput(events);
    };
    const input = build(256);
    const work = probes(() => {
      const an = checkChain(input);
      expect(an.events.get("d1")!.findings).toEqual([]);
      expect(an.events.get("i255")!.findings).toEqual([]);
    });
    // Pairwise: 256 × 256 for the scopes, again for no_attenuation and twice for egress, and 256 × 256
    // for the invokes' actions and hosts: ~400,000 comparisons. Indexed: a few per element.
    expect(work).toBeLessThan(256 * 40);
    const half = probes(() => checkChain(build(128)));
    expect(work / half).toBeLessThan(2.3);
  });
});
