// The overview's totals read the ledger head and the per-status counts instead of counting every
// Event and Chain row (docs/benchmarks.md, "Growth"): they must stay the exact counts, through
// accepted, pending, duplicate and rejected sends, violations and read-time warnings.
import { beforeAll, describe, expect, it } from "vitest";
import { ingest, registerActor, useFreshDatabase, type TActor } from "@/lib/reports/test-fixtures";
import { signToken } from "@/lib/protocol/test-helpers";

let human: TActor;
let agent: TActor;
const t0 = Math.floor(Date.now() / 1000);
const sign = (a: TActor, claims: Record<string, unknown>) => signToken(a.key, { v: 1, iss: a.id, ...claims });
const root = (chain: string, exp = t0 + 3600) =>
  sign(human, {
    kind: "authorize",
    jti: chain,
    chain,
    aud: agent.id,
    iat: t0 - 100,
    exp,
    scope: ["fin/*:read"],
    purpose: { code: "fin", text: "Q1" },
  });
const invoke = (chain: string, jti: string, action = "fin/q1:read") =>
  sign(agent, { kind: "invoke", jti, chain, grant: chain, iat: t0 - 50, action, resource: `warehouse://${action}` });

async function exact() {
  const { stores } = await import("@/lib/db");
  const s = await stores();
  const counts = await s.insights.counts(t0);
  return { counts, events: await s.eventCount() };
}

beforeAll(async () => {
  await useFreshDatabase();
  human = await registerActor("user:counts-human", "human");
  agent = await registerActor("agent:counts-agent", "agent");
}, 120_000);

describe("overview totals", () => {
  it("are zero on an empty store", async () => {
    const { counts, events } = await exact();
    expect(events).toBe(0);
    expect(counts).toMatchObject({ chains: 0, events: 0, byStatus: [] });
  });

  it("equal COUNT(*) of events and of chains through every kind of send", async () => {
    const { getStats } = await import("./queries");
    await ingest([root("c1"), invoke("c1", "c1.i1"), root("c2"), invoke("c2", "c2.i1", "hr/salaries:read")]); // c2: a violation
    await ingest([invoke("c3", "c3.i1")]); // no root: pending
    await ingest([root("c1"), invoke("c1", "c1.i2")]); // a duplicate and a new one
    await ingest([root("c4", t0 - 10)]); // expired grant, no complete: a read-time warning
    const { ingestBatch } = await import("@/lib/ingest/ingest");
    expect((await ingestBatch([sign(agent, { kind: "invoke", jti: "bad" })]))[0].status).toBe("rejected"); // never on the ledger
    const { counts, events } = await exact();
    expect(events).toBe(7);
    expect(counts.events).toBe(events);
    const { stores } = await import("@/lib/db");
    const chains = await (await stores()).chains.countRows({}, t0);
    expect(chains).toBe(4);
    expect(counts.chains).toBe(chains);
    expect(counts.byStatus.reduce((n, r) => n + r.count, 0)).toBe(chains);
    const stats = await getStats(t0);
    expect(stats.totalEvents).toBe(7);
    expect(stats.totalChains).toBe(4);
    expect(Object.values(stats.chainsByStatus).reduce((n, c) => n + c, 0)).toBe(4);
  }, 60_000);
});
