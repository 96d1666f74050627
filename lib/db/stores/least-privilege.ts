// The least-privilege store (docs/least-privilege.md): the grants a principal received in a window,
// every grant of their chains, and the invokes under them. Shared by both databases (Prisma); the
// window reads go through the Event(aud, iat) and Event(kind, iat) indexes of migration 0012.
import type Database from "better-sqlite3";
import type { Prisma } from "@/generated/sqlite/client";
import type { TDatabase, TPrisma } from "../connect";
import { IN_LIST, statement } from "../sqlite";

const GRANT_SELECT = {
  jti: true,
  chainId: true,
  iss: true,
  aud: true,
  ref: true,
  iat: true,
  exp: true,
  claims: true,
} as const satisfies Prisma.EventSelect;
export type TLpGrantRow = Prisma.EventGetPayload<{ select: typeof GRANT_SELECT }>;

const INVOKE_SELECT = { jti: true, ref: true, iss: true, iat: true, claims: true } as const satisfies Prisma.EventSelect;
export type TLpInvokeRow = Prisma.EventGetPayload<{ select: typeof INVOKE_SELECT }>;

const GRANT_KINDS = ["authorize", "delegate"];
// Lists of ids are read in slices: Prisma refuses a SQLite statement with more than 999 bind
// parameters (P2029; the bench's ranking read hit it), PostgreSQL takes at most 65,535.
const SLICE = 500;

export type TLeastPrivilegeStore = {
  /** grants whose aud is `aud` (every grant when absent) issued in [since, until], newest first, at most `take` */
  grantsReceived(q: { aud?: string; since: number; until: number; take: number }): Promise<TLpGrantRow[]>;
  /** every grant of these chains, in ledger order */
  grantsOfChains(chainIds: string[]): Promise<TLpGrantRow[]>;
  /** the invokes naming one of these grants, in ledger order */
  invokesUnder(grantJtis: string[]): Promise<TLpInvokeRow[]>;
};

async function sliced<T>(ids: string[], read: (slice: string[]) => Promise<T[]>): Promise<T[]> {
  const unique = [...new Set(ids)];
  const out: T[] = [];
  for (let i = 0; i < unique.length; i += SLICE) out.push(...(await read(unique.slice(i, i + SLICE))));
  return out;
}

/** Newest first: iat descending, then ledger position descending (the order grantsReceived answers). */
const newestFirst = (a: { iat: number; seq: number }, b: { iat: number; seq: number }) => b.iat - a.iat || b.seq - a.seq;

const GRANT_COLUMNS = `"jti", "chainId", "iss", "aud", "ref", "iat", "exp", "claims"`;
const INVOKE_COLUMNS = `"jti", "ref", "iss", "iat", "claims"`;
const withoutSeq = <T extends { seq: number }>({ seq: _seq, ...row }: T): Omit<T, "seq"> => row;

/**
 * The reads the least-privilege answers are made of, each bounded by what it returns (docs/least-privilege.md#cost):
 * - every grant of a window is read one kind at a time, in Event(kind, iat) order, stopping at
 *   `take`: with `kind IN (…)` both databases read every grant of the window and sorted them for the
 *   newest few (400k at 1M events);
 * - invokes are found by `ref` alone and their kind checked on the row: with `kind = 'invoke'` in
 *   the statement SQLite read them through Event(kind, iat), every invoke ever stored;
 * - on SQLite through the direct connection, lists bound as one JSON parameter: Prisma's query
 *   interpreter cost 10× the statement (85 ms for an empty 500-id `IN` list, 4× for 2,000 grants).
 */
function sqliteLeastPrivilegeStore(conn: Database.Database): TLeastPrivilegeStore {
  const q = (sql: string) => statement(conn, sql);
  return {
    grantsReceived: async ({ aud, since, until, take }) => {
      if (aud !== undefined)
        return q(
          `SELECT ${GRANT_COLUMNS} FROM "Event" WHERE "aud" = ? AND "kind" IN ('authorize', 'delegate') AND "iat" >= ? AND "iat" <= ? ORDER BY "iat" DESC, "seq" DESC LIMIT ?`,
        ).all(aud, since, until, take) as TLpGrantRow[];
      const perKind = GRANT_KINDS.flatMap(
        (kind) =>
          q(`SELECT ${GRANT_COLUMNS}, "seq" FROM "Event" WHERE "kind" = ? AND "iat" >= ? AND "iat" <= ? ORDER BY "iat" DESC, "seq" DESC LIMIT ?`).all(
            kind,
            since,
            until,
            take,
          ) as (TLpGrantRow & { seq: number })[],
      );
      return perKind.sort(newestFirst).slice(0, take).map(withoutSeq);
    },
    grantsOfChains: async (chainIds) =>
      chainIds.length === 0
        ? []
        : (q(`SELECT ${GRANT_COLUMNS} FROM "Event" WHERE "chainId" IN ${IN_LIST} AND "kind" IN ('authorize', 'delegate') ORDER BY "seq"`).all(
            JSON.stringify([...new Set(chainIds)]),
          ) as TLpGrantRow[]),
    invokesUnder: async (grantJtis) =>
      grantJtis.length === 0
        ? []
        : (
            q(`SELECT ${INVOKE_COLUMNS}, "kind" FROM "Event" WHERE "ref" IN ${IN_LIST} ORDER BY "seq"`).all(
              JSON.stringify([...new Set(grantJtis)]),
            ) as (TLpInvokeRow & {
              kind: string;
            })[]
          )
            .filter((r) => r.kind === "invoke")
            .map(({ kind: _kind, ...row }) => row),
  };
}

/** The same reads on PostgreSQL, lists bound as one text[] parameter (no slices, no per-id binding). */
function postgresLeastPrivilegeStore(prisma: TPrisma): TLeastPrivilegeStore {
  const viaPrisma = prismaLeastPrivilegeStore(prisma);
  return {
    grantsReceived: (q) => viaPrisma.grantsReceived(q),
    grantsOfChains: async (chainIds) =>
      chainIds.length === 0
        ? []
        : prisma.$queryRawUnsafe<TLpGrantRow[]>(
            `SELECT ${GRANT_COLUMNS} FROM "Event" WHERE "chainId" = ANY($1::text[]) AND "kind" IN ('authorize', 'delegate') ORDER BY "seq"`,
            [...new Set(chainIds)],
          ),
    invokesUnder: async (grantJtis) =>
      grantJtis.length === 0
        ? []
        : (
            await prisma.$queryRawUnsafe<(TLpInvokeRow & { kind: string })[]>(
              `SELECT ${INVOKE_COLUMNS}, "kind" FROM "Event" WHERE "ref" = ANY($1::text[]) ORDER BY "seq"`,
              [...new Set(grantJtis)],
            )
          )
            .filter((r) => r.kind === "invoke")
            .map(({ kind: _kind, ...row }) => row),
  };
}

/** Through Prisma's query API: both databases' grantsReceived before the direct reads, and PostgreSQL's now. */
function prismaLeastPrivilegeStore(prisma: TPrisma): TLeastPrivilegeStore {
  return {
    grantsReceived: async (q) => {
      const window = { iat: { gte: q.since, lte: q.until } };
      if (q.aud !== undefined)
        return prisma.event.findMany({
          where: { aud: q.aud, kind: { in: GRANT_KINDS }, ...window },
          orderBy: [{ iat: "desc" }, { seq: "desc" }],
          take: q.take,
          select: GRANT_SELECT,
        });
      const perKind = await Promise.all(
        GRANT_KINDS.map((kind) =>
          prisma.event.findMany({
            where: { kind, ...window },
            orderBy: [{ iat: "desc" }, { seq: "desc" }],
            take: q.take,
            select: { ...GRANT_SELECT, seq: true },
          }),
        ),
      );
      return perKind.flat().sort(newestFirst).slice(0, q.take).map(withoutSeq);
    },
    grantsOfChains: (chainIds) =>
      sliced(chainIds, (slice) =>
        prisma.event.findMany({ where: { chainId: { in: slice }, kind: { in: GRANT_KINDS } }, orderBy: { seq: "asc" }, select: GRANT_SELECT }),
      ),
    invokesUnder: async (grantJtis) =>
      (
        await sliced(grantJtis, (slice) =>
          prisma.event.findMany({ where: { ref: { in: slice } }, orderBy: { seq: "asc" }, select: { ...INVOKE_SELECT, kind: true, seq: true } }),
        )
      )
        .filter((r) => r.kind === "invoke")
        .sort((a, b) => a.seq - b.seq)
        .map(({ kind: _kind, ...row }) => withoutSeq(row)),
  };
}

export function createLeastPrivilegeStore(db: TDatabase): TLeastPrivilegeStore {
  return db.sqlite ? sqliteLeastPrivilegeStore(db.sqlite) : postgresLeastPrivilegeStore(db.prisma);
}
