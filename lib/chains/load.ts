// Loads what the chain checker needs for a set of chains, with a fixed number of queries however
// many chains or events: their events, the events they reference in other chains, principal kinds.
// The assembly is separate from the queries (chainInputsFrom), so the ingest can feed it rows it
// read inside its own transaction plus the events it is about to store.
import { db, isPostgres, type TDb, type TTx } from "@/lib/db";
import { fromSqliteDate, IN_LIST, sqliteStatement } from "@/lib/ingest/sqlite";
import type { TCheckEvent, TChainInput } from "@/lib/protocol/chain";
import type { TClaims, TEventKind, TPrincipalKind } from "@/lib/protocol/types";

export type TStoredEventRow = {
  seq: number;
  jti: string;
  chainId: string;
  claims: string;
  status: string;
  ref: string | null;
  /** the signing key's revokedAt at receipt (NumericDate), null when it was not revoked then */
  keyRevokedAt: number | null;
  /**
   * receipt time as a NumericDate, read only where keyRevokedAt is set: the only events whose
   * receipt time a check uses (late_after_revocation); null elsewhere.
   */
  receivedAt: number | null;
};

/** A chain event with its claims decoded (stored rows are parsed once, here). */
export type TParsed<R extends { claims: string }> = Omit<R, "claims"> & { claims: TClaims };
export type TParsedEventRow = TParsed<TStoredEventRow>;

export type TLoadedChain = TChainInput & { events: (TCheckEvent & { status: string })[] };

/** An event row as chainInputsFrom takes it: from the ingest's reads, the detail read or a new event. */
type TInputEventRow = Pick<TParsedEventRow, "seq" | "jti" | "chainId" | "claims" | "status"> & {
  keyRevokedAt?: number | null;
  receivedAt?: number | Date | null;
};

/** Receipt time in NumericDate seconds, where a check can need it (see TStoredEventRow.receivedAt). */
function receiptSeconds(e: TInputEventRow): number | null {
  if (e.keyRevokedAt === null || e.keyRevokedAt === undefined || e.receivedAt === null || e.receivedAt === undefined) return null;
  return e.receivedAt instanceof Date ? e.receivedAt.getTime() / 1000 : e.receivedAt;
}

export type TExternalRow = { jti: string; chainId: string; kind: string };
export type TPrincipalKindRow = { id: string; kind: string };

export function parseEventRows<R extends { claims: string }>(rows: R[]): TParsed<R>[] {
  return rows.map((r) => ({ ...r, claims: JSON.parse(r.claims) as TClaims }));
}

/** References the loaded events make to events outside them: looked up by the caller. */
export function missingRefs(events: TParsedEventRow[]): string[] {
  const known = new Set(events.map((e) => e.jti));
  return [...new Set(events.map((e) => e.ref).filter((r): r is string => r !== null && !known.has(r)))];
}

/** Every principal the loaded events name as issuer or audience. */
export function principalIdsOf(events: TParsedEventRow[]): string[] {
  const ids = new Set<string>();
  for (const { claims } of events) {
    ids.add(claims.iss);
    if ("aud" in claims) ids.add(claims.aud);
  }
  return [...ids];
}

/** The checker inputs of `chainIds` from their events (in ledger order), external refs and kinds. */
export function chainInputsFrom(
  chainIds: string[],
  events: TInputEventRow[],
  externalRows: TExternalRow[],
  principalRows: TPrincipalKindRow[],
): Map<string, TLoadedChain> {
  const out = new Map<string, TLoadedChain>();
  // References are global: an event may point into another loaded chain, which the checker must
  // see as external (a cross-chain reference is unrooted, not an orphan).
  const external = new Map(externalRows.map((r) => [r.jti, { chain: r.chainId, kind: r.kind as TEventKind }]));
  for (const e of events) external.set(e.jti, { chain: e.chainId, kind: e.claims.kind });
  const principalKinds = new Map(principalRows.map((p) => [p.id, p.kind as TPrincipalKind]));
  for (const chainId of chainIds) out.set(chainId, { chainId, events: [], external, principalKinds });
  for (const e of events)
    out.get(e.chainId)!.events.push({ jti: e.jti, seq: e.seq, claims: e.claims, status: e.status, keyRevokedAt: e.keyRevokedAt ?? null, receivedAt: receiptSeconds(e) });
  return out;
}

/** What the checks read of each stored event, through Prisma (the ingest's PostgreSQL store too). */
export const EVENT_CHECK_SELECT = { seq: true, jti: true, chainId: true, claims: true, status: true, ref: true, keyRevokedAt: true, receivedAt: true } as const;

export function toStoredEventRow(r: Omit<TStoredEventRow, "receivedAt"> & { receivedAt: Date }): TStoredEventRow {
  return { ...r, receivedAt: r.keyRevokedAt === null ? null : r.receivedAt.getTime() / 1000 };
}

export async function loadChainInputs(client: TDb | TTx, chainIds: string[]): Promise<Map<string, TLoadedChain>> {
  if (chainIds.length === 0) return new Map();
  const stored = await client.event.findMany({
    where: { chainId: { in: chainIds } },
    select: EVENT_CHECK_SELECT,
    orderBy: { seq: "asc" },
  });
  const events = parseEventRows(stored.map(toStoredEventRow));
  const refs = missingRefs(events);
  const principalIds = principalIdsOf(events);
  const [externalRows, principalRows] = await Promise.all([
    refs.length ? client.event.findMany({ where: { jti: { in: refs } }, select: { jti: true, chainId: true, kind: true } }) : Promise.resolve([]),
    principalIds.length ? client.principal.findMany({ where: { id: { in: principalIds } }, select: { id: true, kind: true } }) : Promise.resolve([]),
  ]);
  return chainInputsFrom(chainIds, events, externalRows, principalRows);
}

// ---------------------------------------------------------------------------------------------
// Everything one chain's detail view reads, in one pass over its events.

export type TEventDetailRow = {
  seq: number;
  jti: string;
  chainId: string;
  kind: string;
  iss: string;
  aud: string | null;
  ref: string | null;
  iat: number;
  exp: number | null;
  status: string;
  alg: string;
  kid: string;
  keyRevokedAt: number | null;
  token: string;
  claims: string;
  prevHash: string;
  hash: string;
  receivedAt: Date;
};

export type TChainDetailRows = {
  startedAt: number | null;
  /** claims decoded */
  events: TParsed<TEventDetailRow>[];
  head: { seq: number; hash: string } | null;
  externalRows: TExternalRow[];
  principals: { id: string; kind: string; name: string | null }[];
  keys: { principalId: string; kid: string; thumbprint: string }[];
};

/** What the chain's events point at outside it, and who they name (from columns, before parsing). */
function refsOf(events: { jti: string; ref: string | null; iss: string; aud: string | null }[]) {
  const known = new Set(events.map((e) => e.jti));
  const refs = new Set<string>();
  const principalIds = new Set<string>();
  const issuers = new Set<string>();
  for (const e of events) {
    if (e.ref !== null && !known.has(e.ref)) refs.add(e.ref);
    principalIds.add(e.iss);
    issuers.add(e.iss);
    if (e.aud !== null) principalIds.add(e.aud);
  }
  return { refs: [...refs], principalIds: [...principalIds], issuers: [...issuers] };
}

const EVENT_DETAIL_COLUMNS = `"seq", "jti", "chainId", "kind", "iss", "aud", "ref", "iat", "exp", "status", "alg", "kid", "token", "claims", "prevHash", "hash", "receivedAt", "keyRevokedAt"`;

/**
 * The chain's summary start, its events (ledger order), the ledger head, the events it references
 * elsewhere, and its principals with their names and key thumbprints. Claims are parsed by the
 * caller once, for both the checker and the view. On SQLite the direct connection reads it (rows
 * through Prisma cost ~50 µs each: most of a 1,000-hop chain's read); on PostgreSQL, Prisma.
 */
export async function loadChainDetail(id: string): Promise<TChainDetailRows> {
  if (!isPostgres()) {
    const summary = sqliteStatement(`SELECT "startedAt" FROM "Chain" WHERE "id" = ?`).get(id) as { startedAt: number } | undefined;
    // Rows as arrays, turned into objects of one literal shape here: better-sqlite3's own row
    // objects are slow to read and to copy (measured: a third of a 1,000-hop chain's read).
    const raw = sqliteStatement(`SELECT ${EVENT_DETAIL_COLUMNS} FROM "Event" WHERE "chainId" = ? ORDER BY "seq"`).raw(true).all(id) as unknown[][];
    const events = raw.map((r) => ({
      seq: r[0] as number,
      jti: r[1] as string,
      chainId: r[2] as string,
      kind: r[3] as string,
      iss: r[4] as string,
      aud: r[5] as string | null,
      ref: r[6] as string | null,
      iat: r[7] as number,
      exp: r[8] as number | null,
      status: r[9] as string,
      alg: r[10] as string,
      kid: r[11] as string,
      token: r[12] as string,
      claims: JSON.parse(r[13] as string) as TClaims,
      prevHash: r[14] as string,
      hash: r[15] as string,
      receivedAt: fromSqliteDate(r[16] as string),
      keyRevokedAt: r[17] as number | null,
    }));
    const head = (sqliteStatement(`SELECT "seq", "hash" FROM "LedgerHead" WHERE "id" = 1`).get() as { seq: number; hash: string } | undefined) ?? null;
    const { refs, principalIds, issuers } = refsOf(events);
    return {
      startedAt: summary?.startedAt ?? null,
      events,
      head,
      externalRows: refs.length ? (sqliteStatement(`SELECT "jti", "chainId", "kind" FROM "Event" WHERE "jti" IN ${IN_LIST}`).all(JSON.stringify(refs)) as TExternalRow[]) : [],
      principals: principalIds.length
        ? (sqliteStatement(`SELECT "id", "kind", "name" FROM "Principal" WHERE "id" IN ${IN_LIST}`).all(JSON.stringify(principalIds)) as TChainDetailRows["principals"])
        : [],
      keys: issuers.length
        ? (sqliteStatement(`SELECT "principalId", "kid", "thumbprint" FROM "PrincipalKey" WHERE "principalId" IN ${IN_LIST}`).all(JSON.stringify(issuers)) as TChainDetailRows["keys"])
        : [],
    };
  }
  const prisma = await db();
  const [summary, events, head] = await Promise.all([
    prisma.chain.findUnique({ where: { id }, select: { startedAt: true } }),
    prisma.event.findMany({ where: { chainId: id }, orderBy: { seq: "asc" }, omit: { purposeCode: true } }),
    prisma.ledgerHead.findUnique({ where: { id: 1 }, select: { seq: true, hash: true } }),
  ]);
  const { refs, principalIds, issuers } = refsOf(events);
  const [externalRows, principals, keys] = await Promise.all([
    refs.length ? prisma.event.findMany({ where: { jti: { in: refs } }, select: { jti: true, chainId: true, kind: true } }) : Promise.resolve([]),
    principalIds.length ? prisma.principal.findMany({ where: { id: { in: principalIds } }, select: { id: true, kind: true, name: true } }) : Promise.resolve([]),
    issuers.length
      ? prisma.principalKey.findMany({ where: { principalId: { in: issuers } }, select: { principalId: true, kid: true, thumbprint: true } })
      : Promise.resolve([]),
  ]);
  return { startedAt: summary?.startedAt ?? null, events: parseEventRows(events), head, externalRows, principals, keys };
}
