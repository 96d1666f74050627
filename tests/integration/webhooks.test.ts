// Outgoing webhooks over HTTP (docs/review.md#webhooks), against real local receivers (node:http on
// a random port) that check every delivery's Delegraph-Signature the way docs/review.md tells
// receivers to: new findings, state changes, sign-offs and tests arrive signed; a re-check does not
// announce a finding twice; a receiver that is down gets every delivery once it comes up, with the
// failed tries in the log; only admins manage webhooks; private URLs need the flag. Runs on the
// suite's kind of database (SQLite, or PostgreSQL with TEST_DATABASE_URL).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { verifySignature } from "@/lib/webhooks/signing";
import { freePort } from "../server";
import { authorizeClaims, delegateClaims, invokeClaims, makeKey, signToken, uid } from "./helpers";
import { call, ownServer, type TOwnServer } from "./servers";

type TDelivery = { id: string; type: string; createdAt: string; data: any; signature: string | null; verified: boolean; event: string | null };

/** A receiver as docs/review.md describes one: raw body, signature checked, 204 when it holds. */
class Receiver {
  deliveries: TDelivery[] = [];
  secret = "";
  private server: Server | null = null;
  constructor(readonly port: number) {}
  get url() {
    return `http://127.0.0.1:${this.port}/hooks/delegraph`;
  }
  async start() {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
  }
  private async handle(req: IncomingMessage, res: ServerResponse) {
    {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks).toString("utf8");
      const signature = req.headers["delegraph-signature"] as string | undefined;
      const check = verifySignature(this.secret, signature, raw);
      const body = JSON.parse(raw);
      this.deliveries.push({ ...body, signature: signature ?? null, verified: check.ok, event: (req.headers["delegraph-event"] as string) ?? null });
      res.writeHead(check.ok ? 204 : 401).end();
    }
  }
  async stop() {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }
  of(type: string) {
    return this.deliveries.filter((d) => d.type === type);
  }
}

async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

let server: TOwnServer;
const receivers: Receiver[] = [];

async function receiver(port?: number) {
  const r = new Receiver(port ?? (await freePort()));
  receivers.push(r);
  return r;
}

async function createHook(json: unknown, token?: string) {
  return call(server, "/api/v1/webhooks", { method: "POST", json, token });
}

async function register(kind: "human" | "agent") {
  const id = `${kind}:${uid(kind)}`;
  const key = makeKey();
  const res = await call(server, "/api/v1/principals", { method: "POST", json: { id, kind, keys: [key.publicJwk] } });
  expect(res.status).toBe(201);
  return { id, key };
}

async function send(tokens: string[]) {
  const res = await call(server, "/api/v1/events", { method: "POST", json: { events: tokens } });
  expect(res.status).toBe(200);
  return res.data.results as { status: string }[];
}

/** A chain with an escalated delegation (critical) and an invoke outside its grant. */
async function chainWithFindings() {
  const [human, agent] = await Promise.all([register("human"), register("agent")]);
  const root = authorizeClaims(human.id, agent.id);
  const del = delegateClaims(root, agent.id, "agent:sub", { scope: ["finance/q1/*:read", "payments/*:write"] });
  const inv = invokeClaims(root, agent.id, { action: "hr/salaries:read", resource: "db://hr" });
  await send([signToken(root, human.key), signToken(del, agent.key), signToken(inv, agent.key)]);
  const list = await call(server, `/api/v1/findings?chain=${encodeURIComponent(root.chain)}`);
  expect(list.status).toBe(200);
  return { chain: root.chain, root, agent, items: list.data.items as { id: number; code: string; severity: string; eventJti: string }[] };
}

type TLogPage = {
  items: {
    id: number;
    status: string;
    attempts: number;
    deliveredAt: string | null;
    nextAttemptAt: string | null;
    log: { at: string; httpStatus: number | null; error: string | null }[];
  }[];
  total: number;
};
const deliveriesOf = async (id: string) => (await call(server, `/api/v1/webhooks/${id}/deliveries`)).data as TLogPage;

beforeAll(async () => {
  server = await ownServer({ env: { DELEGRAPH_WEBHOOK_ALLOW_PRIVATE: "1", DELEGRAPH_WEBHOOK_RETRY_BASE_MS: "300" } });
});

afterAll(async () => {
  for (const r of receivers) await r.stop();
  await server?.close();
});

describe("webhooks deliver signed notifications", () => {
  it("new findings, state changes, sign-offs and tests reach a receiver that verifies each signature", async () => {
    const r = await receiver();
    await r.start();
    const created = await createHook({ url: r.url, events: ["finding.created", "finding.state_changed", "chain.signed_off"] });
    expect(created.status).toBe(201);
    expect(created.headers.get("cache-control")).toBe("no-store");
    expect(created.data.secret).toMatch(/^whsec_/);
    expect(created.data).toMatchObject({
      url: r.url,
      events: ["finding.created", "finding.state_changed", "chain.signed_off"],
      minSeverity: null,
      queued: 0,
    });
    r.secret = created.data.secret;

    const { chain, items } = await chainWithFindings();
    expect(items.length).toBeGreaterThanOrEqual(2);
    const announced = await until("every finding announced", () => {
      const got = r.of("finding.created").filter((d) => d.data.finding.chain === chain);
      return got.length >= items.length && got;
    });
    expect(announced.map((d) => d.data.finding.code).sort()).toEqual(items.map((f) => f.code).sort());
    for (const d of announced) {
      expect(d.verified).toBe(true);
      expect(d.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(d.event).toBe("finding.created");
      expect(d.id).toMatch(/^evt_/);
    }

    // Decide every finding (each a state change), then sign the chain off.
    for (const f of items) {
      const res = await call(server, `/api/v1/findings/${f.id}`, { method: "PATCH", json: { state: "false_positive", note: `reviewed ${f.code}` } });
      expect(res.status).toBe(200);
    }
    const signed = await call(server, `/api/v1/chains/${encodeURIComponent(chain)}/review`, {
      method: "PUT",
      json: { status: "signed_off", statement: "Every hop reviewed." },
    });
    expect(signed.status).toBe(200);
    const changes = await until("the state changes", () => {
      const got = r.of("finding.state_changed").filter((d) => d.data.finding.chain === chain);
      return got.length >= items.length && got;
    });
    expect(changes.map((d) => [d.data.from, d.data.to, d.data.note])).toEqual(
      expect.arrayContaining(items.map((f) => ["open", "false_positive", `reviewed ${f.code}`])),
    );
    expect(changes.every((d) => d.verified && d.data.actor.startsWith("token:"))).toBe(true);
    const signOff = await until("the sign-off", () => r.of("chain.signed_off").find((d) => d.data.chain === chain));
    expect(signOff).toMatchObject({ verified: true, data: { chain, statement: "Every hop reviewed." } });

    const test = await call(server, `/api/v1/webhooks/${created.data.id}/test`, { method: "POST", json: {} });
    expect(test.status).toBe(202);
    const ping = await until("the test delivery", () => r.of("webhook.test").find((d) => d.id === test.data.eventId));
    expect(ping.verified).toBe(true);

    const log = await until("the log to show the test delivered", async () => {
      const page = await deliveriesOf(created.data.id);
      return page.items.find((d) => d.id === test.data.delivery && d.status === "delivered") && page;
    });
    expect(log.total).toBe(log.items.length);
    expect(log.items.every((d) => d.status === "delivered" && d.log.length === 1 && d.log[0].httpStatus === 204)).toBe(true);
    const list = await call(server, "/api/v1/webhooks");
    const mine = list.data.items.find((w: { id: string }) => w.id === created.data.id);
    expect(mine).toMatchObject({ queued: 0, lastDelivery: { status: "delivered", httpStatus: 204, error: null } });
    expect(mine.secret).toBeUndefined();
    expect((await call(server, `/api/v1/webhooks/${created.data.id}`, { method: "DELETE" })).status).toBe(204);
  });

  it("a re-check does not announce a finding again, and minSeverity keeps milder findings back", async () => {
    const r = await receiver();
    await r.start();
    const hook = await createHook({ url: r.url, events: ["finding.created"], minSeverity: "critical" });
    r.secret = hook.data.secret;
    const { chain, root, agent, items: first } = await chainWithFindings();
    // A delegation whose parent never arrived: an orphan, a warning.
    const orphan = delegateClaims({ jti: uid("never-sent"), chain }, agent.id, "agent:sub2");
    expect((await send([signToken(orphan, agent.key)]))[0].status).toBe("pending");
    const items = (await call(server, `/api/v1/findings?chain=${encodeURIComponent(chain)}`)).data.items as typeof first;
    const critical = items.filter((f) => f.severity === "critical");
    expect(critical.length).toBeGreaterThan(0);
    expect(items.some((f) => f.severity === "warning")).toBe(true);
    expect(items.length).toBeGreaterThan(first.length);
    await until("the critical findings", () => r.of("finding.created").filter((d) => d.data.finding.chain === chain).length >= critical.length);
    // Another event in the chain re-checks it: every Finding row is written anew, none is new.
    const again = invokeClaims(root, agent.id, { action: "finance/q1/report:read", resource: "db://finance" });
    expect((await send([signToken(again, agent.key)]))[0].status).toBe("accepted");
    const test = await call(server, `/api/v1/webhooks/${hook.data.id}/test`, { method: "POST", json: {} });
    await until("the test after the re-check", () => r.of("webhook.test").some((d) => d.id === test.data.eventId));
    const announced = r.of("finding.created").filter((d) => d.data.finding.chain === chain);
    expect(announced.map((d) => d.data.finding.severity)).toEqual(critical.map(() => "critical"));
    expect(new Set(announced.map((d) => `${d.data.finding.event} ${d.data.finding.code}`)).size).toBe(announced.length);
    await call(server, `/api/v1/webhooks/${hook.data.id}`, { method: "DELETE" });
  });

  it("a receiver that is down gets every delivery when it comes up, with the failed tries in the log", async () => {
    const r = await receiver();
    const hook = await createHook({ url: r.url, events: ["finding.state_changed"] });
    expect(hook.status).toBe(201);
    r.secret = hook.data.secret;
    const { items } = await chainWithFindings();
    const change = await call(server, `/api/v1/findings/${items[0].id}`, { method: "PATCH", json: { state: "acknowledged" } });
    expect(change.status).toBe(200);
    const test = await call(server, `/api/v1/webhooks/${hook.data.id}/test`, { method: "POST", json: {} });
    expect(test.status).toBe(202);

    // Nothing listens: the deliveries are tried, fail, and stay queued with a next try.
    const failing = await until("two failed tries of each delivery", async () => {
      const page = await deliveriesOf(hook.data.id);
      return page.items.length === 2 && page.items.every((d) => d.log.length >= 2) && page;
    });
    for (const d of failing.items) {
      expect(d.status).toBe("queued");
      expect(d.nextAttemptAt).not.toBeNull();
      expect(d.log.every((a: { httpStatus: number | null; error: string | null }) => a.httpStatus === null && a.error)).toBe(true);
    }
    const listed = (await call(server, "/api/v1/webhooks")).data.items.find((w: { id: string }) => w.id === hook.data.id);
    expect(listed.queued).toBe(2);

    await r.start();
    await until("both deliveries", () => r.deliveries.length >= 2, 60_000);
    expect(r.deliveries.map((d) => d.type).sort()).toEqual(["finding.state_changed", "webhook.test"]);
    expect(r.deliveries.every((d) => d.verified)).toBe(true);
    const done = await until("the log to show both delivered", async () => {
      const page = await deliveriesOf(hook.data.id);
      return page.items.every((d) => d.status === "delivered") && page;
    });
    for (const d of done.items) {
      expect(d.attempts).toBe(d.log.length);
      expect(d.log.at(-1)?.httpStatus).toBe(204);
      expect(d.log.slice(0, -1).every((a: { httpStatus: number | null }) => a.httpStatus === null)).toBe(true);
      expect(d.deliveredAt).not.toBeNull();
    }
    // Tries are spaced by the backoff: each wait at least half of 300 ms · 2^(n−1).
    const times = done.items[0].log.map((a: { at: string }) => Date.parse(a.at));
    for (let i = 1; i < Math.min(times.length, 4); i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(150 * 2 ** (i - 1) - 50);
  });
});

describe("managing webhooks", () => {
  it("only admins manage webhooks", async () => {
    const tokens: Record<string, string> = {};
    for (const role of ["viewer", "investigator", "ingest"]) {
      const t = await call(server, "/api/v1/tokens", { method: "POST", json: { name: `${role} webhooks`, role } });
      tokens[role] = t.data.token;
    }
    const hook = await createHook({ url: "https://hooks.example.com/x", events: ["chain.signed_off"] });
    expect(hook.status).toBe(201);
    for (const token of Object.values(tokens)) {
      expect((await createHook({ url: "https://hooks.example.com/y", events: ["chain.signed_off"] }, token)).status).toBe(403);
      expect((await call(server, "/api/v1/webhooks", { token })).status).toBe(403);
      expect((await call(server, `/api/v1/webhooks/${hook.data.id}`, { method: "DELETE", token })).status).toBe(403);
      expect((await call(server, `/api/v1/webhooks/${hook.data.id}/test`, { method: "POST", json: {}, token })).status).toBe(403);
      expect((await call(server, `/api/v1/webhooks/${hook.data.id}/deliveries`, { token })).status).toBe(403);
    }
    expect((await call(server, `/api/v1/webhooks/${hook.data.id}`, { method: "DELETE" })).status).toBe(204);
    for (const [method, path] of [
      ["DELETE", `/api/v1/webhooks/${hook.data.id}`],
      ["POST", `/api/v1/webhooks/${hook.data.id}/test`],
      ["GET", `/api/v1/webhooks/${hook.data.id}/deliveries`],
    ])
      expect((await call(server, path, { method, ...(method === "POST" ? { json: {} } : {}) })).status, `${method} ${path}`).toBe(404);
  });

  it("refuses bad bodies and URLs with a 400 that says why", async () => {
    for (const body of [
      { url: "https://hooks.example.com/x", events: [] },
      { url: "https://hooks.example.com/x", events: ["finding.deleted"] },
      { url: "https://hooks.example.com/x", events: ["chain.signed_off"], minSeverity: "info" },
      { url: "https://hooks.example.com/x", events: ["chain.signed_off"], secret: "mine" },
      { url: "ftp://hooks.example.com/x", events: ["chain.signed_off"] },
      { url: "https://user:pw@hooks.example.com/x", events: ["chain.signed_off"] },
    ]) {
      const res = await createHook(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.data.error.code).toBe("invalid_request");
    }
  });

  it("without DELEGRAPH_WEBHOOK_ALLOW_PRIVATE, only https on a public host is accepted", async () => {
    const shared = { url: inject("serverUrl"), token: inject("apiToken") };
    for (const url of [
      "http://hooks.example.com/x",
      "https://127.0.0.1/x",
      "https://localhost:8443/x",
      "https://169.254.169.254/latest",
      "https://[::1]/x",
    ]) {
      const res = await call(shared, "/api/v1/webhooks", { method: "POST", json: { url, events: ["chain.signed_off"] } });
      expect(res.status, url).toBe(400);
      expect(res.data.error.message).toMatch(/DELEGRAPH_WEBHOOK_ALLOW_PRIVATE/);
    }
  });
});
