import { createHash, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkChain, chainStatus, readTimeFindings } from "@/lib/protocol/chain";
import { decodeToken, jwkThumbprint } from "@/lib/protocol/envelope";
import { GENESIS_HASH, ledgerHash } from "@/lib/protocol/ledger";
import {
  ALICE,
  ANALYST,
  AUDITOR,
  authorizeClaims,
  completeClaims,
  delegateClaims,
  invokeClaims,
  makeKey,
  PLANNER,
  signToken,
  T0,
  type TTestKey,
} from "@/lib/protocol/test-helpers";
import type { TClaims, TEventKind, TPrincipalKind } from "@/lib/protocol/types";
import { canonicalJson } from "@/lib/ledger/canonical-json";
import { checkpointMessage, ed25519Thumbprint, signMessage, type TEd25519Jwk } from "@/lib/ledger/signing";
import { main } from "./cli";
import {
  buildEvidenceBundle,
  buildObservedEvidence,
  evidenceDigest,
  formatVerifyReport,
  verifyEvidenceBundle,
  type TBundleSigner,
  type TEvidenceBundle,
} from "./evidence";
import { assembleObserved } from "@/lib/observed/assemble";
import { captureToSpans } from "@/lib/observed/capture";
import type { TChainDetail } from "@/lib/contracts/chains";

/** A server signing key as lib/ledger/server-key.ts makes one. */
function makeServerKey(): TBundleSigner {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const { x } = publicKey.export({ format: "jwk" }) as { x: string };
  const jwk: TEd25519Jwk = { kty: "OKP", crv: "Ed25519", x };
  return { kid: ed25519Thumbprint(jwk), jwk, sign: (message) => signMessage(privateKey, message) };
}

const SERVER = makeServerKey();

type TPrincipalFixture = { id: string; kind: TPrincipalKind; key: TTestKey; revokedAt?: number | null };

const principals: Record<string, TPrincipalFixture> = {
  [ALICE]: { id: ALICE, kind: "human", key: makeKey("Ed25519", "alice-1") },
  [PLANNER]: { id: PLANNER, kind: "agent", key: makeKey("P-256", "planner-1") },
  [ANALYST]: { id: ANALYST, kind: "agent", key: makeKey("Ed25519", "analyst-1") },
  [AUDITOR]: { id: AUDITOR, kind: "attester", key: makeKey("Ed25519", "auditor-1") },
};

/**
 * What the server would export: the chain's tokens spread through a ledger shared with other
 * chains (so seqs are not contiguous), verdicts from the protocol's chain check at `now`.
 */
function makeBundle(
  claims: Record<string, unknown>[],
  opts: {
    now?: number;
    chainId?: string;
    external?: { claims: Record<string, unknown>; signer: string }[];
    fillers?: number[];
    /** false: no checkpoint yet; a number: checkpoint that ledger seq (default: the head) */
    checkpoint?: false | number;
    server?: TBundleSigner;
    /** by jti: the signing key's revokedAt when the server received the token (T0 + 200) */
    keyRevokedAt?: Record<string, number>;
  } = {},
): TEvidenceBundle {
  const now = opts.now ?? T0 + 100;
  const chainId = opts.chainId ?? "a1";
  const ledger: { seq: number; token: string; prevHash: string; hash: string; own: boolean; external: boolean }[] = [];
  let head = GENESIS_HASH;
  const append = (token: string, own: boolean, external = false) => {
    const hash = ledgerHash(head, token);
    ledger.push({ seq: ledger.length + 1, token, prevHash: head, hash, own, external });
    head = hash;
  };
  const fillers = new Set(opts.fillers ?? [1]);
  for (const x of opts.external ?? []) append(signToken(principals[x.signer].key, x.claims), false, true);
  claims.forEach((c, i) => {
    if (fillers.has(i)) append(`other-chain-token-${i}`, false);
    append(signToken(principals[c.iss as string].key, c), true);
  });
  append("a-later-token-of-another-chain", false);

  const decoded = (token: string): TClaims => {
    const d = decodeToken(token);
    if (!d.ok) throw new Error(d.message);
    return d.claims;
  };
  const own = ledger.filter((e) => e.own).map((e) => ({ ...e, claims: decoded(e.token) }));
  const ext = ledger.filter((e) => e.external).map((e) => ({ ...e, claims: decoded(e.token) }));
  const external = new Map<string, { chain: string; kind: TEventKind }>(
    ext.map((e) => [e.claims.jti, { chain: e.claims.chain, kind: e.claims.kind }]),
  );
  const kinds = new Map(Object.values(principals).map((p) => [p.id, p.kind]));
  const receivedAtSeconds = T0 + 200;
  const keyRevokedAt = (jti: string) => opts.keyRevokedAt?.[jti] ?? null;
  const analysis = checkChain({
    chainId,
    events: own.map((e) => ({
      jti: e.claims.jti,
      seq: e.seq,
      claims: e.claims,
      keyRevokedAt: keyRevokedAt(e.claims.jti),
      receivedAt: receivedAtSeconds,
    })),
    external,
    principalKinds: kinds,
  });
  const late = readTimeFindings(analysis, now);
  const findingsOf = (jti: string) => [...(analysis.events.get(jti)?.findings ?? []), ...(late.has(jti) ? [late.get(jti)!] : [])];
  const all = own.flatMap((e) => findingsOf(e.claims.jti).map((f) => ({ ...f, eventJti: e.claims.jti, isReadTime: f.code === "missing_evidence" })));
  const receivedAt = new Date(receivedAtSeconds * 1000).toISOString();
  const server = opts.server ?? SERVER;
  const checkpointSeq = opts.checkpoint === false ? null : (opts.checkpoint ?? ledger.length);
  const checkpointClaim =
    checkpointSeq === null ? null : { seq: checkpointSeq, hash: ledger[checkpointSeq - 1].hash, at: new Date((now + 1) * 1000).toISOString() };
  return buildEvidenceBundle({
    detail: {
      id: chainId,
      generatedAt: new Date(now * 1000).toISOString(),
      status: chainStatus(all, analysis.hasPending),
      findings: all,
      events: own.map((e) => ({
        seq: e.seq,
        jti: e.claims.jti,
        receivedAt,
        keyRevokedAt: keyRevokedAt(e.claims.jti),
        drift: null,
        token: e.token,
        prevHash: e.prevHash,
        hash: e.hash,
        status: analysis.events.get(e.claims.jti)!.status,
        findings: findingsOf(e.claims.jti).map((f) => ({ ...f, eventJti: e.claims.jti, isReadTime: f.code === "missing_evidence" })),
      })),
    },
    principals: Object.values(principals).map((p) => ({ id: p.id, kind: p.kind, name: null })),
    keys: Object.values(principals).map((p) => ({
      principalId: p.id,
      kid: p.key.kid,
      jwk: p.key.publicJwk,
      thumbprint: jwkThumbprint(p.key.publicJwk),
      revokedAt: p.revokedAt ?? null,
    })),
    external: ext.map((e) => ({
      seq: e.seq,
      jti: e.claims.jti,
      chainId: e.claims.chain,
      kind: e.claims.kind,
      token: e.token,
      prevHash: e.prevHash,
      hash: e.hash,
      receivedAt,
    })),
    ledgerHead: { seq: ledger.length, hash: head },
    checkpoint: checkpointClaim && {
      ...checkpointClaim,
      kid: server.kid,
      jwk: server.jwk,
      signature: server.sign(checkpointMessage(checkpointClaim)),
    },
    signer: server,
  });
}

const goodChain = () => [
  authorizeClaims(),
  delegateClaims({ iss: PLANNER }),
  invokeClaims(),
  completeClaims({ iss: AUDITOR, evidence: { summary: "Отчёт готов — 李小龙 signed off" } }),
];

const clone = (b: TEvidenceBundle): TEvidenceBundle => JSON.parse(JSON.stringify(b));

/** The digest and signature made again over altered content, by `server` (default: the real server key). */
function reseal(b: TEvidenceBundle, server: TBundleSigner = SERVER): TEvidenceBundle {
  const out = clone(b);
  out.digest = evidenceDigest(out);
  out.signature = { alg: "EdDSA", kid: server.kid, jwk: server.jwk, value: server.sign(out.digest) };
  return out;
}

/**
 * The check groups an altered bundle fails besides its digest and signature: resealed as if the
 * server itself had signed the altered content, so each re-verification layer is seen on its own.
 */
const failedGroups = (b: TEvidenceBundle | Record<string, unknown>) =>
  [
    ...new Set(
      verifyEvidenceBundle(reseal(b as TEvidenceBundle))
        .checks.filter((c) => !c.ok)
        .map((c) => c.group),
    ),
  ].sort();

/** Changes one character of a token segment to another valid base64url character. */
function flipByte(token: string, segment: 0 | 1 | 2, offset = 5): string {
  const parts = token.split(".");
  const s = parts[segment];
  const i = Math.min(offset, s.length - 2);
  parts[segment] = s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
  return parts.join(".");
}

describe("verifyEvidenceBundle on a good bundle", () => {
  it("passes every check, with the chain's non-contiguous seqs", () => {
    const b = makeBundle(goodChain(), { fillers: [0, 2] });
    const seqs = b.tokens.map((t) => t.seq);
    expect(seqs).toEqual([2, 3, 5, 6]);
    const r = verifyEvidenceBundle(b);
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.tokens).toBe(4);
    expect(r.checks.filter((c) => c.group === "signatures")).toHaveLength(4);
    expect(r.checks.filter((c) => c.group === "ledger")).toHaveLength(4);
    expect(r.format).toBe("delegraph-evidence/2");
    expect(r.signer).toEqual({ thumbprint: SERVER.kid, pinned: null });
    expect(r.checkpoint).toMatchObject({ seq: b.ledgerHead.seq, thumbprint: SERVER.kid });
    // Unpinned: it passes, but says so.
    const pin = r.checks.find((c) => c.subject === "pinned key")!;
    expect(pin.ok).toBe(true);
    expect(pin.note).toMatch(/the signer was not pinned.*GET \/api\/v1\/ledger\/key/);
  });

  it("re-derives findings, including read-time missing_evidence at generatedAt", () => {
    // No complete, and generated after every exp: both grants are broken audit trails; the
    // delegate also passes on its parent's scope unchanged.
    const b = makeBundle([authorizeClaims(), delegateClaims({ iss: PLANNER, scope: ["finance/*:read"] })], { now: T0 + 10_000 });
    expect(b.verdict.status).toBe("warning");
    expect(b.verdict.findings.map((f) => f.code).sort()).toEqual(["missing_evidence", "missing_evidence", "no_attenuation"]);
    expect(verifyEvidenceBundle(b).ok).toBe(true);
  });

  it("handles a violation chain: the bundle's verdict is what must match, not 'verified'", () => {
    const b = makeBundle([authorizeClaims(), delegateClaims({ iss: PLANNER, scope: ["treasury/*:read"] })]);
    expect(b.verdict.status).toBe("violation");
    expect(verifyEvidenceBundle(b).ok).toBe(true);
  });

  it("verifies a cross-chain reference through the bundle's external events", () => {
    const other = authorizeClaims({ jti: "b1" });
    const b = makeBundle([authorizeClaims(), delegateClaims({ iss: PLANNER, parent: "b1" })], {
      external: [{ claims: other, signer: ALICE }],
    });
    expect(Object.keys(b.external)).toEqual(["b1"]);
    expect(b.verdict.findings.map((f) => f.code)).toContain("unrooted");
    expect(verifyEvidenceBundle(b).ok).toBe(true);
    // Without the external event the reference looks unknown (orphan): the verdict no longer matches.
    const without = clone(b);
    without.external = {};
    expect(failedGroups(without)).toEqual(["findings"]);
    // An external event that claims to be in this chain is refused.
    const lying = clone(b);
    lying.external.b1.chain = "a1";
    expect(failedGroups(lying)).toContain("signatures");
  });
});

describe("verifyEvidenceBundle on altered bundles", () => {
  const good = makeBundle(goodChain());

  it("one byte of a token's claims changed", () => {
    const b = clone(good);
    b.tokens[1].token = flipByte(b.tokens[1].token, 1);
    const r = verifyEvidenceBundle(b);
    expect(r.ok).toBe(false);
    expect(failedGroups(b)).toEqual(expect.arrayContaining(["ledger", "signatures"]));
  });

  it("one byte of a signature changed", () => {
    const b = clone(good);
    b.tokens[0].token = flipByte(b.tokens[0].token, 2, 10);
    const r = verifyEvidenceBundle(b);
    expect(r.checks.find((c) => c.group === "signatures" && !c.ok)?.message).toMatch(/signature_invalid/);
    expect(r.ok).toBe(false);
  });

  it("one token removed", () => {
    for (const i of [0, 2, 3]) {
      const b = clone(good);
      b.tokens.splice(i, 1);
      const r = verifyEvidenceBundle(b);
      expect(r.ok).toBe(false);
      expect(r.checks.find((c) => c.subject === "digest")?.ok).toBe(false);
    }
  });

  it("a rewritten bundle (clean leaf removed, digest recomputed) fails the server's signature, and a pin when re-signed", () => {
    const b = clone(good);
    b.tokens.splice(2, 1); // the invoke, which carries no finding: every inner check still passes
    b.digest = evidenceDigest(b);
    const r = verifyEvidenceBundle(b);
    expect(r.checks.filter((c) => !c.ok).map((c) => c.subject)).toEqual(["signature"]);
    // Re-signed with the forger's own key, the bundle is consistent; only pinning the server key tells.
    const forger = makeServerKey();
    const forged = reseal(b, forger);
    expect(verifyEvidenceBundle(forged).ok).toBe(true);
    const pinned = verifyEvidenceBundle(forged, { pinned: [SERVER.kid] });
    expect(pinned.ok).toBe(false);
    expect(pinned.checks.filter((c) => !c.ok).map((c) => c.subject)).toEqual(["pinned key"]);
    expect(pinned.signer).toEqual({ thumbprint: forger.kid, pinned: false });
  });

  it("one key swapped for another key (same kid)", () => {
    const b = clone(good);
    const planner = b.keys.find((k) => k.principalId === PLANNER)!;
    planner.jwk = { ...makeKey("P-256").publicJwk, kid: planner.kid };
    const groups = failedGroups(b);
    expect(groups).toEqual(expect.arrayContaining(["keys", "signatures"]));
    // Even with a thumbprint that matches the swapped key, the signature fails.
    planner.thumbprint = jwkThumbprint(planner.jwk);
    expect(failedGroups(b)).toEqual(["findings", "signatures"]);
  });

  it("a key that is a point of small order, and a token 'signed' with it without any private key", () => {
    const b = clone(good);
    const alice = b.keys.find((k) => k.principalId === ALICE)!;
    const identity = Buffer.from("01".padEnd(64, "0"), "hex");
    alice.jwk = { kty: "OKP", crv: "Ed25519", x: identity.toString("base64url"), kid: alice.kid };
    alice.thumbprint = jwkThumbprint(alice.jwk);
    // R = the identity point, S = 0: node:crypto verifies this over any message with that key.
    const t = b.tokens[0];
    t.token = `${t.token.split(".").slice(0, 2).join(".")}.${Buffer.concat([identity, Buffer.alloc(32)]).toString("base64url")}`;
    t.hash = ledgerHash(t.prevHash, t.token);
    b.digest = evidenceDigest(b);
    const r = verifyEvidenceBundle(b);
    expect(r.checks.find((c) => c.group === "keys" && !c.ok)?.message).toMatch(/small order/);
    expect(r.checks.find((c) => c.group === "signatures" && !c.ok)?.message).toMatch(/^signature_invalid: .*small order/);
    expect(r.ok).toBe(false);
  });

  it("a key revoked at or before a token's iat fails that token", () => {
    const b = clone(good);
    b.keys.find((k) => k.principalId === PLANNER)!.revokedAt = T0 + 10; // the delegate's iat
    const r = verifyEvidenceBundle(b);
    expect(r.checks.find((c) => c.group === "signatures" && !c.ok)?.message).toMatch(/^key_revoked/);
    b.keys.find((k) => k.principalId === PLANNER)!.revokedAt = T0 + 11;
    expect(verifyEvidenceBundle(reseal(b)).ok).toBe(true);
  });

  it("late_after_revocation is re-computed from each token's keyRevokedAt and receivedAt", () => {
    // The delegate (iat T0 + 10) arrived at T0 + 200, after its key was revoked at T0 + 100.
    const late = makeBundle(goodChain(), { keyRevokedAt: { d1: T0 + 100 } });
    expect(late.tokens[1].keyRevokedAt).toBe(T0 + 100);
    expect(late.tokens[1].verdict.findings.map((f) => f.code)).toEqual(["late_after_revocation"]);
    expect(verifyEvidenceBundle(late).ok).toBe(true);
    // Hiding the revocation from the bundle (and signing it again, as the server would have to)
    // leaves a verdict the tokens no longer support.
    const hidden = clone(late);
    hidden.tokens[1].keyRevokedAt = null;
    expect(failedGroups(hidden)).toEqual(["findings"]);
  });

  it("a verdict edited to hide a finding", () => {
    const b = makeBundle([authorizeClaims(), delegateClaims({ iss: PLANNER, scope: ["treasury/*:read"] })]);
    b.verdict.findings = [];
    b.verdict.status = "verified";
    expect(failedGroups(b)).toEqual(["findings"]);
    const c = makeBundle([authorizeClaims(), delegateClaims({ iss: PLANNER, scope: ["treasury/*:read"] })]);
    c.tokens[1].verdict.findings = [];
    expect(failedGroups(c)).toEqual(["findings"]);
  });

  it("a principal's kind changed (the human root becomes an agent)", () => {
    const b = clone(good);
    b.principals.find((p) => p.id === ALICE)!.kind = "agent";
    expect(failedGroups(b)).toEqual(["findings", "keys"]);
  });

  it("seqs reordered or a prevHash edited", () => {
    const b = clone(good);
    [b.tokens[1].seq, b.tokens[2].seq] = [b.tokens[2].seq, b.tokens[1].seq];
    expect(failedGroups(b)).toContain("ledger");
    const c = clone(good);
    c.tokens[1].prevHash = "f".repeat(64);
    expect(failedGroups(c)).toContain("ledger");
  });

  it("not a bundle at all", () => {
    expect(verifyEvidenceBundle({ format: "something" }).checks[0].message).toMatch(/not a delegraph-evidence\/2 bundle/);
    const b = clone(good) as unknown as Record<string, unknown>;
    delete b.tokens;
    const r = verifyEvidenceBundle(b);
    expect(r.ok).toBe(false);
    expect(r.checks[0].message).toMatch(/tokens/);
  });
});

describe("delegraph verify (CLI entry)", () => {
  const dir = mkdtempSync(join(tmpdir(), "delegraph-verify-"));
  const run = (args: string[]) => {
    let out = "";
    let err = "";
    const code = main(args, { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
  };

  it("exits 0 on a good bundle with a per-check report, 1 on a bad one, 2 on an unreadable file", () => {
    const good = makeBundle(goodChain());
    const file = join(dir, "good.json");
    writeFileSync(file, JSON.stringify(good));
    const ok = run(["verify", file, "--verbose"]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/✓ Signatures: 4 of 4 passed/);
    expect(ok.out).toMatch(/OK: all \d+ checks passed/);

    const bad = clone(good);
    bad.tokens[0].token = flipByte(bad.tokens[0].token, 1);
    const badFile = join(dir, "bad.json");
    writeFileSync(badFile, JSON.stringify(bad));
    const fail = run(["verify", badFile]);
    expect(fail.code).toBe(1);
    expect(fail.out).toMatch(/FAILED/);

    const json = run(["verify", badFile, "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, chain: "a1" });

    writeFileSync(join(dir, "broken.json"), "{not json");
    expect(run(["verify", join(dir, "broken.json")]).code).toBe(2);
    expect(run(["verify", join(dir, "missing.json")]).code).toBe(2);
    expect(run(["frobnicate", file]).code).toBe(2);
  });
});

describe("format 2: the digest binds everything, the server signs it", () => {
  /** What a format-1 bundle's digest covered: "<seq> <hash>\n" of each token. An attacker can recompute it. */
  const oldStyleDigest = (b: TEvidenceBundle) =>
    "sha256:" +
    createHash("sha256")
      .update(b.tokens.map((t) => `${t.seq} ${t.hash}\n`).join(""))
      .digest("hex");
  const failedSubjects = (r: ReturnType<typeof verifyEvidenceBundle>) => r.checks.filter((c) => !c.ok).map((c) => `${c.group}/${c.subject}`);

  it("is sha256 of the RFC 8785 canonical JSON of everything but digest, signature and about", () => {
    const b = makeBundle(goodChain());
    const { digest, signature, about, ...content } = b;
    expect(about).toBeTruthy();
    expect(digest).toBe("sha256:" + createHash("sha256").update(canonicalJson(content), "utf8").digest("hex"));
    expect(signature).toMatchObject({ alg: "EdDSA", kid: SERVER.kid, jwk: SERVER.jwk });
    // Member order and whitespace are not content: the same bundle written differently still verifies.
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(b).reverse()), null, 4));
    expect(verifyEvidenceBundle(reordered).ok).toBe(true);
    // The how-to text is outside the digest; a member the schema does not know is inside it.
    expect(verifyEvidenceBundle({ ...clone(b), about: "edited" }).ok).toBe(true);
    expect(failedSubjects(verifyEvidenceBundle({ ...clone(b), note: "added later" }))).toEqual(["bundle/digest", "server/signature"]);
  });

  it("covers fractional NumericDates exactly as JSON carries them", () => {
    const b = makeBundle(goodChain());
    const c = clone(b);
    c.keys[0].revokedAt = T0 + 5000.123;
    const resealed = reseal(c);
    expect(verifyEvidenceBundle(JSON.parse(JSON.stringify(resealed))).ok).toBe(true);
    const nudged = clone(resealed);
    nudged.keys[0].revokedAt = T0 + 5000.1230001; // the next representable doubles are ~2e-7 apart here
    expect(failedSubjects(verifyEvidenceBundle(nudged))).toEqual(["bundle/digest", "server/signature"]);
  });

  it("an unrooted chain relabelled as human-rooted fails on digest and on signature", () => {
    const b = makeBundle([authorizeClaims({ iss: PLANNER, aud: ANALYST }), invokeClaims({ iss: ANALYST, grant: "a1" })]);
    expect(b.verdict.findings.map((f) => f.code)).toContain("unrooted");
    // The attack of the hardening issue: the root's signer relabelled as a human, the verdict edited to
    // match, and the old-style digest recomputed (it does not change: no token moved).
    const forged = clone(b);
    for (const p of forged.principals) if (p.id === PLANNER) p.kind = "human";
    for (const k of forged.keys) if (k.principalId === PLANNER) k.kind = "human";
    forged.verdict = { status: "verified", findings: [] };
    for (const t of forged.tokens) t.verdict.findings = [];
    expect(oldStyleDigest(forged)).toBe(oldStyleDigest(b));
    // Every re-computation agrees with the forgery: only the digest and the signature can tell.
    expect(failedGroups(forged)).toEqual([]);
    expect(failedSubjects(verifyEvidenceBundle(forged))).toEqual(["bundle/digest", "server/signature"]);
    // With the new digest recomputed too, the server's signature still fails.
    forged.digest = evidenceDigest(forged);
    expect(failedSubjects(verifyEvidenceBundle(forged))).toEqual(["server/signature"]);
  });

  it("a missing_evidence chain moved back in time fails on digest and on signature", () => {
    const b = makeBundle([authorizeClaims(), delegateClaims({ iss: PLANNER })], { now: T0 + 10_000 });
    expect(b.verdict.findings.map((f) => f.code)).toEqual(["missing_evidence", "missing_evidence"]);
    const forged = clone(b);
    forged.generatedAt = new Date((T0 + 100) * 1000).toISOString();
    forged.verdict = { status: "verified", findings: [] };
    for (const t of forged.tokens) t.verdict.findings = [];
    expect(failedGroups(forged)).toEqual([]);
    expect(failedSubjects(verifyEvidenceBundle(forged))).toEqual(["bundle/digest", "server/signature"]);
    forged.digest = evidenceDigest(forged);
    expect(failedSubjects(verifyEvidenceBundle(forged))).toEqual(["server/signature"]);
  });

  it("refuses a format-1 bundle with one clear failed check", () => {
    const b = clone(makeBundle(goodChain())) as unknown as Record<string, unknown>;
    b.format = "delegraph-evidence/1";
    b.digest = oldStyleDigest(b as unknown as TEvidenceBundle);
    delete b.signature;
    delete b.checkpoint;
    const r = verifyEvidenceBundle(b);
    expect(r.ok).toBe(false);
    expect(r.format).toBe("delegraph-evidence/1");
    expect(r.checks).toEqual([
      {
        group: "bundle",
        subject: "format",
        ok: false,
        message: "format delegraph-evidence/1 is not verified by this version: its digest does not bind the verdict; export the chain again",
      },
    ]);
  });

  it("passes with the right pinned key and fails with a wrong one", () => {
    const b = makeBundle(goodChain());
    const right = verifyEvidenceBundle(b, { pinned: [SERVER.kid] });
    expect(right.ok).toBe(true);
    expect(right.signer).toEqual({ thumbprint: SERVER.kid, pinned: true });
    expect(right.checks.find((c) => c.subject === "pinned key")!.note).toBeUndefined();
    const other = makeServerKey().kid;
    expect(verifyEvidenceBundle(b, { pinned: [other, SERVER.kid] }).ok).toBe(true);
    const wrong = verifyEvidenceBundle(b, { pinned: [other] });
    expect(wrong.ok).toBe(false);
    expect(failedSubjects(wrong)).toEqual(["server/pinned key"]);
    expect(wrong.checks.find((c) => !c.ok)!.message).toContain(SERVER.kid);
  });

  it("a signature whose kid is not its key's thumbprint, or that is not Ed25519, fails", () => {
    const b = clone(makeBundle(goodChain()));
    b.signature.kid = makeServerKey().kid;
    expect(failedSubjects(verifyEvidenceBundle(b))).toEqual(["server/signature"]);
    const c = clone(makeBundle(goodChain()));
    c.signature.jwk = { ...makeKey("P-256").publicJwk };
    expect(failedSubjects(verifyEvidenceBundle(c))).toEqual(["server/signature"]);
  });
});

describe("the ledger checkpoint in a bundle", () => {
  const checkpointCheck = (b: unknown, pinned?: string[]) =>
    verifyEvidenceBundle(b, { pinned }).checks.filter((c) => c.group === "server" && c.subject !== "signature");

  it("says so, and still passes, when the server has not signed that far yet", () => {
    const b = makeBundle(goodChain(), { checkpoint: false });
    expect(b.checkpoint).toBeNull();
    const r = verifyEvidenceBundle(b);
    expect(r.ok).toBe(true);
    expect(r.checkpoint).toBeNull();
    expect(r.checks.find((c) => c.subject === "checkpoint")).toMatchObject({
      ok: true,
      message: "no signed ledger checkpoint covers these events yet",
    });
  });

  it("must be signed by the server, at or after every event, and agree with the bundle's ledger", () => {
    const good = makeBundle(goodChain(), { fillers: [0, 2] });
    expect(good.tokens.map((t) => t.seq)).toEqual([2, 3, 5, 6]);
    // A checkpoint of seq 6, the chain's last event: its hash must be that event's.
    const atLast = makeBundle(goodChain(), { fillers: [0, 2], checkpoint: 6 });
    expect(verifyEvidenceBundle(atLast).ok).toBe(true);
    const early = makeBundle(goodChain(), { fillers: [0, 2], checkpoint: 5 });
    expect(checkpointCheck(early).find((c) => !c.ok)?.message).toMatch(/before the bundle's event at seq 6/);

    const altered = clone(good);
    altered.checkpoint!.hash = "e".repeat(64);
    const r = verifyEvidenceBundle(reseal(altered));
    expect(r.checks.find((c) => c.subject === "checkpoint")).toMatchObject({ ok: false });
    expect(r.checks.find((c) => c.subject === "checkpoint")!.message).toMatch(/signature does not verify.*at the ledger head's seq but not its hash/);

    const wrongEvent = clone(atLast);
    wrongEvent.tokens[3].hash = "e".repeat(64);
    expect(verifyEvidenceBundle(reseal(wrongEvent)).checks.find((c) => c.subject === "checkpoint")!.message).toMatch(
      /event at seq 6 has another hash/,
    );
  });

  it("counts as a server signature for pinning", () => {
    // The bundle signed by the pinned key, but its checkpoint by another: not all from the pinned server.
    const other = makeServerKey();
    const mixed = makeBundle(goodChain(), { server: other });
    const b = reseal(mixed, SERVER);
    expect(verifyEvidenceBundle(b).ok).toBe(true);
    const pinned = checkpointCheck(b, [SERVER.kid]).find((c) => c.subject === "pinned key")!;
    expect(pinned.ok).toBe(false);
    expect(pinned.message).toContain(other.kid);
    expect(verifyEvidenceBundle(b, { pinned: [SERVER.kid, other.kid] }).ok).toBe(true);
  });
});

describe("delegraph verify --key / --key-file", () => {
  const dir = mkdtempSync(join(tmpdir(), "delegraph-verify-keys-"));
  const run = (args: string[]) => {
    let out = "";
    let err = "";
    const code = main(args, { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
  };
  const file = join(dir, "bundle.json");
  writeFileSync(file, JSON.stringify(makeBundle(goodChain())));

  it("exit 0 with the right key, 1 with a wrong one, 2 for a malformed pin", () => {
    const ok = run(["verify", file, "--key", SERVER.kid]);
    expect(ok.code, ok.out + ok.err).toBe(0);
    expect(ok.out).toContain(`signed by server key ${SERVER.kid} (pinned)`);
    const unpinned = run(["verify", file]);
    expect(unpinned.code).toBe(0);
    expect(unpinned.out).toContain("NOT pinned");
    expect(unpinned.out).toMatch(/the signer was not pinned/);
    const wrong = run(["verify", file, "--key", makeServerKey().kid]);
    expect(wrong.code).toBe(1);
    expect(wrong.out).toMatch(/not a pinned key/);
    expect(run(["verify", file, "--key", "not-a-thumbprint"]).code).toBe(2);
    expect(run(["verify", file, "--no-such-flag"]).code).toBe(2);
    expect(run(["verify", file, "--key"]).code).toBe(2);
  });

  it("pins a thumbprint that begins with a dash (base64url), with --key X as with --key=X", () => {
    let dashed = makeServerKey();
    while (!dashed.kid.startsWith("-")) dashed = makeServerKey();
    const own = join(dir, "dashed.json");
    writeFileSync(own, JSON.stringify(makeBundle(goodChain(), { server: dashed })));
    for (const args of [["--key", dashed.kid], [`--key=${dashed.kid}`]]) {
      const r = run(["verify", own, ...args]);
      expect(r.code, r.out + r.err).toBe(0);
      expect(r.out).toContain(`signed by server key ${dashed.kid} (pinned)`);
    }
    expect(run(["verify", own, "--key", SERVER.kid]).code).toBe(1);
  });

  it("reads pins from a JWK, a JWK Set or GET /api/v1/ledger/key's answer", () => {
    const other = makeServerKey();
    const files = {
      jwk: SERVER.jwk,
      set: { keys: [other.jwk, SERVER.jwk] },
      api: { kid: other.kid, thumbprint: other.kid, jwk: other.jwk, previous: [{ kid: SERVER.kid, jwk: SERVER.jwk, trusted: true }] },
    };
    for (const [name, content] of Object.entries(files)) {
      const f = join(dir, `${name}.json`);
      writeFileSync(f, JSON.stringify(content));
      expect(run(["verify", file, "--key-file", f]).code, name).toBe(0);
    }
    const onlyOther = join(dir, "other.json");
    writeFileSync(onlyOther, JSON.stringify(other.jwk));
    expect(run(["verify", file, "--key-file", onlyOther]).code).toBe(1);
    const empty = join(dir, "empty.json");
    writeFileSync(empty, JSON.stringify({ keys: [] }));
    expect(run(["verify", file, "--key-file", empty]).code).toBe(2);
    expect(run(["verify", file, "--key-file", join(dir, "missing.json")]).code).toBe(2);
  });
});

describe("an observed chain's record (delegraph-observed/1)", () => {
  const AT = Date.UTC(2026, 0, 15, 10, 0, 0);
  const r = captureToSpans(
    {
      kind: "mcp",
      startedAt: AT,
      client: "support-agent",
      request: { body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "lookup_order" } } },
    },
    { keepContent: false, receivedAtMs: AT },
  );
  if (!r.ok) throw new Error(r.reason);
  const chain = assembleObserved(r.spans, { now: AT + 120_000 }).chains[0];
  const detail = {
    id: chain.id,
    status: "observed",
    source: "capture",
    generatedAt: new Date(AT + 120_000).toISOString(),
    observed: chain,
    observedSigned: [],
    findings: [
      { code: "unauthorized_activity", severity: "warning", message: "called tool lookup_order", eventJti: chain.edges[1].id, isReadTime: false },
    ],
  } as unknown as TChainDetail;

  it("says observed, not verified, and the verifier always fails it on that ground while its digest and signature check", () => {
    const record = buildObservedEvidence(detail, SERVER);
    expect(record).toMatchObject({ format: "delegraph-observed/1", status: "observed", verified: false, chain: chain.id, source: "capture" });
    expect(record.notice).toMatch(/^Observed, not verified/);
    const report = verifyEvidenceBundle(JSON.parse(JSON.stringify(record)));
    expect(report.ok).toBe(false);
    expect(report.chain).toBe(chain.id);
    expect(report.checks.filter((c) => !c.ok).map((c) => c.message)).toEqual([
      "observed, not verified: no agent, principal or tool signed anything in this chain, so there is nothing to verify",
    ]);
    expect(report.checks.find((c) => c.subject === "signature")!.ok).toBe(true);
    expect(formatVerifyReport(report)).toMatch(/observed, not verified/);
  });

  it("a changed record fails its digest; a record claiming verified is not one", () => {
    const record = JSON.parse(JSON.stringify(buildObservedEvidence(detail, SERVER))) as Record<string, unknown>;
    const changed = { ...record, source: "otel" };
    expect(verifyEvidenceBundle(changed).checks.find((c) => c.subject === "digest")!.ok).toBe(false);
    const claimed = verifyEvidenceBundle({ ...record, verified: true });
    expect(claimed.ok).toBe(false);
    expect(claimed.checks[0]).toMatchObject({ group: "bundle", subject: "format", ok: false });
  });
});
