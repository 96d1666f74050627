// A database outage is a temporary condition, not a bug: every request answers 503 with
// Retry-After (never 500), /api/health stays up (liveness) while /api/health/ready says 503, and a
// producer using the SDK loses nothing: it keeps coming back until the database does.
// PostgreSQL: the server reaches the database through a TCP proxy the test takes down and brings
// back. SQLite: another process holds the database's write lock for longer than the server waits.
import { createServer, Socket, type Server } from "node:net";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqliteFilePath } from "@/lib/db/url";
import { DelegraphClient } from "@delegraph/sdk";
import { dropDatabase, postgresTestUrl } from "../../scripts/postgres";
import { freePort } from "../server";
import { authorizeClaims, makeKey, signToken, uid } from "./helpers";
import { call, freshDatabase, onPostgres, ownServer, type TOwnServer } from "./servers";

/** A TCP proxy to 127.0.0.1:5432 that can drop every connection and refuse new ones. */
class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  constructor(readonly port: number) {}
  async up(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(5432, "127.0.0.1");
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
  }
  async down(): Promise<void> {
    const closed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    for (const s of this.sockets) s.destroy();
    this.server = null;
    await closed;
  }
}

type TOutage = { start: () => Promise<void>; end: () => Promise<void> };

let server: TOwnServer;
let outage: TOutage;
let cleanup: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  if (onPostgres) {
    const direct = await freshDatabase();
    const proxy = new TcpProxy(await freePort());
    await proxy.up();
    const viaProxy = new URL(direct);
    viaProxy.port = String(proxy.port);
    server = await ownServer({ databaseUrl: viaProxy.toString() });
    outage = { start: () => proxy.down(), end: () => proxy.up() };
    cleanup = async () => {
      await proxy.down().catch(() => undefined);
      if ((await postgresTestUrl()) !== null) await dropDatabase(direct).catch(() => undefined);
    };
  } else {
    server = await ownServer({ env: { DELEGRAPH_SQLITE_BUSY_TIMEOUT_MS: "1500" } });
    let holder: Database.Database | null = null;
    outage = {
      start: async () => {
        holder = new Database(sqliteFilePath(server.databaseUrl));
        holder.exec("BEGIN EXCLUSIVE");
      },
      end: async () => {
        holder?.exec("ROLLBACK");
        holder?.close();
        holder = null;
      },
    };
  }
});

afterAll(async () => {
  await server?.close();
  await cleanup();
});

async function registerHuman(target: TOwnServer) {
  const human = { id: `user:${uid("h")}@bank.example`, key: makeKey() };
  const res = await call(target, "/api/v1/principals", { method: "POST", json: { id: human.id, kind: "human", keys: [human.key.publicJwk] } });
  expect(res.status).toBe(201);
  return human;
}

describe("a database outage", () => {
  it("answers 503 with Retry-After, keeps liveness, fails readiness, and recovers", async () => {
    const human = await registerHuman(server);
    const token = signToken(authorizeClaims(human.id, "agent:x"), human.key);
    expect((await call(server, "/api/health/ready")).status).toBe(200);

    await outage.start();
    try {
      const ingest = await call(server, "/api/v1/events", { method: "POST", json: { events: [token] } });
      expect(ingest.status).toBe(503);
      expect(ingest.data.error.code).toBe("service_unavailable");
      expect(Number(ingest.headers.get("retry-after"))).toBeGreaterThan(0);
      const register = await call(server, "/api/v1/principals", {
        method: "POST",
        json: { id: `agent:${uid("a")}`, kind: "agent", keys: [makeKey().publicJwk] },
      });
      expect(register.status).toBe(503);
      if (onPostgres) expect((await call(server, "/api/v1/chains")).status).toBe(503);
      expect((await call(server, "/api/health", { token: null })).status).toBe(200);
      const ready = await call(server, "/api/health/ready", { token: null });
      expect(ready.status).toBe(503);
      expect(ready.headers.get("retry-after")).toBeTruthy();
    } finally {
      await outage.end();
    }

    expect((await call(server, "/api/health/ready", { token: null })).status).toBe(200);
    const after = await call(server, "/api/v1/events", { method: "POST", json: { events: [token] } });
    expect(after.status).toBe(200);
    expect(after.data.results[0].status).toBe("accepted");
  });

  it("the SDK client keeps sending until the database is back, and nothing is lost", async () => {
    const human = await registerHuman(server);
    const tokens = Array.from({ length: 5 }, () => signToken(authorizeClaims(human.id, "agent:x"), human.key));
    await outage.start();
    const client = new DelegraphClient({
      baseUrl: server.url,
      token: server.token,
      retry: { baseDelayMs: 200, maxDelayMs: 1000, maxElapsedMs: 60_000 },
    });
    const sending = client.send(tokens);
    await new Promise((r) => setTimeout(r, 4000));
    await outage.end();
    const results = await sending;
    expect(results.map((r) => r.status)).toEqual(tokens.map(() => "accepted"));
    for (const r of results) expect((await call(server, `/api/v1/chains/${r.chain}`)).status).toBe(200);
  });
});
