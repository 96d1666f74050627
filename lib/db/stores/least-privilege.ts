// The least-privilege store (docs/least-privilege.md): the grants a principal received in a window,
// every grant of their chains, and the invokes under them. Shared by both databases (Prisma); the
// window reads go through the Event(aud, iat) and Event(kind, iat) indexes of migration 0012.
import type { Prisma } from "@/generated/sqlite/client";
import type { TDatabase } from "../connect";

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

export function createLeastPrivilegeStore(db: TDatabase): TLeastPrivilegeStore {
  const prisma = db.prisma;
  return {
    grantsReceived: (q) =>
      prisma.event.findMany({
        where: { kind: { in: GRANT_KINDS }, iat: { gte: q.since, lte: q.until }, ...(q.aud !== undefined ? { aud: q.aud } : {}) },
        orderBy: [{ iat: "desc" }, { seq: "desc" }],
        take: q.take,
        select: GRANT_SELECT,
      }),
    grantsOfChains: (chainIds) =>
      sliced(chainIds, (slice) =>
        prisma.event.findMany({ where: { chainId: { in: slice }, kind: { in: GRANT_KINDS } }, orderBy: { seq: "asc" }, select: GRANT_SELECT }),
      ),
    invokesUnder: (grantJtis) =>
      sliced(grantJtis, (slice) =>
        prisma.event.findMany({ where: { ref: { in: slice }, kind: "invoke" }, orderBy: { seq: "asc" }, select: INVOKE_SELECT }),
      ),
  };
}
