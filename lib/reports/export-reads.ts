// The reads of the CSV exports, twice: through Prisma (PostgreSQL) and, on SQLite, through the
// direct connection (lib/ingest/sqlite.ts), because every row through Prisma's query interpreter
// costs ~50 µs, which was most of an export's time (docs/benchmarks.md). Both return the same rows
// for the same data; lib/reports/queries.ts turns them into event records.
import { db, isPostgres } from "@/lib/db";
import { fromSqliteDate, IN_LIST, sqliteStatement } from "@/lib/ingest/sqlite";

export type TEventRow = {
  seq: number;
  jti: string;
  chainId: string;
  kind: string;
  status: string;
  alg: string;
  kid: string;
  token: string;
  claims: string;
  prevHash: string;
  hash: string;
  /** ISO 8601 UTC, as Date.prototype.toISOString writes it */
  receivedAt: string;
};

type TFindingRow = { eventJti: string; code: string; severity: string; message: string };
export type TRefRow = { jti: string; chainId: string; kind: string; iss: string; aud: string | null };
type TCloserRow = { ref: string | null; iss: string; chainId: string };
type TKeyRow = { principalId: string; kid: string; thumbprint: string };
type TKindRow = { id: string; kind: string };

/** Where an export reads its rows: one page's worth of each read at a time. */
export type TExportReads = {
  chainExists(chainId: string): Promise<boolean>;
  /** up to `take` events of the chain after seq `after`, in ledger order */
  chainEvents(chainId: string, after: number, take: number): Promise<TEventRow[]>;
  /** every event of the chains, chain by chain in the given order, each in ledger order */
  eventsOfChains(chainIds: string[]): Promise<TEventRow[]>;
  findings(jtis: string[]): Promise<TFindingRow[]>;
  events(jtis: string[]): Promise<TRefRow[]>;
  /** completes whose grant is one of `refs` */
  completesOf(refs: string[]): Promise<TCloserRow[]>;
  keys(principalIds: string[]): Promise<TKeyRow[]>;
  kinds(principalIds: string[]): Promise<TKindRow[]>;
};

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
} as const;

export const prismaExportReads: TExportReads = {
  async chainExists(chainId) {
    return (await (await db()).chain.findUnique({ where: { id: chainId }, select: { id: true } })) !== null;
  },
  async chainEvents(chainId, after, take) {
    const prisma = await db();
    const rows = await prisma.event.findMany({ where: { chainId, seq: { gt: after } }, orderBy: { seq: "asc" }, take, select: EVENT_SELECT });
    return rows.map((r) => ({ ...r, receivedAt: r.receivedAt.toISOString() }));
  },
  async eventsOfChains(chainIds) {
    const prisma = await db();
    const rows = await prisma.event.findMany({ where: { chainId: { in: chainIds } }, orderBy: [{ chainId: "asc" }, { seq: "asc" }], select: EVENT_SELECT });
    return inChainOrder(
      chainIds,
      rows.map((r) => ({ ...r, receivedAt: r.receivedAt.toISOString() })),
    );
  },
  async findings(jtis) {
    return (await db()).finding.findMany({ where: { eventJti: { in: jtis } }, select: { eventJti: true, code: true, severity: true, message: true } });
  },
  async events(jtis) {
    return (await db()).event.findMany({ where: { jti: { in: jtis } }, select: { jti: true, chainId: true, kind: true, iss: true, aud: true } });
  },
  async completesOf(refs) {
    return (await db()).event.findMany({ where: { kind: "complete", ref: { in: refs } }, select: { ref: true, iss: true, chainId: true } });
  },
  async keys(principalIds) {
    return (await db()).principalKey.findMany({ where: { principalId: { in: principalIds } }, select: { principalId: true, kid: true, thumbprint: true } });
  },
  async kinds(principalIds) {
    return (await db()).principal.findMany({ where: { id: { in: principalIds } }, select: { id: true, kind: true } });
  },
};

/** A stored DateTime as toISOString writes it; the ingest's own format is converted without a Date. */
function isoOfStored(value: string | number): string {
  // toSqliteDate's "2026-01-02T03:04:05.678+00:00" → "2026-01-02T03:04:05.678Z"
  if (typeof value === "string" && value.length === 29 && value.endsWith("+00:00") && value[10] === "T" && value[19] === ".") return value.slice(0, 23) + "Z";
  return fromSqliteDate(value).toISOString();
}

const EVENT_COLUMNS_SQL = `"seq", "jti", "chainId", "kind", "status", "alg", "kid", "token", "claims", "prevHash", "hash", "receivedAt"`;

/** Raw rows of EVENT_COLUMNS_SQL as event rows. Rows as arrays, built into objects of one shape: better-sqlite3's row objects are slow to read. */
function eventRowsOf(raw: unknown[][]): TEventRow[] {
  let lastStored: unknown = null;
  let lastIso = "";
  return raw.map((r) => {
    // A batch's events share one receivedAt: convert it once.
    if (r[11] !== lastStored) lastIso = isoOfStored((lastStored = r[11]) as string);
    return {
      seq: r[0] as number,
      jti: r[1] as string,
      chainId: r[2] as string,
      kind: r[3] as string,
      status: r[4] as string,
      alg: r[5] as string,
      kid: r[6] as string,
      token: r[7] as string,
      claims: r[8] as string,
      prevHash: r[9] as string,
      hash: r[10] as string,
      receivedAt: lastIso,
    };
  });
}

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

export const sqliteExportReads: TExportReads = {
  async chainExists(chainId) {
    return sqliteStatement(`SELECT 1 FROM "Chain" WHERE "id" = ?`).get(chainId) !== undefined;
  },
  async chainEvents(chainId, after, take) {
    const raw = sqliteStatement(`SELECT ${EVENT_COLUMNS_SQL} FROM "Event" WHERE "chainId" = ? AND "seq" > ? ORDER BY "seq" LIMIT ?`).raw(true).all(chainId, after, take);
    return eventRowsOf(raw as unknown[][]);
  },
  async eventsOfChains(chainIds) {
    // One statement for a group of small chains (a statement per chain cost more than its rows).
    const raw = sqliteStatement(`SELECT ${EVENT_COLUMNS_SQL} FROM "Event" WHERE "chainId" IN ${IN_LIST} ORDER BY "chainId", "seq"`)
      .raw(true)
      .all(JSON.stringify(chainIds));
    return inChainOrder(chainIds, eventRowsOf(raw as unknown[][]));
  },
  async findings(jtis) {
    return sqliteStatement(`SELECT "eventJti", "code", "severity", "message" FROM "Finding" WHERE "eventJti" IN ${IN_LIST}`).all(JSON.stringify(jtis)) as TFindingRow[];
  },
  async events(jtis) {
    return sqliteStatement(`SELECT "jti", "chainId", "kind", "iss", "aud" FROM "Event" WHERE "jti" IN ${IN_LIST}`).all(JSON.stringify(jtis)) as TRefRow[];
  },
  async completesOf(refs) {
    return sqliteStatement(`SELECT "ref", "iss", "chainId" FROM "Event" WHERE "kind" = 'complete' AND "ref" IN ${IN_LIST}`).all(JSON.stringify(refs)) as TCloserRow[];
  },
  async keys(principalIds) {
    return sqliteStatement(`SELECT "principalId", "kid", "thumbprint" FROM "PrincipalKey" WHERE "principalId" IN ${IN_LIST}`).all(JSON.stringify(principalIds)) as TKeyRow[];
  },
  async kinds(principalIds) {
    return sqliteStatement(`SELECT "id", "kind" FROM "Principal" WHERE "id" IN ${IN_LIST}`).all(JSON.stringify(principalIds)) as TKindRow[];
  },
};

export const exportReads = (): TExportReads => (isPostgres() ? prismaExportReads : sqliteExportReads);
