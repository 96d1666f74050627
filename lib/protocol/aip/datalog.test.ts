import { beforeAll, describe, expect, it } from "vitest";
import { authoritySource, loadBiscuit, mintAuthority, type TBiscuitEngine } from "./biscuit";
import { decodeBiscuit } from "./biscuit-proto";
import { readBlock, refFinalDelegate, refIntFact, refScopes, refStrFact } from "./datalog";
import { b64StdStrict, b64UrlStrict, isValidEd25519PublicKey, pyB64Decode, pyJwtB64Decode } from "./encoding";
import { aipScopeAllowedBy, aipScopeCovers, aipScopeSetsEquivalent, aipScopesWithin } from "./scope";
import { makeAipKey } from "./test-helpers";

let b: TBiscuitEngine;
beforeAll(async () => {
  b = await loadBiscuit();
});
const key = makeAipKey();

function block0(source: string) {
  const token = mintAuthority(b, key.seed, source);
  const d = decodeBiscuit(token);
  if (!d.ok) throw new Error(d.message);
  return readBlock(d.blocks[0]);
}

describe("readBlock: every fact and check, exactly as signed", () => {
  it("reads the reference's block 0 shape", () => {
    const r = block0(
      authoritySource({
        identity: "aip:web:a.example/x",
        scopes: ["tool:search", "files:*", "*"],
        maxDepth: 2,
        expires: "2030-01-01T00:00:00Z",
        budgetCents: 500,
        principal: "user:bob",
      }),
    );
    expect(r.facts.identity).toEqual(["aip:web:a.example/x"]);
    expect(r.facts.max_depth).toEqual([2]);
    expect(r.facts.budget_ceiling).toEqual([500]);
    expect(r.toolChecks).toEqual([["tool:search", "files:*", "*"]]);
    expect(r.timeChecks).toEqual([Date.parse("2030-01-01T00:00:00Z") / 1000]);
    expect(r.otherChecks).toEqual([]);
  });

  it("a string holding quotes stays one string (the printed source cannot tell)", () => {
    const r = block0('context("a\\"); delegate(\\"evil");\ncheck if time($t), $t <= 2030-01-01T00:00:00Z;');
    expect(r.facts.context).toEqual(['a"); delegate("evil']);
    expect(r.facts.delegate).toBeUndefined();
  });

  it("records checks it does not interpret instead of dropping them", () => {
    const r = block0('x(1);\ncheck if tool($t), time($u), ["a"].contains($t);\nreject if tool("b");\nz($x) <- x($x);');
    expect(r.toolChecks).toEqual([]);
    expect(r.otherChecks).toHaveLength(3);
    expect(r.rules).toBe(1);
  });

  it("never throws on garbage", () => {
    for (const t of ["", "A", "!!!", "AAAAAAAA", Buffer.from([0x12, 0xff, 0xff]).toString("base64url"), "CgA="])
      expect(decodeBiscuit(t).ok).toBe(false);
  });
});

describe("the reference's reading of the printed source", () => {
  const src =
    'context("x");\ndelegate("bob");\ndelegate("mallory");\nprincipal("a"b");\nbudget_ceiling(-5);\ncheck if time($t), $t <= 2030-01-01T00:00:00Z;\ncheck if tool($t), ["a"].contains($t);\n';
  it("first fact only; a value with a quote is not read at all", () => {
    expect(refStrFact(src, "delegate")).toBe("bob");
    expect(refStrFact(src, "principal")).toBeNull();
    expect(refIntFact(src, "budget_ceiling")).toBe(-5);
    expect(refFinalDelegate(src)).toBe("bob");
  });

  it("the first check is the scope declaration: a time check first means no scope", () => {
    expect(refScopes(src)).toBeNull();
    expect(refScopes('check if tool($t), ["a", "b"].contains($t) or tool($t), $t.starts_with("c:") or tool($t);\n')).toEqual(
      new Set(["a", "b", "c:*", "*"]),
    );
  });

  it("Python's MULTILINE anchors: \\r does not start a line", () => {
    expect(refStrFact('x("1");\rcontext("y");', "context")).toBeNull();
    expect(refStrFact('x("1");\ncontext("y");', "context")).toBe("y");
  });
});

describe("AIP scope rule", () => {
  it("exact, bare * and prefix patterns", () => {
    expect(aipScopeCovers("tool:search", "tool:search")).toBe(true);
    expect(aipScopeCovers("*", "anything")).toBe(true);
    expect(aipScopeCovers("files:*", "files:a/b")).toBe(true);
    expect(aipScopeCovers("files:*", "files:x*")).toBe(true);
    expect(aipScopeCovers("files:a", "files:*")).toBe(false);
    expect(aipScopeCovers("files:a*", "files:*")).toBe(false);
    // Opaque strings: no DEP grammar.
    expect(aipScopeCovers("tool:search", "tool:search:extra")).toBe(false);
  });

  it("within, equivalence and the intersection of several checks", () => {
    expect(aipScopesWithin(["a:1", "b:x"], ["a:*", "b:x"])).toBe(true);
    expect(aipScopeSetsEquivalent(["a*"], ["a*", "ab"])).toBe(true);
    expect(aipScopeSetsEquivalent(["a*"], ["ab"])).toBe(false);
    expect(aipScopeAllowedBy("a:1", [["a:*"], ["a:1", "b"]])).toBe(true);
    expect(aipScopeAllowedBy("a:2", [["a:*"], ["a:1", "b"]])).toBe(false);
  });
});

describe("encodings", () => {
  it("strict decoders refuse other alphabets, padding and non-canonical bits", () => {
    expect(b64StdStrict("AAE=")).toEqual(new Uint8Array([0, 1]));
    expect(b64StdStrict("AAE")).toBeNull();
    expect(b64StdStrict("AAF=")).toBeNull();
    expect(b64UrlStrict("AAE")).toEqual(new Uint8Array([0, 1]));
    expect(b64UrlStrict("AAE=")).toBeNull();
  });

  it("Python's lenient b64decode: skips junk, stops at padding, refuses bad padding", () => {
    expect(pyB64Decode("A A\nE=")).toEqual(new Uint8Array([0, 1]));
    expect(pyB64Decode("AAE=trailing")).toEqual(new Uint8Array([0, 1]));
    expect(pyB64Decode("AAE")).toBeNull();
    expect(pyB64Decode("A")).toBeNull();
    expect(pyB64Decode("é")).toBeNull();
    expect(pyJwtB64Decode("AAE")).toEqual(new Uint8Array([0, 1]));
    expect(pyJwtB64Decode("_-8")).toEqual(new Uint8Array([0xff, 0xef]));
  });

  it("Ed25519 keys: real keys pass; the neutral element, small-order points and y ≥ p fail", () => {
    expect(isValidEd25519PublicKey(key.publicKey)).toBe(true);
    const neutral = new Uint8Array(32);
    neutral[0] = 1;
    expect(isValidEd25519PublicKey(neutral)).toBe(false);
    const order2 = new Uint8Array(32).fill(0xff);
    order2[0] = 0xec;
    order2[31] = 0x7f; // y = p − 1: the point of order 2
    expect(isValidEd25519PublicKey(order2)).toBe(false);
    const yp = new Uint8Array(32).fill(0xff);
    yp[0] = 0xed;
    yp[31] = 0x7f;
    expect(isValidEd25519PublicKey(yp)).toBe(false);
    expect(isValidEd25519PublicKey(new Uint8Array(31))).toBe(false);
  });
});
