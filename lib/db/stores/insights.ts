// Reads beyond single chains: the overview's counts, a principal's page, the findings list and the
// investigations. Shared by both databases (Prisma); the few raw statements name their placeholders
// through `placeholder`.
import type { Prisma } from "@/generated/sqlite/client";
import type { TDatabase } from "../connect";
import { containsText } from "../dialect";
import { toSqliteDate } from "../sqlite";
import { CHAIN_ROW_SELECT, type TChainRow } from "./chains";

export type TStoredFinding = { id: number; code: string; severity: string; message: string; eventJti: string; chainId: string };
export type TEventBrief = { jti: string; kind: string; iss: string; iat: number; chainId: string };

export type TInsightStore = {
  counts(now: number): Promise<{ chains: number; events: number; byStatus: { status: string; count: number }[]; overdueVerified: number }>;
  /** the chains with a violation whose latest activity is newest */
  recentViolations(take: number): Promise<TChainRow[]>;
  /** stored findings per UTC day of their chain's latest activity (lastEventAt) and code, of chains active since `since` */
  findingDays(since: Date): Promise<{ day: string; code: string; count: number }[]>;
  /** open grants' exps in [since, now) per UTC day, of every chain (each is a chain with evidence overdue at `now`) */
  overdueExpiries(q: { since: number; now: number }): Promise<{ day: string; count: number }[]>;
  /** chains with evidence overdue at `now` and their open-grant expiries (JSON), by id (at most `take`) */
  overdueGrantExps(q: { now: number; chain?: string; principal?: string; take: number }): Promise<{ id: string; openGrantExps: string }[]>;
  /** the `take` principals who signed the events with the most stored findings (ties by id), with their kind */
  topFindingIssuers(take: number): Promise<{ id: string; kind: string; findings: number }[]>;
  /** findings on events each principal signed */
  findingCountsByIssuer(ids: string[]): Promise<Map<string, number>>;
  principal(id: string): Promise<{
    id: string;
    kind: string;
    name: string | null;
    createdAt: Date;
    keys: { kid: string; jwk: string; thumbprint: string; revokedAt: number | null; createdAt: Date }[];
  } | null>;
  /** chains the principal takes part in, newest first */
  chainsOfPrincipal(id: string, take: number): Promise<TChainRow[]>;
  /** findings on events the principal signed, newest first */
  findingsOfIssuer(id: string, take: number): Promise<{ code: string; severity: string; message: string; eventJti: string; chainId: string }[]>;
  /** stored findings, newest (highest id) first, below `before` */
  findings(q: { code?: string; severity?: string; chain?: string; principal?: string; before?: number; take: number }): Promise<TStoredFinding[]>;
  eventBriefs(jtis: string[]): Promise<TEventBrief[]>;
  /** how many chains have evidence overdue at `now` */
  overdueChainCount(q: { now: number; chain?: string; principal?: string }): Promise<number>;
  /** ids of chains with evidence overdue at `now`, by id, after `after` */
  overdueChainIds(q: { now: number; chain?: string; principal?: string; after?: string; take: number }): Promise<string[]>;
  /** codes and severities of the stored findings of these events */
  findingBriefs(jtis: string[]): Promise<{ eventJti: string; code: string; severity: string }[]>;
  /** invokes whose claims mention `text` (case-insensitive), newest first */
  invokesMentioning(
    text: string,
    take: number,
  ): Promise<{ jti: string; chainId: string; iss: string; iat: number; status: string; claims: string }[]>;
  /** events a principal signed or received since `since`, newest first */
  eventsOfPrincipal(
    principal: string,
    since: number,
    take: number,
  ): Promise<{ jti: string; kind: string; chainId: string; iss: string; aud: string | null; ref: string | null; iat: number; kid: string }[]>;
  /** summary rows of these chains, newest first */
  chainRows(ids: string[]): Promise<TChainRow[]>;
};

/**
 * Verified chains whose evidence is overdue at now (read-time warnings): a range of the (status,
 * evidenceDue) index, read without the table (Prisma's count selects each row's id).
 */
export const OVERDUE_VERIFIED_SQL: Record<TDatabase["kind"], string> = {
  sqlite: `SELECT COUNT(*) AS n FROM "Chain" WHERE "status" = 'verified' AND "evidenceDue" < ?`,
  postgres: `SELECT COUNT(*) AS n FROM "Chain" WHERE "status" = 'verified' AND "evidenceDue" < $1::double precision`,
};

/**
 * Findings per UTC day of their chain's lastEventAt and code, of the chains written since the bound:
 * those chains down (lastEventAt, id), then their findings by chainId, counted in the database (the
 * window's rows, not the store's; migration 0030). SQLite's CROSS JOIN keeps that order, which its
 * planner may not reorder. The bound: the stored text form on SQLite, a timestamp on PostgreSQL.
 */
export const FINDING_DAYS_SQL: Record<TDatabase["kind"], string> = {
  sqlite: `SELECT strftime('%Y-%m-%d', c."lastEventAt") AS day, f."code" AS code, COUNT(*) AS n FROM "Chain" c
    CROSS JOIN "Finding" f WHERE c."lastEventAt" >= ? AND f."chainId" = c."id" GROUP BY 1, 2`,
  postgres: `SELECT to_char(c."lastEventAt", 'YYYY-MM-DD') AS day, f."code" AS code, COUNT(*) AS n FROM "Chain" c
    JOIN "Finding" f ON f."chainId" = c."id" WHERE c."lastEventAt" >= $1::timestamp(3) GROUP BY 1, 2`,
};

/**
 * Open grants' exps in [since, now) per UTC day, down ChainOpenExp's exp index (migration 0030). Each
 * is a chain's evidence overdue at now (the chain's evidenceDue, its least exp, is earlier still),
 * so the range is the answer's rows, however many chains have been overdue for longer.
 */
export const OVERDUE_DAYS_SQL: Record<TDatabase["kind"], string> = {
  sqlite: `SELECT strftime('%Y-%m-%d', "exp", 'unixepoch') AS day, COUNT(*) AS n FROM "ChainOpenExp" WHERE "exp" >= ? AND "exp" < ? GROUP BY 1`,
  postgres: `SELECT to_char(to_timestamp("exp") AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, COUNT(*) AS n FROM "ChainOpenExp"
    WHERE "exp" >= $1::double precision AND "exp" < $2::double precision GROUP BY 1`,
};

export function createInsightStore(db: TDatabase): TInsightStore {
  const prisma = db.prisma;
  const placeholder = (n: number) => (db.kind === "postgres" ? `$${n}` : "?");
  const overdueWhere = (q: { now: number; chain?: string; principal?: string }): Prisma.ChainWhereInput => ({
    evidenceDue: { lt: q.now },
    ...(q.chain ? { id: q.chain } : {}),
    ...(q.principal ? { principals: { some: { principalId: q.principal } } } : {}),
  });
  return {
    counts: async (now) => {
      // Events: the ledger head's sequence number. Events are only ever appended, numbered 1, 2, 3…
      // with no gap (lib/ingest/steps.ts finish), and a removed one breaks the hash chain the ledger
      // verify walks; COUNT(*) read every row of Event on each overview (docs/benchmarks.md, "Growth").
      // Chains: the per-status counts triggers keep on Chain (migration 0030), summed, instead of
      // grouping every chain; a status no chain has any more keeps its row at 0. The read-time
      // warnings: a range of the (status, evidenceDue) index, as many entries as such chains.
      const [head, byStatus, overdueVerified] = await Promise.all([
        prisma.ledgerHead.findUnique({ where: { id: 1 }, select: { seq: true } }),
        prisma.chainStatusCount.findMany({ where: { count: { not: 0 } }, select: { status: true, count: true } }),
        prisma.$queryRawUnsafe<{ n: number | bigint }[]>(OVERDUE_VERIFIED_SQL[db.kind], now),
      ]);
      return { chains: byStatus.reduce((n, r) => n + r.count, 0), events: head?.seq ?? 0, byStatus, overdueVerified: Number(overdueVerified[0].n) };
    },
    recentViolations: (take) =>
      prisma.chain.findMany({ where: { status: "violation" }, orderBy: [{ lastEventAt: "desc" }], take, select: CHAIN_ROW_SELECT }),
    findingDays: async (since) => {
      const rows = await prisma.$queryRawUnsafe<{ day: string; code: string; n: number | bigint }[]>(
        FINDING_DAYS_SQL[db.kind],
        db.kind === "postgres" ? since.toISOString() : toSqliteDate(since),
      );
      return rows.map((r) => ({ day: r.day, code: r.code, count: Number(r.n) }));
    },
    overdueExpiries: async (q) => {
      const rows = await prisma.$queryRawUnsafe<{ day: string; n: number | bigint }[]>(OVERDUE_DAYS_SQL[db.kind], q.since, q.now);
      return rows.map((r) => ({ day: r.day, count: Number(r.n) }));
    },
    overdueGrantExps: (q) =>
      prisma.chain.findMany({ where: overdueWhere(q), orderBy: { id: "asc" }, select: { id: true, openGrantExps: true }, take: q.take }),
    // The counts triggers keep per signer (migration 0030), from the top of their (count desc,
    // principalId) index: as many rows as asked, not every finding joined to its event.
    topFindingIssuers: async (take) =>
      (
        await prisma.$queryRawUnsafe<{ id: string; kind: string; n: number | bigint }[]>(
          `SELECT c."principalId" AS id, p."kind" AS kind, c."count" AS n FROM "PrincipalFindingCount" c JOIN "Principal" p ON p."id" = c."principalId"
           WHERE c."count" > 0 ORDER BY c."count" DESC, c."principalId" LIMIT ${Number(take)}`,
        )
      ).map((r) => ({ id: r.id, kind: r.kind, findings: Number(r.n) })),
    // The same counts, a row per principal asked (absent: none), instead of their findings joined to events.
    findingCountsByIssuer: async (ids) => {
      if (ids.length === 0) return new Map();
      const rows = await prisma.principalFindingCount.findMany({ where: { principalId: { in: ids }, count: { not: 0 } } });
      return new Map(rows.map((r) => [r.principalId, r.count]));
    },
    principal: (id) => prisma.principal.findUnique({ where: { id }, include: { keys: { orderBy: { createdAt: "asc" } } } }),
    chainsOfPrincipal: (id, take) =>
      prisma.chain.findMany({
        where: { principals: { some: { principalId: id } } },
        orderBy: [{ startedAt: "desc" }, { id: "desc" }],
        take,
        select: CHAIN_ROW_SELECT,
      }),
    findingsOfIssuer: (id, take) =>
      prisma.$queryRawUnsafe<{ code: string; severity: string; message: string; eventJti: string; chainId: string }[]>(
        `SELECT f."code", f."severity", f."message", f."eventJti", f."chainId" FROM "Finding" f
         JOIN "Event" e ON e."jti" = f."eventJti" WHERE e."iss" = ${placeholder(1)} ORDER BY f."id" DESC LIMIT ${Number(take)}`,
        id,
      ),
    findings: (q) =>
      prisma.finding.findMany({
        where: {
          ...(q.code ? { code: q.code } : {}),
          ...(q.severity ? { severity: q.severity } : {}),
          ...(q.chain ? { chainId: q.chain } : {}),
          ...(q.before ? { id: { lt: q.before } } : {}),
          ...(q.principal ? { chain: { principals: { some: { principalId: q.principal } } } } : {}),
        },
        orderBy: { id: "desc" },
        take: q.take,
      }),
    eventBriefs: async (jtis) =>
      jtis.length
        ? prisma.event.findMany({ where: { jti: { in: jtis } }, select: { jti: true, kind: true, iss: true, iat: true, chainId: true } })
        : [],
    overdueChainCount: (q) => prisma.chain.count({ where: overdueWhere(q) }),
    overdueChainIds: async (q) =>
      (
        await prisma.chain.findMany({
          where: { ...overdueWhere(q), ...(q.after ? { id: { gt: q.after } } : {}) },
          orderBy: { id: "asc" },
          take: q.take,
          select: { id: true },
        })
      ).map((c) => c.id),
    findingBriefs: async (jtis) =>
      jtis.length ? prisma.finding.findMany({ where: { eventJti: { in: jtis } }, select: { eventJti: true, code: true, severity: true } }) : [],
    invokesMentioning: (text, take) =>
      prisma.event.findMany({
        where: { kind: "invoke", claims: containsText(db, text) },
        orderBy: { seq: "desc" },
        take,
        select: { jti: true, chainId: true, iss: true, iat: true, status: true, claims: true },
      }),
    eventsOfPrincipal: (principal, since, take) =>
      prisma.event.findMany({
        where: { OR: [{ iss: principal }, { aud: principal }], iat: { gte: since } },
        orderBy: { seq: "desc" },
        take,
        select: { jti: true, kind: true, chainId: true, iss: true, aud: true, ref: true, iat: true, kid: true },
      }),
    chainRows: async (ids) =>
      ids.length ? prisma.chain.findMany({ where: { id: { in: ids } }, orderBy: [{ startedAt: "desc" }], select: CHAIN_ROW_SELECT }) : [],
  };
}
