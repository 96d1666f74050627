// The newest-first chain list and its count on PostgreSQL as plain SQL on the pool Prisma also
// uses (TDatabase.pg). At 1M events every Prisma statement of a list read cost the server process
// a few milliseconds of CPU (the query compiler and row mapping), and a rare filter value's count
// was tested against the other filters 50 ids per statement (RARE_CHUNK, a SQLite planner
// workaround): `finding=scope_escalation` sent ~60 statements per page. Here every step of
// chains.ts's plan is one statement: the same choice of driver (the principal's rows, a rare
// value's rows, else Chain newest first), the same conditions chainWhere gives Prisma, written as
// the SQL Prisma writes for them (LIKE patterns unescaped, as Prisma sends them). The sorted list,
// the keys of the CSV export and the finding counts stay with Prisma. docs/benchmarks.md "The chain
// list at 1M events on PostgreSQL".
import type pg from "pg";
import type { Prisma } from "@/generated/sqlite/client";
import { ZChainFilters, type TChainFilters } from "@/lib/contracts/chains";
import type { TDatabase } from "../connect";
import type { TChainRow, TChainStore, TListPage } from "./chains";

/** Bind parameters, numbered as they are added. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

type TScopeWheres = { dep: Prisma.ChainScopeWhereInput; aip: Prisma.ChainScopeWhereInput };

/** The pieces of chains.ts this store shares (passed in: chains.ts imports this file). */
export type TPgListDeps = {
  scopeWheres: (db: TDatabase, scope: string) => Promise<TScopeWheres>;
  likeLiteral: (text: string) => string;
  /** chains.ts's thresholds: a principal-driven page with other filters, and a rare value's rows */
  drivenWithOtherFiltersAtMost: number;
  rareAtMost: number;
  otherFilters: readonly (keyof TChainFilters)[];
};

/** A Prisma string filter on `column` as SQL, for the operators the scope and purpose filters use. */
function stringFilterSql(p: Params, column: string, filter: unknown): string {
  if (typeof filter === "string") return `${column} = ${p.add(filter)}`;
  const parts: string[] = [];
  for (const [op, value] of Object.entries(filter as Record<string, unknown>)) {
    if (op === "in") parts.push(`${column} = ANY(${p.add(value)}::text[])`);
    else if (op === "startsWith") parts.push(`${column} LIKE ${p.add(`${value as string}%`)}`);
    else if (op === "endsWith") parts.push(`${column} LIKE ${p.add(`%${value as string}`)}`);
    else throw new Error(`chain list (PostgreSQL): no SQL for the string filter "${op}"`);
  }
  return parts.length ? parts.join(" AND ") : "TRUE";
}

/** A ChainScope where (scopeWheres's shapes: scope, OR, AND) as SQL on the row `alias`. */
function scopeWhereSql(p: Params, where: Prisma.ChainScopeWhereInput, alias = "s"): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (key === "scope") parts.push(stringFilterSql(p, `${alias}."scope"`, value));
    else if (key === "OR")
      parts.push(`(${(value as Prisma.ChainScopeWhereInput[]).map((w) => `(${scopeWhereSql(p, w, alias)})`).join(" OR ") || "FALSE"})`);
    else if (key === "AND")
      parts.push(`(${(value as Prisma.ChainScopeWhereInput[]).map((w) => `(${scopeWhereSql(p, w, alias)})`).join(" AND ") || "TRUE"})`);
    else throw new Error(`chain list (PostgreSQL): no SQL for the scope condition "${key}"`);
  }
  return parts.length ? parts.join(" AND ") : "TRUE";
}

const scopeExists = (p: Params, where: Prisma.ChainScopeWhereInput) =>
  `EXISTS (SELECT 1 FROM "ChainScope" s WHERE s."chainId" = c."id" AND ${scopeWhereSql(p, where)})`;

/**
 * chainWhere's conditions on the chain `c`, as SQL; `skipPrincipal` when the statement is driven
 * from the principal's own rows (the join is the condition).
 */
async function conditionsSql(
  db: TDatabase,
  deps: TPgListDeps,
  p: Params,
  filters: TChainFilters,
  now: number,
  skipPrincipal = false,
): Promise<string[]> {
  const and: string[] = [];
  switch (filters.status) {
    case "violation":
    case "pending":
    case "observed":
      and.push(`c."status" = ${p.add(filters.status)}`);
      break;
    case "warning":
      and.push(`(c."status" = 'warning' OR (c."status" = 'verified' AND c."evidenceDue" < ${p.add(now)}))`);
      break;
    case "verified":
      and.push(`(c."status" = 'verified' AND (c."evidenceDue" IS NULL OR c."evidenceDue" >= ${p.add(now)}))`);
      break;
  }
  if (filters.principal && !skipPrincipal)
    and.push(`EXISTS (SELECT 1 FROM "ChainPrincipal" pr WHERE pr."chainId" = c."id" AND pr."principalId" = ${p.add(filters.principal)})`);
  if (filters.scope) {
    const { dep, aip } = await deps.scopeWheres(db, filters.scope);
    // As chainWhere: the EXISTS over either candidate set, implied by the OR, lets the planner start from ChainScope.
    if (Object.keys(dep).length > 0 && Object.keys(aip).length > 0) and.push(scopeExists(p, { OR: [dep, aip] }));
    and.push(`((c."source" <> 'aip' AND ${scopeExists(p, dep)}) OR (c."source" = 'aip' AND ${scopeExists(p, aip)}))`);
  }
  if (filters.purpose)
    and.push(
      `EXISTS (SELECT 1 FROM "ChainPurpose" pu WHERE pu."chainId" = c."id" AND (pu."purposeCode" = ${p.add(filters.purpose)} OR pu."purposeCode" LIKE ${p.add(`${filters.purpose}.%`)}))`,
    );
  if (filters.finding) {
    and.push(
      filters.finding === "missing_evidence"
        ? `c."evidenceDue" < ${p.add(now)}`
        : `EXISTS (SELECT 1 FROM "Finding" f WHERE f."chainId" = c."id" AND f."code" = ${p.add(filters.finding)})`,
    );
  }
  if (filters.since !== undefined) and.push(`c."startedAt" >= ${p.add(filters.since)}`);
  if (filters.until !== undefined) and.push(`c."startedAt" <= ${p.add(filters.until)}`);
  if (filters.source) and.push(`c."source" = ${p.add(filters.source)}`);
  if (filters.review) {
    // "unreviewed": no review row, or one whose status is unreviewed (a reset); status is never null.
    and.push(
      filters.review === "unreviewed"
        ? `NOT EXISTS (SELECT 1 FROM "ChainReview" rv WHERE rv."chainId" = c."id" AND rv."status" <> 'unreviewed')`
        : `EXISTS (SELECT 1 FROM "ChainReview" rv WHERE rv."chainId" = c."id" AND rv."status" = ${p.add(filters.review)})`,
    );
  }
  if (filters.q) and.push(`c."searchText" LIKE ${p.add(`%${deps.likeLiteral(filters.q.toLowerCase())}%`)}`);
  return and;
}

/** CHAIN_ROW_SELECT's columns; lastEventAt as epoch milliseconds (timestamp(3): exact), the review's status beside them. */
const ROW_SQL = `c."id", c."status", c."source", c."rootIss", c."rootAud", c."purposeCode", c."purposeText", c."startedAt", c."hopCount",
  c."eventCount", c."criticalCount", c."errorCount", c."warningCount", c."findingCodes", c."evidenceDue", c."openGrantExps",
  (EXTRACT(EPOCH FROM c."lastEventAt") * 1000)::bigint AS "lastEventMs", rv."status" AS "reviewStatus"`;
type TRowSql = TChainRowColumns & { lastEventMs: string };

/** A list row's columns as the store's plain SQL reads them, the review's status beside them. */
export type TChainRowColumns = Omit<TChainRow, "lastEventAt" | "review"> & { reviewStatus: string | null };

/**
 * A row as Prisma returns it (same keys, same order, Date for lastEventAt, review null or { status }),
 * from either database's plain SQL: each converts its own lastEventAt.
 */
export function chainRowOf(r: TChainRowColumns, lastEventAt: Date): TChainRow {
  return {
    id: r.id,
    status: r.status,
    source: r.source,
    rootIss: r.rootIss,
    rootAud: r.rootAud,
    purposeCode: r.purposeCode,
    purposeText: r.purposeText,
    startedAt: r.startedAt,
    hopCount: r.hopCount,
    eventCount: r.eventCount,
    criticalCount: r.criticalCount,
    errorCount: r.errorCount,
    warningCount: r.warningCount,
    findingCodes: r.findingCodes,
    evidenceDue: r.evidenceDue,
    openGrantExps: r.openGrantExps,
    lastEventAt,
    review: r.reviewStatus === null ? null : { status: r.reviewStatus },
  };
}

function toChainRow(r: TRowSql): TChainRow {
  return chainRowOf(r, new Date(Number(r.lastEventMs)));
}

const OTHER = (deps: TPgListDeps, filters: TChainFilters) => deps.otherFilters.some((k) => filters[k] !== undefined);

/** The list's filters (ZChainFilters' keys): a list query also carries its cursor, limit and sort. */
const FILTER_KEYS = Object.keys(ZChainFilters.shape) as (keyof TChainFilters)[];

/** At most this many principal rows are walked for a page beside a status (chains.ts's PRINCIPAL_WALK_AT_MOST). */
const PRINCIPAL_WALK_AT_MOST = 20_000;
/** At most this many of a finding's, a purpose's or a scope's rows drive a page (unorderedPageIds); past it the Chain walk stays. */
const UNORDERED_AT_MOST = 20_000;
/** The filters whose values have rows of their own (valueSources). */
const VALUE_KEYS = ["principal", "finding", "purpose", "scope"] as const satisfies readonly (keyof TChainFilters)[];
/** The plain column tests: the window of an unordered page is Chain's range under them. */
const PLAIN_KEYS = ["status", "source", "since", "until"] as const satisfies readonly (keyof TChainFilters)[];

type TRowSource = { table: string; cond: string; values: unknown[] };

/**
 * The rows that name a filter's chains, in the order rareCandidates tries them: the principal's, a
 * stored finding's, a purpose's (and the codes below it). Alone, such a filter is exactly its rows' chains.
 */
function rowSources(filters: TChainFilters): TRowSource[] {
  const sources: TRowSource[] = [];
  if (filters.principal) sources.push({ table: `"ChainPrincipal"`, cond: `"principalId" = $1`, values: [filters.principal] });
  if (filters.finding && filters.finding !== "missing_evidence") sources.push({ table: `"Finding"`, cond: `"code" = $1`, values: [filters.finding] });
  if (filters.purpose)
    sources.push({
      table: `"ChainPurpose"`,
      cond: `("purposeCode" = $1 OR "purposeCode" LIKE $2)`,
      values: [filters.purpose, `${filters.purpose}.%`],
    });
  return sources;
}

/** A filter value's own rows (`table`, aliased by the caller) and their condition, numbered into `p`. */
type TValueSource = { key: "principal" | "finding" | "purpose" | "scope"; table: string; cond: (p: Params, alias: string) => string };

/**
 * The filter values whose own rows name every chain they match: the principal's, a stored
 * finding's, a purpose's (and the codes below it), a scope's (DEP's and AIP's candidates together,
 * a superset: the caller tests every filter on the chain). A scope every chain can match has none.
 */
async function valueSources(db: TDatabase, deps: TPgListDeps, filters: TChainFilters): Promise<TValueSource[]> {
  const out: TValueSource[] = [];
  const { principal, finding, purpose, scope } = filters;
  if (principal) out.push({ key: "principal", table: `"ChainPrincipal"`, cond: (p, a) => `${a}."principalId" = ${p.add(principal)}` });
  if (finding && finding !== "missing_evidence") out.push({ key: "finding", table: `"Finding"`, cond: (p, a) => `${a}."code" = ${p.add(finding)}` });
  if (purpose)
    out.push({
      key: "purpose",
      table: `"ChainPurpose"`,
      cond: (p, a) => `(${a}."purposeCode" = ${p.add(purpose)} OR ${a}."purposeCode" LIKE ${p.add(`${purpose}.%`)})`,
    });
  if (scope) {
    const { dep, aip } = await deps.scopeWheres(db, scope);
    if (Object.keys(dep).length > 0 && Object.keys(aip).length > 0)
      out.push({ key: "scope", table: `"ChainScope"`, cond: (p, a) => scopeWhereSql(p, { OR: [dep, aip] }, a) });
  }
  return out;
}

/** The rows of `table` matching `cond` (at most atMost + 1 read): their chain ids when at most atMost, else null. */
async function boundedChainIds(pool: pg.Pool, table: string, cond: string, values: unknown[], atMost: number): Promise<string[] | null> {
  const { rows } = await pool.query<{ chainId: string }>({ text: `SELECT "chainId" FROM ${table} WHERE ${cond} LIMIT ${atMost + 1}`, values });
  return rows.length > atMost ? null : [...new Set(rows.map((r) => r.chainId))];
}

/**
 * chains.ts's rareCandidates as one statement per source: the first of principal, finding, purpose,
 * scope, q whose rows number at most atMost gives the candidate chains; null when none does.
 */
async function rareCandidatesSql(db: TDatabase, deps: TPgListDeps, pool: pg.Pool, filters: TChainFilters, atMost: number): Promise<string[] | null> {
  for (const { table, cond, values } of rowSources(filters)) {
    const ids = await boundedChainIds(pool, table, cond, values, atMost);
    if (ids) return ids;
  }
  if (filters.scope) {
    const { dep, aip } = await deps.scopeWheres(db, filters.scope);
    // `{}` matches every scope row: never rare.
    if (Object.keys(dep).length > 0 && Object.keys(aip).length > 0) {
      const p = new Params();
      const cond = scopeWhereSql(p, { OR: [dep, aip] });
      const ids = await boundedChainIds(pool, `"ChainScope" s`, cond, p.values, atMost);
      if (ids) return ids;
    }
  }
  // `q` (PostgreSQL only: its trigram index, migration 0031, finds a text's chains without an
  // order): the planner guesses LIKE '%…%' to match ~2% of chains, so it walked Chain newest first
  // testing each for a text in 0.2% of them (90 ms at 1M events once the store was vacuumed), where
  // the index gives the 205 matches in 1.2 ms.
  if (filters.q) {
    const { rows } = await pool.query<{ id: string }>({
      text: `SELECT "id" FROM "Chain" WHERE "searchText" LIKE $1 LIMIT ${atMost + 1}`,
      values: [`%${deps.likeLiteral(filters.q.toLowerCase())}%`],
    });
    if (rows.length <= atMost) return rows.map((r) => r.id);
  }
  return null;
}

/** listRows and countRows of the chain store on PostgreSQL; everything else stays `shared`'s. */
export function postgresChainList(db: TDatabase, pool: pg.Pool, deps: TPgListDeps): Pick<TChainStore, "listRows" | "countRows"> {
  const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[]) => (await pool.query<R>({ text, values })).rows;
  /**
   * How many rows a principal may have for a page beside other filters to be read from them. With
   * only a status (and source, since, until) beside it, as chains.ts's isPrincipalWalkCheaper: up to
   * the status's chains (ChainStatusCount; a warning reads warning and verified), at most 20,000,
   * since each walk reads about take × its range ÷ the matches and the shorter range wins; a
   * principal in 5,112 of 100k chains with `status=warning` and no match walked every verified and
   * warning chain (117 ms). Else chains.ts's 800.
   */
  const drivenAtMost = async (filters: TChainFilters): Promise<number> => {
    const plainOnly = deps.otherFilters.every((k) => k === "status" || k === "source" || filters[k] === undefined);
    if (!plainOnly || !filters.status) return deps.drivenWithOtherFiltersAtMost;
    const statuses = filters.status === "warning" ? ["warning", "verified"] : [filters.status];
    const [{ n }] = await query<{ n: number }>(
      `SELECT COALESCE(SUM("count"), 0)::int AS n FROM "ChainStatusCount" WHERE "status" = ANY($1::text[])`,
      [statuses],
    );
    return Math.max(deps.drivenWithOtherFiltersAtMost, Math.min(n, PRINCIPAL_WALK_AT_MOST));
  };
  type TUnordered = { source: TValueSource; rows: number };
  /** Of a finding, a purpose and a scope, the one with the fewest rows, at most UNORDERED_AT_MOST; null when none. */
  const unorderedDriver = async (filters: TChainFilters): Promise<TUnordered | null> => {
    let best: TUnordered | null = null;
    for (const source of await valueSources(db, deps, filters)) {
      if (source.key === "principal") continue;
      const p = new Params();
      const [{ n: rows }] = await query<{ n: number }>(
        `SELECT COUNT(*)::int AS n FROM (SELECT 1 FROM ${source.table} d WHERE ${source.cond(p, "d")} LIMIT ${UNORDERED_AT_MOST + 1}) x`,
        p.values,
      );
      if (rows <= UNORDERED_AT_MOST && (!best || rows < best.rows)) best = { source, rows };
    }
    return best;
  };
  /** The rows of these chains that still match (a chain rewritten since is judged as it is now), in the list's order. */
  const rowsById = async (ids: string[], filters: TChainFilters, now: number): Promise<TChainRow[]> => {
    const p = new Params();
    const and = await conditionsSql(db, deps, p, filters, now);
    const rows = await query<TRowSql>(
      `SELECT ${ROW_SQL} FROM "Chain" c LEFT JOIN "ChainReview" rv ON rv."chainId" = c."id"
       WHERE c."id" = ANY(${p.add(ids)}::text[])${and.map((x) => ` AND ${x}`).join("")} ORDER BY c."startedAt" DESC, c."id" DESC`,
      p.values,
    );
    return rows.map(toChainRow);
  };
  /**
   * A page driven by a stored finding's, a purpose's or a scope's rows (at most 20,000; past
   * RARE_AT_MOST) beside plain column tests, as chain ids in the list's order: chains.ts's unorderedPageIds.
   * First Chain's range (the plain column tests) newest first, but at most as many chains as the
   * value has rows, every filter tested on each; if that does not fill the page, the rest from the
   * value's own chains past the window's last chain. Each step is its own statement, the window a subquery with its own
   * LIMIT and the candidates materialized first, each chain looked up by id: as one statement the planner hash-joined the window to a
   * scan of Chain, or walked every verified chain for the rest (`status=verified&finding=` 391 ms at
   * 1M events). Null when no such value drives: the caller walks Chain.
   */
  const unorderedPageIds = async (filters: TChainFilters, now: number, page: TListPage, best: TUnordered | null): Promise<string[] | null> => {
    if (!best) return null;
    const plainFilters = Object.fromEntries(PLAIN_KEYS.map((k) => [k, filters[k]])) as TChainFilters;
    const otherFilters = Object.fromEntries(FILTER_KEYS.filter((k) => !PLAIN_KEYS.includes(k as never)).map((k) => [k, filters[k]])) as TChainFilters;
    const window = Math.max(best.rows, page.take);
    const rangeSql = async (p: Params) => {
      const and = await conditionsSql(db, deps, p, plainFilters, now);
      const a = page.after;
      if (a) {
        const s = p.add(a.startedAt);
        and.push(`c."startedAt" <= ${s} AND (c."startedAt" < ${s} OR c."id" < ${p.add(a.id)})`);
      }
      return and.length ? `WHERE ${and.join(" AND ")}` : "";
    };
    const p1 = new Params();
    const inner = await rangeSql(p1);
    const tests = await conditionsSql(db, deps, p1, otherFilters, now);
    const walked = (
      await query<{ id: string }>(
        `SELECT c."id" FROM (SELECT c."id", c."startedAt", c."source", c."evidenceDue" FROM "Chain" c ${inner}
           ORDER BY c."startedAt" DESC, c."id" DESC LIMIT ${p1.add(window)}) c
         WHERE ${tests.join(" AND ") || "TRUE"} ORDER BY c."startedAt" DESC, c."id" DESC LIMIT ${p1.add(page.take)}`,
        p1.values,
      )
    ).map((r) => r.id);
    if (walked.length === page.take) return walked;
    const p2 = new Params();
    const lastSql = await rangeSql(p2);
    const [last] = await query<{ startedAt: number; id: string }>(
      `SELECT c."startedAt", c."id" FROM "Chain" c ${lastSql} ORDER BY c."startedAt" DESC, c."id" DESC LIMIT 1 OFFSET ${p2.add(window - 1)}`,
      p2.values,
    );
    if (!last) return walked;
    const p3 = new Params();
    const cond = best.source.cond(p3, "d");
    const and = await conditionsSql(db, deps, p3, filters, now);
    const s = p3.add(last.startedAt);
    and.push(`(c."startedAt" < ${s} OR (c."startedAt" = ${s} AND c."id" < ${p3.add(last.id)}))`);
    const more = (
      await query<{ id: string }>(
        `WITH x AS MATERIALIZED (SELECT DISTINCT d."chainId" AS id FROM ${best.source.table} d WHERE ${cond}),
         m AS MATERIALIZED (SELECT c."id", c."startedAt" FROM x CROSS JOIN LATERAL (SELECT * FROM "Chain" c WHERE c."id" = x.id OFFSET 0) c WHERE ${and.join(" AND ")})
         SELECT "id" FROM m ORDER BY "startedAt" DESC, "id" DESC LIMIT ${p3.add(page.take - walked.length)}`,
        p3.values,
      )
    ).map((r) => r.id);
    return [...walked, ...more];
  };
  return {
    listRows: async (filters, now, page: TListPage) => {
      const p = new Params();
      const a = page.after;
      // The principal's own rows in the list's order (its (principalId, startedAt, chainId) index,
      // migration 0028), joined to their chains, when the principal is the filter or a rare one
      // beside others: chains.ts's principalPage as one statement. A principal row repeats its
      // chain's startedAt, so the order and the cursor are the list's.
      if (filters.principal) {
        let driven = !OTHER(deps, filters);
        if (!driven) {
          const atMost = await drivenAtMost(filters);
          const [{ n }] = await query<{ n: number }>(
            `SELECT COUNT(*)::int AS n FROM (SELECT 1 FROM "ChainPrincipal" WHERE "principalId" = $1 LIMIT ${atMost + 1}) x`,
            [filters.principal],
          );
          driven = n <= atMost;
        }
        if (driven) {
          const principal = p.add(filters.principal);
          const and = await conditionsSql(db, deps, p, filters, now, true);
          if (a) {
            const s = p.add(a.startedAt);
            and.push(`pp."startedAt" <= ${s} AND (pp."startedAt" < ${s} OR pp."chainId" < ${p.add(a.id)})`);
          }
          const rows = await query<TRowSql>(
            `SELECT ${ROW_SQL} FROM "ChainPrincipal" pp JOIN "Chain" c ON c."id" = pp."chainId" LEFT JOIN "ChainReview" rv ON rv."chainId" = c."id"
             WHERE pp."principalId" = ${principal}${and.map((x) => ` AND ${x}`).join("")}
             ORDER BY pp."startedAt" DESC, pp."chainId" DESC LIMIT ${p.add(page.take)}`,
            p.values,
          );
          return rows.map(toChainRow);
        }
      }
      const rare = await rareCandidatesSql(db, deps, pool, filters, deps.rareAtMost);
      // One finding, purpose or scope beside plain column tests only. With two values PostgreSQL's own
      // plan (hash semi-joins of both values' rows) was as fast or faster: 13-35 ms for a principal
      // with a purpose or a scope that never meet, 35-80 ms forced through one value's window.
      const values = VALUE_KEYS.filter((k) => filters[k] !== undefined && !(k === "finding" && filters.finding === "missing_evidence"));
      const plainBeside = FILTER_KEYS.every((k) => filters[k] === undefined || PLAIN_KEYS.includes(k as never) || k === values[0]);
      if (!rare && values.length === 1 && values[0] !== "principal" && plainBeside) {
        const ids = await unorderedPageIds(filters, now, page, await unorderedDriver(filters));
        if (ids) return ids.length ? rowsById(ids, filters, now) : [];
      }
      const and = await conditionsSql(db, deps, p, filters, now);
      // A rare value's chains looked up by id (chains.ts's rarePage); else Chain newest first.
      if (rare) and.push(`c."id" = ANY(${p.add(rare)}::text[])`);
      if (a) {
        const s = p.add(a.startedAt);
        and.push(`c."startedAt" <= ${s} AND (c."startedAt" < ${s} OR c."id" < ${p.add(a.id)})`);
      }
      const rows = await query<TRowSql>(
        `SELECT ${ROW_SQL} FROM "Chain" c LEFT JOIN "ChainReview" rv ON rv."chainId" = c."id"
         ${and.length ? `WHERE ${and.join(" AND ")}` : ""} ORDER BY c."startedAt" DESC, c."id" DESC LIMIT ${p.add(page.take)}`,
        p.values,
      );
      return rows.map(toChainRow);
    },
    countRows: async (filters, now, atMost) => {
      const cap = (n: number) => (atMost === undefined ? n : Math.min(n, atMost));
      const given = FILTER_KEYS.filter((k) => filters[k] !== undefined);
      // No filter, or a stored status alone: ChainStatusCount, kept by triggers in every writer's
      // transaction (migration 0030), is the exact count. COUNT over Chain read a row per match
      // (73 ms for status=violation's 5,112 chains at 1M events).
      if (
        given.length === 0 ||
        (given.length === 1 && (filters.status === "violation" || filters.status === "pending" || filters.status === "observed"))
      ) {
        const [{ n }] = await query<{ n: number }>(
          `SELECT COALESCE(SUM("count"), 0)::int AS n FROM "ChainStatusCount"${filters.status ? ` WHERE "status" = $1` : ""}`,
          filters.status ? [filters.status] : [],
        );
        return cap(n);
      }
      // A principal, a stored finding or a purpose alone: the chains are those its own rows name,
      // counted there (a row per chain and value; the foreign key keeps every chain it names), when
      // they are at most the cap: 2.5 ms for finding=scope_escalation's 5,112 rows at 1M events,
      // where looking each chain up again by id read both tables per chain (65-131 ms).
      const sole = given.length === 1 ? (rowSources(filters)[0] ?? null) : null;
      if (sole) {
        const limit = Math.max(deps.rareAtMost, atMost ?? 0) + 1;
        const [{ rows, chains }] = await query<{ rows: number; chains: number }>(
          `SELECT COUNT(*)::int AS rows, COUNT(DISTINCT "chainId")::int AS chains FROM (SELECT "chainId" FROM ${sole.table} WHERE ${sole.cond} LIMIT ${limit}) x`,
          sole.values,
        );
        if (rows < limit) return cap(chains);
      }
      // A value beside other filters (a principal, else a stored finding, a purpose, a scope: the first
      // whose rows are at most the cap, as rareCandidates looks): its rows joined to their chains, each
      // tested (chainWhere's conditions; a chain once). The candidates' ids sent back as an array and
      // looked up again cost 77-105 ms for a principal in 5,112 chains with `status=verified` at 1M
      // events. Not the fewest of them: a purpose's rows are counted with LIKE, which reads the table.
      const bound = Math.max(deps.rareAtMost, atMost ?? 0);
      let first: TValueSource | null = null;
      for (const source of await valueSources(db, deps, filters)) {
        const p = new Params();
        const [{ n: rows }] = await query<{ n: number }>(
          `SELECT COUNT(*)::int AS n FROM (SELECT 1 FROM ${source.table} d WHERE ${source.cond(p, "d")} LIMIT ${bound + 1}) x`,
          p.values,
        );
        if (rows <= bound) {
          first = source;
          break;
        }
      }
      if (first) {
        const source = first;
        const p = new Params();
        const cond = source.cond(p, "d");
        const and = await conditionsSql(db, deps, p, filters, now, source.key === "principal");
        const [{ n }] = await query<{ n: number }>(
          `SELECT COUNT(${source.key === "principal" ? "*" : `DISTINCT d."chainId"`})::int AS n FROM ${source.table} d JOIN "Chain" c ON c."id" = d."chainId"
           WHERE ${cond}${and.map((x) => ` AND ${x}`).join("")}`,
          p.values,
        );
        return cap(n);
      }
      // As chains.ts: a value is rare up to the count's own cap; its candidates counted in one statement.
      const rare = await rareCandidatesSql(db, deps, pool, filters, Math.max(deps.rareAtMost, atMost ?? 0));
      const p = new Params();
      const and = await conditionsSql(db, deps, p, filters, now);
      if (rare) {
        and.push(`c."id" = ANY(${p.add(rare)}::text[])`);
        const [{ n }] = await query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM "Chain" c WHERE ${and.join(" AND ")}`, p.values);
        return cap(n);
      }
      // Unordered: Prisma's bounded count orders by id, which read the primary key's first atMost
      // entries and their rows in id order (128 ms for "none" at 250k events); without an order the
      // scan stops at the atMost-th match wherever it finds it.
      const inner = `SELECT 1 FROM "Chain" c${and.length ? ` WHERE ${and.join(" AND ")}` : ""}${atMost === undefined ? "" : ` LIMIT ${p.add(atMost)}`}`;
      const [{ n }] = await query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM (${inner}) x`, p.values);
      return n;
    },
  };
}
