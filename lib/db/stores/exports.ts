// The exports' reads: event rows page by page for the CSV exports (on SQLite through the direct
// connection: every row through Prisma's query interpreter cost ~50 µs, most of an export's time),
// and what an evidence bundle or a chain report adds to a chain read (events elsewhere, keys,
// principals, the covering checkpoint).
import type Database from "better-sqlite3";
import type { Prisma } from "@/generated/sqlite/client";
import type { TDatabase, TPrisma } from "../connect";
import { IN_LIST, isoOfStored, statement } from "../sqlite";

const EVENT_SELECT = {
  seq: true,
  jti: true,
  chainId: true,
  kind: true,
  status: true,
  alg: true,
  kid: true,
  token: true,
  claims: true,
  prevHash: true,
  hash: true,
  receivedAt: true,
} as const satisfies Prisma.EventSelect;
type TEventRowStored = Prisma.EventGetPayload<{ select: typeof EVENT_SELECT }>;
/** An event row of the exports, receivedAt as ISO 8601 UTC (as Date.prototype.toISOString writes it). */
export type TEventRow = Omit<TEventRowStored, "receivedAt"> & { receivedAt: string };
const EVENT_KEYS = Object.keys(EVENT_SELECT) as (keyof TEventRowStored)[];

export type TFindingOfEvent = { eventJti: string; code: string; severity: string; message: string };
export type TRefRow = { jti: string; chainId: string; kind: string; iss: string; aud: string | null };
export type TCloserRow = { ref: string | null; iss: string; chainId: string };
export type TKeyRow = { principalId: string; kid: string; thumbprint: string };
export type TKindRow = { id: string; kind: string };

/** An event outside a chain that the chain points at, as an evidence bundle carries it. */
export type TExternalEventRow = {
  seq: number;
  jti: string;
  chainId: string;
  kind: string;
  iss: string;
  token: string;
  prevHash: string;
  hash: string;
  receivedAt: Date;
};
export type TFullKeyRow = { principalId: string; kid: string; jwk: string; thumbprint: string; revokedAt: number | null };
export type TCheckpointRow = { seq: number; hash: string; at: Date; kid: string; signature: string };

export type TExportStore = {
  chainExists(chainId: string): Promise<boolean>;
  /** up to `take` events of the chain after seq `after`, in ledger order */
  chainEvents(chainId: string, after: number, take: number): Promise<TEventRow[]>;
  /** every event of the chains, chain by chain in the given order, each in ledger order */
  eventsOfChains(chainIds: string[]): Promise<TEventRow[]>;
  findings(jtis: string[]): Promise<TFindingOfEvent[]>;
  events(jtis: string[]): Promise<TRefRow[]>;
  /** completes whose grant is one of `refs` */
  completesOf(refs: string[]): Promise<TCloserRow[]>;
  keys(principalIds: string[]): Promise<TKeyRow[]>;
  kinds(principalIds: string[]): Promise<TKindRow[]>;
  /** events by jti, whole, as a bundle carries the ones a chain references elsewhere */
  externalEvents(jtis: string[]): Promise<TExternalEventRow[]>;
  /** principals with names, ordered by id */
  principals(ids: string[]): Promise<{ id: string; kind: string; name: string | null }[]>;
  /** keys with their JWK and revocation, ordered by principal and kid */
  fullKeys(principalIds: string[]): Promise<TFullKeyRow[]>;
  ledgerHead(): Promise<{ seq: number; hash: string } | null>;
  /** the latest checkpoint in [fromSeq, toSeq], and the public JWK of the key that signed it */
  checkpointCovering(fromSeq: number, toSeq: number): Promise<(TCheckpointRow & { jwk: string | null }) | null>;
};

/** Rows sorted by chain id then seq, put in the order of `chainIds` (each chain stays in seq order). */
function inChainOrder(chainIds: string[], rows: TEventRow[]): TEventRow[] {
  if (chainIds.length === 1) return rows;
  const byChain = new Map<string, TEventRow[]>();
  for (const r of rows) {
    const list = byChain.get(r.chainId);
    if (list) list.push(r);
    else byChain.set(r.chainId, [r]);
  }
  const out: TEventRow[] = [];
  for (const id of chainIds) for (const r of byChain.get(id) ?? []) out.push(r);
  return out;
}

const toExportRow = (r: TEventRowStored): TEventRow => ({ ...r, receivedAt: r.receivedAt.toISOString() });

function prismaExportStore(prisma: TPrisma): TExportStore {
  return {
    chainExists: async (chainId) => (await prisma.chain.findUnique({ where: { id: chainId }, select: { id: true } })) !== null,
    chainEvents: async (chainId, after, take) =>
      (await prisma.event.findMany({ where: { chainId, seq: { gt: after } }, orderBy: { seq: "asc" }, take, select: EVENT_SELECT })).map(toExportRow),
    eventsOfChains: async (chainIds) =>
      inChainOrder(
        chainIds,
        (
          await prisma.event.findMany({ where: { chainId: { in: chainIds } }, orderBy: [{ chainId: "asc" }, { seq: "asc" }], select: EVENT_SELECT })
        ).map(toExportRow),
      ),
    findings: (jtis) =>
      prisma.finding.findMany({ where: { eventJti: { in: jtis } }, select: { eventJti: true, code: true, severity: true, message: true } }),
    events: (jtis) => prisma.event.findMany({ where: { jti: { in: jtis } }, select: { jti: true, chainId: true, kind: true, iss: true, aud: true } }),
    completesOf: (refs) => prisma.event.findMany({ where: { kind: "complete", ref: { in: refs } }, select: { ref: true, iss: true, chainId: true } }),
    keys: (principalIds) =>
      prisma.principalKey.findMany({ where: { principalId: { in: principalIds } }, select: { principalId: true, kid: true, thumbprint: true } }),
    kinds: (principalIds) => prisma.principal.findMany({ where: { id: { in: principalIds } }, select: { id: true, kind: true } }),
    externalEvents: async (jtis) =>
      jtis.length
        ? prisma.event.findMany({
            where: { jti: { in: jtis } },
            select: { seq: true, jti: true, chainId: true, kind: true, iss: true, token: true, prevHash: true, hash: true, receivedAt: true },
          })
        : [],
    principals: async (ids) =>
      ids.length
        ? prisma.principal.findMany({ where: { id: { in: ids } }, select: { id: true, kind: true, name: true }, orderBy: { id: "asc" } })
        : [],
    fullKeys: async (principalIds) =>
      principalIds.length
        ? prisma.principalKey.findMany({
            where: { principalId: { in: principalIds } },
            select: { principalId: true, kid: true, jwk: true, thumbprint: true, revokedAt: true },
            orderBy: [{ principalId: "asc" }, { kid: "asc" }],
          })
        : [],
    ledgerHead: () => prisma.ledgerHead.findUnique({ where: { id: 1 }, select: { seq: true, hash: true } }),
    checkpointCovering: async (fromSeq, toSeq) => {
      const row = await prisma.ledgerCheckpoint.findFirst({ where: { seq: { gte: Math.max(1, fromSeq), lte: toSeq } }, orderBy: { seq: "desc" } });
      if (!row) return null;
      const key = await prisma.ledgerKey.findUnique({ where: { kid: row.kid }, select: { jwk: true } });
      return { seq: row.seq, hash: row.hash, at: row.at, kid: row.kid, signature: row.signature, jwk: key?.jwk ?? null };
    },
  };
}

/** Raw rows of EVENT_KEYS as event rows. A batch's events share one receivedAt: converted once. */
function eventRowsOf(raw: unknown[][]): TEventRow[] {
  const at = EVENT_KEYS.indexOf("receivedAt");
  let lastStored: unknown = null;
  let lastIso = "";
  return raw.map((r) => {
    if (r[at] !== lastStored) lastIso = isoOfStored((lastStored = r[at]) as string);
    const row = {} as Record<string, unknown>;
    for (let i = 0; i < EVENT_KEYS.length; i++) row[EVENT_KEYS[i]] = i === at ? lastIso : r[i];
    return row as TEventRow;
  });
}

function sqliteExportStore(prisma: TPrisma, conn: Database.Database): TExportStore {
  const q = (sql: string) => statement(conn, sql);
  const columns = EVENT_KEYS.map((c) => `"${c}"`).join(", ");
  const json = (list: string[]) => JSON.stringify(list);
  return {
    ...prismaExportStore(prisma),
    chainExists: async (chainId) => q(`SELECT 1 FROM "Chain" WHERE "id" = ?`).get(chainId) !== undefined,
    chainEvents: async (chainId, after, take) =>
      eventRowsOf(
        q(`SELECT ${columns} FROM "Event" WHERE "chainId" = ? AND "seq" > ? ORDER BY "seq" LIMIT ?`)
          .raw(true)
          .all(chainId, after, take) as unknown[][],
      ),
    // One statement for a group of small chains (a statement per chain cost more than its rows).
    eventsOfChains: async (chainIds) =>
      inChainOrder(
        chainIds,
        eventRowsOf(
          q(`SELECT ${columns} FROM "Event" WHERE "chainId" IN ${IN_LIST} ORDER BY "chainId", "seq"`).raw(true).all(json(chainIds)) as unknown[][],
        ),
      ),
    findings: async (jtis) =>
      q(`SELECT "eventJti", "code", "severity", "message" FROM "Finding" WHERE "eventJti" IN ${IN_LIST}`).all(json(jtis)) as TFindingOfEvent[],
    events: async (jtis) => q(`SELECT "jti", "chainId", "kind", "iss", "aud" FROM "Event" WHERE "jti" IN ${IN_LIST}`).all(json(jtis)) as TRefRow[],
    completesOf: async (refs) =>
      q(`SELECT "ref", "iss", "chainId" FROM "Event" WHERE "kind" = 'complete' AND "ref" IN ${IN_LIST}`).all(json(refs)) as TCloserRow[],
    keys: async (principalIds) =>
      q(`SELECT "principalId", "kid", "thumbprint" FROM "PrincipalKey" WHERE "principalId" IN ${IN_LIST}`).all(json(principalIds)) as TKeyRow[],
    kinds: async (principalIds) => q(`SELECT "id", "kind" FROM "Principal" WHERE "id" IN ${IN_LIST}`).all(json(principalIds)) as TKindRow[],
  };
}

export function createExportStore(db: TDatabase): TExportStore {
  return db.sqlite ? sqliteExportStore(db.prisma, db.sqlite) : prismaExportStore(db.prisma);
}

/** Both implementations on one SQLite database: the equivalence test compares them (lib/reports). */
export function exportStoresOf(db: TDatabase): { prisma: TExportStore; direct: TExportStore | null } {
  return { prisma: prismaExportStore(db.prisma), direct: db.sqlite ? sqliteExportStore(db.prisma, db.sqlite) : null };
}
