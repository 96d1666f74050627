// Roles, API tokens, sessions with CSRF, security headers and the self-audit, from outside.
import { beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { api, authorizeClaims, post, register, signToken, type TPrincipal } from "./helpers";
import { TEST_ADMIN } from "../server";

async function token(role: string) {
  const res = await api("/api/v1/tokens", { method: "POST", json: { name: `${role} test`, role } });
  expect(res.status).toBe(201);
  expect(res.data.token).toMatch(/^dgt_/);
  return res.data as { id: string; token: string };
}

let viewer: string;
let ingest: string;
let investigator: string;
let human: TPrincipal;
let agent: TPrincipal;

beforeAll(async () => {
  [viewer, ingest, investigator] = (await Promise.all(["viewer", "ingest", "investigator"].map(token))).map((t) => t.token);
  [human, agent] = await Promise.all([register("human"), register("agent")]);
});

const READS = ["/api/v1/chains", "/api/v1/principals", "/api/v1/ledger/verify", "/api/v1/stats", "/api/v1/findings", "/api/v1/search?q=treasury"];

describe("roles", () => {
  it("a viewer reads but gets 403 on every write", async () => {
    for (const path of READS) expect((await api(path, { token: viewer })).status, path).toBe(200);
    const events = await api("/api/v1/events", { method: "POST", token: viewer, json: { events: [] } });
    expect(events.status).toBe(403);
    expect(events.data.error.code).toBe("forbidden");
    expect((await api("/api/v1/principals", { method: "POST", token: viewer, json: {} })).status).toBe(403);
    expect((await api("/api/v1/tokens", { method: "POST", token: viewer, json: { name: "x", role: "admin" } })).status).toBe(403);
    expect((await api("/api/v1/principals/a/keys/b/revoke", { method: "POST", token: viewer, json: {} })).status).toBe(403);
    expect((await api("/api/v1/quarantine", { token: viewer })).status).toBe(403);
    const chain = authorizeClaims(human.id, agent.id);
    await post([signToken(chain, human.key)]);
    const detail = await api(`/api/v1/chains/${chain.chain}`, { token: viewer });
    expect(detail.status).toBe(200);
    expect(detail.data.events[0].token).toBe(""); // raw tokens are for investigators and admins
    const raw = await api(`/api/v1/chains/${chain.chain}?include=raw`, { token: viewer });
    expect(raw.status).toBe(403);
    expect(raw.data.error.code).toBe("forbidden");
    expect((await api(`/api/v1/events/${chain.jti}`, { token: viewer })).status).toBe(403);
  });

  it("an ingest token posts events but gets 403 on every read", async () => {
    const chain = authorizeClaims(human.id, agent.id);
    const res = await api("/api/v1/events", { method: "POST", token: ingest, json: { events: [signToken(chain, human.key)] } });
    expect(res.status).toBe(200);
    expect(res.data.results[0].status).toBe("accepted");
    for (const path of [...READS, `/api/v1/chains/${chain.chain}`, "/api/v1/quarantine"]) {
      expect((await api(path, { token: ingest })).status, path).toBe(403);
    }
    expect((await api("/api/v1/principals", { method: "POST", token: ingest, json: {} })).status).toBe(403);
  });

  it("an investigator reads raw tokens and the quarantine, but does not write", async () => {
    const chain = authorizeClaims(human.id, agent.id);
    const t = signToken(chain, human.key);
    await post([t]);
    const detail = await api(`/api/v1/chains/${chain.chain}`, { token: investigator });
    expect(detail.data.events[0].token).toBe(""); // only when asked: ?include=raw, or one event's
    const raw = await api(`/api/v1/chains/${chain.chain}?include=raw`, { token: investigator });
    expect(raw.data.events[0].token).toBe(t);
    const one = await api(`/api/v1/events/${chain.jti}`, { token: investigator });
    expect(one.status).toBe(200);
    expect(one.data).toMatchObject({
      jti: chain.jti,
      chainId: chain.chain,
      token: t,
      tokenSha256: detail.data.events[0].tokenSha256,
      hash: detail.data.events[0].hash,
    });
    expect((await api(`/api/v1/events/${encodeURIComponent("no-such-event")}`, { token: investigator })).status).toBe(404);
    expect((await api("/api/v1/quarantine", { token: investigator })).status).toBe(200);
    expect((await api("/api/v1/investigate/principal?principal=" + encodeURIComponent(agent.id), { token: investigator })).status).toBe(200);
    expect((await api("/api/v1/events", { method: "POST", token: investigator, json: { events: [] } })).status).toBe(403);
  });

  it("a revoked token is 401 at once; tokens are listed without secrets", async () => {
    const t = await token("viewer");
    expect((await api("/api/v1/chains", { token: t.token })).status).toBe(200);
    expect((await api(`/api/v1/tokens/${t.id}/revoke`, { method: "POST" })).status).toBe(200);
    expect((await api("/api/v1/chains", { token: t.token })).status).toBe(401);
    const list = await api("/api/v1/tokens");
    expect(JSON.stringify(list.data)).not.toContain(t.token);
    expect(list.data.items.find((i: { id: string }) => i.id === t.id).revokedAt).not.toBeNull();
  });

  it("an unknown role is a 400", async () => {
    const res = await api("/api/v1/tokens", { method: "POST", json: { name: "x", role: "root" } });
    expect(res.status).toBe(400);
  });
});

async function signIn(email: string, password: string) {
  return fetch(inject("serverUrl") + "/api/auth/sign-in", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
}

describe("sessions", () => {
  it("sign-in sets an httpOnly SameSite=Lax cookie; cookie writes need the CSRF token", async () => {
    const res = await signIn(TEST_ADMIN.email, TEST_ADMIN.password);
    expect(res.status).toBe(200);
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/); // plain http here
    const cookie = setCookie.split(";")[0];
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const read = await api("/api/v1/chains", { token: null, headers: { cookie } });
    expect(read.status).toBe(200);
    const noCsrf = await api("/api/v1/tokens", { method: "POST", token: null, headers: { cookie }, json: { name: "n", role: "viewer" } });
    expect(noCsrf.status).toBe(403);
    const withCsrf = await api("/api/v1/tokens", {
      method: "POST",
      token: null,
      headers: { cookie, "x-csrf-token": csrfToken },
      json: { name: "n", role: "viewer" },
    });
    expect(withCsrf.status).toBe(201);
    const out = await api("/api/auth/sign-out", { method: "POST", token: null, headers: { cookie, "x-csrf-token": csrfToken } });
    expect(out.status).toBe(200);
    expect((await api("/api/v1/chains", { token: null, headers: { cookie } })).status).toBe(401);
  });

  it("wrong passwords are 401, then rate limited with 429", async () => {
    const email = `nobody-${Date.now()}@delegraph.test`;
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await signIn(email, "wrong password")).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[6]).toBe(429);
  });

  it("pages redirect to /sign-in without a session", async () => {
    const res = await fetch(inject("serverUrl") + "/chains", { redirect: "manual" });
    expect(res.status).toBeGreaterThanOrEqual(300);
    expect(res.status).toBeLessThan(400);
    expect(res.headers.get("location")).toContain("/sign-in");
  });

  it("sends fixed security headers on API answers, errors included", async () => {
    for (const path of ["/api/health", "/api/v1/chains", "/api/v1/does-not-exist"]) {
      const res = await fetch(inject("serverUrl") + path);
      expect(res.headers.get("content-security-policy"), path).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("referrer-policy"), path).toBeTruthy();
    }
  });

  it("sends security headers: CSP without inline script, no framing, nosniff, referrer policy", async () => {
    const res = await fetch(inject("serverUrl") + "/sign-in");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBeTruthy();
    const html = await res.text();
    // Every inline script carries the nonce.
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    for (const tag of html.match(/<script(?![^>]*\bsrc=)[^>]*>/g) ?? []) expect(tag).toContain(`nonce="${nonce}"`);
  });
});

describe("the dashboard audits itself", () => {
  it("records token and principal changes and sign-ins, visible to admins only", async () => {
    await register("agent");
    const res = await api("/api/v1/audit?limit=200");
    expect(res.status).toBe(200);
    const actions = new Set(res.data.items.map((i: { action: string }) => i.action));
    expect(actions).toContain("principal.create");
    expect(actions).toContain("token.create");
    expect(actions).toContain("auth.sign_in");
    expect((await api("/api/v1/audit", { token: viewer })).status).toBe(403);
  });
});
