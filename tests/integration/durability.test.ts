// Nothing acknowledged is ever lost: SIGKILL the server in the middle of sustained ingest, restart
// it on the same database, and find every acknowledged event and a ledger that verifies.
import { describe, expect, it } from "vitest";
import { freshSqliteUrl, startServer, type TTestServer } from "../server";
import { postgresTestUrl } from "../../scripts/postgres";
import { authorizeClaims, invokeClaims, makeKey, signToken, uid } from "./helpers";

async function call(server: TTestServer, path: string, init: RequestInit = {}) {
  const res = await fetch(server.url + path, {
    ...init,
    headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json", ...init.headers },
  });
  return { status: res.status, data: await res.json() };
}

async function freshDatabase(): Promise<string> {
  const current = process.env.TEST_DATABASE_URL ?? "";
  if (current.startsWith("postgres")) return (await postgresTestUrl())!.fresh();
  return freshSqliteUrl();
}

describe("crash safety", () => {
  it("keeps every acknowledged event across a SIGKILL mid-ingest", async () => {
    const databaseUrl = await freshDatabase();
    const token = "durability-" + uid("t");
    let server = await startServer({ databaseUrl, env: { DELEGRAPH_API_TOKEN: token } });
    server = { ...server, token };
    const human = { id: `user:${uid("h")}@bank.example`, key: makeKey() };
    const agent = { id: `agent:${uid("a")}`, key: makeKey() };
    for (const p of [
      { ...human, kind: "human" },
      { ...agent, kind: "agent" },
    ]) {
      const res = await call(server, "/api/v1/principals", {
        method: "POST",
        body: JSON.stringify({ id: p.id, kind: p.kind, keys: [p.key.publicJwk] }),
      });
      expect(res.status).toBe(201);
    }

    const acknowledged = new Map<string, string[]>(); // chain → jtis acknowledged
    let stop = false;
    let sent = 0;
    const worker = async () => {
      while (!stop) {
        const root = authorizeClaims(human.id, agent.id);
        const events = [signToken(root, human.key)];
        for (let i = 0; i < 24; i++) events.push(signToken(invokeClaims(root, agent.id, { action: "finance/q1:read" }), agent.key));
        try {
          const res = await call(server, "/api/v1/events", { method: "POST", body: JSON.stringify({ events }) });
          sent++;
          if (res.status !== 200) continue;
          const ok = res.data.results.filter((r: { status: string }) => r.status === "accepted" || r.status === "pending");
          acknowledged.set(
            root.chain,
            ok.map((r: { jti: string }) => r.jti),
          );
        } catch {
          return; // the server is gone: this request was never acknowledged
        }
      }
    };
    const workers = [worker(), worker(), worker()];
    // Let ingest run until several batches are acknowledged, then kill while requests are in flight.
    const deadline = Date.now() + 60_000;
    while (acknowledged.size < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    process.kill(-server.child.pid!, "SIGKILL");
    stop = true;
    await Promise.all(workers);
    await new Promise((r) => (server.child.exitCode !== null || server.child.signalCode !== null ? r(null) : server.child.once("exit", r)));
    expect(acknowledged.size).toBeGreaterThan(3);
    expect(sent).toBeGreaterThan(acknowledged.size - 1);

    const restarted = { ...(await startServer({ databaseUrl, env: { DELEGRAPH_API_TOKEN: token } })), token };
    try {
      let total = 0;
      for (const [chain, jtis] of acknowledged) {
        const res = await call(restarted, `/api/v1/chains/${encodeURIComponent(chain)}`);
        expect(res.status, chain).toBe(200);
        const stored = new Set(res.data.events.map((e: { jti: string }) => e.jti));
        for (const jti of jtis) expect(stored.has(jti), jti).toBe(true);
        total += jtis.length;
      }
      const ledger = await call(restarted, "/api/v1/ledger/verify");
      expect(ledger.data.ok).toBe(true);
      expect(ledger.data.count).toBeGreaterThanOrEqual(total);
    } finally {
      await restarted.stop();
    }
  });
});
