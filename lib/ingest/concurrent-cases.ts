// Concurrent batches through the real ingest (verification on the thread pool, the two phases, the
// commit) on a real database, written once and run on both: concurrent.db.test.ts (SQLite, whose
// write lock and group sync serialise the batches) and concurrent.postgres.db.test.ts (PostgreSQL,
// whose ledger-head row lock does, on a pipelined connection). Batches that touch the same chains
// are serialised: each takes whole a block of ledger positions, and each verdict is the one the store
// gave at that batch's commit, whichever order the scheduler chose. The oracle for these chains:
// an event is `pending` in its own result exactly when its own reference was not stored before it
// (docs/protocol.md §5, "Pending"), and once every batch is in, every event is accepted.
import { beforeAll, describe, expect, it } from "vitest";
import { registerActor, type TActor } from "@/lib/reports/test-fixtures";
import { signToken } from "@/lib/protocol/test-helpers";
import type { TIngestResult } from "@/lib/contracts/events";

let n = 0;
const tag = () => `${Date.now().toString(36)}${(n++).toString(36)}`;
const now = () => Math.floor(Date.now() / 1000);

type TEvent = { jti: string; ref: string | null; token: string };

/** root (human → planner), delegate (planner → analyst), then `invokes` invokes by the analyst. */
function chainOf(human: TActor, planner: TActor, analyst: TActor, invokes: number): TEvent[] {
  const t = now();
  const chain = `c-${tag()}`;
  const sign = (a: TActor, claims: Record<string, unknown>) => signToken(a.key, { v: 1, chain, ...claims });
  const events: TEvent[] = [
    {
      jti: chain,
      ref: null,
      token: sign(human, {
        kind: "authorize",
        jti: chain,
        iss: human.id,
        aud: planner.id,
        iat: t - 60,
        exp: t + 3600,
        scope: ["finance/*:read"],
        purpose: { code: "finance.reporting", text: "Q1 report" },
      }),
    },
    {
      jti: `${chain}-d`,
      ref: chain,
      token: sign(planner, {
        kind: "delegate",
        jti: `${chain}-d`,
        iss: planner.id,
        parent: chain,
        aud: analyst.id,
        iat: t - 50,
        exp: t + 1800,
        scope: ["finance/q1/*:read"],
        purpose: { code: "finance.reporting.q1", text: "Q1 figures" },
      }),
    },
  ];
  for (let i = 0; i < invokes; i++)
    events.push({
      jti: `${chain}-i${i}`,
      ref: `${chain}-d`,
      token: sign(analyst, {
        kind: "invoke",
        jti: `${chain}-i${i}`,
        iss: analyst.id,
        grant: `${chain}-d`,
        iat: t - 40 + i,
        action: "finance/q1/revenue:read",
        resource: "https://ledger.bank.example/q1/revenue",
      }),
    });
  return events;
}

async function stored(jtis: string[]): Promise<Map<string, { seq: number; status: string }>> {
  const { prisma } = await (await import("@/lib/db")).database();
  const rows = await prisma.event.findMany({ where: { jti: { in: jtis } }, select: { jti: true, seq: true, status: true } });
  return new Map(rows.map((r) => [r.jti, { seq: r.seq, status: r.status }]));
}

/** Checks every batch's results against the commit order the ledger records, and the final state. */
async function expectSerialised(batches: TEvent[][], results: TIngestResult[][]) {
  const all = batches.flat();
  const rows = await stored(all.map((e) => e.jti));
  expect(rows.size).toBe(all.length);
  batches.forEach((batch, b) => {
    // A batch's events take consecutive ledger positions: no other batch committed in between.
    const seqs = batch.map((e) => rows.get(e.jti)!.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));
    batch.forEach((e, i) => {
      const before = e.ref === null || rows.get(e.ref)!.seq < rows.get(e.jti)!.seq;
      expect(results[b][i], e.jti).toMatchObject({ jti: e.jti, status: before ? "accepted" : "pending" });
    });
  });
  for (const e of all) expect(rows.get(e.jti)!.status, e.jti).toBe("accepted");
  const { verifyLedger } = await import("@/lib/ledger/verify");
  expect(await verifyLedger()).toMatchObject({ ok: true });
}

/** The cases, on the database DATABASE_URL names (fresh and migrated by the calling file). */
export function defineConcurrentTests(kind: "SQLite" | "PostgreSQL") {
  describe(`concurrent batches on ${kind}`, () => {
    let human: TActor, planner: TActor, analyst: TActor;
    let ingestBatch: typeof import("@/lib/ingest/ingest").ingestBatch;
    let verifyLedger: typeof import("@/lib/ledger/verify").verifyLedger;
    beforeAll(async () => {
      ({ ingestBatch } = await import("@/lib/ingest/ingest"));
      ({ verifyLedger } = await import("@/lib/ledger/verify"));
      human = await registerActor(`user:h-${tag()}@bank.example`, "human");
      planner = await registerActor(`agent:p-${tag()}`, "agent");
      analyst = await registerActor(`agent:a-${tag()}`, "agent");
    });

    it("two concurrent batches on one chain: the invokes' verdicts follow whichever committed first", async () => {
      for (let round = 0; round < 6; round++) {
        const events = chainOf(human, planner, analyst, 20);
        const grants = events.slice(0, 2);
        const invokes = events.slice(2);
        // Sent in both orders: which batch commits first is the scheduler's choice either way.
        const batches = round % 2 === 0 ? [grants, invokes] : [invokes, grants];
        const results = await Promise.all(batches.map((b) => ingestBatch(b.map((e) => e.token))));
        await expectSerialised(batches, results);
      }
    });

    it("interleaved chains: each batch holds one hop of every chain, all sent at once", async () => {
      const chains = Array.from({ length: 12 }, () => chainOf(human, planner, analyst, 3));
      const batches = chains[0].map((_, hop) => chains.map((c) => c[hop]));
      const results = await Promise.all(batches.map((b) => ingestBatch(b.map((e) => e.token))));
      await expectSerialised(batches, results);
      // The same tokens again, concurrently: every one a duplicate, nothing new in the ledger.
      const head = await verifyLedger();
      const again = await Promise.all(batches.map((b) => ingestBatch(b.map((e) => e.token))));
      for (const r of again.flat()) expect(r.status).toBe("duplicate");
      expect((await verifyLedger()).count).toBe(head.count);
    });
  });
}
