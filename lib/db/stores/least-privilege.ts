// The least-privilege store (docs/least-privilege.md): the grants a principal received in a window,
// every grant of their chains, and the invokes under them. SQLite on the direct connection,
// PostgreSQL in raw statements (the same SQL but for how a list is bound); the window reads go
// through the Event(aud, iat) and Event(kind, iat) indexes of migration 0012.
import type Database from "better-sqlite3";
import type { Event } from "@/generated/sqlite/client";
import type { TLpUse, TLpUseKind } from "@/lib/protocol/least-privilege";
import type { TDatabase, TPrisma } from "../connect";
import { IN_LIST, statement } from "../sqlite";

export type TLpGrantRow = Pick<Event, "jti" | "chainId" | "iss" | "aud" | "ref" | "iat" | "exp" | "claims">;
export type TLpInvokeRow = Pick<Event, "jti" | "ref" | "iss" | "iat" | "claims">;
/** A grant of a chain as its structure: kind, parent (`ref`) and the claims' `constraints` as JSON text, null when none. */
export type TLpLinkRow = { jti: string; kind: string; ref: string | null; constraints: string | null };

const GRANT_KINDS = ["authorize", "delegate"];

export type TLeastPrivilegeStore = {
  /** grants whose aud is `aud` (every grant when absent) issued in [since, until], newest first, at most `take` */
  grantsReceived(q: { aud?: string; since: number; until: number; take: number }): Promise<TLpGrantRow[]>;
  /** every grant of these chains, in ledger order */
  grantsOfChains(chainIds: string[]): Promise<TLpGrantRow[]>;
  /** the invokes naming one of these grants, in ledger order */
  invokesUnder(grantJtis: string[]): Promise<TLpInvokeRow[]>;
  /** the GrantUse rows of these grants and kinds (what was done under them, counted at ingest), in key order */
  usesOf(grantJtis: string[], kinds: TLpUseKind[]): Promise<TLpUse[]>;
  /** every grant of these chains as their structure (parent, constraints), without the rest of the claims */
  linksOfChains(chainIds: string[]): Promise<TLpLinkRow[]>;
};

/** Newest first: iat descending, then ledger position descending (the order grantsReceived answers). */
const newestFirst = (a: { iat: number; seq: number }, b: { iat: number; seq: number }) => b.iat - a.iat || b.seq - a.seq;

const GRANT_COLUMNS = `"jti", "chainId", "iss", "aud", "ref", "iat", "exp", "claims"`;
const INVOKE_COLUMNS = `"jti", "ref", "iss", "iat", "claims"`;
const USE_COLUMNS = `"grantJti", "kind", "iss", "chainId", "use", "detail", "count", "last"`;
const USE_ORDER = `ORDER BY "grantJti", "kind", "iss", "chainId", "use", "detail"`;
// A grant's constraints, extracted in the database only from claims that name them (claims are
// stored as JSON.stringify wrote them, so the key appears verbatim): most grants have none, and
// parsing every claims text was the cost.
const SQLITE_CONSTRAINTS = `CASE WHEN instr("claims", '"constraints"') > 0 THEN json_extract("claims", '$.constraints') END AS "constraints"`;
const PG_CONSTRAINTS = `CASE WHEN strpos("claims", '"constraints"') > 0 THEN "claims"::json ->> 'constraints' END AS "constraints"`;
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
    // Through GrantUse's primary key (grantJti, kind, …): one range per grant and kind.
    usesOf: async (grantJtis, kinds) =>
      grantJtis.length === 0 || kinds.length === 0
        ? []
        : (q(`SELECT ${USE_COLUMNS} FROM "GrantUse" WHERE "grantJti" IN ${IN_LIST} AND "kind" IN ${IN_LIST} ${USE_ORDER}`).all(
            JSON.stringify([...new Set(grantJtis)]),
            JSON.stringify([...new Set(kinds)]),
          ) as TLpUse[]),
    // Not the whole claims: their JSON.parse in JavaScript (and its garbage) was most of what
    // reading a 5,000-hop chain cost.
    linksOfChains: async (chainIds) =>
      chainIds.length === 0
        ? []
        : (q(
            `SELECT "jti", "kind", "ref", ${SQLITE_CONSTRAINTS} FROM "Event" WHERE "chainId" IN ${IN_LIST} AND "kind" IN ('authorize', 'delegate') ORDER BY "seq"`,
          ).all(JSON.stringify([...new Set(chainIds)])) as TLpLinkRow[]),
  };
}

/** The same reads on PostgreSQL, lists bound as one text[] parameter (no slices, no per-id binding). */
function postgresLeastPrivilegeStore(prisma: TPrisma): TLeastPrivilegeStore {
  const window = `"iat" >= $2 AND "iat" <= $3 ORDER BY "iat" DESC, "seq" DESC LIMIT $4`;
  return {
    grantsReceived: async ({ aud, since, until, take }) => {
      if (aud !== undefined)
        return prisma.$queryRawUnsafe<TLpGrantRow[]>(
          `SELECT ${GRANT_COLUMNS} FROM "Event" WHERE "aud" = $1 AND "kind" IN ('authorize', 'delegate') AND ${window}`,
          aud,
          since,
          until,
          take,
        );
      const perKind = await Promise.all(
        GRANT_KINDS.map((kind) =>
          prisma.$queryRawUnsafe<(TLpGrantRow & { seq: number })[]>(
            `SELECT ${GRANT_COLUMNS}, "seq" FROM "Event" WHERE "kind" = $1 AND ${window}`,
            kind,
            since,
            until,
            take,
          ),
        ),
      );
      return perKind.flat().sort(newestFirst).slice(0, take).map(withoutSeq);
    },
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
    usesOf: async (grantJtis, kinds) =>
      grantJtis.length === 0 || kinds.length === 0
        ? []
        : // Joined to the list, not `"grantJti" = ANY($1)`: with 2,000 ids PostgreSQL planned that as a
          // parallel scan of the whole table (every grant's uses ever counted); a join from the list
          // walks the primary key once per id.
          prisma.$queryRawUnsafe<TLpUse[]>(
            `SELECT u.* FROM unnest($1::text[]) AS j("jti") JOIN "GrantUse" u ON u."grantJti" = j."jti" WHERE u."kind" = ANY($2::text[]) ORDER BY u."grantJti", u."kind", u."iss", u."chainId", u."use", u."detail"`,
            [...new Set(grantJtis)],
            [...new Set(kinds)],
          ),
    linksOfChains: async (chainIds) =>
      chainIds.length === 0
        ? []
        : prisma.$queryRawUnsafe<TLpLinkRow[]>(
            `SELECT "jti", "kind", "ref", ${PG_CONSTRAINTS} FROM "Event" WHERE "chainId" = ANY($1::text[]) AND "kind" IN ('authorize', 'delegate') ORDER BY "seq"`,
            [...new Set(chainIds)],
          ),
  };
}

export function createLeastPrivilegeStore(db: TDatabase): TLeastPrivilegeStore {
  return db.sqlite ? sqliteLeastPrivilegeStore(db.sqlite) : postgresLeastPrivilegeStore(db.prisma);
}
