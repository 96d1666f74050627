// Admission control on POST /api/v1/events (lib/ingest/admission.ts): past the bound of events
// admitted and not yet answered, a request is refused at once with 503, Retry-After and the error
// envelope, and nothing of it is stored; the admitted ones are stored, and the SDK's client comes
// back until it is admitted. The queue is held full without timing: another process holds the
// SQLite write lock, so an admitted batch waits inside the ingest (admitted, not answered) until the
// test lets go. An empty batch is the probe: it is refused while the queue is full and otherwise
// answered at once (it needs no write lock), so the test knows when the held batch is admitted.
// The refusals here are answered by scripts/server.mjs (the probes authenticated the token moments
// before), so the early path's envelope and headers are the ones checked.
// SQLite only: the counter is the same on PostgreSQL, and holding the lock is SQLite's here.
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqliteFilePath } from "@/lib/db/url";
import { DelegraphClient } from "@delegraph/sdk";
import { authorizeClaims, makeKey, signToken, uid } from "./helpers";
import { call, onPostgres, ownServer, type TOwnServer } from "./servers";

const BOUND = 3;
let server: TOwnServer;

beforeAll(async () => {
  if (onPostgres) return;
  server = await ownServer({ env: { DELEGRAPH_INGEST_MAX_QUEUED_EVENTS: String(BOUND), DELEGRAPH_SQLITE_BUSY_TIMEOUT_MS: "120000" } });
});

afterAll(async () => {
  await server?.close();
});

async function registerHuman() {
  const human = { id: `user:${uid("h")}@bank.example`, key: makeKey() };
  const res = await call(server, "/api/v1/principals", { method: "POST", json: { id: human.id, kind: "human", keys: [human.key.publicJwk] } });
  expect(res.status).toBe(201);
  return human;
}

const jtiOf = (token: string) => (JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8")) as { jti: string }).jti;
const postEvents = (events: unknown[]) => call(server, "/api/v1/events", { method: "POST", json: { events } });

/** Holds SQLite's write lock from another connection while `body` runs. */
async function withWriteLockHeld<T>(body: () => Promise<T>): Promise<T> {
  const holder = new Database(sqliteFilePath(server.databaseUrl));
  holder.exec("BEGIN EXCLUSIVE");
  try {
    return await body();
  } finally {
    holder.exec("ROLLBACK");
    holder.close();
  }
}

/** Sends empty batches until one is refused: the queue is full. Fails after 300 tries (~30 s). */
async function untilQueueFull(): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const probe = await postEvents([]);
    if (probe.status === 503) return;
    expect(probe.status).toBe(200);
    expect(probe.data.results).toEqual([]);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the held batch was never admitted");
}

describe.skipIf(onPostgres)("admission control on POST /api/v1/events", () => {
  it("refuses past the bound with 503, Retry-After and the envelope, stores nothing of it, and stores what it admitted", async () => {
    const human = await registerHuman();
    const held = Array.from({ length: BOUND }, () => signToken(authorizeClaims(human.id, "agent:x"), human.key));
    const refused = [signToken(authorizeClaims(human.id, "agent:x"), human.key)];
    const refusedJwt = signToken(authorizeClaims(human.id, "agent:x"), human.key);

    const { first, answers } = await withWriteLockHeld(async () => {
      const first = postEvents(held);
      await untilQueueFull();
      const answers = [
        await postEvents(refused),
        await call(server, "/api/v1/events", { method: "POST", headers: { "content-type": "application/jwt" }, body: refusedJwt }),
      ];
      // Authentication still comes first: a wrong token is a 401 while the queue is full.
      const stranger = await call(server, "/api/v1/events", { method: "POST", json: { events: refused }, token: "not-a-token" });
      expect(stranger.status).toBe(401);
      expect(stranger.data.error.code).toBe("unauthorized");
      return { first, answers };
    });

    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.headers.get("retry-after")).toBe("1");
      // the early answer carries the fixed headers of every API answer (lib/api-headers.mjs)
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
      expect(answer.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(answer.data.error.code).toBe("service_unavailable");
      expect(answer.data.error.message).toMatch(/ingest is at capacity/);
      expect(answer.data.error.message).not.toMatch(/database/);
    }
    const admitted = await first;
    expect(admitted.status).toBe(200);
    expect(admitted.data.results.map((r: { status: string }) => r.status)).toEqual(held.map(() => "accepted"));
    for (const token of held) expect((await call(server, `/api/v1/events/${jtiOf(token)}`)).status).toBe(200);

    // Nothing of the refused requests was stored: not as events, not on the quarantine.
    for (const token of [...refused, refusedJwt]) expect((await call(server, `/api/v1/events/${jtiOf(token)}`)).status).toBe(404);
    const quarantine = await call(server, "/api/v1/quarantine");
    expect(quarantine.status).toBe(200);
    expect(quarantine.data.items).toEqual([]);

    // With the queue empty again they get in, as new events (not duplicates).
    const again = await postEvents([...refused, refusedJwt]);
    expect(again.status).toBe(200);
    expect(again.data.results.map((r: { status: string }) => r.status)).toEqual(["accepted", "accepted"]);
  });

  it("admits a batch larger than the bound when nothing is queued", async () => {
    const human = await registerHuman();
    const big = Array.from({ length: BOUND * 3 }, () => signToken(authorizeClaims(human.id, "agent:x"), human.key));
    const answer = await postEvents(big);
    expect(answer.status).toBe(200);
    expect(answer.data.results.map((r: { status: string }) => r.status)).toEqual(big.map(() => "accepted"));
  });

  it("the SDK's client waits out the refusals and gets in once the queue drains", async () => {
    const human = await registerHuman();
    const held = Array.from({ length: BOUND }, () => signToken(authorizeClaims(human.id, "agent:x"), human.key));
    const tokens = Array.from({ length: 2 }, () => signToken(authorizeClaims(human.id, "agent:x"), human.key));
    let calls = 0;
    let refusals = 0;
    const client = new DelegraphClient({
      baseUrl: server.url,
      token: server.token,
      retry: { maxElapsedMs: 60_000 },
      fetch: async (input, init) => {
        calls++;
        const res = await fetch(input, init);
        if (res.status === 503) refusals++;
        return res;
      },
    });
    const { first, sending } = await withWriteLockHeld(async () => {
      const first = postEvents(held);
      await untilQueueFull();
      const sending = client.send(tokens);
      // The client's first attempt is refused while the lock is held.
      for (let i = 0; i < 300 && refusals === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(refusals).toBeGreaterThan(0);
      return { first, sending };
    });
    expect((await first).status).toBe(200);
    const results = await sending;
    expect(results.map((r) => r.status)).toEqual(tokens.map(() => "accepted"));
    expect(calls).toBeGreaterThan(refusals);
    for (const token of tokens) expect((await call(server, `/api/v1/events/${jtiOf(token)}`)).status).toBe(200);
  });
});
