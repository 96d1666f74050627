// The demo against a real tiny HTTP server standing in for Delegraph: it records every request,
// keeps the registered keys, verifies each token's signature with node:crypto and applies key
// revocation by iat, so what it accepts is what a correct ingest would accept.
import { afterEach, describe, expect, it } from "vitest";
import { isValidScope, purposeCovers, scopesWithin } from "@/lib/protocol/scope";
import type { TClaims, TGrantClaims, TInvokeClaims } from "@/lib/protocol/types";
import { DelegraphClient } from "@delegraph/sdk";
import { DEMO_PRINCIPALS, seedDemo, type TDemoStory, type TDemoSummary } from "@/lib/sdk/demo";
import {
  decodeToken,
  startTestServer,
  verifyWithNodeCrypto,
  type TRecordedRequest,
  type TReply,
  type TTestServer,
} from "@/packages/sdk/test/helpers";

const NOW = 1_750_000_000; // 2025-06-15T15:06:40Z

type TKey = { jwk: Record<string, unknown>; revokedAt?: number };
type TFakeIngest = { principals: Map<string, { kind: string; keys: Map<string, TKey> }>; events: TClaims[] };

function fakeIngest(state: TFakeIngest) {
  return (req: TRecordedRequest): TReply => {
    if (req.headers.authorization !== "Bearer demo-token") return { status: 401, body: { error: { code: "unauthorized", message: "no" } } };
    if (req.method === "POST" && req.path === "/api/v1/principals") {
      const body = JSON.parse(req.body) as { id: string; kind: string; keys: { kid: string }[] };
      if (state.principals.has(body.id)) return { status: 409, body: { error: { code: "conflict", message: "exists" } } };
      state.principals.set(body.id, { kind: body.kind, keys: new Map(body.keys.map((k) => [k.kid, { jwk: k }])) });
      return { status: 201, body: { id: body.id } };
    }
    const revokeMatch = /^\/api\/v1\/principals\/([^/]+)\/keys\/([^/]+)\/revoke$/.exec(req.path);
    if (req.method === "POST" && revokeMatch) {
      const key = state.principals.get(decodeURIComponent(revokeMatch[1]))?.keys.get(decodeURIComponent(revokeMatch[2]));
      if (!key) return { status: 404, body: { error: { code: "not_found", message: "no key" } } };
      const at = (JSON.parse(req.body) as { at?: number }).at ?? Math.floor(Date.now() / 1000);
      key.revokedAt = Math.min(key.revokedAt ?? Infinity, at);
      return { status: 200, body: { ok: true } };
    }
    if (req.method === "POST" && req.path === "/api/v1/events") {
      const tokens = (JSON.parse(req.body) as { events: string[] }).events;
      return { status: 200, body: { results: tokens.map((t) => ingestOne(state, t)) } };
    }
    return { status: 404, body: { error: { code: "not_found", message: req.path } } };
  };
}

function ingestOne(state: TFakeIngest, token: string) {
  const { header, claims } = decodeToken(token);
  const c = claims as TClaims;
  const reject = (code: string) => ({ jti: c.jti, status: "rejected", findings: [], error: { code, message: code } });
  const key = state.principals.get(c.iss)?.keys.get(header.kid as string);
  if (!key) return reject("unknown_key");
  if (key.revokedAt !== undefined && c.iat >= key.revokedAt) return reject("key_revoked");
  if (!verifyWithNodeCrypto(token, key.jwk)) return reject("signature_invalid");
  state.events.push(c);
  return { jti: c.jti, status: "accepted", chain: c.chain, findings: [] };
}

let server: TTestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function seeded(): Promise<{ summary: TDemoSummary; state: TFakeIngest; server: TTestServer; client: DelegraphClient }> {
  const state: TFakeIngest = { principals: new Map(), events: [] };
  server = await startTestServer(fakeIngest(state));
  const client = new DelegraphClient({ baseUrl: server.url, token: "demo-token" });
  const summary = await seedDemo(client, { now: NOW });
  return { summary, state, server, client };
}

function story(summary: TDemoSummary, id: TDemoStory["id"]) {
  const s = summary.stories.find((x) => x.id === id);
  if (!s) throw new Error(`no story ${id}`);
  const claims = s.events.map((e) => e.claims);
  const grants = claims.filter((c): c is TGrantClaims => c.kind === "authorize" || c.kind === "delegate");
  const grant = (jti: string | undefined) => grants.find((g) => g.jti === jti);
  return {
    s,
    claims,
    grants,
    grant,
    of: <K extends TClaims["kind"]>(kind: K) => claims.filter((c) => c.kind === kind) as Extract<TClaims, { kind: K }>[],
  };
}

describe("seedDemo", () => {
  it("registers every principal before sending any event, each with a key that verifies its events", async () => {
    const { summary, state, server } = await seeded();
    const firstEvent = server.requests.findIndex((r) => r.path === "/api/v1/events");
    const registrations = server.requests.filter((r) => r.path === "/api/v1/principals");
    expect(server.requests.slice(0, firstEvent).every((r) => r.path === "/api/v1/principals")).toBe(true);
    expect(registrations).toHaveLength(DEMO_PRINCIPALS.length + 1);

    const kinds = new Set([...state.principals.values()].map((p) => p.kind));
    expect(kinds).toEqual(new Set(["human", "agent", "tool", "attester"]));
    const algs = registrations.map((r) => (JSON.parse(r.body) as { keys: { alg: string }[] }).keys[0].alg);
    expect(algs.filter((a) => a === "ES256")).toHaveLength(1);
    for (const r of registrations) expect(r.body).not.toContain('"d"');

    expect(summary.chains).toHaveLength(6);
    expect(new Set(summary.chains).size).toBe(6);
    expect(summary.stories.flatMap((s) => s.problems)).toEqual([]);
    expect(summary.results).toHaveLength(summary.stories.reduce((n, s) => n + s.events.length, 0));
  });

  it("every event is well-formed: header, ids, times, scopes, purposes, chain membership", async () => {
    const { summary, server } = await seeded();
    const sent = server.requests.filter((r) => r.path === "/api/v1/events").flatMap((r) => (JSON.parse(r.body) as { events: string[] }).events);
    expect(sent).toEqual(summary.stories.flatMap((s) => s.events.map((e) => e.token)));

    const humans = new Set(DEMO_PRINCIPALS.filter((p) => p.kind === "human").map((p) => p.id));
    for (const s of summary.stories) {
      for (const { token, claims } of s.events) {
        const { header, claims: decoded } = decodeToken(token);
        expect(decoded).toEqual(claims);
        expect(header.typ).toBe("dep+jwt");
        expect(["EdDSA", "ES256"]).toContain(header.alg);
        expect(claims.v).toBe(1);
        expect(claims.jti).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
        expect(claims.chain).toBe(s.chain);
        expect(claims.iat).toBeLessThanOrEqual(NOW);
        expect(claims.iss).toMatch(/^[\x20-\x7e]{1,200}$/);
        if (claims.kind === "authorize") {
          expect(claims.chain).toBe(claims.jti);
          expect(humans.has(claims.iss)).toBe(true);
        }
        if (claims.kind === "authorize" || claims.kind === "delegate") {
          expect(claims.scope.length).toBeGreaterThan(0);
          for (const sc of claims.scope) expect(isValidScope(sc)).toBe(true);
          expect(claims.purpose.code).toMatch(/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/);
          expect(claims.purpose.text.trim()).not.toBe("");
          expect(claims.exp).toBeGreaterThan(claims.iat);
        }
        if (claims.kind === "invoke") expect(isValidScope(claims.action)).toBe(true);
        if (claims.kind === "complete") expect(claims.result_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
      }
      expect(s.events.filter((e) => e.claims.kind === "authorize")).toHaveLength(1);
    }
  });

  it("a. treasury reporting: attenuated hops, every grant closed, third-party and delegator-verified evidence", async () => {
    const { summary } = await seeded();
    const { s, grants, grant, of } = story(summary, "treasury-reporting");
    expect(s.expectedStatus).toBe("verified");
    expect(grants).toHaveLength(3);
    const root = grants[0];
    expect(root.iss).toBe("user:maria.chen@treasury.example");
    expect(root.aud).toBe("agent:treasury-planner");
    for (const d of of("delegate")) {
      const parent = grant(d.parent)!;
      expect(scopesWithin(d.scope, parent.scope)).toBe(true);
      expect(scopesWithin(parent.scope, d.scope)).toBe(false);
      expect(purposeCovers(parent.purpose.code, d.purpose.code)).toBe(true);
      expect(d.iss).toBe(parent.aud);
    }
    expect(new Set(of("delegate").map((d) => d.aud))).toEqual(new Set(["agent:treasury-visualizer", "agent:treasury-comms"]));
    for (const i of of("invoke")) expect(scopesWithin([i.action], grant(i.grant)!.scope)).toBe(true);
    const completes = of("complete");
    expect(new Set(completes.map((c) => c.grant))).toEqual(new Set(grants.map((g) => g.jti)));
    const attested = completes.find((c) => c.iss === "attester:finance-controls");
    expect(attested?.grant).toBe(of("delegate").find((d) => d.aud === "agent:treasury-visualizer")!.jti);
    expect(completes.some((c) => c.iss === grant(c.grant)!.iss)).toBe(true);
  });

  it("b. least privilege: each hop narrower, egress *.bank.example, invokes within", async () => {
    const { summary } = await seeded();
    const { s, grants, grant, of } = story(summary, "least-privilege-payment");
    expect(s.expectedStatus).toBe("verified");
    expect(grants).toHaveLength(3);
    expect(grants[0].constraints?.egress).toEqual(["*.bank.example"]);
    for (const d of of("delegate")) {
      const parent = grant(d.parent)!;
      expect(scopesWithin(d.scope, parent.scope) && !scopesWithin(parent.scope, d.scope)).toBe(true);
      for (const dc of d.constraints?.data ?? []) expect(parent.constraints?.data ?? [dc]).toContain(dc);
    }
    for (const i of of("invoke")) {
      expect(scopesWithin([i.action], grant(i.grant)!.scope)).toBe(true);
      if (i.resource.startsWith("https://")) expect(new URL(i.resource).hostname.endsWith(".bank.example")).toBe(true);
    }
    expect(new Set(of("complete").map((c) => c.grant))).toEqual(new Set(grants.map((g) => g.jti)));
  });

  it("c. ghost permission: an invoke of customers/transactions:read its grant never gave", async () => {
    const { summary } = await seeded();
    const { s, grant, of } = story(summary, "ghost-permission");
    expect(s).toMatchObject({ expectedStatus: "violation", expectedFindings: ["ghost_permission"] });
    const ghost = of("invoke").find((i) => i.action === "customers/transactions:read") as TInvokeClaims;
    expect(ghost.iss).toBe("agent:doc-summarizer");
    expect(scopesWithin([ghost.action], grant(ghost.grant)!.scope)).toBe(false);
    for (const g of of("authorize")) expect(scopesWithin([ghost.action], g.scope)).toBe(false);
  });

  it("d. scope drift: a covered invoke to render.chartcloud.io outside egress, plus a forced escalation", async () => {
    const { summary } = await seeded();
    const { s, grant, of } = story(summary, "scope-drift");
    expect(s.expectedStatus).toBe("violation");
    expect(s.expectedFindings).toEqual(expect.arrayContaining(["scope_drift", "scope_escalation"]));
    const drift = of("invoke").find((i) => i.resource.startsWith("https://render.chartcloud.io/"))!;
    expect(scopesWithin([drift.action], grant(drift.grant)!.scope)).toBe(true);
    expect(of("authorize")[0].constraints?.egress).toEqual(["*.bank.example"]);
    const escalation = of("delegate").find((d) => !scopesWithin(d.scope, grant(d.parent)!.scope));
    expect(escalation?.aud).toBe("agent:slide-designer");
  });

  it("e. broken audit trail: grants expired in the past with no complete", async () => {
    const { summary } = await seeded();
    const { s, grants, of } = story(summary, "broken-audit-trail");
    expect(s).toMatchObject({ expectedStatus: "warning", expectedFindings: ["missing_evidence"] });
    expect(grants.length).toBeGreaterThanOrEqual(2);
    for (const g of grants) {
      expect(g.exp).toBeLessThan(NOW);
      expect(g.iat).toBeLessThan(g.exp);
    }
    expect(of("complete")).toHaveLength(0);
    for (const i of of("invoke")) expect(i.iat).toBeLessThan(grants.find((g) => g.jti === i.grant)!.exp);
  });

  it("f. compromised key: revoked at T, earlier events accepted, a later one key_revoked, then a revoked grant", async () => {
    const { summary, server, state } = await seeded();
    const { s, claims, grants, of } = story(summary, "compromised-key");
    const root = of("authorize")[0];
    const instance = root.aud;
    expect(instance).toMatch(/^agent:reconciler\/instance-/);

    const revokeKeyReq = server.requests.find((r) => r.path.endsWith("/revoke"))!;
    expect(revokeKeyReq.path).toBe(
      `/api/v1/principals/${encodeURIComponent(instance)}/keys/${encodeURIComponent([...state.principals.get(instance)!.keys.keys()][0])}/revoke`,
    );
    const T = (JSON.parse(revokeKeyReq.body) as { at: number }).at;
    expect(T).toBeLessThan(NOW);

    const byInstance = claims.filter((c) => c.iss === instance);
    const statusOf = (jti: string) => s.results[s.events.findIndex((e) => e.claims.jti === jti)];
    for (const c of byInstance.filter((c) => c.iat < T)) expect(statusOf(c.jti).status).toBe("accepted");
    const late = byInstance.filter((c) => c.iat >= T);
    expect(late).toHaveLength(1);
    expect(statusOf(late[0].jti)).toMatchObject({ status: "rejected", error: { code: "key_revoked" } });
    expect(s.expectedRejections).toEqual({ [late[0].jti]: "key_revoked" });

    const [pulled] = of("revoke");
    expect(pulled).toMatchObject({ iss: root.iss, target: root.jti });
    const afterRevoke = of("invoke").filter((i) => i.iat > pulled.iat && i.iss !== instance);
    expect(afterRevoke).toHaveLength(1);
    expect(grants.some((g) => g.jti === afterRevoke[0].grant && g.kind === "delegate" && g.parent === root.jti)).toBe(true);
    expect(statusOf(afterRevoke[0].jti).status).toBe("accepted");
    expect(s.expectedFindings).toEqual(["revoked_grant"]);
  });

  it("runs again safely with the saved keys, and refuses to run blind against principals it cannot sign for", async () => {
    const { summary, client, state } = await seeded();
    const again = await seedDemo(client, { now: NOW + 60, keys: summary.keys });
    expect(again.stories.flatMap((s) => s.problems)).toEqual([]);
    expect(again.chains.filter((c) => summary.chains.includes(c))).toEqual([]);
    expect(state.principals.size).toBe(DEMO_PRINCIPALS.length + 2);
    const eventsBefore = state.events.length;
    const partial = Object.fromEntries(Object.entries(summary.keys).slice(1));
    await expect(seedDemo(client, { now: NOW + 120, keys: partial })).rejects.toThrow(
      /already registered with keys this run does not hold: user:maria\.chen@treasury\.example\./,
    );
    expect(state.events.length).toBe(eventsBefore);
  });

  it("hands the complete key set to onKeys before registering anything", async () => {
    const state: TFakeIngest = { principals: new Map(), events: [] };
    server = await startTestServer(fakeIngest(state));
    const client = new DelegraphClient({ baseUrl: server.url, token: "demo-token" });
    let registeredWhenSaved = -1;
    let saved: Record<string, unknown> = {};
    const summary = await seedDemo(client, {
      now: NOW,
      onKeys: (keys) => {
        registeredWhenSaved = state.principals.size;
        saved = JSON.parse(JSON.stringify(keys));
      },
    });
    expect(registeredWhenSaved).toBe(0);
    expect(Object.keys(saved).sort()).toEqual(DEMO_PRINCIPALS.map((p) => p.id).sort());
    expect(saved).toEqual(JSON.parse(JSON.stringify(summary.keys)));
  });

  it("takes now in seconds", async () => {
    const client = new DelegraphClient({ baseUrl: "http://127.0.0.1:9", token: "t" });
    await expect(seedDemo(client, { now: Date.now() })).rejects.toThrow(/seconds/);
  });
});
