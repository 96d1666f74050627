import { describe, expect, it } from "vitest";
import { importAipToken, detectAipMode, aipTokenId } from "./index";
import { aipKeyId, claims, compactToken, identity, makeAipKey, makeContext, NOW, registryKey } from "./test-helpers";

const alice = makeAipKey();
const ALICE = "aip:web:agents.example/alice";
const human = identity(ALICE, "human", [registryKey(alice)]);
const ctx = () => makeContext([human]);

async function run(token: string, c = ctx()) {
  return (await importAipToken(token, {}, c)).result;
}

describe("compact tokens: spec §4, each row in order", () => {
  it("accepts a token as the reference mints it, as one authorize-shaped grant", async () => {
    const token = compactToken(alice, claims(ALICE));
    const out = await importAipToken(token, {}, ctx());
    expect(out.result).toMatchObject({ mode: "compact", status: "accepted", findings: [], aip: { verdict: "valid", error: null } });
    const id = aipTokenId(token);
    expect(out.result.events).toEqual([id]);
    expect(out.result.chain).toBe(id);
    const c = out.store[0].claims;
    expect(c).toMatchObject({
      kind: "authorize",
      jti: id,
      chain: id,
      iss: ALICE,
      aud: "aip:web:tools.example/worker",
      scope: ["tool:search"],
      max_depth: 1,
      purpose: { code: "aip", text: "AIP compact token" },
    });
    expect(c.aip).toMatchObject({ mode: "compact", typ: "aip+jwt", budget: { usd: 1.5 }, unverified: null });
    expect(out.store[0].token).toBe(token);
  });

  it("row 1: not three base64url segments, or non-object header/payload → malformed", async () => {
    for (const t of ["eyJhbGciOiJFZERTQSJ9.only-two", "eyJ!!!.e30.sig", `eyJ${Buffer.from("[1]").toString("base64url")}.e30.AA`]) {
      const r = await run(t);
      expect(r.status).toBe("rejected");
      expect(r.error?.code).toBe("malformed");
      expect(r.aip).toMatchObject({ verdict: "invalid", error: "token_malformed" });
    }
  });

  it("row 2: alg none, HS256 and the fully specified Ed25519 → alg_not_allowed (aip: token_malformed)", async () => {
    for (const alg of ["none", "HS256", "Ed25519"]) {
      const r = await run(compactToken(alice, claims(ALICE), { alg, typ: "aip+jwt" }));
      expect(r.error?.code).toBe("alg_not_allowed");
      expect(r.aip.error).toBe("token_malformed");
    }
  });

  it("row 3: a non-AIP issuer or an unregistered aip:web issuer → unknown_principal (aip: identity_unresolvable)", async () => {
    const r1 = await run(compactToken(alice, claims("user:alice")));
    expect(r1.error?.code).toBe("unknown_principal");
    const r2 = await run(compactToken(alice, claims("aip:web:other.example/bob")));
    expect(r2.error?.code).toBe("unknown_principal");
    expect(r2.aip.error).toBe("identity_unresolvable");
  });

  it("row 3: an aip:key issuer needs no registration and becomes an agent (unrooted)", async () => {
    const k = makeAipKey();
    const out = await importAipToken(compactToken(k, claims(aipKeyId(k))), {}, makeContext());
    expect(out.result.status).toBe("accepted");
    expect(out.result.findings.map((f) => f.code)).toEqual(["unrooted"]);
    expect(out.newIdentity).toMatchObject({ id: aipKeyId(k), kind: "agent" });
    expect(out.result.aip.verdict).toBe("valid");
    // Its one key is used whatever kid the producer wrote.
    const withKid = await importAipToken(compactToken(k, claims(aipKeyId(k)), { alg: "EdDSA", typ: "aip+jwt", kid: "key-1" }), {}, makeContext());
    expect(withKid.result.status).toBe("accepted");
  });

  it("row 3: an aip:key id with a short or non-canonical key → malformed", async () => {
    const short = `aip:key:ed25519:z${"1".repeat(10)}`;
    expect((await run(compactToken(alice, claims(short)))).error?.code).toBe("malformed");
    // y = p (not canonical): 0xedff…ff7f little-endian.
    const { encodeMultibase } = await import("./encoding");
    const nonCanonical = new Uint8Array(32).fill(0xff);
    nonCanonical[0] = 0xed;
    nonCanonical[31] = 0x7f;
    expect((await run(compactToken(alice, claims(`aip:key:ed25519:${encodeMultibase(nonCanonical)}`)))).error?.code).toBe("malformed");
    // The identity point (small order).
    const small = new Uint8Array(32);
    small[0] = 1;
    expect((await run(compactToken(alice, claims(`aip:key:ed25519:${encodeMultibase(small)}`)))).error?.code).toBe("malformed");
  });

  it("row 4: a kid that is not the issuer's → unknown_key; only key outside its window at iat → key_revoked", async () => {
    const r1 = await run(compactToken(alice, claims(ALICE), { alg: "EdDSA", typ: "aip+jwt", kid: "nope" }));
    expect(r1.error?.code).toBe("unknown_key");
    const windowed = identity(ALICE, "human", [registryKey(alice, "key-1", { validFrom: NOW - 5 })]);
    const r2 = await run(compactToken(alice, claims(ALICE)), makeContext([windowed]));
    expect(r2.error?.code).toBe("key_revoked");
    const revoked = identity(ALICE, "human", [registryKey(alice, "key-1", { revokedAt: NOW - 10 })]);
    expect((await run(compactToken(alice, claims(ALICE)), makeContext([revoked]))).error?.code).toBe("key_revoked");
    // A key revoked after iat still verifies the grant; the reference, which checks now, has no key.
    const later = identity(ALICE, "human", [registryKey(alice, "key-1", { revokedAt: NOW - 5 })]);
    const r3 = await run(compactToken(alice, claims(ALICE)), makeContext([later]));
    expect(r3.status).toBe("accepted");
    expect(r3.aip.error).toBe("identity_unresolvable");
  });

  it("row 4: the kid header narrows the choice to a rotated key whose window holds iat", async () => {
    const next = makeAipKey();
    const rotated = identity(ALICE, "human", [
      registryKey(alice, "old", { validUntil: NOW - 100 }),
      registryKey(next, "new", { validFrom: NOW - 100 }),
    ]);
    const r = await run(compactToken(next, claims(ALICE), { alg: "EdDSA", typ: "aip+jwt", kid: "new" }), makeContext([rotated]));
    expect(r.status).toBe("accepted");
    const r2 = await run(compactToken(next, claims(ALICE), { alg: "EdDSA", kid: "old" }), makeContext([rotated]));
    expect(r2.error?.code).toBe("key_revoked");
  });

  it("row 5: a signature by another key → signature_invalid (both verdicts)", async () => {
    const r = await run(compactToken(makeAipKey(), claims(ALICE)));
    expect(r.error?.code).toBe("signature_invalid");
    expect(r.aip.error).toBe("signature_invalid");
  });

  it("row 6: iat more than 300 s ahead → iat_in_future; the reference calls any future iat token_malformed", async () => {
    const r = await run(compactToken(alice, claims(ALICE, { iat: NOW + 301 })));
    expect(r.error?.code).toBe("iat_in_future");
    const r2 = await run(compactToken(alice, claims(ALICE, { iat: NOW + 100 })));
    expect(r2.status).toBe("accepted");
    expect(r2.aip).toMatchObject({ verdict: "invalid", error: "token_malformed" });
  });

  it("row 7: claims of the wrong type → malformed", async () => {
    const bad: Record<string, unknown>[] = [
      { sub: 5 },
      { scope: "tool:search" },
      { scope: [1] },
      { scope: Array.from({ length: 257 }, (_, i) => `s${i}`) },
      { exp: "soon" },
      { exp: 1.5 },
      { max_depth: 1.5 },
      { budget_usd: "1" },
    ];
    for (const extra of bad) {
      const r = await run(compactToken(alice, claims(ALICE, extra)));
      expect(r.error?.code, JSON.stringify(extra)).toBe("malformed");
    }
    const iat = await run(compactToken(alice, claims(ALICE, { iat: "x" })));
    expect(iat.error?.code).toBe("malformed");
  });

  it("typ may be aip+jwt, JWT or absent; each is shown", async () => {
    for (const typ of ["aip+jwt", "JWT", undefined]) {
      const out = await importAipToken(compactToken(alice, claims(ALICE), { alg: "EdDSA", ...(typ ? { typ } : {}) }), {}, ctx());
      expect(out.result.status).toBe("accepted");
      expect(out.store[0].claims.aip.typ).toBe(typ ?? null);
    }
  });

  it("an expired token is accepted by Delegraph and token_expired for the reference", async () => {
    const r = await run(compactToken(alice, claims(ALICE, { iat: NOW - 7200, exp: NOW - 3600 })));
    expect(r.status).toBe("accepted");
    expect(r.aip).toMatchObject({ verdict: "invalid", error: "token_expired" });
    // exp == now is expired for PyJWT (exp <= now).
    expect((await run(compactToken(alice, claims(ALICE, { exp: NOW })))).aip.error).toBe("token_expired");
  });

  it("empty scope and a negative max_depth are accepted (max_depth counts as 0); absent max_depth is 0", async () => {
    const out = await importAipToken(compactToken(alice, claims(ALICE, { scope: [], max_depth: -2 })), {}, ctx());
    expect(out.result.status).toBe("accepted");
    expect(out.store[0].claims).toMatchObject({ scope: [], max_depth: 0 });
    const { max_depth: _m, ...rest } = claims(ALICE);
    const out2 = await importAipToken(compactToken(alice, rest), {}, ctx());
    expect(out2.store[0].claims).toMatchObject({ max_depth: 0 });
  });

  it("the same bytes again are a duplicate; unrooted applies when iss is not a human", async () => {
    const token = compactToken(alice, claims(ALICE));
    const first = await importAipToken(token, {}, ctx());
    const again = await importAipToken(token, {}, makeContext([human], new Set(first.result.events)));
    expect(again.result.status).toBe("duplicate");
    expect(again.store).toEqual([]);
    const agent = identity(ALICE, "agent", [registryKey(alice)]);
    const r = await run(token, makeContext([agent]));
    expect(r.findings.map((f) => f.code)).toEqual(["unrooted"]);
  });

  it("aip parity: an aud claim, a non-string jti and a missing scope are token_malformed, though Delegraph accepts the first", async () => {
    const withAud = await run(compactToken(alice, claims(ALICE, { aud: "someone" })));
    expect(withAud.status).toBe("accepted");
    expect(withAud.aip.error).toBe("token_malformed");
    expect((await run(compactToken(alice, claims(ALICE, { aud: "" })))).aip.verdict).toBe("valid");
    expect((await run(compactToken(alice, claims(ALICE, { jti: 7 })))).aip.error).toBe("token_malformed");
    const { scope: _s, ...noScope } = claims(ALICE);
    expect((await run(compactToken(alice, noScope))).aip.error).toBe("token_malformed");
    expect((await run(compactToken(alice, claims(ALICE, { nbf: NOW + 60 })))).aip.error).toBe("token_malformed");
  });

  it("mode: eyJ is compact, anything else chained", () => {
    expect(detectAipMode("eyJhbGci")).toBe("compact");
    expect(detectAipMode("EnQKC")).toBe("chained");
    expect(detectAipMode("")).toBe("chained");
  });

  it("hostile input never throws: 1 MiB strings, binary junk", async () => {
    const big = `eyJ${"A".repeat(1024 * 1024)}`;
    const r = await run(big);
    expect(r.status).toBe("rejected");
    const junk = await run(`eyJ\u0000\uffff.\ud800.${"%".repeat(100)}`);
    expect(junk.error?.code).toBe("malformed");
  });
});

describe("aipTokenHint (POST /api/v1/events stays DEP-only)", async () => {
  const { aipTokenHint } = await import("./index");
  it("points an aip+jwt to /api/v1/aip/tokens and says nothing of other tokens", () => {
    expect(aipTokenHint(compactToken(alice, claims(ALICE)))).toContain("/api/v1/aip/tokens");
    expect(aipTokenHint(compactToken(alice, claims(ALICE), { alg: "EdDSA", typ: "dep+jwt" }))).toBeNull();
    expect(aipTokenHint("eyJ!!!")).toBeNull();
    expect(aipTokenHint(42)).toBeNull();
  });
});
