import { afterEach, describe, expect, it } from "vitest";
import { MAX_BATCH } from "../../../lib/contracts/events";
import { DelegraphApiError, DelegraphClient, MAX_BODY_BYTES, MAX_EVENTS_PER_REQUEST, retryWaitMs, splitBatches } from "./client";
import { startTestServer, type TRecordedRequest, type TReply, type TTestServer } from "../test/helpers";

let server: TTestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const FAST = { retries: 3, baseDelayMs: 5, maxDelayMs: 50 };

it("batches no more events per request than the server accepts", () => {
  expect(MAX_EVENTS_PER_REQUEST).toBe(MAX_BATCH);
});

async function serve(handler: (req: TRecordedRequest) => TReply | Promise<TReply>) {
  server = await startTestServer(handler);
  return { server, client: new DelegraphClient({ baseUrl: `${server.url}/`, token: "t0ken", retry: FAST }) };
}

function acceptAll(req: TRecordedRequest): TReply {
  const events = (JSON.parse(req.body) as { events: string[] }).events;
  return { status: 200, body: { results: events.map((jti) => ({ jti, status: "accepted", findings: [] })) } };
}

describe("DelegraphClient.send", () => {
  it("splits 2,500 tokens into three requests of at most 1000 and returns results in order", async () => {
    const { server, client } = await serve(acceptAll);
    const tokens = Array.from({ length: 2500 }, (_, i) => `tok-${i}`);
    const results = await client.send(tokens);

    expect(server.requests).toHaveLength(3);
    const sizes = server.requests.map((r) => (JSON.parse(r.body) as { events: string[] }).events.length);
    expect(sizes).toEqual([1000, 1000, 500]);
    for (const r of server.requests) {
      expect(r).toMatchObject({ method: "POST", path: "/api/v1/events" });
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.headers.authorization).toBe("Bearer t0ken");
    }
    expect(results.map((r) => r.jti)).toEqual(tokens);
  });

  it("retries a 503 with the identical body, then succeeds", async () => {
    let calls = 0;
    const { server, client } = await serve((req) =>
      ++calls === 1 ? { status: 503, body: { error: { code: "internal", message: "starting" } } } : acceptAll(req),
    );
    const results = await client.send(["a", "b"]);
    expect(results.map((r) => r.status)).toEqual(["accepted", "accepted"]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].body).toBe(server.requests[0].body);
  });

  it("sends the same bytes again after the ingest's admission control refused them (503, Retry-After)", async () => {
    let calls = 0;
    const atCapacity = {
      code: "service_unavailable",
      message: "The ingest is at capacity; nothing of this request was stored. Send it again in 1 s.",
    };
    const { server, client } = await serve((req) =>
      ++calls <= 2 ? { status: 503, headers: { "retry-after": "1" }, body: { error: atCapacity } } : acceptAll(req),
    );
    const results = await client.send(["a", "b", "c"]);
    expect(results.map((r) => r.status)).toEqual(["accepted", "accepted", "accepted"]);
    expect(server.requests).toHaveLength(3);
    expect(new Set(server.requests.map((r) => r.body)).size).toBe(1);
  });

  it("waits at least the server's Retry-After and up to half as much again, so producers refused together come back spread out", () => {
    expect(retryWaitMs(0, "1", 250, 30_000, () => 0)).toBe(1000);
    expect(retryWaitMs(0, "1", 250, 30_000, () => 0.5)).toBe(1250);
    expect(retryWaitMs(5, "1", 250, 30_000, () => 0.999)).toBeCloseTo(1499.5);
    expect(retryWaitMs(0, "0", 250, 30_000, () => 0.9)).toBe(0);
    expect(retryWaitMs(0, "60", 250, 30_000, () => 0)).toBe(30_000);
    // Without a usable Retry-After: the doubled backoff, jittered down by up to half.
    expect(retryWaitMs(2, null, 250, 30_000, () => 0)).toBe(500);
    expect(retryWaitMs(2, "soon", 250, 30_000, () => 1)).toBe(1000);
  });

  it("retries 429 (honouring Retry-After) and dropped connections", async () => {
    let calls = 0;
    const { server, client } = await serve((req) => {
      calls++;
      if (calls === 1) return { status: 429, headers: { "retry-after": "0" }, body: { error: { code: "rate_limited", message: "slow down" } } };
      if (calls === 2) return "destroy";
      return acceptAll(req);
    });
    expect(await client.send(["a"])).toHaveLength(1);
    expect(server.requests).toHaveLength(3);
  });

  it("gives up after the bounded retries with the server's error", async () => {
    const { server, client } = await serve(() => ({ status: 503, body: { error: { code: "internal", message: "down" } } }));
    const err = (await client.send(["a"]).catch((e: unknown) => e)) as DelegraphApiError;
    expect(err).toBeInstanceOf(DelegraphApiError);
    expect(err).toMatchObject({ status: 503, code: "internal", message: "down" });
    expect(server.requests).toHaveLength(1 + FAST.retries);
  });

  it("keeps coming back for as long as the server says to (a long outage), with no retry count", async () => {
    let calls = 0;
    server = await startTestServer((req) =>
      ++calls <= 40
        ? { status: 503, headers: { "retry-after": "0" }, body: { error: { code: "service_unavailable", message: "database down" } } }
        : acceptAll(req),
    );
    const client = new DelegraphClient({ baseUrl: server.url, token: "t", retry: { baseDelayMs: 1, maxDelayMs: 5, maxElapsedMs: 60_000 } });
    const results = await client.send(["a", "b"]);
    expect(results.map((r) => r.status)).toEqual(["accepted", "accepted"]);
    expect(server.requests).toHaveLength(41);
  });

  it("stops at maxElapsedMs with the last answer", async () => {
    server = await startTestServer(() => ({
      status: 503,
      headers: { "retry-after": "0" },
      body: { error: { code: "service_unavailable", message: "database down" } },
    }));
    const client = new DelegraphClient({ baseUrl: server.url, token: "t", retry: { baseDelayMs: 20, maxDelayMs: 20, maxElapsedMs: 150 } });
    const started = Date.now();
    const err = (await client.send(["a"]).catch((e: unknown) => e)) as DelegraphApiError;
    expect(err).toMatchObject({ status: 503, code: "service_unavailable" });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("does not retry a 4xx and surfaces it as a typed error", async () => {
    const { server, client } = await serve(() => ({ status: 400, body: { error: { code: "invalid_request", message: "too many events" } } }));
    await expect(client.send(["a"])).rejects.toMatchObject({ name: "DelegraphApiError", status: 400, code: "invalid_request" });
    expect(server.requests).toHaveLength(1);
  });

  it("reports a network failure as status 0 after retrying", async () => {
    const { server: s } = await serve(acceptAll);
    const url = s.url;
    await s.close();
    server = undefined;
    const client = new DelegraphClient({ baseUrl: url, token: "t", retry: { retries: 1, baseDelayMs: 1 } });
    await expect(client.send(["a"])).rejects.toMatchObject({ status: 0, code: "network_error" });
  });

  it("sends nothing for no tokens and refuses a short results array", async () => {
    const { server, client } = await serve(() => ({ status: 200, body: { results: [] } }));
    expect(await client.send([])).toEqual([]);
    expect(server.requests).toHaveLength(0);
    await expect(client.send(["a"])).rejects.toMatchObject({ code: "invalid_response" });
  });

  it("sendOne posts application/jwt", async () => {
    const { server, client } = await serve(() => ({ status: 200, body: { results: [{ jti: "x", status: "duplicate", findings: [] }] } }));
    const result = await client.sendOne("h.p.s");
    expect(result.status).toBe("duplicate");
    expect(server.requests[0].headers["content-type"]).toBe("application/jwt");
    expect(server.requests[0].body).toBe("h.p.s");
  });
});

describe("splitBatches", () => {
  it("also keeps each body under the 1 MiB limit", () => {
    const big = "x".repeat(300_000);
    const batches = splitBatches([big, big, big, big, "small"]);
    expect(batches.map((b) => b.length)).toEqual([3, 2]);
    for (const b of batches) expect(Buffer.byteLength(JSON.stringify({ events: b }))).toBeLessThanOrEqual(MAX_BODY_BYTES);
  });
});

describe("DelegraphClient other routes", () => {
  it("registerPrincipal: 201 created, 409 tolerated only with ifMissing", async () => {
    const seen = new Set<string>();
    const { server, client } = await serve((req) => {
      const { id } = JSON.parse(req.body) as { id: string };
      if (seen.has(id)) return { status: 409, body: { error: { code: "conflict", message: `principal ${id} exists` } } };
      seen.add(id);
      return { status: 201, body: { id } };
    });
    const input = {
      id: "agent:planner",
      kind: "agent" as const,
      keys: [{ kty: "OKP", crv: "Ed25519", x: "AA", kid: "k", alg: "EdDSA" as const, use: "sig" as const }],
    };
    expect(await client.registerPrincipal(input)).toEqual({ created: true });
    expect(await client.registerPrincipal(input, { ifMissing: true })).toEqual({ created: false });
    await expect(client.registerPrincipal(input)).rejects.toMatchObject({ status: 409, code: "conflict" });
    expect(server.requests[0]).toMatchObject({ method: "POST", path: "/api/v1/principals" });
    expect(JSON.parse(server.requests[0].body)).toEqual(input);
  });

  it("encodes ids in paths and passes filters as query parameters", async () => {
    const { server, client } = await serve((req) => {
      if (req.path.startsWith("/api/v1/chains/")) return { status: 200, body: { id: "x" } };
      if (req.path === "/api/v1/chains") return { status: 200, body: { items: [], nextCursor: null } };
      if (req.path === "/api/v1/ledger/verify") return { status: 200, body: { ok: true, count: 3, head: "ab" } };
      return { status: 200, body: { ok: true } };
    });
    await client.revokeKey("agent:reconciler/instance 1", "key/1?", 1_700_000_000);
    await client.revokeKey("agent:a", "k");
    await client.getChain("auth_1/../x");
    expect(await client.listChains({ status: "violation", principal: "user:a@b.example", limit: 20, q: undefined })).toEqual({
      items: [],
      nextCursor: null,
    });
    expect(await client.verifyLedger()).toEqual({ ok: true, count: 3, head: "ab" });

    const raw = server.requests.map((r) => r.path);
    expect(raw[0]).toBe("/api/v1/principals/agent%3Areconciler%2Finstance%201/keys/key%2F1%3F/revoke");
    expect(JSON.parse(server.requests[0].body)).toEqual({ at: 1_700_000_000 });
    expect(JSON.parse(server.requests[1].body)).toEqual({});
    expect(raw[2]).toBe("/api/v1/chains/auth_1%2F..%2Fx");
    expect(Object.fromEntries(server.requests[3].query)).toEqual({ status: "violation", principal: "user:a@b.example", limit: "20" });
    expect(server.requests[4]).toMatchObject({ method: "GET", path: "/api/v1/ledger/verify" });
  });

  it("maps a non-JSON error body to an http_<status> code", async () => {
    const { client } = await serve(() => ({ status: 404 }));
    await expect(client.getChain("nope")).rejects.toMatchObject({ status: 404, code: "http_404" });
  });
});
