// The review store (docs/review.md): finding states (keyed by event and code, which survive a
// re-check that rewrites Finding rows), chain reviews and the history of both. Shared by both
// databases (Prisma); the one raw statement, the findings list with its state filter, names its
// placeholders per database and returns ids only, so dates never go through raw SQL.
import type { TDatabase } from "../connect";
import type { TStoredFinding } from "./insights";

export type TFindingKey = { eventJti: string; code: string };

export type TFindingReviewRow = {
  eventJti: string;
  code: string;
  chainId: string;
  state: string;
  assignee: string | null;
  note: string | null;
  acceptedUntil: number | null;
  basis: string;
  updatedAt: Date;
  updatedBy: string;
};

export type TChainReviewRow = {
  chainId: string;
  status: string;
  reviewer: string | null;
  statement: string | null;
  signedOffAt: Date | null;
  updatedAt: Date;
  updatedBy: string;
};

export type TReviewEntryRow = {
  id: number;
  target: string;
  chainId: string;
  at: Date;
  actor: string;
  action: string;
  fromState: string | null;
  toState: string | null;
  assignee: string | null;
  note: string | null;
  acceptedUntil: number | null;
};
export type TReviewEntryInsert = Omit<TReviewEntryRow, "id" | "at" | "target" | "chainId">;

export type TReviewFindingsQuery = {
  code?: string;
  severity?: string;
  chain?: string;
  principal?: string;
  /** the effective state at `now` (an expired risk or a changed finding counts as open) */
  state?: string;
  /** "" for unassigned */
  assignee?: string;
  before?: number;
  /**
   * Order by the flagged event's iat (newest first, then id) instead of id, below this key: events
   * older than `iat`, or as old with an id below `id` (null: none as old). Findings without a stored
   * event (an observed chain's spans) are not listed this way.
   */
  beforeTime?: { iat: number; id: number | null } | "start";
  take: number;
  now: number;
};

export type TReviewStore = {
  /** stored findings with the filters, newest (highest id) first, below `before` */
  findings(q: TReviewFindingsQuery): Promise<TStoredFinding[]>;
  finding(id: number): Promise<TStoredFinding | null>;
  /** the stored reviews of these findings (missing ones have none) */
  reviews(keys: TFindingKey[]): Promise<TFindingReviewRow[]>;
  /** every stored review of the chain's findings */
  chainFindingReviews(chainId: string): Promise<TFindingReviewRow[]>;
  /** writes one finding's review and its history entries, together */
  writeFinding(row: TFindingReviewRow, entries: TReviewEntryInsert[]): Promise<void>;
  /** history of one target ("finding:<jti>:<code>" or "chain:<id>"), oldest first */
  history(target: string): Promise<TReviewEntryRow[]>;
  /** every history entry of the chain and its findings, oldest first */
  chainHistory(chainId: string): Promise<TReviewEntryRow[]>;
  chainReview(chainId: string): Promise<TChainReviewRow | null>;
  /** writes a chain's review and its history entry, together */
  writeChainReview(row: TChainReviewRow, entry: TReviewEntryInsert): Promise<void>;
  /** stored events after ledger position `afterSeq`, in seq order (the SIEM stream) */
  streamEvents(afterSeq: number, take: number): Promise<TStreamEventRow[]>;
  /** stored findings after id `afterId`, in id order (the SIEM stream) */
  streamFindings(afterId: number, take: number): Promise<TStoredFinding[]>;
  /** saved views `owner` may see (their own and every shared one), by name */
  views(owner: string): Promise<TSavedViewRow[]>;
  view(id: string): Promise<TSavedViewRow | null>;
  createView(v: Omit<TSavedViewRow, "createdAt">): Promise<TSavedViewRow>;
  deleteView(id: string): Promise<void>;
};

export type TSavedViewRow = { id: string; name: string; page: string; query: string; owner: string; shared: boolean; createdAt: Date };

export type TStreamEventRow = {
  seq: number;
  jti: string;
  chainId: string;
  kind: string;
  iss: string;
  aud: string | null;
  ref: string | null;
  iat: number;
  status: string;
  hash: string;
  receivedAt: Date;
};

export const findingTarget = (k: TFindingKey) => `finding:${k.eventJti}:${k.code}`;
export const chainTarget = (chainId: string) => `chain:${chainId}`;

/** The findings list's statement (ids only, in the list's order), for the store and its plan test. */
export function findingsStatement(kind: TDatabase["kind"], q: TReviewFindingsQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return kind === "postgres" ? `$${params.length}` : "?";
  };
  const where: string[] = [];
  if (q.code) where.push(`f."code" = ${p(q.code)}`);
  if (q.severity) where.push(`f."severity" = ${p(q.severity)}`);
  if (q.chain) where.push(`f."chainId" = ${p(q.chain)}`);
  if (q.before) where.push(`f."id" < ${p(q.before)}`);
  // By time: the finding's own copy of its event's iat (null when no stored event has its jti,
  // which the join to Event this replaced left out too), read down the (iat, id) index from the
  // cursor; the leading bound alone lets both planners seek there instead of filtering from the top.
  const byTime = q.beforeTime !== undefined;
  if (byTime) where.push(`f."iat" IS NOT NULL`);
  if (q.beforeTime !== undefined && q.beforeTime !== "start") {
    const t = q.beforeTime;
    where.push(
      t.id === null
        ? `f."iat" < ${p(t.iat)}`
        : `f."iat" <= ${p(t.iat)} AND (f."iat" < ${p(t.iat)} OR (f."iat" = ${p(t.iat)} AND f."id" < ${p(t.id)}))`,
    );
  }
  if (q.principal) where.push(`f."chainId" IN (SELECT "chainId" FROM "ChainPrincipal" WHERE "principalId" = ${p(q.principal)})`);
  if (q.assignee !== undefined) where.push(q.assignee === "" ? `r."assignee" IS NULL` : `r."assignee" = ${p(q.assignee)}`);
  if (q.state) {
    // The same rule as lib/review/state.ts effectiveReview: a changed finding or an expired risk is open.
    const effective = `CASE WHEN r."state" IS NULL OR r."state" = 'open' THEN 'open'
      WHEN r."basis" <> (f."severity" || '|' || f."message") THEN 'open'
      WHEN r."state" = 'accepted_risk' AND r."acceptedUntil" IS NOT NULL AND r."acceptedUntil" <= ${p(q.now)} THEN 'open'
      ELSE r."state" END`;
    where.push(`(${effective}) = ${p(q.state)}`);
  }
  const reviewed = q.state !== undefined || q.assignee !== undefined;
  const sql = `SELECT f."id" FROM "Finding" f ${reviewed ? `LEFT JOIN "FindingReview" r ON r."eventJti" = f."eventJti" AND r."code" = f."code"` : ""}
    ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${byTime ? `f."iat" DESC, ` : ""}f."id" DESC LIMIT ${Number(q.take)}`;
  return { sql, params };
}

export function createReviewStore(db: TDatabase): TReviewStore {
  const prisma = db.prisma;
  const REVIEW_KEYS_PER_QUERY = 400;
  const keyWhere = (keys: TFindingKey[]) => ({ OR: keys.map((k) => ({ eventJti: k.eventJti, code: k.code })) });
  return {
    findings: async (q) => {
      const { sql, params } = findingsStatement(db.kind, q);
      const rows = await prisma.$queryRawUnsafe<{ id: number | bigint }[]>(sql, ...params);
      const ids = rows.map((r) => Number(r.id));
      if (ids.length === 0) return [];
      const found = await prisma.finding.findMany({ where: { id: { in: ids } } });
      const rank = new Map(ids.map((id, i) => [id, i]));
      return found.sort((a, b) => rank.get(a.id)! - rank.get(b.id)!);
    },
    finding: (id) => prisma.finding.findUnique({ where: { id } }),
    // In slices: a default Findings page over many overdue chains asks for tens of thousands of
    // keys (two parameters each), past the 999 bind parameters Prisma lets one SQLite statement carry (P2029 at 300k events).
    reviews: async (keys) => {
      const out: Awaited<ReturnType<typeof prisma.findingReview.findMany>> = [];
      for (let i = 0; i < keys.length; i += REVIEW_KEYS_PER_QUERY)
        out.push(...(await prisma.findingReview.findMany({ where: keyWhere(keys.slice(i, i + REVIEW_KEYS_PER_QUERY)) })));
      return out;
    },
    chainFindingReviews: (chainId) => prisma.findingReview.findMany({ where: { chainId } }),
    writeFinding: async (row, entries) => {
      const { eventJti, code, ...rest } = row;
      const target = findingTarget(row);
      await prisma.$transaction([
        prisma.findingReview.upsert({ where: { eventJti_code: { eventJti, code } }, create: row, update: rest }),
        ...entries.map((e) => prisma.reviewEntry.create({ data: { ...e, target, chainId: row.chainId } })),
      ]);
    },
    history: (target) => prisma.reviewEntry.findMany({ where: { target }, orderBy: { id: "asc" } }),
    chainHistory: (chainId) => prisma.reviewEntry.findMany({ where: { chainId }, orderBy: { id: "asc" } }),
    chainReview: (chainId) => prisma.chainReview.findUnique({ where: { chainId } }),
    writeChainReview: async (row, entry) => {
      const { chainId, ...rest } = row;
      await prisma.$transaction([
        prisma.chainReview.upsert({ where: { chainId }, create: row, update: rest }),
        prisma.reviewEntry.create({ data: { ...entry, target: chainTarget(chainId), chainId } }),
      ]);
    },
    streamEvents: (afterSeq, take) =>
      prisma.event.findMany({
        where: { seq: { gt: afterSeq } },
        orderBy: { seq: "asc" },
        take,
        select: {
          seq: true,
          jti: true,
          chainId: true,
          kind: true,
          iss: true,
          aud: true,
          ref: true,
          iat: true,
          status: true,
          hash: true,
          receivedAt: true,
        },
      }),
    streamFindings: (afterId, take) => prisma.finding.findMany({ where: { id: { gt: afterId } }, orderBy: { id: "asc" }, take }),
    views: (owner) => prisma.savedView.findMany({ where: { OR: [{ owner }, { shared: true }] }, orderBy: [{ name: "asc" }, { id: "asc" }] }),
    view: (id) => prisma.savedView.findUnique({ where: { id } }),
    createView: (v) => prisma.savedView.create({ data: v }),
    deleteView: async (id) => void (await prisma.savedView.deleteMany({ where: { id } })),
  };
}
