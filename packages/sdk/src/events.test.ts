import { describe, expect, it } from "vitest";
import type { TGrantClaims } from "../../../lib/protocol/types";
import {
  AttenuationError,
  authorize,
  complete,
  delegate,
  invoke,
  newEventId,
  revoke,
  sha256Digest,
  signEvent,
  UnauthorizedActionError,
  type TSigner,
} from "./events";
import { generateSigningKey } from "./keys";
import { decodeToken, verifyWithNodeCrypto } from "../test/helpers";
import { createHash } from "node:crypto";

async function signer(id: string, alg: "EdDSA" | "ES256" = "EdDSA"): Promise<TSigner> {
  return { id, key: await generateSigningKey({ alg }) };
}

describe("signEvent", () => {
  it.each(["EdDSA", "ES256"] as const)("%s: dep+jwt header, v and iat filled in, signature verifies with node:crypto", async (alg) => {
    const key = await generateSigningKey({ alg });
    const before = Math.floor(Date.now() / 1000);
    const token = await signEvent({ kind: "revoke", jti: "rvk_1", iss: "user:alice@bank.example", chain: "auth_1", target: "auth_1" }, key);
    const { header, claims } = decodeToken(token);
    expect(header).toEqual({ alg, typ: "dep+jwt", kid: key.kid });
    expect(claims).toMatchObject({ v: 1, kind: "revoke", jti: "rvk_1", iss: "user:alice@bank.example", target: "auth_1" });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.iat).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(verifyWithNodeCrypto(token, key.publicJwk)).toBe(true);
  });

  it("keeps a given iat, and a tampered payload no longer verifies", async () => {
    const key = await generateSigningKey();
    const token = await signEvent({ kind: "revoke", jti: "r", iss: "user:a", chain: "c", target: "c", iat: 1_700_000_000 }, key);
    expect(decodeToken(token).claims.iat).toBe(1_700_000_000);
    const [h, , s] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ ...decodeToken(token).claims, target: "other" })).toString("base64url");
    expect(verifyWithNodeCrypto(`${h}.${forged}.${s}`, key.publicJwk)).toBe(false);
    const other = await generateSigningKey();
    expect(verifyWithNodeCrypto(token, other.publicJwk)).toBe(false);
  });
});

describe("ids and hashes", () => {
  it("newEventId is short, unique and within the jti charset", () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newEventId("inv")));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^inv_[a-z0-9]{25}$/);
    expect(newEventId("")).toMatch(/^[a-z0-9]{25}$/);
  });

  it("sha256Digest hashes strings as UTF-8 and bytes as given", () => {
    const hex = createHash("sha256").update("résumé", "utf8").digest("hex");
    expect(sha256Digest("résumé")).toBe(`sha256:${hex}`);
    expect(sha256Digest(new TextEncoder().encode("résumé"))).toBe(`sha256:${hex}`);
  });
});

describe("builders", () => {
  const now = Math.floor(Date.now() / 1000);

  async function rootGrant() {
    const alice = await signer("user:alice@bank.example", "ES256");
    const planner = await signer("agent:planner");
    const root = await authorize(alice, {
      iat: now - 60,
      exp: now + 3600,
      aud: planner.id,
      scope: ["finance/*:read", "reports/q1/*:write"],
      purpose: { code: "finance.reporting", text: "Quarterly reporting" },
      constraints: { egress: ["*.bank.example"], data: ["finance.revenue", "finance.costs"] },
      instruction: "Build the Q1 report",
    });
    return { alice, planner, root };
  }

  it("any builder signs a traceparent when given one, and refuses one that is not W3C", async () => {
    const { planner, root } = await rootGrant();
    const traceparent = `00-${"ab".repeat(16)}-${"cd".repeat(8)}-01`;
    const inv = await invoke(root.claims, planner, { action: "finance/q1:read", resource: "db://finance/q1", traceparent });
    expect(decodeToken(inv.token).claims).toMatchObject({ traceparent });
    expect(root.claims).not.toHaveProperty("traceparent");
    await expect(invoke(root.claims, planner, { action: "finance/q1:read", resource: "db://x", traceparent: "nope" })).rejects.toThrow(/traceparent/);
  });

  it("authorize: chain is its own jti, claims returned equal the signed payload", async () => {
    const { alice, root } = await rootGrant();
    expect(root.claims.chain).toBe(root.claims.jti);
    expect(root.claims.jti).toMatch(/^auth_/);
    expect(root.claims.instruction_hash).toBe(sha256Digest("Build the Q1 report"));
    expect(decodeToken(root.token).claims).toEqual(root.claims);
    expect(decodeToken(root.token).header.alg).toBe("ES256");
    expect(verifyWithNodeCrypto(root.token, alice.key.publicJwk)).toBe(true);
    expect(root.claims).not.toHaveProperty("max_depth");
  });

  it("authorize: rejects malformed input before signing", async () => {
    const { alice } = await rootGrant();
    const base = { aud: "agent:x", scope: ["a:read"], purpose: { code: "a.b", text: "t" } };
    await expect(authorize(alice, { ...base, scope: [] })).rejects.toThrow(/at least one/);
    await expect(authorize(alice, { ...base, scope: ["Finance:read"] })).rejects.toThrow(/invalid scope/);
    await expect(authorize(alice, { ...base, purpose: { code: "Finance", text: "t" } })).rejects.toThrow(/purpose code/);
    await expect(authorize(alice, { ...base, purpose: { code: "a", text: "  " } })).rejects.toThrow(/purpose text/);
    await expect(authorize(alice, { ...base, jti: "has space" })).rejects.toThrow(/jti/);
  });

  it("delegate: mints a strictly narrower hop in the parent's chain", async () => {
    const { planner, root } = await rootGrant();
    const hop = await delegate(root.claims, planner, {
      aud: "agent:viz",
      scope: ["finance/q1/*:read"],
      purpose: { code: "finance.reporting.charts", text: "Charts" },
      constraints: { egress: ["api.bank.example"], data: ["finance.revenue"] },
    });
    expect(hop.claims).toMatchObject({ kind: "delegate", iss: planner.id, parent: root.claims.jti, chain: root.claims.chain });
    expect(hop.claims.exp).toBe(root.claims.exp);
    expect(verifyWithNodeCrypto(hop.token, planner.key.publicJwk)).toBe(true);
  });

  it("delegate: refuses an unattenuated hop (same scope set), allows it with force", async () => {
    const { planner, root } = await rootGrant();
    const input = { aud: "agent:viz", scope: ["reports/q1/*:write", "finance/*:read"] };
    const err = await delegate(root.claims, planner, input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AttenuationError);
    expect((err as AttenuationError).reasons.map((r) => r.code)).toEqual(["no_attenuation"]);
    expect((err as Error).message).toMatch(/no_attenuation/);
    const forced = await delegate(root.claims, planner, input, { force: true });
    expect(forced.claims.scope).toEqual(input.scope);
  });

  it("delegate: refuses escalation of scope, purpose, lifetime, constraints and signer", async () => {
    const { alice, root } = await rootGrant();
    const err = (await delegate(root.claims, alice, {
      aud: "agent:viz",
      scope: ["finance/q1/revenue:read", "customers/*:read"],
      purpose: { code: "marketing.campaigns", text: "Campaigns" },
      exp: root.claims.exp + 60,
      constraints: { egress: ["*.chartcloud.io"], data: ["customer.pii"] },
    }).catch((e: unknown) => e)) as AttenuationError;
    expect(err).toBeInstanceOf(AttenuationError);
    expect(err.reasons.map((r) => r.code).sort()).toEqual(
      ["constraint_escalation", "lifetime_escalation", "principal_mismatch", "purpose_mismatch", "scope_escalation"].sort(),
    );
    expect(err.reasons.find((r) => r.code === "scope_escalation")?.message).toContain("customers/*:read");
  });

  it("delegate: refuses past a max_depth of 0 and after the parent expired", async () => {
    const { alice, planner } = await rootGrant();
    const leaf = await authorize(alice, {
      iat: now - 7200,
      exp: now - 3600,
      aud: planner.id,
      scope: ["a/*:read"],
      purpose: { code: "a", text: "a" },
      max_depth: 0,
    });
    const err = (await delegate(leaf.claims, planner, { aud: "agent:b", scope: ["a/b:read"] }).catch((e: unknown) => e)) as AttenuationError;
    expect(err.reasons.map((r) => r.code).sort()).toEqual(["depth_exceeded", "parent_expired"]);
  });

  it("invoke: refuses an action the grant does not cover or an egress outside it, force records it", async () => {
    const { planner, root } = await rootGrant();
    const ghost = { action: "customers/transactions:read", resource: "db://crm/transactions" };
    await expect(invoke(root.claims, planner, ghost)).rejects.toBeInstanceOf(UnauthorizedActionError);
    const drift = { action: "reports/q1/charts:write", resource: "https://render.chartcloud.io/v1" };
    const err = (await invoke(root.claims, planner, drift).catch((e: unknown) => e)) as UnauthorizedActionError;
    expect(err.reasons.map((r) => r.code)).toEqual(["scope_drift"]);

    const forced = await invoke(root.claims, planner, ghost, { force: true });
    expect(forced.claims).toMatchObject({ kind: "invoke", grant: root.claims.jti, chain: root.claims.chain, action: ghost.action });
    const ok = await invoke(root.claims, planner, {
      action: "finance/q1/revenue:read",
      resource: "https://warehouse.bank.example/q1",
      purpose: "finance.reporting",
      data: ["finance.revenue"],
    });
    expect(ok.claims.data).toEqual(["finance.revenue"]);
  });

  it("invoke: without a grant only when forced and given a chain", async () => {
    const { planner, root } = await rootGrant();
    const input = { action: "a:read", resource: "x://y", chain: root.claims.chain };
    await expect(invoke(null, planner, input)).rejects.toBeInstanceOf(UnauthorizedActionError);
    const forced = await invoke(null, planner, input, { force: true });
    expect(forced.claims).not.toHaveProperty("grant");
    expect(forced.claims.chain).toBe(root.claims.chain);
  });

  it("complete and revoke reference their grant", async () => {
    const { alice, planner, root } = await rootGrant();
    const grant: TGrantClaims = root.claims;
    const done = await complete(grant, planner, { result: "report.pdf v3", evidence: { summary: "ok" } });
    expect(done.claims).toMatchObject({ kind: "complete", grant: grant.jti, status: "completed", result_hash: sha256Digest("report.pdf v3") });
    expect(done.claims.result_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    await expect(complete(grant, planner, {})).rejects.toThrow(/result/);
    await expect(complete(grant, planner, { result_hash: "sha256:abc" })).rejects.toThrow(/result/);

    const pulled = await revoke(grant, alice, { reason: "done early" });
    expect(pulled.claims).toMatchObject({ kind: "revoke", target: grant.jti, chain: grant.chain, reason: "done early", iss: alice.id });
    expect(verifyWithNodeCrypto(pulled.token, alice.key.publicJwk)).toBe(true);
  });
});
