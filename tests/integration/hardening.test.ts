// Issue [7], over HTTP on both databases: one agent key must not freeze the server (list limits),
// forge signatures (weak keys), turn a producer's own token into a replay (malleable signatures),
// or hide that it signed after its revocation (late_after_revocation).
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { withNonCanonicalTail, withOtherS } from "@/lib/protocol/test-helpers";
import {
  api,
  authorizeClaims,
  chain,
  codes,
  delegateClaims,
  invokeClaims,
  makeKey,
  now,
  post,
  register,
  signToken,
  uid,
  unsignedToken,
  type TPrincipal,
} from "./helpers";

let human: TPrincipal;
let planner: TPrincipal;
let worker: TPrincipal;

beforeAll(async () => {
  [human, planner, worker] = await Promise.all([register("human"), register("agent", "ES256"), register("agent")]);
});

const scopes = (n: number, tag = "r") => Array.from({ length: n }, (_, i) => `finance/d${i % 16}/p${i}/*:${tag}`);
const hosts = (n: number) => Array.from({ length: n }, (_, i) => `*.h${i}.bank.example`);
const classes = (n: number) => Array.from({ length: n }, (_, i) => `class-${i}`);

describe("1. list limits: one grant cannot make the chain checks quadratic", () => {
  it("a delegate with 8,000 scopes under a parent with 8,000 is malformed, both of them, at once", async () => {
    const root = authorizeClaims(human.id, planner.id, { scope: scopes(8000) });
    const hop = delegateClaims(root, planner.id, worker.id, { scope: scopes(8000).map((s) => s.replace("/*:", "/x:")) });
    const started = Date.now();
    const [r1, r2] = await post([signToken(root, human.key), signToken(hop, planner.key)]);
    expect(Date.now() - started).toBeLessThan(10_000); // was 34 s, the whole server frozen
    for (const r of [r1, r2]) {
      expect(r.status).toBe("rejected");
      expect(r.error).toMatchObject({ code: "malformed" });
      expect(r.error!.message).toMatch(/"scope": must list at most 256 scopes/);
    }
    const health = await fetch(inject("serverUrl") + "/api/health");
    expect(health.status).toBe(200);
  });

  it("257 entries in scope, data, egress, an invoke's data or evidence.artifacts are malformed; 256 are fine", async () => {
    const ok = authorizeClaims(human.id, planner.id, { scope: scopes(256), constraints: { data: classes(256), egress: hosts(256) } });
    const results = await post([
      signToken(authorizeClaims(human.id, planner.id, { scope: scopes(257) }), human.key),
      signToken(authorizeClaims(human.id, planner.id, { constraints: { data: classes(257) } }), human.key),
      signToken(authorizeClaims(human.id, planner.id, { constraints: { egress: hosts(257) } }), human.key),
      signToken(invokeClaims(ok, planner.id, { data: classes(257) }), planner.key),
      signToken(
        {
          kind: "complete",
          jti: uid("cmp"),
          chain: ok.chain,
          grant: ok.jti,
          iss: planner.id,
          iat: now(),
          status: "completed",
          result_hash: "sha256:" + "ab".repeat(32),
          evidence: { artifacts: Array.from({ length: 257 }, (_, i) => ({ name: `a${i}`, hash: "h" })) },
        },
        planner.key,
      ),
      signToken(ok, human.key),
    ]);
    expect(results.map((r) => r.error?.code ?? r.status)).toEqual(["malformed", "malformed", "malformed", "malformed", "malformed", "accepted"]);
    expect(results.slice(0, 5).map((r) => /"([a-z.]+)": must list at most 256/.exec(r.error!.message)?.[1])).toEqual([
      "scope",
      "constraints.data",
      "constraints.egress",
      "data",
      "evidence.artifacts",
    ]);
  });

  it("the worst legal grant (256 scopes, data classes and hosts) and a 256-scope delegate under it: exact verdicts, quickly", async () => {
    const root = authorizeClaims(human.id, planner.id, { scope: scopes(256), constraints: { data: classes(256), egress: hosts(256) } });
    // Every delegate scope is under one root scope except the last, which no single one covers.
    const own = scopes(256).map((s) => s.replace("/*:", "/x:"));
    own[255] = "finance/*:r";
    const hop = delegateClaims(root, planner.id, worker.id, {
      scope: own,
      constraints: { data: classes(256).slice(1), egress: hosts(256).map((h) => h.replace("*.", "a.")) },
    });
    const act = invokeClaims(hop, worker.id, { action: own[100], resource: "https://a.h100.bank.example/x", data: ["class-100", "class-0"] });
    const started = Date.now();
    const results = await post([signToken(root, human.key), signToken(hop, planner.key), signToken(act, worker.key)]);
    const detail = await chain(root.chain);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(results.map((r) => r.status)).toEqual(["accepted", "accepted", "accepted"]);
    expect(codes(results[1])).toEqual(["scope_escalation"]);
    expect(results[1].findings[0].message).toContain('grants "finance/*:r", which no single scope');
    // class-0 is outside the delegate's own data list: drift; the host is inside its egress list.
    expect(codes(results[2])).toEqual(["scope_drift"]);
    expect(results[2].findings[0].message).toMatch(/touches data "class-0"/);
    const h = detail.hops.find((x: { jti: string }) => x.jti === hop.jti);
    expect(h.scopeAdded).toEqual(["finance/*:r"]);
    expect(h.scopeRemoved).toEqual([]); // "finance/*:r" covers every root scope
    expect(h.effectiveConstraints.egress).toHaveLength(256);
  });
});

describe("2. weak keys are refused: registration, then nothing verifies with them", () => {
  const ed = (hex: string) => Buffer.from(hex, "hex").toString("base64url");
  const SMALL_ORDER = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
  ];
  const registerWith = (jwk: Record<string, unknown>, kind = "human") =>
    api("/api/v1/principals", { method: "POST", json: { id: `user:${uid("weak")}`, kind, keys: [{ kid: "weak-1", ...jwk }] } });

  it("400 naming the kid for each Ed25519 point of small order, the identity included", async () => {
    for (const hex of SMALL_ORDER) {
      const res = await registerWith({ kty: "OKP", crv: "Ed25519", x: ed(hex) });
      expect(res.status, hex).toBe(400);
      expect(res.data.error.code).toBe("invalid_request");
      expect(res.data.error.message).toMatch(/key weak-1: .*small order/);
    }
  });

  it("400 for non-canonical Ed25519 encodings and for P-256 points off the curve or beyond p", async () => {
    const p = 2n ** 255n - 19n;
    const le = (n: bigint) => Buffer.from(n.toString(16).padStart(64, "0"), "hex").reverse().toString("base64url");
    const good = makeKey("ES256").publicJwk as { x: string; y: string };
    const offCurve = Buffer.from(good.y, "base64url");
    offCurve[31] ^= 1;
    for (const [jwk, why] of [
      [{ kty: "OKP", crv: "Ed25519", x: le(p + 1n) }, /non-canonical/],
      [{ kty: "OKP", crv: "Ed25519", x: ed("0100000000000000000000000000000000000000000000000000000000000080") }, /sign bit/],
      [{ kty: "OKP", crv: "Ed25519", x: le(2n) }, /not a point of the curve/],
      [{ kty: "EC", crv: "P-256", x: good.x, y: offCurve.toString("base64url") }, /not on the P-256 curve/],
      [{ kty: "EC", crv: "P-256", x: Buffer.alloc(32, 0xff).toString("base64url"), y: good.y }, /not below the field prime/],
    ] as const) {
      const res = await registerWith(jwk);
      expect(res.status, JSON.stringify(jwk)).toBe(400);
      expect(res.data.error.message).toMatch(why);
    }
  });

  it("the attack: an authorize for *:* 'signed' with the identity point and no private key is never accepted", async () => {
    const id = `user:${uid("mallory")}`;
    const identity = ed(SMALL_ORDER[0]);
    const reg = await api("/api/v1/principals", {
      method: "POST",
      json: { id, kind: "human", keys: [makeKey().publicJwk, { kid: "id-1", kty: "OKP", crv: "Ed25519", x: identity }] },
    });
    expect(reg.status).toBe(400);
    const claims = { v: 1, ...authorizeClaims(id, planner.id, { scope: ["*:*"] }) };
    // R = the identity point, S = 0: verifies over any message with the identity point as the key.
    const forged = unsignedToken(
      { alg: "EdDSA", typ: "dep+jwt", kid: "id-1" },
      claims,
      Buffer.concat([Buffer.from(SMALL_ORDER[0], "hex"), Buffer.alloc(32)]).toString("base64url"),
    );
    const [r] = await post([forged]);
    expect(r.status).toBe("rejected");
    expect(r.error?.code).toBe("unknown_principal");
  });
});

describe("2b. malleable signatures: a re-encoded token is a duplicate of the producer's (spec §8)", () => {
  const rawOf = async (chainId: string, jti: string) => {
    const res = await api(`/api/v1/events/${encodeURIComponent(jti)}`);
    expect(res.data.chainId).toBe(chainId);
    return res.data.token as string;
  };

  it("ES256 with the other S sent first: the producer's own token is a duplicate, not a replay", async () => {
    const root = authorizeClaims(human.id, planner.id);
    const hop = delegateClaims(root, planner.id, worker.id);
    const original = signToken(hop, planner.key);
    const reencoded = withOtherS(original);
    expect(reencoded).not.toBe(original);
    const [a, b] = await post([signToken(root, human.key), reencoded]);
    expect([a.status, b.status]).toEqual(["accepted", "accepted"]);
    const [again] = await post([original]);
    expect(again.status).toBe("duplicate");
    expect(again.chain).toBe(root.chain);
    expect(again.findings).toEqual(b.findings);
    expect(await rawOf(root.chain, hop.jti)).toBe(reencoded); // the bytes first received
  });

  it("Ed25519 with non-canonical trailing bits, in the same batch and across batches", async () => {
    const root = authorizeClaims(human.id, planner.id);
    const original = signToken(root, human.key);
    const twin = withNonCanonicalTail(original);
    expect(twin).not.toBe(original);
    const [first, second] = await post([original, twin]);
    expect([first.status, second.status]).toEqual(["accepted", "duplicate"]);
    expect((await post([twin]))[0].status).toBe("duplicate");
    expect(await rawOf(root.chain, root.jti)).toBe(original);
    // Another payload under the same jti is still a replay.
    expect((await post([signToken({ ...root, iat: root.iat - 1 }, human.key)]))[0].error?.code).toBe("replay");
  });
});

describe("10. late_after_revocation: signed with a back-dated iat after the key was revoked", () => {
  const dir = mkdtempSync(join(tmpdir(), "delegraph-hardening-"));
  const repo = join(import.meta.dirname, "..", "..");
  const verifyOffline = (bundle: unknown) =>
    new Promise<{ status: number; stdout: string }>((resolve) => {
      const file = join(dir, `${uid("b")}.json`);
      writeFileSync(file, JSON.stringify(bundle));
      execFile(process.execPath, [join(repo, "bin/delegraph.mjs"), "verify", file, "--json"], { encoding: "utf8", cwd: tmpdir() }, (error, stdout) =>
        resolve({ status: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout }),
      );
    });

  it("is accepted with the warning, kept through later re-checks, in the chain read, the CSV and the evidence bundle", async () => {
    const agent = await register("agent");
    const root = authorizeClaims(human.id, agent.id, { iat: now() - 600 });
    const before = delegateClaims(root, agent.id, worker.id, { iat: now() - 500 });
    const [r0, r1] = await post([signToken(root, human.key), signToken(before, agent.key)]);
    expect([r0.status, r1.status, ...codes(r1)]).toEqual(["accepted", "accepted"]);

    const revokedAt = now() - 100;
    const rev = await api(`/api/v1/principals/${encodeURIComponent(agent.id)}/keys/${agent.key.kid}/revoke`, {
      method: "POST",
      json: { at: revokedAt },
    });
    expect(rev.status).toBe(200);

    // Back-dated before the revocation, sent after it: accepted (spec §8), with the warning.
    const late = delegateClaims(root, agent.id, worker.id, { iat: revokedAt - 50, scope: ["finance/q1/revenue:read"] });
    const [r2] = await post([signToken(late, agent.key)]);
    expect(r2.status).toBe("accepted");
    expect(r2.findings).toEqual([expect.objectContaining({ code: "late_after_revocation", severity: "warning" })]);
    expect(r2.findings[0].message).toContain(`before its signing key was revoked at ${revokedAt}`);
    // At or after the revocation it is rejected, as before.
    expect((await post([signToken(delegateClaims(root, agent.id, worker.id, { iat: revokedAt }), agent.key)]))[0].error?.code).toBe("key_revoked");

    // A later event re-checks the chain: the verdicts stay (judged from what was known at receipt).
    const [r3] = await post([signToken(invokeClaims(before, worker.id), worker.key)]);
    expect(r3.status).toBe("accepted");
    const detail = await chain(root.chain);
    const findingsOf = (jti: string) => detail.events.find((e: { jti: string }) => e.jti === jti).findings.map((f: { code: string }) => f.code);
    expect(findingsOf(late.jti)).toEqual(["late_after_revocation"]);
    expect(findingsOf(before.jti)).toEqual([]);
    expect(detail.events.find((e: { jti: string }) => e.jti === late.jti).keyRevokedAt).toBe(revokedAt);
    expect(detail.events.find((e: { jti: string }) => e.jti === before.jti).keyRevokedAt).toBeNull();
    expect(detail.status).toBe("warning");

    const csv = await fetch(`${inject("serverUrl")}/api/v1/chains/${encodeURIComponent(root.chain)}/export.csv`, {
      headers: { authorization: `Bearer ${inject("apiToken")}` },
    });
    const rows = parse<Record<string, string>>(await csv.text(), { columns: true, record_delimiter: "\r\n" });
    expect(rows.find((r) => r.jti === late.jti)!.findings).toBe("late_after_revocation");
    expect(rows.find((r) => r.jti === before.jti)!.findings).toBe("");

    const bundle = (await api(`/api/v1/chains/${encodeURIComponent(root.chain)}/evidence.json`)).data;
    expect(bundle.tokens.find((t: { jti: string }) => t.jti === late.jti).keyRevokedAt).toBe(revokedAt);
    const ok = await verifyOffline(bundle);
    expect(ok.status, ok.stdout).toBe(0);
    // Without the stored revocation time the bundle's verdict no longer re-computes.
    bundle.tokens.find((t: { jti: string }) => t.jti === late.jti).keyRevokedAt = null;
    const bad = await verifyOffline(bundle);
    expect(bad.status).toBe(1);
    expect(
      JSON.parse(bad.stdout)
        .checks.filter((c: { ok: boolean }) => !c.ok)
        .map((c: { group: string }) => c.group),
    ).toContain("findings");
  });
});
