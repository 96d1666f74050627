// Every reject code and every finding code of the spec, produced through the HTTP API.
import { beforeAll, describe, expect, it } from "vitest";
import {
  api,
  authorizeClaims,
  chain,
  codes,
  completeClaims,
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
let stranger: TPrincipal;
let attester: TPrincipal;

beforeAll(async () => {
  [human, planner, worker, stranger, attester] = await Promise.all([
    register("human"),
    register("agent"),
    register("agent", "ES256"),
    register("agent"),
    register("attester"),
  ]);
});

describe("ingest rejects (spec §4), each kept in the quarantine", () => {
  it("malformed: not a JWS, wrong typ, missing claims, bad scope, authorize chain ≠ jti", async () => {
    const good = authorizeClaims(human.id, planner.id);
    const results = await post([
      "not-a-token",
      signToken(good, human.key, { typ: "JWT" }),
      signToken({ ...good, jti: uid("a"), chain: "other" }, human.key),
      signToken({ ...authorizeClaims(human.id, planner.id), scope: ["Finance:read"] }, human.key),
      signToken({ ...authorizeClaims(human.id, planner.id), purpose: { code: "Bad Code", text: "x" } }, human.key),
      42,
    ]);
    for (const r of results) {
      expect(r.status).toBe("rejected");
      expect(r.error?.code).toBe("malformed");
      expect(r.findings).toEqual([]);
    }
    expect(results[5].jti).toBeNull();
    expect(results[2].jti).not.toBeNull();
  });

  it("alg_not_allowed: alg none with an empty signature, and HS256", async () => {
    const claims = authorizeClaims(human.id, planner.id);
    const [none, hs] = await post([
      unsignedToken({ alg: "none", typ: "dep+jwt", kid: human.key.kid }, { v: 1, ...claims }),
      unsignedToken({ alg: "HS256", typ: "dep+jwt", kid: human.key.kid }, { v: 1, ...claims }, "c2ln"),
    ]);
    expect(none.error?.code).toBe("alg_not_allowed");
    expect(hs.error?.code).toBe("alg_not_allowed");
  });

  it("unknown_principal, unknown_key, signature_invalid, iat_in_future", async () => {
    const ghostKey = makeKey();
    const other = makeKey();
    const [unknownPrincipal, unknownKey, badSig, future, edge] = await post([
      signToken(authorizeClaims("user:nobody@example.test", planner.id), ghostKey),
      signToken(authorizeClaims(human.id, planner.id), { ...other }),
      signToken(authorizeClaims(human.id, planner.id), { ...other, kid: human.key.kid }),
      signToken({ ...authorizeClaims(human.id, planner.id), iat: now() + 400 }, human.key),
      signToken({ ...authorizeClaims(human.id, planner.id), iat: now() + 200 }, human.key),
    ]);
    expect(unknownPrincipal.error?.code).toBe("unknown_principal");
    expect(unknownKey.error?.code).toBe("unknown_key");
    expect(badSig.error?.code).toBe("signature_invalid");
    expect(future.error?.code).toBe("iat_in_future");
    expect(edge.status).toBe("accepted");
  });

  it("signature_invalid when alg does not fit the key type", async () => {
    const res = await post([signToken(authorizeClaims(human.id, planner.id), human.key, { alg: "ES256" })]);
    expect(res[0].error?.code).toBe("signature_invalid");
  });

  it("key_revoked for tokens issued at or after revokedAt, never for earlier ones", async () => {
    const agent = await register("agent");
    const t = now() - 100;
    const revoke = await api(`/api/v1/principals/${encodeURIComponent(agent.id)}/keys/${agent.key.kid}/revoke`, {
      method: "POST",
      json: { at: t },
    });
    expect(revoke.status).toBe(200);
    // Revoking again later keeps the earlier time.
    await api(`/api/v1/principals/${encodeURIComponent(agent.id)}/keys/${agent.key.kid}/revoke`, { method: "POST", json: { at: t + 50 } });
    const root = authorizeClaims(human.id, agent.id);
    const [rootRes, before, at] = await post([
      signToken(root, human.key),
      signToken({ ...delegateClaims(root, agent.id, worker.id), iat: t - 1 }, agent.key),
      signToken({ ...delegateClaims(root, agent.id, worker.id), iat: t }, agent.key),
    ]);
    expect(rootRes.status).toBe("accepted");
    expect(before.status).toBe("accepted");
    expect(at.error?.code).toBe("key_revoked");
  });

  it("duplicate for the identical token, replay for the same jti with other bytes", async () => {
    const claims = authorizeClaims(human.id, planner.id);
    const token = signToken(claims, human.key);
    const [first] = await post([token]);
    expect(first.status).toBe("accepted");
    const [dup, replay] = await post([token, signToken({ ...claims, exp: claims.exp + 1 }, human.key)]);
    expect(dup).toMatchObject({ status: "duplicate", jti: claims.jti, chain: claims.chain });
    expect(replay.error?.code).toBe("replay");
    // In one batch too.
    const c2 = authorizeClaims(human.id, planner.id);
    const t2 = signToken(c2, human.key);
    const inBatch = await post([t2, t2, signToken({ ...c2, iat: c2.iat - 1 }, human.key)]);
    expect(inBatch.map((r) => r.status)).toEqual(["accepted", "duplicate", "rejected"]);
    expect(inBatch[2].error?.code).toBe("replay");
  });

  it("the quarantine keeps rejected submissions with raw bytes and reason", async () => {
    const raw = "quarantine-probe-" + uid("q");
    await post([raw]);
    const res = await api("/api/v1/quarantine?code=malformed&limit=200");
    expect(res.status).toBe(200);
    const item = res.data.items.find((i: { raw: string }) => i.raw === raw);
    expect(item).toMatchObject({ code: "malformed", raw });
  });
});

describe("HTTP shape of POST /api/v1/events", () => {
  it("accepts application/jwt with surrounding whitespace", async () => {
    const claims = authorizeClaims(human.id, planner.id);
    const res = await api("/api/v1/events", {
      method: "POST",
      headers: { "content-type": "application/jwt" },
      body: `\n  ${signToken(claims, human.key)}  \n`,
    });
    expect(res.status).toBe(200);
    expect(res.data.results).toHaveLength(1);
    expect(res.data.results[0]).toMatchObject({ jti: claims.jti, status: "accepted", chain: claims.chain, findings: [] });
  });

  it("takes a full batch of 1000 tokens in one request, results in order", async () => {
    const root = authorizeClaims(human.id, planner.id);
    const tokens = [signToken(root, human.key)];
    for (let i = 0; i < 999; i++) tokens.push(signToken(invokeClaims(root, planner.id, { action: "finance/q1:read" }), planner.key));
    const results = await post(tokens);
    expect(results).toHaveLength(1000);
    expect(results.every((r) => r.status === "accepted" && r.findings.length === 0)).toBe(true);
    const again = await post(tokens);
    expect(again.every((r) => r.status === "duplicate")).toBe(true);
    expect((await chain(root.chain)).eventCount).toBe(1000);
  });

  it("takes 500 chains in one batch with every child listed before its parent", async () => {
    const roots = Array.from({ length: 500 }, () => authorizeClaims(human.id, planner.id));
    const kids = roots.map((r) => delegateClaims(r, planner.id, worker.id));
    const results = await post([...kids.map((k) => signToken(k, planner.key)), ...roots.map((r) => signToken(r, human.key))]);
    expect(results).toHaveLength(1000);
    expect(results.every((r) => r.status === "accepted" && r.findings.length === 0)).toBe(true);
    const c = await chain(roots[123].chain);
    expect(c.status).toBe("verified");
    expect(c.hopCount).toBe(2);
  });

  it("400 for an empty jwt body, another content type, a non-batch JSON body, or more than 1000 tokens", async () => {
    const empty = await api("/api/v1/events", { method: "POST", headers: { "content-type": "application/jwt" }, body: "   " });
    expect(empty.status).toBe(400);
    expect(empty.data.error.code).toBe("invalid_request");
    const text = await api("/api/v1/events", { method: "POST", headers: { "content-type": "text/plain" }, body: "x" });
    expect(text.status).toBe(400);
    const notBatch = await api("/api/v1/events", { method: "POST", json: { tokens: [] } });
    expect(notBatch.status).toBe(400);
    const tooMany = await api("/api/v1/events", { method: "POST", json: { events: new Array(1001).fill("x") } });
    expect(tooMany.status).toBe(400);
  });

  it("413 for bodies over 1 MiB", async () => {
    const res = await api("/api/v1/events", { method: "POST", json: { events: ["x".repeat(1024 * 1024 + 10)] } });
    expect(res.status).toBe(413);
    expect(res.data.error.code).toBe("payload_too_large");
  });

  it("401 without credentials on every route", async () => {
    for (const [method, path] of [
      ["POST", "/api/v1/events"],
      ["POST", "/api/v1/principals"],
      ["GET", "/api/v1/principals"],
      ["POST", "/api/v1/principals/x/keys/y/revoke"],
      ["GET", "/api/v1/chains"],
      ["GET", "/api/v1/chains/x"],
      ["GET", "/api/v1/ledger/verify"],
      ["GET", "/api/v1/quarantine"],
    ]) {
      const res = await api(path, { method, token: null });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.data.error.code).toBe("unauthorized");
      const wrong = await api(path, { method, token: "wrong-token" });
      expect(wrong.status, `${method} ${path} with a wrong token`).toBe(401);
    }
  });
});

describe("principal registry", () => {
  it("201, then 409 for the same id", async () => {
    const id = `agent:${uid("dup")}`;
    const key = makeKey();
    const first = await api("/api/v1/principals", { method: "POST", json: { id, kind: "agent", keys: [key.publicJwk] } });
    expect(first.status).toBe(201);
    const again = await api("/api/v1/principals", { method: "POST", json: { id, kind: "agent", keys: [key.publicJwk] } });
    expect(again.status).toBe(409);
    expect(again.data.error.code).toBe("conflict");
  });

  it("400 for private key material, no keys, duplicate kids or a bad kind", async () => {
    const key = makeKey();
    const priv = { ...key.privateKey.export({ format: "jwk" }), kid: "p1" };
    for (const body of [
      { id: `agent:${uid("p")}`, kind: "agent", keys: [priv] },
      { id: `agent:${uid("p")}`, kind: "agent", keys: [] },
      { id: `agent:${uid("p")}`, kind: "agent", keys: [key.publicJwk, key.publicJwk] },
      { id: `agent:${uid("p")}`, kind: "robot", keys: [key.publicJwk] },
      { id: `agent:${uid("p")}`, kind: "agent", keys: [{ kty: "RSA", n: "x", e: "AQAB", kid: "r" }] },
    ]) {
      const res = await api("/api/v1/principals", { method: "POST", json: body });
      expect(res.status, JSON.stringify(body.keys)).toBe(400);
      expect(res.data.error.code).toBe("invalid_request");
    }
  });

  it("404 when revoking a key that does not exist", async () => {
    const res = await api(`/api/v1/principals/${encodeURIComponent(planner.id)}/keys/nope/revoke`, { method: "POST", json: {} });
    expect(res.status).toBe(404);
  });
});

describe("chain findings (spec §5), through the API", () => {
  it("a properly attenuated chain with evidence is verified", async () => {
    const root = authorizeClaims(human.id, planner.id, { constraints: { egress: ["*.bank.example"], data: ["revenue", "pii"] } });
    const hop = delegateClaims(root, planner.id, worker.id, { constraints: { data: ["revenue"] } });
    const inv = invokeClaims(hop, worker.id, { resource: "https://api.bank.example/q1", data: ["revenue"], purpose: "finance.reporting.q1" });
    const results = await post([
      signToken(root, human.key),
      signToken(hop, planner.key),
      signToken(inv, worker.key),
      signToken(completeClaims(hop, worker.id), worker.key),
      signToken(completeClaims(root, attester.id), attester.key),
    ]);
    expect(results.map((r) => r.status)).toEqual(["accepted", "accepted", "accepted", "accepted", "accepted"]);
    expect(results.flatMap(codes)).toEqual([]);
    const c = await chain(root.chain);
    expect(c.status).toBe("verified");
    expect(c.root).toMatchObject({ iss: human.id, aud: planner.id });
    const h = c.hops.find((x: { jti: string }) => x.jti === hop.jti);
    expect(h.scopeRemoved).toEqual(["finance/*:read", "mail/outbox:send"]);
    expect(h.depth).toBe(1);
    expect(h.invocations).toHaveLength(1);
    expect(h.completions[0].attestation).toBe("self_reported");
    const r = c.hops.find((x: { jti: string }) => x.jti === root.jti);
    expect(r.completions[0].attestation).toBe("third_party");
    expect(c.nodes.map((n: { id: string }) => n.id)).toEqual(expect.arrayContaining([human.id, planner.id, worker.id]));
  });

  it("unrooted: authorize by a non-human", async () => {
    const root = authorizeClaims(planner.id, worker.id);
    const [r] = await post([signToken(root, planner.key)]);
    expect(codes(r)).toContain("unrooted");
    expect((await chain(root.chain)).status).toBe("violation");
  });

  it("unrooted: delegate whose parent is not a grant, and a reference into another chain", async () => {
    const root = authorizeClaims(human.id, planner.id);
    const inv = invokeClaims(root, planner.id, { action: "finance/q1:read" });
    const other = authorizeClaims(human.id, planner.id);
    const [, , , fromInvoke, crossChain] = await post([
      signToken(root, human.key),
      signToken(inv, planner.key),
      signToken(other, human.key),
      signToken(delegateClaims(inv, planner.id, worker.id, { chain: root.chain }), planner.key),
      signToken(delegateClaims({ jti: other.jti, chain: root.chain }, planner.id, worker.id), planner.key),
    ]);
    expect(codes(fromInvoke)).toContain("unrooted");
    expect(codes(crossChain)).toContain("unrooted");
  });

  it("principal_mismatch: delegate by someone other than the parent's aud", async () => {
    const root = authorizeClaims(human.id, planner.id);
    const [, r] = await post([signToken(root, human.key), signToken(delegateClaims(root, stranger.id, worker.id), stranger.key)]);
    expect(codes(r)).toEqual(["principal_mismatch"]);
    expect(r.findings[0].severity).toBe("error");
  });

  it("principal_mismatch: complete by a disallowed signer, revoke by a stranger, complete of a non-grant", async () => {
    const root = authorizeClaims(human.id, planner.id);
    const inv = invokeClaims(root, planner.id, { action: "finance/q1:read" });
    const results = await post([
      signToken(root, human.key),
      signToken(inv, planner.key),
      signToken(completeClaims(root, stranger.id), stranger.key),
      signToken({ kind: "revoke", jti: uid("rev"), chain: root.chain, iss: stranger.id, iat: now() - 1, target: root.jti }, stranger.key),
      signToken(completeClaims(inv, planner.id), planner.key),
    ]);
    expect(codes(results[2])).toEqual(["principal_mismatch"]);
    expect(codes(results[3])).toEqual(["principal_mismatch"]);
    expect(codes(results[4])).toEqual(["principal_mismatch"]);
  });

  it("scope_escalation, no_attenuation, constraint_escalation, purpose_mismatch, lifetime_escalation", async () => {
    const root = authorizeClaims(human.id, planner.id, { constraints: { egress: ["*.bank.example"] } });
    const results = await post([
      signToken(root, human.key),
      signToken(delegateClaims(root, planner.id, worker.id, { scope: ["treasury/*:read"] }), planner.key),
      signToken(delegateClaims(root, planner.id, worker.id, { scope: ["finance/*:read", "mail/outbox:send"] }), planner.key),
      signToken(delegateClaims(root, planner.id, worker.id, { constraints: { egress: ["render.charts.example"] } }), planner.key),
      signToken(delegateClaims(root, planner.id, worker.id, { purpose: { code: "marketing.campaign", text: "x" } }), planner.key),
      signToken(delegateClaims(root, planner.id, worker.id, { exp: root.exp + 10 }), planner.key),
    ]);
    expect(codes(results[1])).toEqual(["scope_escalation"]);
    expect(results[1].findings[0].severity).toBe("critical");
    expect(codes(results[2])).toEqual(["no_attenuation"]);
    expect(results[2].findings[0].severity).toBe("warning");
    expect(codes(results[3])).toEqual(["constraint_escalation"]);
    expect(codes(results[4])).toEqual(["purpose_mismatch"]);
    expect(codes(results[5])).toEqual(["lifetime_escalation"]);
    const c = await chain(root.chain);
    const escalated = c.hops.find((h: { jti: string; scopeAdded: string[] }) => h.scopeAdded.includes("treasury/*:read"));
    expect(escalated).toBeTruthy();
  });

  it("depth_exceeded beyond max_depth", async () => {
    const root = authorizeClaims(human.id, planner.id, { max_depth: 1 });
    const d1 = delegateClaims(root, planner.id, worker.id);
    const d2 = delegateClaims(d1, worker.id, stranger.id, {
      scope: ["finance/q1/revenue:read"],
      purpose: { code: "finance.reporting.q1.revenue", text: "r" },
    });
    const [, a, b] = await post([signToken(root, human.key), signToken(d1, planner.key), signToken(d2, worker.key)]);
    expect(codes(a)).toEqual([]);
    expect(codes(b)).toEqual(["depth_exceeded"]);
  });

  it("parent_expired and expired_grant", async () => {
    const root = authorizeClaims(human.id, planner.id, { iat: now() - 7200, exp: now() - 3600 });
    const late = delegateClaims(root, planner.id, worker.id, { iat: now() - 60, exp: now() - 3700 });
    const inv = invokeClaims(root, planner.id, { action: "finance/q1:read", iat: now() - 30 });
    const [, d, i] = await post([signToken(root, human.key), signToken(late, planner.key), signToken(inv, planner.key)]);
    expect(codes(d)).toEqual(["parent_expired"]);
    expect(codes(i)).toEqual(["expired_grant"]);
  });

  it("parent_revoked and revoked_grant after an authorized revoke; earlier events stay clean", async () => {
    const root = authorizeClaims(human.id, planner.id, { iat: now() - 600 });
    const before = delegateClaims(root, planner.id, worker.id, { iat: now() - 500 });
    const rev = { kind: "revoke", jti: uid("rev"), chain: root.chain, iss: human.id, iat: now() - 300, target: root.jti, reason: "compromised" };
    const after = delegateClaims(root, planner.id, worker.id, { iat: now() - 100 });
    const invAfter = invokeClaims(before, worker.id, { iat: now() - 50 });
    const results = await post([
      signToken(root, human.key),
      signToken(before, planner.key),
      signToken(rev, human.key),
      signToken(after, planner.key),
      signToken(invAfter, worker.key),
    ]);
    expect(codes(results[1])).toEqual([]);
    expect(codes(results[2])).toEqual([]);
    expect(codes(results[3])).toEqual(["parent_revoked"]);
    expect(codes(results[4])).toEqual(["revoked_grant"]);
  });

  it("a revoke arriving later re-checks what it affects", async () => {
    const root = authorizeClaims(human.id, planner.id, { iat: now() - 600 });
    const inv = invokeClaims(root, planner.id, { action: "finance/q1:read", iat: now() - 100 });
    const [, i] = await post([signToken(root, human.key), signToken(inv, planner.key)]);
    expect(codes(i)).toEqual([]);
    const rev = { kind: "revoke", jti: uid("rev"), chain: root.chain, iss: human.id, iat: now() - 200, target: root.jti };
    await post([signToken(rev, human.key)]);
    const c = await chain(root.chain);
    const ev = c.events.find((e: { jti: string }) => e.jti === inv.jti);
    expect(ev.findings.map((f: { code: string }) => f.code)).toEqual(["revoked_grant"]);
    expect(c.status).toBe("violation");
  });

  it("ghost_permission: no grant, wrong invoker, action not covered", async () => {
    const root = authorizeClaims(human.id, planner.id);
    const noGrant = invokeClaims(root, planner.id);
    delete (noGrant as Record<string, unknown>).grant;
    const results = await post([
      signToken(root, human.key),
      signToken(noGrant, planner.key),
      signToken(invokeClaims(root, worker.id, { action: "finance/q1:read" }), worker.key),
      signToken(invokeClaims(root, planner.id, { action: "customers/transactions:read" }), planner.key),
    ]);
    for (const r of results.slice(1)) expect(codes(r)).toContain("ghost_permission");
  });

  it("scope_drift: covered action, but an external host outside egress or data outside the data list", async () => {
    // A principal with no history: the shared planner has acted often enough under this purpose by
    // now that a new host would also be behavioural drift (tests/integration/drift.test.ts).
    const fresh = await register("agent");
    const root = authorizeClaims(human.id, fresh.id, { constraints: { egress: ["*.bank.example"], data: ["revenue"] } });
    const results = await post([
      signToken(root, human.key),
      signToken(invokeClaims(root, fresh.id, { action: "finance/q1:read", resource: "https://render.chartcloud.io/v1" }), fresh.key),
      signToken(invokeClaims(root, fresh.id, { action: "finance/q1:read", data: ["customer_pii"] }), fresh.key),
      signToken(invokeClaims(root, fresh.id, { action: "finance/q1:read", resource: "https://bank.example/x" }), fresh.key),
      signToken(invokeClaims(root, fresh.id, { action: "finance/q1:read", resource: "https://API.Bank.Example/x" }), fresh.key),
    ]);
    expect(codes(results[1])).toEqual(["scope_drift"]);
    expect(codes(results[2])).toEqual(["scope_drift"]);
    expect(codes(results[3])).toEqual(["scope_drift"]);
    expect(codes(results[4])).toEqual([]);
  });

  it("missing_evidence at read time, closed by a complete even after exp", async () => {
    const root = authorizeClaims(human.id, planner.id, { iat: now() - 7200, exp: now() - 60 });
    const [r] = await post([signToken(root, human.key)]);
    expect(codes(r)).toEqual([]); // read-time only, never in ingest results
    let c = await chain(root.chain);
    expect(c.status).toBe("warning");
    expect(c.findings.map((f: { code: string }) => f.code)).toEqual(["missing_evidence"]);
    const list = await api(`/api/v1/chains?finding=missing_evidence&q=${encodeURIComponent(root.jti)}`);
    expect(list.data.items.map((i: { id: string }) => i.id)).toEqual([root.chain]);
    expect(list.data.items[0].status).toBe("warning");
    await post([signToken(completeClaims(root, planner.id, { status: "failed" }), planner.key)]);
    c = await chain(root.chain);
    expect(c.status).toBe("verified");
    expect(c.findings).toEqual([]);
  });

  it("orphan: a child before its parent is pending, and re-checked when the parent arrives", async () => {
    const root = authorizeClaims(human.id, planner.id);
    const hop = delegateClaims(root, planner.id, worker.id, { scope: ["treasury/*:read"] });
    const inv = invokeClaims(hop, worker.id, { action: "treasury/cash:read" });
    const [h, i] = await post([signToken(hop, planner.key), signToken(inv, worker.key)]);
    expect(h.status).toBe("pending");
    expect(codes(h)).toEqual(["orphan"]);
    expect(h.findings[0].severity).toBe("warning");
    expect(i.status).toBe("accepted"); // its own grant is known
    expect((await chain(root.chain)).status).toBe("pending");
    const [r] = await post([signToken(root, human.key)]);
    expect(r.status).toBe("accepted");
    const c = await chain(root.chain);
    const hopEvent = c.events.find((e: { jti: string }) => e.jti === hop.jti);
    expect(hopEvent.status).toBe("accepted");
    expect(hopEvent.findings.map((f: { code: string }) => f.code)).toEqual(["scope_escalation"]);
    expect(c.status).toBe("violation");
    // A duplicate carries the stored (re-checked) findings.
    const [dup] = await post([signToken(hop, planner.key)]);
    expect(dup.status).toBe("duplicate");
  });
});

describe("reads", () => {
  it("lists chains newest first with filters and cursor pagination", async () => {
    const tag = uid("tag").toLowerCase();
    const made: string[] = [];
    // One clock reading: since/until below must not drift when a second passes mid-test.
    const t0 = now() - 1000;
    for (let i = 0; i < 5; i++) {
      const root = authorizeClaims(human.id, planner.id, {
        iat: t0 + i,
        purpose: { code: `ops.${tag.replace(/[^a-z0-9]/g, "")}`, text: `batch ${tag}` },
        scope: [`ops/${i}:read`],
      });
      made.push(root.chain);
      await post([signToken(root, human.key)]);
    }
    const page1 = await api(`/api/v1/chains?q=${tag}&limit=2`);
    expect(page1.data.items.map((i: { id: string }) => i.id)).toEqual([made[4], made[3]]);
    const page2 = await api(`/api/v1/chains?q=${tag}&limit=2&cursor=${page1.data.nextCursor}`);
    expect(page2.data.items.map((i: { id: string }) => i.id)).toEqual([made[2], made[1]]);
    const page3 = await api(`/api/v1/chains?q=${tag}&limit=2&cursor=${page2.data.nextCursor}`);
    expect(page3.data.items.map((i: { id: string }) => i.id)).toEqual([made[0]]);
    expect(page3.data.nextCursor).toBeNull();
    const byScope = await api(`/api/v1/chains?q=${tag}&scope=${encodeURIComponent("ops/*:read")}`);
    expect(byScope.data.items).toHaveLength(5);
    const byNarrowScope = await api(`/api/v1/chains?q=${tag}&scope=${encodeURIComponent("ops/3:read")}`);
    expect(byNarrowScope.data.items.map((i: { id: string }) => i.id)).toEqual([made[3]]);
    const byPurpose = await api(`/api/v1/chains?purpose=ops&q=${tag}`);
    expect(byPurpose.data.items).toHaveLength(5);
    const byPrincipal = await api(`/api/v1/chains?principal=${encodeURIComponent(planner.id)}&q=${tag}`);
    expect(byPrincipal.data.items).toHaveLength(5);
    const since = await api(`/api/v1/chains?q=${tag}&since=${t0 + 3}`);
    expect(since.data.items).toHaveLength(2);
    const until = await api(`/api/v1/chains?q=${tag}&until=${new Date((t0 + 1) * 1000).toISOString()}`);
    expect(until.data.items).toHaveLength(2);
    const verified = await api(`/api/v1/chains?q=${tag}&status=verified`);
    expect(verified.data.items).toHaveLength(5);
    const violation = await api(`/api/v1/chains?q=${tag}&status=violation`);
    expect(violation.data.items).toHaveLength(0);
    // Signed events make dep chains: the source filter finds them and no other source does.
    const dep = await api(`/api/v1/chains?q=${tag}&source=dep`);
    expect(dep.data.items).toHaveLength(5);
    expect(dep.data.items.every((c: { source: string }) => c.source === "dep")).toBe(true);
    expect((await api(`/api/v1/chains?q=${tag}&source=otel`)).data.items).toHaveLength(0);
    const bad = await api(`/api/v1/chains?source=carrier-pigeon`);
    expect(bad.status).toBe(400);
  });

  it("limit is clamped to 200 and a bad cursor is a 400", async () => {
    const res = await api("/api/v1/chains?limit=100000");
    expect(res.status).toBe(200);
    expect(res.data.items.length).toBeLessThanOrEqual(200);
    const bad = await api("/api/v1/chains?cursor=garbage");
    expect(bad.status).toBe(400);
  });

  it("chain detail: revalidated by ETag, per role, and new as soon as the chain changes", async () => {
    const root = authorizeClaims(human.id, planner.id, { scope: ["treasury/*:read"] });
    const hop = delegateClaims(root, planner.id, worker.id, { scope: ["treasury/cash:read"] });
    await post([signToken(root, human.key), signToken(hop, planner.key)]);
    const path = `/api/v1/chains/${encodeURIComponent(root.chain)}`;
    const first = await api(path);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
    expect(first.headers.get("cache-control")).toBe("private, no-cache");
    expect(first.data.events).toHaveLength(2);
    // The cached body is one buffer every response sends (lib/http.ts sendJson): each arrives whole,
    // also when several are sent at once.
    for (const copy of await Promise.all([api(path), api(path), api(path)])) {
      expect(copy.status).toBe(200);
      expect(copy.headers.get("etag")).toBe(etag);
      expect(copy.data).toEqual(first.data);
    }
    const again = await api(path, { headers: { "if-none-match": etag! } });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
    // Without ?include=raw no body carries raw tokens, so a reader shares the admin's (and its ETag).
    expect(first.data.events.every((e: { token: string }) => e.token === "")).toBe(true);
    const reader = await api("/api/v1/tokens", { method: "POST", json: { name: uid("reader"), role: "viewer" } });
    expect(reader.status).toBe(201);
    expect((await api(path, { token: reader.data.token, headers: { "if-none-match": etag! } })).status).toBe(304);
    // With the raw tokens it is another body, with its own ETag.
    const raw = await api(`${path}?include=raw`, { headers: { "if-none-match": etag! } });
    expect(raw.status).toBe(200);
    expect(raw.headers.get("etag")).not.toBe(etag);
    expect(raw.data.events.every((e: { token: string }) => e.token.split(".").length === 3)).toBe(true);
    // An event in the chain: the old ETag no longer matches and the new event is there.
    await post([signToken(invokeClaims(hop, worker.id, { action: "treasury/cash:read" }), worker.key)]);
    const changed = await api(path, { headers: { "if-none-match": etag! } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect(changed.data.events).toHaveLength(3);
  });

  it("404 for an unknown chain", async () => {
    const res = await api("/api/v1/chains/does-not-exist");
    expect(res.status).toBe(404);
    expect(res.data.error.code).toBe("not_found");
  });

  it("the ledger verifies", async () => {
    const res = await api("/api/v1/ledger/verify");
    expect(res.status).toBe(200);
    expect(res.data.ok).toBe(true);
    expect(res.data.count).toBeGreaterThan(10);
    expect(res.data.head).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("read-time broken audit trails outside chain reads", () => {
  it("lists missing_evidence in /api/v1/findings and counts it in the overview", async () => {
    const human = await register("human");
    const agent = await register("agent");
    const root = authorizeClaims(human.id, agent.id, { iat: now() - 7200, exp: now() - 100 });
    await post([signToken(root, human.key)]);
    const res = await api(`/api/v1/findings?code=missing_evidence&chain=${encodeURIComponent(root.chain)}`);
    expect(res.status).toBe(200);
    expect(res.data.items).toHaveLength(1);
    expect(res.data.items[0]).toMatchObject({
      code: "missing_evidence",
      severity: "warning",
      eventJti: root.jti,
      chainId: root.chain,
      isReadTime: true,
    });
    const all = await api(`/api/v1/findings?chain=${encodeURIComponent(root.chain)}`);
    expect(all.data.readTime.missingEvidenceChains).toBe(1);
    // Listed by default, as the Overview counts it, at the grant's expiry, with the facts of its sentence.
    expect(all.data.readTime.merged).toBe(true);
    expect(all.data.items).toHaveLength(1);
    expect(all.data.items[0]).toMatchObject({ code: "missing_evidence", isReadTime: true, at: root.exp });
    expect(all.data.items[0].facts.event).toMatchObject({ jti: root.jti, iss: human.id, aud: agent.id, exp: root.exp });
    const stats = await api("/api/v1/stats");
    expect(stats.data.findingsOverTime.some((d: { code: string }) => d.code === "missing_evidence")).toBe(true);
    expect((await api("/api/v1/findings?cursor=abc")).status).toBe(400);
  });

  it("merges stored and read-time findings newest first by the time shown, and pages through all of them", async () => {
    const human = await register("human");
    const agent = await register("agent");
    // An expired grant (read-time, shown at its exp) and a ghost permission (stored, shown at its iat) on either side of it.
    const root = authorizeClaims(human.id, agent.id, { iat: now() - 7200, exp: now() - 3600 });
    const early = invokeClaims(root, agent.id, { iat: now() - 5400, grant: undefined });
    const late = invokeClaims(root, agent.id, { iat: now() - 600, grant: undefined });
    await post([signToken(root, human.key), signToken(early, agent.key), signToken(late, agent.key)]);
    const chain = encodeURIComponent(root.chain);
    const whole = await api(`/api/v1/findings?chain=${chain}`);
    expect(whole.data.items.map((i: { eventJti: string; isReadTime: boolean }) => [i.eventJti, i.isReadTime])).toEqual([
      [late.jti, false],
      [root.jti, true],
      [early.jti, false],
    ]);
    const times = whole.data.items.map((i: { at: number }) => i.at);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { items: { eventJti: string }[]; nextCursor: string | null } } = await api(
        `/api/v1/findings?chain=${chain}&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      paged.push(...page.data.items.map((i) => i.eventJti));
      cursor = page.data.nextCursor;
    } while (cursor && paged.length < 10);
    expect(paged).toEqual([late.jti, root.jti, early.jti]);
    // An error-or-worse filter lists stored findings only.
    const critical = await api(`/api/v1/findings?chain=${chain}&severity=critical`);
    expect(critical.data.items.every((i: { isReadTime: boolean }) => !i.isReadTime)).toBe(true);
  });
});
