// The ingest store on the embedded SQLite database: prepared statements on the direct connection
// (lib/ingest/sqlite.ts). The steps' first phase reads outside any transaction; the locked phase runs
// synchronously inside inWriteTransaction (BEGIN IMMEDIATE: SQLite's write lock).
import { fromSqliteDate, IN_LIST, inWriteTransaction, sqliteStatement, toSqliteDate } from "@/lib/ingest/sqlite";
import type { TStoredEventRow, TExternalRow, TPrincipalKindRow } from "@/lib/chains/load";
import {
  EVENT_INSERT_COLUMNS,
  ingestSteps,
  runPhasedSync,
  type TCandidate,
  type TFindingRow,
  type TIngestResult,
  type TIngestStore,
  type TSyncLock,
  type TWritePlan,
} from "@/lib/ingest/steps";
import { CHAIN_SUMMARY_COLUMNS } from "@/lib/ingest/summary";

const CHAIN_COLUMNS = [...Object.keys(CHAIN_SUMMARY_COLUMNS), "lastEventAt"];
const EVENT_COLUMNS = [...Object.keys(EVENT_INSERT_COLUMNS), "receivedAt"];
const quoted = (columns: string[]) => columns.map((c) => `"${c}"`).join(", ");
const placeholders = (columns: string[]) => columns.map(() => "?").join(", ");

export const REGISTRY_SQL = `SELECT p."id", p."kind", k."kid", k."jwk", k."revokedAt", k."thumbprint" FROM "Principal" p
  LEFT JOIN "PrincipalKey" k ON k."principalId" = p."id" WHERE p."id" IN ${IN_LIST}`;

function statements() {
  const q = sqliteStatement;
  return {
    head: q(`SELECT "seq", "hash" FROM "LedgerHead" WHERE "id" = 1`),
    storedTokens: q(`SELECT "jti", "token", "chainId" FROM "Event" WHERE "jti" IN ${IN_LIST}`),
    chainVersions: q(`SELECT "id", "version" FROM "Chain" WHERE "id" IN ${IN_LIST}`),
    dependantChains: q(`SELECT DISTINCT "chainId" FROM "Event" WHERE "ref" IN ${IN_LIST}`).pluck(),
    // receivedAt only where a check can use it (TStoredEventRow): no date to convert on every row.
    chainEvents: q(
      `SELECT "seq", "jti", "chainId", "claims", "status", "ref", "keyRevokedAt", CASE WHEN "keyRevokedAt" IS NULL THEN NULL ELSE "receivedAt" END AS "receivedAt"
       FROM "Event" WHERE "chainId" IN ${IN_LIST} ORDER BY "seq"`,
    ),
    eventKinds: q(`SELECT "jti", "chainId", "kind" FROM "Event" WHERE "jti" IN ${IN_LIST}`),
    principalKinds: q(`SELECT "id", "kind" FROM "Principal" WHERE "id" IN ${IN_LIST}`),
    findingsOf: q(`SELECT "id", "eventJti", "code", "severity", "message" FROM "Finding" WHERE "eventJti" IN ${IN_LIST} ORDER BY "id"`),
    insertEvent: q(
      `INSERT INTO "Event" (${quoted(EVENT_COLUMNS)}) VALUES (${placeholders(EVENT_COLUMNS)})`,
    ),
    deleteFindings: q(`DELETE FROM "Finding" WHERE "chainId" IN ${IN_LIST}`),
    upsertChain: q(
      `INSERT INTO "Chain" (${quoted(CHAIN_COLUMNS)}, "createdAt") VALUES (${placeholders(CHAIN_COLUMNS)}, ?)
       ON CONFLICT ("id") DO UPDATE SET ${CHAIN_COLUMNS.slice(1).map((c) => `"${c}" = excluded."${c}"`).join(", ")}, "version" = "Chain"."version" + 1`,
    ),
    insertFinding: q(`INSERT INTO "Finding" ("chainId", "eventJti", "code", "severity", "message") VALUES (?, ?, ?, ?, ?)`),
    insertScope: q(`INSERT INTO "ChainScope" ("chainId", "scope") VALUES (?, ?) ON CONFLICT DO NOTHING`),
    insertPrincipal: q(`INSERT INTO "ChainPrincipal" ("chainId", "principalId") VALUES (?, ?) ON CONFLICT DO NOTHING`),
    insertPurpose: q(`INSERT INTO "ChainPurpose" ("chainId", "purposeCode") VALUES (?, ?) ON CONFLICT DO NOTHING`),
    setStatus: q(`UPDATE "Event" SET "status" = ? WHERE "jti" IN ${IN_LIST}`),
    setHead: q(`UPDATE "LedgerHead" SET "seq" = ?, "hash" = ? WHERE "id" = 1`),
    insertQuarantine: q(`INSERT INTO "Quarantine" ("receivedAt", "jti", "code", "message", "raw", "source", "bytes") VALUES (?, ?, ?, ?, ?, ?, ?)`),
    addQuarantineUsage: q(
      `INSERT INTO "QuarantineUsage" ("source", "bytes", "rows") VALUES (?, ?, ?)
       ON CONFLICT ("source") DO UPDATE SET "bytes" = "QuarantineUsage"."bytes" + excluded."bytes", "rows" = "QuarantineUsage"."rows" + excluded."rows"`,
    ),
  };
}

const json = (list: string[]) => JSON.stringify(list);

export function sqliteStore(): TIngestStore {
  const sql = statements();
  return {
    lockHead: () => {
      const row = sql.head.get() as { seq: number; hash: string } | undefined;
      if (!row) throw new Error("ledger head row missing: migrations not applied");
      return { seq: Number(row.seq), hash: row.hash };
    },
    storedTokens: (jtis) => sql.storedTokens.all(json(jtis)) as { jti: string; token: string; chainId: string }[],
    chainVersions: (chainIds) => sql.chainVersions.all(json(chainIds)) as { id: string; version: number }[],
    dependantChains: (jtis) => sql.dependantChains.all(json(jtis)) as string[],
    chainEvents: (chainIds) => {
      const rows = sql.chainEvents.all(json(chainIds)) as { receivedAt: string | number | null }[];
      // The stored date as a NumericDate, in place: only the few rows that carry one.
      for (const r of rows) if (typeof r.receivedAt === "string") r.receivedAt = fromSqliteDate(r.receivedAt).getTime() / 1000;
      return rows as TStoredEventRow[];
    },
    eventKinds: (jtis) => sql.eventKinds.all(json(jtis)) as TExternalRow[],
    principalKinds: (ids) => sql.principalKinds.all(json(ids)) as TPrincipalKindRow[],
    findingsOf: (jtis) => sql.findingsOf.all(json(jtis)) as TFindingRow[],
    write: (plan: TWritePlan) => {
      const at = toSqliteDate(plan.at);
      for (const e of plan.events) {
        sql.insertEvent.run(e.seq, e.jti, e.chainId, e.kind, e.iss, e.aud, e.ref, e.iat, e.exp, e.status, e.alg, e.kid, e.token, e.claims, e.purposeCode, e.prevHash, e.hash, e.keyRevokedAt, at);
      }
      if (plan.recheckedChains.length) sql.deleteFindings.run(json(plan.recheckedChains));
      for (const c of plan.chains) {
        sql.upsertChain.run(
          c.id,
          c.status,
          c.rootJti,
          c.rootIss,
          c.rootAud,
          c.purposeCode,
          c.purposeText,
          c.startedAt,
          c.hopCount,
          c.eventCount,
          c.criticalCount,
          c.errorCount,
          c.warningCount,
          c.findingCodes,
          c.evidenceDue,
          c.openGrantExps,
          c.searchText,
          at,
          at,
        );
      }
      for (const f of plan.findings) sql.insertFinding.run(f.chainId, f.eventJti, f.code, f.severity, f.message);
      for (const r of plan.scopes) sql.insertScope.run(r.chainId, r.scope);
      for (const r of plan.principals) sql.insertPrincipal.run(r.chainId, r.principalId);
      for (const r of plan.purposes) sql.insertPurpose.run(r.chainId, r.purposeCode);
      if (plan.toPending.length) sql.setStatus.run("pending", json(plan.toPending));
      if (plan.toAccepted.length) sql.setStatus.run("accepted", json(plan.toAccepted));
      if (plan.head) sql.setHead.run(plan.head.seq, plan.head.hash);
      for (const r of plan.quarantine) sql.insertQuarantine.run(at, r.jti, r.code, r.message, r.raw, plan.source, r.bytes);
      if (plan.source !== null && plan.quarantine.length)
        sql.addQuarantineUsage.run(plan.source, plan.quarantine.reduce((n, r) => n + r.bytes, 0), plan.quarantine.length);
    },
  };
}

/** The locked scope on SQLite: one BEGIN IMMEDIATE … COMMIT on the direct connection. */
export const sqliteLock: TSyncLock = (inside) => inWriteTransaction(() => inside(sqliteStore()));

export function ingestWithSqlite(candidates: TCandidate[], source: string | null = null): Promise<TIngestResult[]> {
  return runPhasedSync(ingestSteps(candidates, new Date(), source), sqliteStore(), sqliteLock);
}
