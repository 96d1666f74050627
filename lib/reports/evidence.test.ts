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
import { main } from "./cli";
import { buildEvidenceBundle, evidenceDigest, verifyEvidenceBundle, type TEvidenceBundle } from "./evidence";

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
  const external = new Map<string, { chain: string; kind: TEventKind }>(ext.map((e) => [e.claims.jti, { chain: e.claims.chain, kind: e.claims.kind }]));
  const kinds = new Map(Object.values(principals).map((p) => [p.id, p.kind]));
  const receivedAtSeconds = T0 + 200;
  const keyRevokedAt = (jti: string) => opts.keyRevokedAt?.[jti] ?? null;
  const analysis = checkChain({
    chainId,
    events: own.map((e) => ({ jti: e.claims.jti, seq: e.seq, claims: e.claims, keyRevokedAt: keyRevokedAt(e.claims.jti), receivedAt: receivedAtSeconds })),
    external,
    principalKinds: kinds,
  });
  const late = readTimeFindings(analysis, now);
  const findingsOf = (jti: string) => [...(analysis.events.get(jti)?.findings ?? []), ...(late.has(jti) ? [late.get(jti)!] : [])];
  const all = own.flatMap((e) => findingsOf(e.claims.jti).map((f) => ({ ...f, eventJti: e.claims.jti, isReadTime: f.code === "missing_evidence" })));
  const receivedAt = new Date(receivedAtSeconds * 1000).toISOString();
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
    external: ext.map((e) => ({ seq: e.seq, jti: e.claims.jti, chainId: e.claims.chain, kind: e.claims.kind, token: e.token, prevHash: e.prevHash, hash: e.hash, receivedAt })),
    ledgerHead: { seq: ledger.length, hash: head },
  });
}

const goodChain = () => [
  authorizeClaims(),
  delegateClaims({ iss: PLANNER }),
  invokeClaims(),
  completeClaims({ iss: AUDITOR, evidence: { summary: "Отчёт готов — 李小龙 signed off" } }),
];

const failedGroups = (b: unknown) => [...new Set(verifyEvidenceBundle(b).checks.filter((c) => !c.ok).map((c) => c.group))].sort();
const clone = (b: TEvidenceBundle): TEvidenceBundle => JSON.parse(JSON.stringify(b));

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

  it("documents the limit: a rewritten bundle (clean leaf removed, digest recomputed) is caught only by comparing the digest", () => {
    const b = clone(good);
    b.tokens.splice(2, 1); // the invoke, which carries no finding
    b.digest = evidenceDigest(b.tokens);
    expect(verifyEvidenceBundle(b).ok).toBe(true);
    expect(b.digest).not.toBe(good.digest);
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
    b.digest = evidenceDigest(b.tokens);
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
    expect(verifyEvidenceBundle(b).ok).toBe(true);
  });

  it("late_after_revocation is re-computed from each token's keyRevokedAt and receivedAt", () => {
    // The delegate (iat T0 + 10) arrived at T0 + 200, after its key was revoked at T0 + 100.
    const late = makeBundle(goodChain(), { keyRevokedAt: { d1: T0 + 100 } });
    expect(late.tokens[1].keyRevokedAt).toBe(T0 + 100);
    expect(late.tokens[1].verdict.findings.map((f) => f.code)).toEqual(["late_after_revocation"]);
    expect(verifyEvidenceBundle(late).ok).toBe(true);
    // Hiding the revocation from the bundle leaves a verdict the tokens no longer support.
    const hidden = clone(late);
    hidden.tokens[1].keyRevokedAt = null;
    expect(failedGroups(hidden)).toEqual(["findings"]);
    // An older bundle without the field reads as "not revoked at receipt".
    const old = clone(makeBundle(goodChain()));
    for (const t of old.tokens) delete (t as { keyRevokedAt?: unknown }).keyRevokedAt;
    expect(verifyEvidenceBundle(old).ok).toBe(true);
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
    expect(verifyEvidenceBundle({ format: "something" }).checks[0].message).toMatch(/not a delegraph-evidence\/1 bundle/);
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
