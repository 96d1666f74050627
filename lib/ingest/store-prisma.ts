// The ingest store on PostgreSQL, through the Prisma client inside one interactive transaction.
// The ledger head row is locked FOR UPDATE first, which serialises every ingest transaction across
// app instances, so the ledger stays gapless and a child and its parent landing on two instances
// are checked together.
import { db, type TTx } from "@/lib/db";
import { ingestSteps, runAsync, type TAsyncIngestStore, type TCandidate, type TIngestResult } from "@/lib/ingest/steps";

function prismaStore(tx: TTx): TAsyncIngestStore {
  return {
    lockHead: async () => {
      const rows = await tx.$queryRawUnsafe<{ seq: number; hash: string }[]>(`SELECT "seq", "hash" FROM "LedgerHead" WHERE "id" = 1 FOR UPDATE`);
      if (!rows[0]) throw new Error("ledger head row missing: migrations not applied");
      return { seq: Number(rows[0].seq), hash: rows[0].hash };
    },
    storedTokens: (jtis) => tx.event.findMany({ where: { jti: { in: jtis } }, select: { jti: true, token: true, chainId: true } }),
    dependantChains: async (jtis) =>
      (await tx.event.findMany({ where: { ref: { in: jtis } }, select: { chainId: true }, distinct: ["chainId"] })).map((d) => d.chainId),
    chainEvents: (chainIds) =>
      tx.event.findMany({
        where: { chainId: { in: chainIds } },
        select: { seq: true, jti: true, chainId: true, claims: true, status: true, ref: true },
        orderBy: { seq: "asc" },
      }),
    eventKinds: (jtis) => tx.event.findMany({ where: { jti: { in: jtis } }, select: { jti: true, chainId: true, kind: true } }),
    principalKinds: (ids) => tx.principal.findMany({ where: { id: { in: ids } }, select: { id: true, kind: true } }),
    // Ordered here rather than in SQL: Prisma splits a long IN list over several queries only when
    // the query has no ORDER BY.
    findingsOf: async (jtis) =>
      (await tx.finding.findMany({ where: { eventJti: { in: jtis } }, select: { id: true, eventJti: true, code: true, severity: true, message: true } })).sort(
        (a, b) => a.id - b.id,
      ),
    write: async (plan) => {
      if (plan.events.length) await tx.event.createMany({ data: plan.events.map((e) => ({ ...e, receivedAt: plan.at })) });
      const chainIds = plan.recheckedChains;
      if (chainIds.length) {
        await tx.finding.deleteMany({ where: { chainId: { in: chainIds } } });
        await tx.chainScope.deleteMany({ where: { chainId: { in: chainIds } } });
        await tx.chainPrincipal.deleteMany({ where: { chainId: { in: chainIds } } });
        await tx.chainPurpose.deleteMany({ where: { chainId: { in: chainIds } } });
      }
      for (const row of plan.chains) {
        await tx.chain.upsert({
          where: { id: row.id },
          create: { ...row, lastEventAt: plan.at, createdAt: plan.at },
          update: { ...row, lastEventAt: plan.at, version: { increment: 1 } },
        });
      }
      if (plan.findings.length) await tx.finding.createMany({ data: plan.findings });
      if (plan.scopes.length) await tx.chainScope.createMany({ data: plan.scopes });
      if (plan.principals.length) await tx.chainPrincipal.createMany({ data: plan.principals });
      if (plan.purposes.length) await tx.chainPurpose.createMany({ data: plan.purposes });
      if (plan.toPending.length) await tx.event.updateMany({ where: { jti: { in: plan.toPending } }, data: { status: "pending" } });
      if (plan.toAccepted.length) await tx.event.updateMany({ where: { jti: { in: plan.toAccepted } }, data: { status: "accepted" } });
      if (plan.head) await tx.ledgerHead.update({ where: { id: 1 }, data: plan.head });
      if (plan.quarantine.length) await tx.quarantine.createMany({ data: plan.quarantine.map((q) => ({ ...q, receivedAt: plan.at })) });
    },
  };
}

/**
 * The lock above only serialises correctly under READ COMMITTED, where each later statement sees
 * what the previous holder committed. Under a server default of REPEATABLE READ or SERIALIZABLE the
 * snapshot predates the lock wait, and every ingest that waited would fail with 40001. So the
 * transaction asks for READ COMMITTED explicitly.
 */
function ingestTransactionOptions() {
  const options = { timeout: 120_000, maxWait: 60_000 };
  // The client is typed as SQLite's, whose isolation levels do not include ReadCommitted.
  return { ...options, isolationLevel: "ReadCommitted" } as typeof options;
}

export async function ingestWithPrisma(candidates: TCandidate[]): Promise<TIngestResult[]> {
  const prisma = await db();
  return prisma.$transaction((tx) => runAsync(ingestSteps(candidates, new Date()), prismaStore(tx)), ingestTransactionOptions());
}
