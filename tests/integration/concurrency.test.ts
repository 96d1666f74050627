// Several app instances on one database keep ONE gapless, verifiable ledger and exact findings while
// they ingest at the same moment (docs/postgres.md). On PostgreSQL two server processes share a new
// database (which they race to create and migrate); on SQLite, one process takes the same traffic
// concurrently. Parents go to instance A while their children go to instance B at the same time, some
// tokens go to both, and the result must equal a plain sequential ingest of the same tokens into the
// suite's own server.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { randomBytes } from "node:crypto";
import { freshSqliteUrl, startServer, type TTestServer } from "../server";
import { dropDatabase, postgresTestUrl, testDatabaseName, withDatabase } from "../../scripts/postgres";
import { authorizeClaims, completeClaims, delegateClaims, invokeClaims, makeKey, now, signToken, uid, type TKey } from "./helpers";

const onPostgres = /^postgres(ql)?:\/\//.test(process.env.TEST_DATABASE_URL ?? "");
const CHAINS = 60;
const SLOT = 5; // chains per pair of simultaneous batches

type TTarget = { url: string; token: string };
type TResult = { jti: string | null; status: string; chain?: string; findings: { code: string }[]; error?: { code: string } };

async function call(target: TTarget, path: string, init: { method?: string; json?: unknown } = {}) {
  const res = await fetch(target.url + path, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${target.token}`, "content-type": "application/json" },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await res.text();
  if (res.status !== 200 && res.status !== 201) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

const ingest = async (target: TTarget, tokens: string[]): Promise<TResult[]> =>
  (await call(target, "/api/v1/events", { method: "POST", json: { events: tokens } })).results;

function shuffle<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomBytes(4).readUInt32BE() % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

type TPrincipal = { id: string; kind: string; key: TKey };
type TEvent = { token: string; kind: string; jti: string };
type TChain = { id: string; events: TEvent[] }; // events in causal order, parents first

function ev(claims: { jti: string; kind: string }, key: TKey): TEvent {
  return { token: signToken(claims, key), kind: claims.kind, jti: claims.jti };
}

/** Chains of several shapes: clean, escalating, revoked, forever-orphaned, too deep. */
function buildChains(p: Record<"human" | "planner" | "worker" | "attester", TPrincipal>): TChain[] {
  const chains: TChain[] = [];
  for (let i = 0; i < CHAINS; i++) {
    const shape = i % 5;
    const root = authorizeClaims(p.human.id, p.planner.id, { iat: now() - 600, ...(shape === 4 ? { max_depth: 1 } : {}) });
    const events = [ev(root, p.human.key)];
    if (shape === 0) {
      const hop = delegateClaims(root, p.planner.id, p.worker.id);
      events.push(ev(hop, p.planner.key));
      events.push(ev(invokeClaims(hop, p.worker.id), p.worker.key));
      events.push(ev(completeClaims(hop, p.worker.id), p.worker.key));
      events.push(ev(completeClaims(root, p.attester.id), p.attester.key));
    } else if (shape === 1) {
      const hop = delegateClaims(root, p.planner.id, p.worker.id, { scope: ["treasury/*:read"] });
      events.push(ev(hop, p.planner.key));
      events.push(ev(invokeClaims(hop, p.worker.id, { action: "treasury/cash:read" }), p.worker.key));
    } else if (shape === 2) {
      const before = delegateClaims(root, p.planner.id, p.worker.id, { iat: now() - 500 });
      const revoke = { kind: "revoke", jti: uid("rev"), chain: root.chain, iss: p.human.id, iat: now() - 300, target: root.jti };
      events.push(ev(before, p.planner.key), ev(revoke, p.human.key));
      events.push(ev(delegateClaims(root, p.planner.id, p.worker.id, { iat: now() - 100 }), p.planner.key));
      events.push(ev(invokeClaims(before, p.worker.id, { iat: now() - 50 }), p.worker.key));
    } else if (shape === 3) {
      events.push(ev(delegateClaims(root, p.planner.id, p.worker.id), p.planner.key));
      const lost = { jti: uid("lost"), chain: root.chain };
      events.push(ev(delegateClaims(lost, p.worker.id, p.planner.id, { scope: ["finance/q1/revenue:read"] }), p.worker.key));
    } else {
      const d1 = delegateClaims(root, p.planner.id, p.worker.id);
      const d2 = delegateClaims(d1, p.worker.id, p.planner.id, {
        scope: ["finance/q1/revenue:read"],
        purpose: { code: "finance.reporting.q1.revenue", text: "r" },
      });
      events.push(
        ev(d1, p.planner.key),
        ev(d2, p.worker.key),
        ev(invokeClaims(d2, p.planner.id, { action: "finance/q1/revenue:read" }), p.planner.key),
      );
    }
    chains.push({ id: root.chain, events });
  }
  return chains;
}

/** What a reader sees of a chain, minus ledger positions (which depend on arrival order). */
function verdicts(detail: {
  status: string;
  events: { jti: string; status: string }[];
  findings: { eventJti: string; code: string; severity: string; message: string }[];
}) {
  return {
    status: detail.status,
    events: detail.events.map((e) => `${e.jti} ${e.status}`).sort(),
    findings: detail.findings.map((f) => `${f.eventJti} ${f.code} ${f.severity} ${f.message}`).sort(),
  };
}

describe(onPostgres ? "two instances on one PostgreSQL database" : "one SQLite instance under concurrent ingest", () => {
  let servers: TTestServer[] = [];
  let a: TTarget;
  let b: TTarget;
  let databaseUrl = "";
  const reference: TTarget = { url: inject("serverUrl"), token: inject("apiToken") };

  beforeAll(async () => {
    const token = "multi-" + uid("t");
    if (onPostgres) {
      // A database that does not exist yet: both instances race to create and migrate it.
      const pg = await postgresTestUrl();
      if (!pg) throw new Error("TEST_DATABASE_URL is PostgreSQL but no server is reachable");
      databaseUrl = withDatabase(pg.base, testDatabaseName("multi"));
      servers = await Promise.all([0, 1].map(() => startServer({ databaseUrl, env: { DELEGRAPH_API_TOKEN: token } })));
    } else {
      databaseUrl = freshSqliteUrl();
      servers = [await startServer({ databaseUrl, env: { DELEGRAPH_API_TOKEN: token } })];
    }
    a = { url: servers[0].url, token };
    b = { url: servers[servers.length - 1].url, token };
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    if (onPostgres && databaseUrl) await dropDatabase(databaseUrl);
  });

  it("keeps one gapless ledger and the findings of a sequential ingest", async () => {
    const principals = {
      human: { id: `user:${uid("h")}@bank.example`, kind: "human", key: makeKey() },
      planner: { id: `agent:${uid("planner")}`, kind: "agent", key: makeKey("ES256") },
      worker: { id: `agent:${uid("worker")}`, kind: "agent", key: makeKey() },
      attester: { id: `attester:${uid("att")}`, kind: "attester", key: makeKey() },
    };
    for (const target of [a, reference]) {
      for (const p of Object.values(principals)) {
        await call(target, "/api/v1/principals", { method: "POST", json: { id: p.id, kind: p.kind, keys: [p.key.publicJwk] } });
      }
    }
    const chains = buildChains(principals);

    // Each slot of chains sends its roots to A and, at the same moment, its other events to B in two
    // shuffled batches. Every shape-0 chain's invoke also goes to A, so both instances race on one jti.
    const requests: { target: TTarget; tokens: string[] }[] = [];
    for (let s = 0; s < CHAINS; s += SLOT) {
      const slot = chains.slice(s, s + SLOT);
      const roots = slot.map((c) => c.events[0].token);
      const racing = slot.flatMap((c) =>
        c.events
          .filter((e) => e.kind === "invoke")
          .slice(0, 1)
          .map((e) => e.token),
      );
      const children = shuffle(slot.flatMap((c) => c.events.slice(1).map((e) => e.token)));
      const half = Math.ceil(children.length / 2);
      requests.push({ target: a, tokens: shuffle([...roots, ...racing]) });
      requests.push({ target: b, tokens: children.slice(0, half) }, { target: b, tokens: children.slice(half) });
    }
    const responses = await Promise.all(requests.map((r) => ingest(r.target, r.tokens)));

    const stored = new Map<string, number>(); // jti → how many submissions were stored (must be 1)
    for (const [i, results] of responses.entries()) {
      expect(results).toHaveLength(requests[i].tokens.length);
      for (const r of results) {
        expect(["accepted", "pending", "duplicate"], JSON.stringify(r)).toContain(r.status);
        if (r.status !== "duplicate") stored.set(r.jti!, (stored.get(r.jti!) ?? 0) + 1);
      }
    }
    const allEvents = chains.flatMap((c) => c.events);
    expect(stored.size).toBe(allEvents.length);
    expect([...stored.values()].every((n) => n === 1)).toBe(true);

    // One ledger, whichever instance is asked, with exactly one entry per stored event.
    const [ledgerA, ledgerB] = await Promise.all([call(a, "/api/v1/ledger/verify"), call(b, "/api/v1/ledger/verify")]);
    expect(ledgerA).toMatchObject({ ok: true, count: allEvents.length });
    expect(ledgerB).toEqual(ledgerA);

    // The same tokens, one request each in causal order, into the suite's server.
    for (const c of chains) {
      for (const e of c.events) {
        const [r] = await ingest(reference, [e.token]);
        expect(["accepted", "pending"]).toContain(r.status);
      }
    }
    for (const c of chains) {
      const [fromA, fromB, expected] = await Promise.all([a, b, reference].map((t) => call(t, `/api/v1/chains/${encodeURIComponent(c.id)}`)));
      expect(verdicts(fromA), c.id).toEqual(verdicts(expected));
      expect(verdicts(fromB), c.id).toEqual(verdicts(expected));
    }
    // The shapes really produce findings (a vacuous comparison would prove nothing).
    const sample = await call(reference, `/api/v1/chains/${encodeURIComponent(chains[1].id)}`);
    expect(sample.findings.map((f: { code: string }) => f.code)).toContain("scope_escalation");
    const orphaned = await call(reference, `/api/v1/chains/${encodeURIComponent(chains[3].id)}`);
    expect(orphaned.status).toBe("pending");
  });
});
