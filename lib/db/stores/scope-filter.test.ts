import { describe, expect, it } from "vitest";
import { scopeFilterCandidates } from "@/lib/db/stores/chains";
import { scopeCovers } from "@/lib/protocol/scope";

// Every valid scope over a small vocabulary: resources of 0-3 segments from {a, b, ab}, with and
// without a final `*`, a bare `*`, actions read, write and `*`.
function universe(): string[] {
  const segs = ["a", "b", "ab"];
  const paths: string[][] = [[]];
  for (let depth = 0; depth < 3; depth++) for (const p of paths.filter((x) => x.length === depth)) for (const s of segs) paths.push([...p, s]);
  const out: string[] = [];
  for (const p of paths) {
    const resources = p.length === 0 ? ["*"] : [p.join("/"), p.join("/") + "/*"];
    for (const r of resources) for (const a of ["read", "write", "*"]) out.push(`${r}:${a}`);
  }
  return out;
}

describe("scopeFilterCandidates", () => {
  const all = universe();
  it("narrows the scopes to look up without losing any that cover or are covered by the filter", () => {
    for (const f of all) {
      const expected = all.filter((s) => scopeCovers(s, f) || scopeCovers(f, s));
      const c = scopeFilterCandidates(f)!;
      const candidates = all.filter((s) => c.exact.includes(s) || (c.prefix !== null && s.startsWith(c.prefix)));
      expect(
        candidates.filter((s) => scopeCovers(s, f) || scopeCovers(f, s)),
        f,
      ).toEqual(expected);
      if (f.startsWith("*:")) expect(c.prefix).toBe("");
      else expect(candidates.length, f).toBeLessThan(all.length);
    }
  });
  it("matches nothing for a filter that is not a scope", () => {
    expect(scopeFilterCandidates("not a scope")).toBeNull();
    expect(scopeFilterCandidates("a//b:read")).toBeNull();
  });
});
