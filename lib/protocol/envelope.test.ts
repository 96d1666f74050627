import { calculateJwkThumbprint } from "jose";
import { describe, expect, it } from "vitest";
import {
  checkEnvelope,
  checkEnvelopeAsync,
  claimedChain,
  classifyReplay,
  decodeToken,
  importPublicKey,
  isPublicJwk,
  jwkThumbprint,
  keyType,
  verifySignature,
  verifySignatureAsync,
  ZClaims,
} from "@/lib/protocol/envelope";
import {
  ALICE,
  ANALYST,
  authorizeClaims,
  b64url,
  completeClaims,
  delegateClaims,
  HASH_A,
  invokeClaims,
  makeKey,
  PLANNER,
  rawToken,
  registryKey,
  registryPrincipal,
  revokeClaims,
  signToken,
  T0,
  withNonCanonicalTail,
  withOtherS,
} from "@/lib/protocol/test-helpers";
import type { TRegistryPrincipal } from "@/lib/protocol/types";

const aliceKey = makeKey("Ed25519", "alice-1");
const aliceOldKey = makeKey("Ed25519", "alice-old");
const plannerKey = makeKey("P-256", "planner-1");
const analystKey = makeKey("Ed25519", "analyst-1");
const strangerKey = makeKey("Ed25519", "stranger");

const NOW = T0 + 100;
const REVOKED_AT = T0 + 50;

const REGISTRY = new Map<string, TRegistryPrincipal>([
  [ALICE, registryPrincipal(ALICE, "human", [registryKey(aliceKey), registryKey(aliceOldKey, REVOKED_AT)])],
  [PLANNER, registryPrincipal(PLANNER, "agent", [registryKey(plannerKey)])],
  [ANALYST, registryPrincipal(ANALYST, "agent", [registryKey(analystKey)])],
]);
const ctx = { now: NOW, principals: (iss: string) => REGISTRY.get(iss) };
const HEADER = { alg: "EdDSA", typ: "dep+jwt", kid: "alice-1" };

/** Every token this file checks; the last test gives each to checkEnvelopeAsync as well. */
const checked: string[] = [];
const check = (token: string) => {
  checked.push(token);
  return checkEnvelope(token, ctx);
};
const codeOf = (token: string) => {
  const r = check(token);
  return r.ok ? "ok" : r.code;
};

/** A valid token with the payload and/or header changed: the signature is recomputed, so only the change matters. */
const alice = (over: Record<string, unknown> = {}, header: Record<string, unknown> = {}) => signToken(aliceKey, authorizeClaims(over), header);

/** n distinct valid entries of each list kind: the limits count entries, whatever they are. */
const scopes = (n: number) => Array.from({ length: n }, (_, i) => `finance/p${i}/*:read`);
const classes = (n: number) => Array.from({ length: n }, (_, i) => `class-${i}`);
const hosts = (n: number) => Array.from({ length: n }, (_, i) => `*.h${i}.bank.example`);
const artifacts = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `a${i}`, hash: HASH_A }));

describe("decodeToken: malformed structure and header", () => {
  const payload = authorizeClaims();
  it.each([
    ["an empty string", ""],
    ["two segments", `${b64url(HEADER)}.${b64url(payload)}`],
    ["four segments", `${b64url(HEADER)}.${b64url(payload)}.sig.extra`],
    ["an empty header segment", `.${b64url(payload)}.`],
    ["an empty payload segment", `${b64url(HEADER)}..`],
    ["a header that is not base64url", `${b64url(HEADER)}!.${b64url(payload)}.`],
    ["base64 padding", `${b64url(HEADER)}=.${b64url(payload)}.`],
    ["a header that is not JSON", `${b64url("not json")}.${b64url(payload)}.`],
    ["a header that is a JSON array", rawToken([HEADER], payload)],
    ["a header that is not UTF-8", `${b64url(Buffer.from([0xff, 0xfe, 0x7b]))}.${b64url(payload)}.`],
    ["a payload that is not JSON", `${b64url(HEADER)}.${b64url("{nope")}.`],
    ["a payload that is a JSON string", rawToken(HEADER, JSON.stringify("hello"))],
    ["a payload that is null", rawToken(HEADER, "null")],
    ["a signature segment that is not base64url", `${b64url(HEADER)}.${b64url(payload)}.a+b/`],
    ["typ JWT", rawToken({ ...HEADER, typ: "JWT" }, payload)],
    ["typ in other case", rawToken({ ...HEADER, typ: "DEP+JWT" }, payload)],
    ["typ application/dep+jwt", rawToken({ ...HEADER, typ: "application/dep+jwt" }, payload)],
    ["no typ", rawToken({ alg: "EdDSA", kid: "alice-1" }, payload)],
    ["no kid", rawToken({ alg: "EdDSA", typ: "dep+jwt" }, payload)],
    ["a numeric kid", rawToken({ ...HEADER, kid: 1 }, payload)],
    ["no alg", rawToken({ typ: "dep+jwt", kid: "alice-1" }, payload)],
    ["a numeric alg", rawToken({ ...HEADER, alg: 1 }, payload)],
    ["a null alg", rawToken({ ...HEADER, alg: null }, payload)],
  ])("%s is malformed", (_, token) => {
    const r = decodeToken(token);
    expect(r).toMatchObject({ ok: false, code: "malformed" });
    expect(check(token)).toMatchObject({ ok: false, code: "malformed" });
  });

  it("names the offending header member", () => {
    const r = decodeToken(rawToken({ ...HEADER, typ: "JWT" }, payload));
    expect(!r.ok && r.message).toContain('header "typ"');
  });

  it("a non-string token is malformed, not a crash", () => {
    expect(decodeToken(42 as unknown as string)).toMatchObject({ ok: false, code: "malformed", jti: null });
  });
});

type TCase = [string, Record<string, unknown>, string];

describe("decodeToken: malformed claims name the claim", () => {
  const cases: [string, () => Record<string, unknown>, TCase[]][] = [
    [
      "authorize",
      authorizeClaims,
      [
        ["v 2", { v: 2 }, "v"],
        ["v as a string", { v: "1" }, "v"],
        ["no v", { v: undefined }, "v"],
        ["an unknown kind", { kind: "approve" }, "kind"],
        ["no kind", { kind: undefined }, "kind"],
        ["a jti with a space", { jti: "a 1", chain: "a 1" }, "jti"],
        ["a jti of 129 chars", { jti: "a".repeat(129), chain: "a".repeat(129) }, "jti"],
        ["an empty jti", { jti: "", chain: "" }, "jti"],
        ["a chain that is not its jti", { chain: "other" }, "chain"],
        ["no chain", { chain: undefined }, "chain"],
        ["an empty iss", { iss: "" }, "iss"],
        ["an iss of 201 chars", { iss: "u".repeat(201) }, "iss"],
        ["an iss with a newline", { iss: "user:al\nice" }, "iss"],
        ["an iss with non-ASCII", { iss: "user:alïce" }, "iss"],
        ["a numeric iss", { iss: 7 }, "iss"],
        ["a negative iat", { iat: -1 }, "iat"],
        ["a string iat", { iat: "1700000000" }, "iat"],
        ["a null iat", { iat: null }, "iat"],
        ["no exp", { exp: undefined }, "exp"],
        ["no aud", { aud: undefined }, "aud"],
        ["an empty scope list", { scope: [] }, "scope"],
        ["a scope string instead of a list", { scope: "finance/*:read" }, "scope"],
        ["an uppercase scope", { scope: ["A:read"] }, "scope[0]"],
        ["a mid-path wildcard", { scope: ["finance/q1:read", "a/*/b:read"] }, "scope[1]"],
        ["two colons", { scope: ["a:b:c"] }, "scope[0]"],
        ["no purpose", { purpose: undefined }, "purpose"],
        ["a purpose string", { purpose: "finance" }, "purpose"],
        ["an uppercase purpose code", { purpose: { code: "Finance", text: "x" } }, "purpose.code"],
        ["a purpose code with empty label", { purpose: { code: "finance..x", text: "x" } }, "purpose.code"],
        ["a blank purpose text", { purpose: { code: "finance", text: "  \t " } }, "purpose.text"],
        ["a negative max_depth", { max_depth: -1 }, "max_depth"],
        ["a fractional max_depth", { max_depth: 1.5 }, "max_depth"],
        ["a string max_depth", { max_depth: "3" }, "max_depth"],
        ["constraints as a list", { constraints: ["pii"] }, "constraints"],
        ["a data list of numbers", { constraints: { data: [1] } }, "constraints.data[0]"],
        ["an egress URL", { constraints: { egress: ["https://api.bank.example"] } }, "constraints.egress[0]"],
        ["an egress bare star", { constraints: { egress: ["*"] } }, "constraints.egress[0]"],
        ["257 scopes (docs/protocol.md §8: at most 256)", { scope: scopes(257) }, "scope"],
        ["257 data classes", { constraints: { data: classes(257) } }, "constraints.data"],
        ["257 egress hosts", { constraints: { egress: hosts(257) } }, "constraints.egress"],
        ["a short instruction hash", { instruction_hash: "sha256:abc" }, "instruction_hash"],
        ["a md5 instruction hash", { instruction_hash: `md5:${"a".repeat(64)}` }, "instruction_hash"],
      ],
    ],
    [
      "delegate",
      delegateClaims,
      [
        ["no parent", { parent: undefined }, "parent"],
        ["a null parent", { parent: null }, "parent"],
        ["a parent with a slash", { parent: "a/1" }, "parent"],
        ["a wildcard action scope", { scope: ["finance/q1/*:re*"] }, "scope[0]"],
        ["8,000 scopes", { scope: scopes(8000) }, "scope"],
      ],
    ],
    [
      "invoke",
      invokeClaims,
      [
        ["no action", { action: undefined }, "action"],
        ["two actions", { action: ["a:x", "b:x"] }, "action"],
        ["an invalid action", { action: "finance/Q1:read" }, "action"],
        ["no resource", { resource: undefined }, "resource"],
        ["an empty resource", { resource: "" }, "resource"],
        ["a resource with a control char", { resource: "db://a\u0000b" }, "resource"],
        ["an http resource with no host", { resource: "https://" }, "resource"],
        ["a purpose object", { purpose: { code: "finance", text: "x" } }, "purpose"],
        ["an invalid purpose code", { purpose: "Finance" }, "purpose"],
        ["a data string", { data: "pii" }, "data"],
        ["257 data classes", { data: classes(257) }, "data"],
        ["a grant with a space", { grant: "d 1" }, "grant"],
      ],
    ],
    [
      "complete",
      completeClaims,
      [
        ["no grant", { grant: undefined }, "grant"],
        ["an unknown status", { status: "done" }, "status"],
        ["no result_hash", { result_hash: undefined }, "result_hash"],
        ["an uppercase-prefixed hash", { result_hash: `SHA256:${"a".repeat(64)}` }, "result_hash"],
        ["a 63-hex hash", { result_hash: `sha256:${"a".repeat(63)}` }, "result_hash"],
        ["a summary of 2001 chars", { evidence: { summary: "x".repeat(2001) } }, "evidence.summary"],
        ["an artifact without a hash", { evidence: { artifacts: [{ name: "r.pdf" }] } }, "evidence.artifacts[0].hash"],
        ["evidence as a string", { evidence: "see attached" }, "evidence"],
        ["257 artifacts (our bound: 256)", { evidence: { artifacts: artifacts(257) } }, "evidence.artifacts"],
      ],
    ],
    [
      "revoke",
      revokeClaims,
      [
        ["no target", { target: undefined }, "target"],
        ["a numeric target", { target: 5 }, "target"],
        ["a numeric reason", { reason: 5 }, "reason"],
      ],
    ],
  ];

  for (const [kind, build, table] of cases)
    describe(kind, () => {
      it.each(table)("%s is malformed", (_, over, claim) => {
        const payload = { ...build(), ...over };
        const r = decodeToken(signToken(aliceKey, payload));
        expect(r.ok).toBe(false);
        if (r.ok) return;
        expect(r.code).toBe("malformed");
        expect(r.message).toContain(`"${claim}"`);
      });
    });

  it("a NumericDate beyond double range (1e400 → Infinity) is malformed", () => {
    const text = JSON.stringify(authorizeClaims()).replace(`"iat":${T0}`, '"iat":1e400');
    expect(text).toContain("1e400");
    expect(decodeToken(rawToken(HEADER, text))).toMatchObject({ ok: false, code: "malformed" });
  });

  it("reports the jti when the payload is readable, null when it is not", () => {
    expect(decodeToken(signToken(aliceKey, authorizeClaims({ scope: [] })))).toMatchObject({ jti: "a1" });
    expect(decodeToken(rawToken({ ...HEADER, typ: "JWT" }, authorizeClaims()))).toMatchObject({ jti: "a1" });
    expect(decodeToken(`${b64url(HEADER)}.${b64url("{nope")}.`)).toMatchObject({ jti: null });
    expect(decodeToken("x.y")).toMatchObject({ jti: null });
  });
});

describe("decodeToken: well-formed", () => {
  it.each([
    ["authorize", authorizeClaims()],
    [
      "authorize with every optional claim",
      authorizeClaims({ max_depth: 0, constraints: { data: [], egress: ["*.bank.example", "API.Partner.Example"] }, instruction_hash: HASH_A }),
    ],
    ["delegate", delegateClaims()],
    ["invoke", invokeClaims({ purpose: "finance.reporting", data: ["balances"] })],
    ["invoke without a grant", invokeClaims({ grant: undefined })],
    ["invoke on a non-URL resource", invokeClaims({ resource: "ledger/q1 revenue" })],
    ["complete", completeClaims({ evidence: { summary: "x".repeat(2000), artifacts: [{ name: "r.pdf", hash: HASH_A, uri: "s3://r" }] } })],
    ["complete with uppercase hex", completeClaims({ result_hash: `sha256:${"A".repeat(64)}` })],
    ["revoke", revokeClaims({ reason: "done early" })],
    ["fractional NumericDates", authorizeClaims({ iat: T0 + 0.5, exp: T0 + 99.25 })],
    ["zero NumericDates", authorizeClaims({ iat: 0, exp: 0 })],
    ["a principal id of 200 printable chars", authorizeClaims({ iss: `user:${"~".repeat(195)}` })],
    ["a jti of 128 chars", authorizeClaims({ jti: "A.b_c:d-".repeat(16), chain: "A.b_c:d-".repeat(16) })],
    ["256 scopes, data classes and egress hosts", authorizeClaims({ scope: scopes(256), constraints: { data: classes(256), egress: hosts(256) } })],
    ["an invoke touching 256 data classes", invokeClaims({ data: classes(256) })],
    ["256 artifacts", completeClaims({ evidence: { artifacts: artifacts(256) } })],
  ])("%s decodes", (_, claims) => {
    const r = decodeToken(signToken(aliceKey, claims));
    expect(r.ok, !r.ok ? r.message : "").toBe(true);
  });

  it("normalises null optional claims away, at every level", () => {
    const r = decodeToken(
      signToken(aliceKey, authorizeClaims({ max_depth: null, instruction_hash: null, constraints: { data: null, egress: ["a.example"] } })),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect("max_depth" in r.claims).toBe(false);
    expect("instruction_hash" in r.claims).toBe(false);
    expect(r.claims.kind === "authorize" && r.claims.constraints).toEqual({ egress: ["a.example"] });

    const inv = decodeToken(signToken(aliceKey, invokeClaims({ grant: null, purpose: null, data: null })));
    expect(inv.ok && Object.keys(inv.claims).sort()).toEqual(["action", "chain", "iat", "iss", "jti", "kind", "resource", "v"]);

    const comp = decodeToken(signToken(aliceKey, completeClaims({ evidence: { summary: null, artifacts: [{ name: "a", hash: "h", uri: null }] } })));
    expect(comp.ok && comp.claims).toMatchObject({ evidence: { artifacts: [{ name: "a", hash: "h" }] } });
    expect(comp.ok && comp.claims.kind === "complete" && comp.claims.evidence).toEqual({ artifacts: [{ name: "a", hash: "h" }] });

    expect(decodeToken(signToken(aliceKey, revokeClaims({ reason: null })))).toMatchObject({ ok: true });
  });

  it("ignores unknown claims and header members, and drops unknown claims", () => {
    const r = decodeToken(signToken(aliceKey, authorizeClaims({ x_trace: "abc", nbf: 5 }), { cty: "x", jku: "https://e" }));
    expect(r.ok).toBe(true);
    expect(r.ok && "x_trace" in r.claims).toBe(false);
    expect(r.ok && r.header).toEqual({ alg: "EdDSA", typ: "dep+jwt", kid: "alice-1" });
  });

  it("returns the signing input and the raw signature bytes", () => {
    const token = alice();
    const r = decodeToken(token);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.signingInput).toBe(token.split(".").slice(0, 2).join("."));
    expect(r.signature.length).toBe(64);
    expect(ZClaims.parse(JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()))).toEqual(r.claims);
  });
});

describe("reject codes, in order (§4)", () => {
  /** Widens the scope of a signed token without re-signing it. */
  const tamper = (token: string) => {
    const [h, p, s] = token.split(".");
    const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as Record<string, unknown>;
    return `${h}.${b64url({ ...claims, scope: ["*:*"] })}.${s}`;
  };

  const table: [string, string, () => string][] = [
    // malformed
    ["malformed: missing claim", "malformed", () => alice({ aud: undefined })],
    ["malformed wins over a bad alg", "malformed", () => rawToken({ ...HEADER, alg: "none" }, authorizeClaims({ scope: [] }))],
    ["pass malformed: a valid token", "ok", () => alice()],
    // alg_not_allowed
    ["alg none with an empty signature", "alg_not_allowed", () => rawToken({ ...HEADER, alg: "none" }, authorizeClaims())],
    ["alg HS256", "alg_not_allowed", () => alice({}, { alg: "HS256" })],
    ["alg RS256", "alg_not_allowed", () => alice({}, { alg: "RS256" })],
    ["alg ES384", "alg_not_allowed", () => alice({}, { alg: "ES384" })],
    ["alg eddsa (wrong case)", "alg_not_allowed", () => alice({}, { alg: "eddsa" })],
    ["an empty alg", "alg_not_allowed", () => alice({}, { alg: "" })],
    ["alg_not_allowed wins over an unknown principal", "alg_not_allowed", () => alice({ iss: "user:nobody" }, { alg: "none" })],
    ["pass alg: EdDSA", "ok", () => alice({}, { alg: "EdDSA" })],
    ["pass alg: Ed25519 (RFC 9864 name)", "ok", () => alice({}, { alg: "Ed25519" })],
    ["pass alg: ES256 with a P-256 key", "ok", () => signToken(plannerKey, delegateClaims())],
    // unknown_principal
    ["an unregistered iss", "unknown_principal", () => alice({ iss: "user:mallory" })],
    ["unknown_principal wins over an unknown kid", "unknown_principal", () => alice({ iss: "user:mallory" }, { kid: "nope" })],
    ["pass principal: registered iss", "ok", () => signToken(analystKey, invokeClaims())],
    // unknown_key
    ["an unknown kid", "unknown_key", () => alice({}, { kid: "alice-9" })],
    ["another principal's kid", "unknown_key", () => alice({}, { kid: "planner-1" })],
    ["an empty kid", "unknown_key", () => alice({}, { kid: "" })],
    ["unknown_key wins over a bad signature", "unknown_key", () => tamper(alice({}, { kid: "alice-9" }))],
    // key_revoked (revokedAt <= iat)
    ["a key revoked before iat", "key_revoked", () => signToken(aliceOldKey, authorizeClaims({ iat: REVOKED_AT + 1 }))],
    ["a key revoked exactly at iat", "key_revoked", () => signToken(aliceOldKey, authorizeClaims({ iat: REVOKED_AT }))],
    ["key_revoked wins over a bad signature", "key_revoked", () => tamper(signToken(aliceOldKey, authorizeClaims({ iat: REVOKED_AT })))],
    ["pass revoked key: iat one second before revokedAt", "ok", () => signToken(aliceOldKey, authorizeClaims({ iat: REVOKED_AT - 1 }))],
    ["pass revoked key: fractional iat just before revokedAt", "ok", () => signToken(aliceOldKey, authorizeClaims({ iat: REVOKED_AT - 0.001 }))],
    // signature_invalid
    ["a tampered payload", "signature_invalid", () => tamper(alice())],
    ["signed by another key under alice's kid", "signature_invalid", () => signToken(strangerKey, authorizeClaims(), { kid: "alice-1" })],
    ["an empty signature with EdDSA", "signature_invalid", () => rawToken(HEADER, authorizeClaims())],
    ["a truncated signature", "signature_invalid", () => alice().slice(0, -4)],
    ["alg ES256 on an Ed25519 key", "signature_invalid", () => signToken(aliceKey, authorizeClaims(), { alg: "ES256" })],
    ["alg EdDSA on a P-256 key", "signature_invalid", () => signToken(plannerKey, delegateClaims(), { alg: "EdDSA" })],
    ["alg Ed25519 on a P-256 key", "signature_invalid", () => signToken(plannerKey, delegateClaims(), { alg: "Ed25519" })],
    ["signature_invalid wins over a future iat", "signature_invalid", () => tamper(alice({ iat: NOW + 10_000 }))],
    // iat_in_future (iat > now + 300)
    ["iat 301 s ahead", "iat_in_future", () => alice({ iat: NOW + 301 })],
    ["iat 300.5 s ahead", "iat_in_future", () => alice({ iat: NOW + 300.5 })],
    ["pass future: iat exactly 300 s ahead", "ok", () => alice({ iat: NOW + 300 })],
    ["pass future: iat in the past", "ok", () => alice({ iat: 0 })],
  ];

  it.each(table)("%s → %s", (_, expected, build) => {
    expect(codeOf(build())).toBe(expected);
  });

  it("every reject code but replay has a failing case above, and replay is classified below", () => {
    const covered = new Set(table.map(([, c]) => c));
    for (const code of ["malformed", "alg_not_allowed", "unknown_principal", "unknown_key", "key_revoked", "signature_invalid", "iat_in_future"])
      expect(covered.has(code), code).toBe(true);
  });

  it("a success carries the principal and the key that verified it", () => {
    const r = check(signToken(plannerKey, delegateClaims()));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.principal.id).toBe(PLANNER);
    expect(r.key.kid).toBe("planner-1");
    expect(r.claims.kind).toBe("delegate");
  });

  it("failures carry the jti and a message naming the principal, key or times", () => {
    expect(check(alice({ iss: "user:mallory" }))).toMatchObject({ jti: "a1", message: expect.stringContaining("user:mallory") });
    expect(check(alice({}, { kid: "alice-9" }))).toMatchObject({ message: expect.stringContaining("alice-9") });
    expect(check(signToken(aliceOldKey, authorizeClaims({ iat: REVOKED_AT })))).toMatchObject({
      message: expect.stringContaining(String(REVOKED_AT)),
    });
    expect(check(signToken(aliceKey, authorizeClaims(), { alg: "ES256" }))).toMatchObject({
      message: expect.stringContaining("does not fit"),
    });
  });
});

describe("classifyReplay", () => {
  const token = alice();
  it.each([
    ["an unseen jti", undefined, "new"],
    ["the byte-identical token", token, "duplicate"],
    ["the same jti with another token", alice({ iat: T0 + 1 }), "replay"],
    ["the same claims re-signed (Ed25519 is deterministic, so change the header)", alice({}, { alg: "Ed25519" }), "replay"],
    [
      "the same signature over another payload segment",
      `${token.split(".")[0]}.${b64url(authorizeClaims({ scope: ["*:*"] }))}.${token.split(".")[2]}`,
      "replay",
    ],
  ])("%s → %s", (_, stored, expected) => {
    expect(classifyReplay(token, stored)).toBe(expected);
  });

  it("a re-encoded signature over the same signed part is a duplicate, either way round (docs/protocol.md §8)", () => {
    const es = signToken(plannerKey, delegateClaims());
    const highLow = withOtherS(es);
    const tail = withNonCanonicalTail(token);
    // Each re-encoding is a different string that verifies on its own...
    expect(highLow).not.toBe(es);
    expect(tail).not.toBe(token);
    expect(checkEnvelope(highLow, ctx)).toMatchObject({ ok: true });
    expect(checkEnvelope(tail, ctx)).toMatchObject({ ok: true });
    // ...and names the same event as the original.
    expect(classifyReplay(highLow, es)).toBe("duplicate");
    expect(classifyReplay(es, highLow)).toBe("duplicate");
    expect(classifyReplay(tail, token)).toBe("duplicate");
    expect(classifyReplay(token, tail)).toBe("duplicate");
  });
});

describe("keys", () => {
  it("keyType recognises Ed25519 and P-256 public JWKs only", () => {
    expect(keyType(aliceKey.publicJwk)).toBe("Ed25519");
    expect(keyType(plannerKey.publicJwk)).toBe("P-256");
    expect(keyType({ kty: "EC", crv: "P-384", x: "a", y: "b" })).toBeNull();
    expect(keyType({ kty: "RSA", n: "x", e: "AQAB" })).toBeNull();
    expect(keyType({ kty: "OKP", crv: "Ed25519", x: "short" })).toBeNull();
    expect(keyType({ kty: "OKP", crv: "X25519", x: aliceKey.publicJwk.x })).toBeNull();
  });

  it("isPublicJwk refuses private material, whatever the key type", () => {
    expect(isPublicJwk(aliceKey.publicJwk)).toBe(true);
    expect(isPublicJwk(plannerKey.publicJwk)).toBe(true);
    const privEd = aliceKey.privateKey.export({ format: "jwk" });
    const privEc = plannerKey.privateKey.export({ format: "jwk" });
    expect(isPublicJwk(privEd)).toBe(false);
    expect(isPublicJwk(privEc)).toBe(false);
    for (const m of ["d", "p", "q", "dp", "dq", "qi", "k"]) expect(isPublicJwk({ ...aliceKey.publicJwk, [m]: "AA" }), m).toBe(false);
    expect(isPublicJwk({ kty: "oct", k: "c2VjcmV0" })).toBe(false);
    expect(isPublicJwk({ kty: "RSA", n: "x", e: "AQAB" })).toBe(true);
    expect(isPublicJwk({ kty: "RSA", n: "x", e: "AQAB", d: "y" })).toBe(false);
    expect(isPublicJwk({ crv: "Ed25519", x: aliceKey.publicJwk.x })).toBe(false);
    expect(isPublicJwk(null)).toBe(false);
    expect(isPublicJwk([aliceKey.publicJwk])).toBe(false);
  });

  it("jwkThumbprint follows RFC 7638 (RFC 8037 §A.3 vector) and agrees with jose", async () => {
    const rfc = { kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" };
    expect(jwkThumbprint(rfc)).toBe("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    expect(jwkThumbprint(plannerKey.publicJwk)).toBe(await calculateJwkThumbprint(plannerKey.publicJwk));
    expect(jwkThumbprint(aliceKey.publicJwk)).toBe(await calculateJwkThumbprint(aliceKey.publicJwk));
    expect(jwkThumbprint({ ...aliceKey.publicJwk, kid: "other", use: "sig" })).toBe(jwkThumbprint(aliceKey.publicJwk));
  });

  it("importPublicKey imports a key once, whatever its kid or member order", () => {
    const { kid: _kid, ...bare } = analystKey.publicJwk;
    const reordered = { x: bare.x, kty: bare.kty, crv: bare.crv, kid: "renamed" };
    expect(importPublicKey(reordered)).toBe(importPublicKey(analystKey.publicJwk));
    expect(importPublicKey(plannerKey.publicJwk).asymmetricKeyType).toBe("ec");
    expect(() => importPublicKey({ kty: "RSA", n: "x", e: "AQAB" })).toThrow();
  });

  it("verifySignature never throws", () => {
    const d = decodeToken(alice());
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(verifySignature(d, aliceKey.publicJwk)).toBe(true);
    expect(verifySignature(d, {})).toBe(false);
    expect(verifySignature(d, { kty: "OKP", crv: "Ed25519", x: "A".repeat(43) })).toBe(false);
    expect(verifySignature(d, plannerKey.publicJwk)).toBe(false);
    expect(verifySignature({ ...d, signature: Buffer.alloc(0) }, aliceKey.publicJwk)).toBe(false);
    expect(verifySignature({ ...d, header: { ...d.header, alg: "none" } }, aliceKey.publicJwk)).toBe(false);
  });

  it("verifies with a key object's members as they are now, when the same object is used again", async () => {
    const d = decodeToken(alice());
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    // One object, as a batch's registry read hands every event of a signer.
    const jwk: Record<string, string> = { ...aliceKey.publicJwk };
    expect(verifySignature(d, jwk)).toBe(true);
    expect(await verifySignatureAsync(d, jwk)).toBe(true);
    jwk.x = (analystKey.publicJwk as Record<string, string>).x;
    expect(verifySignature(d, jwk)).toBe(false);
    expect(await verifySignatureAsync(d, jwk)).toBe(false);
    jwk.x = "A".repeat(43);
    expect(verifySignature(d, jwk)).toBe(false);
    jwk.x = (aliceKey.publicJwk as Record<string, string>).x;
    expect(await verifySignatureAsync(d, jwk)).toBe(true);
    jwk.kty = "EC";
    expect(verifySignature(d, jwk)).toBe(false);
  });
});

describe("checkEnvelopeAsync (signature on the thread pool)", () => {
  it("gives checkEnvelope's exact result for every token checked above", async () => {
    expect(checked.length).toBeGreaterThan(50);
    const codes = new Set<string>();
    for (const token of checked) {
      const sync = checkEnvelope(token, ctx);
      codes.add(sync.ok ? "ok" : sync.code);
      expect(await checkEnvelopeAsync(token, ctx)).toEqual(sync);
    }
    // The comparison covered passes and every failure before, at and after the signature step.
    for (const code of [
      "ok",
      "malformed",
      "alg_not_allowed",
      "unknown_principal",
      "unknown_key",
      "key_revoked",
      "signature_invalid",
      "iat_in_future",
    ]) {
      expect(codes).toContain(code);
    }
  });

  it("verifySignatureAsync answers as verifySignature and never rejects", async () => {
    const d = decodeToken(alice());
    const p = decodeToken(signToken(plannerKey, delegateClaims(), { alg: "ES256", kid: "planner-1" }));
    expect(d.ok && p.ok).toBe(true);
    if (!d.ok || !p.ok) return;
    const cases: [Parameters<typeof verifySignature>[0], object][] = [
      [d, aliceKey.publicJwk],
      [p, plannerKey.publicJwk],
      [{ ...p, signingInput: p.signingInput + "x" }, plannerKey.publicJwk],
      [d, {}],
      [d, { kty: "OKP", crv: "Ed25519", x: "A".repeat(43) }],
      [d, plannerKey.publicJwk],
      [{ ...d, signature: Buffer.alloc(0) }, aliceKey.publicJwk],
      [{ ...d, signature: Buffer.alloc(64) }, aliceKey.publicJwk],
      [{ ...d, header: { ...d.header, alg: "none" } }, aliceKey.publicJwk],
    ];
    const answers = await Promise.all(cases.map(([input, jwk]) => verifySignatureAsync(input, jwk)));
    expect(answers).toEqual(cases.map(([input, jwk]) => verifySignature(input, jwk)));
    expect(answers.slice(0, 2)).toEqual([true, true]);
    expect(answers.slice(2).every((a) => a === false)).toBe(true);
  });
});

describe("claimedChain", () => {
  it("reads the chain a submission names, signed or not, valid or not", () => {
    const token = alice();
    expect(claimedChain(token)).toBe(authorizeClaims().chain);
    expect(claimedChain(signToken(strangerKey, delegateClaims({ chain: "chain-7" })))).toBe("chain-7");
    expect(claimedChain(rawToken(HEADER, { chain: "only-a-chain" }))).toBe("only-a-chain");
  });

  it("is null for anything that does not name a chain in the jti charset", () => {
    expect(claimedChain(42)).toBeNull();
    expect(claimedChain("a.b")).toBeNull();
    expect(claimedChain(rawToken(HEADER, { chain: 7 }))).toBeNull();
    expect(claimedChain(rawToken(HEADER, { chain: "has space" }))).toBeNull();
    expect(claimedChain(rawToken(HEADER, { chain: "x".repeat(500) }))).toBeNull();
    expect(claimedChain(`${b64url("{}")}.${b64url("[1]")}.sig`)).toBeNull();
  });
});

describe("the optional traceparent claim (docs/observed.md: signed beside observed)", () => {
  const invoke = { v: 1, kind: "invoke", jti: "i1", chain: "c1", iss: "agent:a", iat: 1_700_000_000, action: "db/x:read", resource: "db://x" };
  const tp = `00-${"ab".repeat(16)}-${"cd".repeat(8)}-01`;
  it("is kept when it is a W3C traceparent, absent otherwise", () => {
    expect(ZClaims.parse({ ...invoke, traceparent: tp })).toMatchObject({ traceparent: tp });
    expect(ZClaims.parse(invoke)).not.toHaveProperty("traceparent");
  });
  it.each([
    ["not one"],
    [`00-${"AB".repeat(16)}-${"cd".repeat(8)}-01`],
    [`00-${"0".repeat(32)}-${"cd".repeat(8)}-01`],
    [`00-${"ab".repeat(16)}-${"0".repeat(16)}-01`],
    [42],
  ])("%j is malformed", (value) => {
    expect(ZClaims.safeParse({ ...invoke, traceparent: value }).success).toBe(false);
  });
});
