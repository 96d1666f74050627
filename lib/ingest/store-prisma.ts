// The ingest store on PostgreSQL, through the Prisma client. The steps' first phase reads through
// the client outside any transaction; the locked phase is one interactive transaction that locks the
// ledger head row FOR UPDATE first, which serialises every ingest's write across app instances, so
// the ledger stays gapless and a child and its parent landing on two instances are checked together.
import { db, type TTx } from "@/lib/db";
import { EVENT_CHECK_SELECT, toStoredEventRow } from "@/lib/chains/load";
import {
  EVENT_INSERT_COLUMNS,
  ingestSteps,
  runPhasedAsync,
  type TAsyncIngestStore,
  type TAsyncLock,
  type TCandidate,
  type TIngestResult,
} from "@/lib/ingest/steps";
import { CHAIN_SUMMARY_COLUMNS } from "@/lib/ingest/summary";

// The two writes that grow with the batch, as one statement each over a JSON parameter: through
// Prisma's createMany and one upsert per chain they were most of a batch (a 1,000-event batch
// touches ~100 chains; every upsert is a round trip through the query interpreter).
const EVENT_COLUMNS = Object.entries(EVENT_INSERT_COLUMNS);
const CHAIN_COLUMNS = Object.entries(CHAIN_SUMMARY_COLUMNS);
const names = (cols: [string, string][], prefix = "") => cols.map(([c]) => `${prefix}"${c}"`).join(", ");
const recordType = (cols: [string, string][]) => cols.map(([c, t]) => `"${c}" ${t}`).join(", ");
const INSERT_EVENTS = `INSERT INTO "Event" (${names(EVENT_COLUMNS)}, "receivedAt")
  SELECT ${names(EVENT_COLUMNS, "e.")}, $2::timestamp(3) FROM json_to_recordset($1::json) AS e(${recordType(EVENT_COLUMNS)})`;
const UPSERT_CHAINS = `INSERT INTO "Chain" (${names(CHAIN_COLUMNS)}, "lastEventAt", "createdAt")
  SELECT ${names(CHAIN_COLUMNS, "c.")}, $2::timestamp(3), $2::timestamp(3) FROM json_to_recordset($1::json) AS c(${recordType(CHAIN_COLUMNS)})
  ON CONFLICT ("id") DO UPDATE SET ${CHAIN_COLUMNS.slice(1)
    .map(([c]) => `"${c}" = excluded."${c}"`)
    .join(", ")}, "lastEventAt" = excluded."lastEventAt", "version" = "Chain"."version" + 1`;

/** The store on a transaction (the locked phase) or on the client itself (the unlocked one). */
export function prismaStore(tx: TTx): TAsyncIngestStore {
  return {
    lockHead: async () => {
      const rows = await tx.$queryRawUnsafe<{ seq: number; hash: string }[]>(`SELECT "seq", "hash" FROM "LedgerHead" WHERE "id" = 1 FOR UPDATE`);
      if (!rows[0]) throw new Error("ledger head row missing: migrations not applied");
      return { seq: Number(rows[0].seq), hash: rows[0].hash };
    },
    storedTokens: (jtis) => tx.event.findMany({ where: { jti: { in: jtis } }, select: { jti: true, token: true, chainId: true } }),
    chainVersions: (chainIds) => tx.chain.findMany({ where: { id: { in: chainIds } }, select: { id: true, version: true } }),
    dependantChains: async (jtis) =>
      (await tx.event.findMany({ where: { ref: { in: jtis } }, select: { chainId: true }, distinct: ["chainId"] })).map((d) => d.chainId),
    chainEvents: async (chainIds) =>
      (await tx.event.findMany({ where: { chainId: { in: chainIds } }, select: EVENT_CHECK_SELECT, orderBy: { seq: "asc" } })).map(toStoredEventRow),
    eventKinds: (jtis) => tx.event.findMany({ where: { jti: { in: jtis } }, select: { jti: true, chainId: true, kind: true } }),
    principalKinds: (ids) => tx.principal.findMany({ where: { id: { in: ids } }, select: { id: true, kind: true } }),
    // Ordered here rather than in SQL: Prisma splits a long IN list over several queries only when
    // the query has no ORDER BY.
    findingsOf: async (jtis) =>
      (await tx.finding.findMany({ where: { eventJti: { in: jtis } }, select: { id: true, eventJti: true, code: true, severity: true, message: true } })).sort(
        (a, b) => a.id - b.id,
      ),
    write: async (plan) => {
      const at = plan.at.toISOString();
      if (plan.events.length) await tx.$executeRawUnsafe(INSERT_EVENTS, JSON.stringify(plan.events), at);
      const chainIds = plan.recheckedChains;
      if (chainIds.length) {
        await tx.finding.deleteMany({ where: { chainId: { in: chainIds } } });
        await tx.chainScope.deleteMany({ where: { chainId: { in: chainIds } } });
        await tx.chainPrincipal.deleteMany({ where: { chainId: { in: chainIds } } });
        await tx.chainPurpose.deleteMany({ where: { chainId: { in: chainIds } } });
      }
      if (plan.chains.length) await tx.$executeRawUnsafe(UPSERT_CHAINS, JSON.stringify(plan.chains), at);
      if (plan.findings.length) await tx.finding.createMany({ data: plan.findings });
      if (plan.scopes.length) await tx.chainScope.createMany({ data: plan.scopes });
      if (plan.principals.length) await tx.chainPrincipal.createMany({ data: plan.principals });
      if (plan.purposes.length) await tx.chainPurpose.createMany({ data: plan.purposes });
      if (plan.toPending.length) await tx.event.updateMany({ where: { jti: { in: plan.toPending } }, data: { status: "pending" } });
      if (plan.toAccepted.length) await tx.event.updateMany({ where: { jti: { in: plan.toAccepted } }, data: { status: "accepted" } });
      if (plan.head) await tx.ledgerHead.update({ where: { id: 1 }, data: plan.head });
      if (plan.quarantine.length) {
        await tx.quarantine.createMany({ data: plan.quarantine.map((q) => ({ ...q, source: plan.source, receivedAt: plan.at })) });
        if (plan.source !== null)
          await tx.$executeRawUnsafe(
            `INSERT INTO "QuarantineUsage" ("source", "bytes", "rows") VALUES ($1, $2, $3)
             ON CONFLICT ("source") DO UPDATE SET "bytes" = "QuarantineUsage"."bytes" + excluded."bytes", "rows" = "QuarantineUsage"."rows" + excluded."rows"`,
            plan.source,
            plan.quarantine.reduce((n, r) => n + r.bytes, 0),
            plan.quarantine.length,
          );
      }
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

/** The locked scope on PostgreSQL: one READ COMMITTED transaction (lockHead locks the head row). */
export const prismaLock: TAsyncLock = async (inside) => (await db()).$transaction((tx) => inside(prismaStore(tx)), ingestTransactionOptions());

export async function ingestWithPrisma(candidates: TCandidate[], source: string | null = null): Promise<TIngestResult[]> {
  return runPhasedAsync(ingestSteps(candidates, new Date(), source), prismaStore(await db()), prismaLock);
}
