// The attacks of issue [7] on sign-in, redirects, the bootstrap admin, hostile input and secret
// answers, each reproduced over HTTP against a real server (on SQLite and on PostgreSQL).
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_ADMIN } from "../server";
import { call, freshDatabase, ownServer, type TOwnServer } from "./servers";
import { api, uid } from "./helpers";

// One server for the sign-in tests: it trusts 127.0.0.1 as a proxy, so each test can speak for
// a client address of its own through X-Forwarded-For (as a real proxy would write it).
let server: TOwnServer;
beforeAll(async () => {
  server = await ownServer({ env: { DELEGRAPH_TRUSTED_PROXIES: "127.0.0.1,::1" } });
});
afterAll(async () => {
  await server?.close();
});

let addressCounter = 1;
const freshAddress = () => `198.51.${Math.floor(addressCounter / 250)}.${(addressCounter++ % 250) + 1}`;

function signIn(target: { url: string }, email: string, password: string, headers: Record<string, string> = {}) {
  return fetch(target.url + "/api/auth/sign-in", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ email, password }),
  });
}

async function createUser(role = "viewer") {
  const email = `${uid("u")}@delegraph.test`.toLowerCase();
  const password = `tangerine violin ${randomBytes(4).toString("hex")}`;
  const res = await call(server, "/api/v1/users", { method: "POST", json: { email, password, role } });
  expect(res.status, JSON.stringify(res.data)).toBe(201);
  return { id: res.data.id as string, email, password };
}

describe("sign-in limits", () => {
  it("counts each attempt before the password check: 100 concurrent guesses reach it at most 5 times", async () => {
    const user = await createUser();
    const address = freshAddress();
    const started = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => signIn(server, user.email, `wrong guess ${i}`, { "x-forwarded-for": address }).then((r) => r.status)),
    );
    const seconds = (Date.now() - started) / 1000;
    const evaluated = statuses.filter((s) => s === 401).length;
    expect(evaluated).toBeGreaterThan(0);
    // 5 free attempts, then one more each time a doubling delay (1 s, 2 s, 4 s …) has passed
    // while the burst lasted: 5 + ⌊log2(seconds + 1)⌋ + 1 at most. Before the fix, 76 of 100.
    expect(evaluated).toBeLessThanOrEqual(5 + Math.floor(Math.log2(seconds + 1)) + 1);
    expect(statuses.filter((s) => s === 429).length).toBe(100 - evaluated);
  });

  it("the right password after a burst of wrong ones waits its turn instead of signing in", async () => {
    const user = await createUser();
    const address = freshAddress();
    for (let i = 0; i < 29; i++) await signIn(server, user.email, `wrong ${i}`, { "x-forwarded-for": address });
    // The owner's attempt right after a wrong one that was evaluated (401), when a new delay of at
    // least a second has just begun. Right after the burst alone it could land in the instant the
    // current delay ends, which on a loaded machine happened.
    const deadline = Date.now() + 60_000;
    while ((await signIn(server, user.email, "wrong again", { "x-forwarded-for": address })).status !== 401) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 200));
    }
    const res = await signIn(server, user.email, user.password, { "x-forwarded-for": address });
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get("retry-after"));
    // A growing delay, not a 15-minute lockout.
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
  });

  it("a growing delay lets the owner in once it has passed", async () => {
    const user = await createUser();
    const address = freshAddress();
    for (let i = 0; i < 5; i++) expect((await signIn(server, user.email, `wrong ${i}`, { "x-forwarded-for": address })).status).toBe(401);
    const refused = await signIn(server, user.email, user.password, { "x-forwarded-for": address });
    expect(refused.status).toBe(429);
    await new Promise((r) => setTimeout(r, Number(refused.headers.get("retry-after")) * 1000 + 100));
    expect((await signIn(server, user.email, user.password, { "x-forwarded-for": address })).status).toBe(200);
  });

  it("rotating the client-written part of X-Forwarded-For does not escape the per-address limit", async () => {
    const address = freshAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 26; i++) {
      // A different account each time (so the account limit never trips) and a forged hop in front
      // of the one the proxy appends.
      const forged = `203.0.113.${(i % 250) + 1}`;
      statuses.push((await signIn(server, `${uid("nobody")}@delegraph.test`, "wrong", { "x-forwarded-for": `${forged}, ${address}` })).status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(21)).toContain(429);
  });

  it("without a trusted proxy, X-Forwarded-For is ignored: every rotated value is the same socket address", async () => {
    const plain = await ownServer();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 23; i++) {
        const res = await signIn(plain, `${uid("nobody")}@delegraph.test`, "wrong", { "x-forwarded-for": `203.0.113.${i + 1}` });
        statuses.push(res.status);
      }
      expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(21)).toContain(429);
    } finally {
      await plain.close();
    }
  });

  it("failures from one address do not lock out users at other addresses", async () => {
    const attacker = freshAddress();
    for (let i = 0; i < 25; i++) await signIn(server, `${uid("nobody")}@delegraph.test`, "wrong", { "x-forwarded-for": attacker });
    const user = await createUser();
    expect((await signIn(server, user.email, user.password, { "x-forwarded-for": freshAddress() })).status).toBe(200);
  });

  it("successful sign-ins do not count against their address", async () => {
    const user = await createUser();
    const address = freshAddress();
    for (let i = 0; i < 25; i++) expect((await signIn(server, user.email, user.password, { "x-forwarded-for": address })).status).toBe(200);
  });

  it("aggregates failed sign-ins in the self-audit and never stores a non-email as typed", async () => {
    const user = await createUser();
    const address = freshAddress();
    for (let i = 0; i < 4; i++) await signIn(server, user.email, `wrong ${i}`, { "x-forwarded-for": address });
    const typed = `hunter2-secret-${randomBytes(3).toString("hex")}`; // a password typed into the email field
    await signIn(server, typed, "x", { "x-forwarded-for": address });
    const audit = await call(server, "/api/v1/audit?limit=200");
    const failed = audit.data.items.filter((e: { action: string; target: string }) => e.action === "auth.sign_in_failed" && e.target === user.email);
    expect(failed).toHaveLength(1);
    expect(failed[0].detail.count).toBe(4);
    expect(failed[0].detail.addresses).toEqual([address]);
    expect(JSON.stringify(audit.data.items)).not.toContain(typed);
    expect(audit.data.items.some((e: { target: string | null }) => e.target?.startsWith("(not an email address"))).toBe(true);
  });
});

describe("redirects and login CSRF", () => {
  it("refuses a cross-site sign-in form post and accepts this site's", async () => {
    const user = await createUser();
    const form = (headers: Record<string, string>) =>
      fetch(server.url + "/api/auth/sign-in", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": freshAddress(), ...headers },
        body: new URLSearchParams({ email: user.email, password: user.password }).toString(),
      });
    expect((await form({ origin: "https://evil.example" })).status).toBe(403);
    expect((await form({ "sec-fetch-site": "cross-site", origin: "https://evil.example" })).status).toBe(403);
    expect((await form({ origin: "null" })).status).toBe(403);
    const host = new URL(server.url).host;
    expect((await form({ "sec-fetch-site": "same-origin", origin: server.url })).status).toBe(200);
    expect((await form({ origin: `http://${host}` })).status).toBe(200);
  });

  it("a signed-in visit to /sign-in with CR/LF or a TAB trick in next stays on this site", async () => {
    const res = await signIn(server, TEST_ADMIN.email, TEST_ADMIN.password, { "x-forwarded-for": freshAddress() });
    expect(res.status).toBe(200);
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0];
    for (const next of ["/a%0d%0aSet-Cookie:%20x=1", "/%09/evil.host", "//evil.host", "/%5Cevil.host"]) {
      const page = await fetch(`${server.url}/sign-in?next=${next}`, { headers: { cookie }, redirect: "manual" });
      expect(page.status, next).toBeGreaterThanOrEqual(300);
      expect(page.status, next).toBeLessThan(400);
      const location = new URL(page.headers.get("location")!, server.url);
      expect(location.origin, next).toBe(new URL(server.url).origin);
      expect(page.headers.get("set-cookie") ?? "", next).not.toContain("x=1");
    }
  });
});

describe("the bootstrap admin", () => {
  it("is created once and never re-enabled, re-promoted or reset by a restart", async () => {
    const databaseUrl = await freshDatabase();
    const email = `boot-${uid("a")}@delegraph.test`.toLowerCase();
    const env = { DELEGRAPH_ADMIN_EMAIL: email, DELEGRAPH_ADMIN_PASSWORD: "first start password 1", DELEGRAPH_API_TOKEN: `boot-${uid("t")}` };
    let s = await ownServer({ databaseUrl, env });
    try {
      const users = await call(s, "/api/v1/users");
      const admin = users.data.items.find((u: { email: string }) => u.email === email);
      expect(admin.role).toBe("admin");
      // Another admin demotes and disables it, and its password is rotated.
      expect(
        (
          await call(s, `/api/v1/users/${admin.id}`, {
            method: "PATCH",
            json: { role: "viewer", disabled: true, password: "rotated password 2 long" },
          })
        ).status,
      ).toBe(200);
      await s.stop();
      s = { ...(await ownServer({ databaseUrl, env })), close: s.close };
      const after = (await call(s, "/api/v1/users")).data.items.find((u: { email: string }) => u.email === email);
      expect(after.role).toBe("viewer");
      expect(after.disabledAt).not.toBeNull();
      expect((await signIn(s, email, env.DELEGRAPH_ADMIN_PASSWORD)).status).toBe(401);
      const audit = await call(s, "/api/v1/audit?limit=200");
      expect(
        audit.data.items.filter((e: { action: string; target: string }) => e.action === "user.bootstrap_admin" && e.target === email),
      ).toHaveLength(1);
    } finally {
      await s.stop();
    }
  });
});

describe("no 5xx from input", () => {
  it("quarantines a batch entry nested 100,000 levels deep, whole, and answers 200", async () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    const res = await fetch(`${server.url}/api/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
      body: `{"events":[${deep}]}`,
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.results[0]).toMatchObject({ jti: null, status: "rejected", error: { code: "malformed" } });
    const q = await call(server, "/api/v1/quarantine?limit=5");
    expect(q.data.items.some((i: { raw: string }) => i.raw === deep)).toBe(true);
  });

  it("refuses a deeply nested JWK member with 400", async () => {
    const nested = "[".repeat(50_000) + "]".repeat(50_000);
    const body = `{"id":"agent:${uid("deep")}","kind":"agent","keys":[{"kid":"k","kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","ext":${nested}}]}`;
    const res = await call(server, "/api/v1/principals", { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(res.status).toBe(400);
    expect(res.data.error.code).toBe("invalid_request");
  });

  it("answers 400 for since/until and cursors that overflow to Infinity", async () => {
    const huge = "1" + "0".repeat(400);
    for (const q of [`since=${huge}`, `until=${huge}`, `cursor=${Buffer.from('{"s":1e999,"i":"x"}').toString("base64url")}`]) {
      const res = await call(server, `/api/v1/chains?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.data.error.code, q).toBe("invalid_request");
    }
    for (const path of ["/api/v1/audit?cursor=99999999999999999999", "/api/v1/quarantine?cursor=1e400"]) {
      const res = await call(server, path);
      expect(res.status, path).toBe(400);
    }
  });

  it("answers a malformed percent-encoding in a path segment in the envelope, after authentication", async () => {
    for (const path of ["/api/v1/chains/%E0%A4%A", "/api/v1/principals/%ZZ", "/api/v1/chains/%C0/report.pdf"]) {
      const anonymous = await call(server, path, { token: null });
      expect(anonymous.status, path).toBe(401);
      expect(anonymous.data.error.code, path).toBe("unauthorized");
      const authed = await call(server, path);
      expect(authed.status, path).toBe(400);
      expect(authed.data.error.code, path).toBe("invalid_request");
    }
    const page = await fetch(`${server.url}/chains/%E0%A4%A`, { redirect: "manual" });
    expect(page.status).toBeLessThan(500);
  });
});

describe("answers that carry secrets are never cached", () => {
  it("sets Cache-Control: no-store on sign-in, /api/auth/me and token creation", async () => {
    const res = await signIn(server, TEST_ADMIN.email, TEST_ADMIN.password, { "x-forwarded-for": freshAddress() });
    expect(res.headers.get("cache-control")).toBe("no-store");
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0];
    const me = await fetch(`${server.url}/api/auth/me`, { headers: { cookie } });
    expect(me.headers.get("cache-control")).toBe("no-store");
    const token = await call(server, "/api/v1/tokens", { method: "POST", json: { name: "cache test", role: "viewer" } });
    expect(token.status).toBe(201);
    expect(token.headers.get("cache-control")).toBe("no-store");
  });
});

describe("passwords", () => {
  it("need 12 characters and must not be common", async () => {
    const create = (password: string) =>
      call(server, "/api/v1/users", { method: "POST", json: { email: `${uid("p")}@delegraph.test`, password, role: "viewer" } });
    for (const weak of ["short pass", "password1234", "qwerty123456", "Password2024!"]) {
      const res = await create(weak);
      expect(res.status, weak).toBe(400);
      expect(res.data.error.message, weak).toMatch(/at least 12|too common/);
    }
    expect((await create("tangerine violin orbit")).status).toBe(201);
    const user = await createUser();
    expect((await call(server, `/api/v1/users/${user.id}`, { method: "PATCH", json: { password: "letmein12345" } })).status).toBe(400);
  });
});

// The shared suite server is untouched by the tests above; make sure it still signs in.
describe("the suite's own server", () => {
  it("still answers", async () => {
    expect((await api("/api/v1/chains?limit=1")).status).toBe(200);
  });
});

describe("the quarantine quota", () => {
  it("keeps each sender under its quota by dropping its oldest rejects, records the drop, and leaves other senders alone", async () => {
    const s = await ownServer({ env: { DELEGRAPH_QUARANTINE_QUOTA_MB: "0.05" } }); // 52,428 bytes
    try {
      const newToken = async (name: string) =>
        (await call(s, "/api/v1/tokens", { method: "POST", json: { name, role: "ingest" } })).data as { id: string; token: string };
      const flooder = await newToken("flooder");
      const other = await newToken("other");
      const garbage = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${tag}-${i}-${"x".repeat(480)}`);
      const send = (t: { token: string }, events: string[]) =>
        call({ url: s.url, token: t.token }, "/api/v1/events", { method: "POST", json: { events } });

      expect((await send(other, garbage("other", 10))).status).toBe(200);
      for (const batch of ["b1", "b2", "b3"]) {
        const res = await send(flooder, garbage(batch, 60));
        expect(res.status).toBe(200);
        expect(res.data.results.every((r: { status: string }) => r.status === "rejected")).toBe(true);
      }
      const raws: string[] = [];
      for (let cursor: string | null = null; ;) {
        const page = await call(s, `/api/v1/quarantine?limit=200${cursor ? `&cursor=${cursor}` : ""}`);
        raws.push(...page.data.items.map((i: { raw: string }) => i.raw));
        cursor = page.data.nextCursor;
        if (!cursor) break;
      }
      const mine = raws.filter((r) => /^b\d-/.test(r));
      const bytes = mine.reduce((n, r) => n + Buffer.byteLength(r), 0);
      expect(bytes).toBeLessThanOrEqual(0.05 * 1024 * 1024);
      // The newest batch is whole; the oldest went first.
      expect(mine.filter((r) => r.startsWith("b3-"))).toHaveLength(60);
      expect(mine.filter((r) => r.startsWith("b1-")).length).toBeLessThan(60);
      // The other sender lost nothing.
      expect(raws.filter((r) => r.startsWith("other-"))).toHaveLength(10);
      const audit = await call(s, "/api/v1/audit?limit=200");
      const drops = audit.data.items.filter(
        (e: { action: string; target: string }) => e.action === "quarantine.dropped" && e.target === `token:${flooder.id}`,
      );
      expect(drops.length).toBeGreaterThan(0);
      expect(drops.reduce((n: number, d: { detail: { rows: number } }) => n + d.detail.rows, 0)).toBe(180 - mine.length);
    } finally {
      await s.close();
    }
  });
});
