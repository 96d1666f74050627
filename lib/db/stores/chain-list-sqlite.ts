// The newest-first chain list and its count on SQLite when a filter value's own rows can drive the
// read: a principal (ChainPrincipal, in the list's order), a stored finding (Finding's (code,
// chainId)), a scope (ChainScope's scope index: DEP's and AIP's candidates together) or a purpose
// (ChainPurpose's code index). Every filter is a condition on the chain `c` in one statement on the
// direct connection, the same tests chainWhere gives Prisma; the page's rows are then read through
// Prisma by id (chains.ts). Through Prisma, a value in thousands of chains was counted 50 ids per
// statement and paged by walking Chain testing each chain, to the end of the range when two values
// together matched nothing (0.3-0.5 s CPU at 1M events, 80 principals: docs/benchmarks.md "Two
// values together, and a common scope or purpose").
import type Database from "better-sqlite3";
import type { Prisma } from "@/generated/sqlite/client";
import { ZChainFilters, type TChainFilters } from "@/lib/contracts/chains";
import { PURPOSE_CODE_PATTERN } from "@/lib/protocol/grammar";
import type { TDatabase } from "../connect";
import { statement } from "../sqlite";
import type { TListPage } from "./chains";

/** A condition and its bound values. */
export type TCond = [string, unknown[]];

/** A filter value whose own rows (table `d`) name every chain it matches, and its test on the chain `c`. */
export type TValueRows = {
  key: "principal" | "finding" | "scope" | "purpose";
  /**
   * The rows' chains: a SELECT of "chainId", every chain the value matches among them. One index
   * range a branch, the branches joined by UNION ALL: as one OR the planner scanned the whole of
   * ChainScope (412k rows) for `scope=d3/*:read` once the store's statistics were exact.
   */
  rows: TCond;
  /** Whether the rows name more chains than match whatever the row: a scope's rule depends on the chain's source (DEP's or AIP's). */
  testsChain: boolean;
  /** whether a chain can have several of the rows */
  distinct: boolean;
  /** the principal's: its rows (`d`) carry the chain's startedAt in the list's order */
  ordered: { from: string; cond: TCond } | null;
  /** the value's test on the chain `c` (chainWhere's), for a read another value drives */
  test: TCond;
};

/**
 * The filters as SQL: `plain` the column tests (status, source, since, until) on `c`, `values` the
 * filters that can drive a read from their rows, `other` the remaining tests on `c` (review,
 * finding=missing_evidence, a scope every chain can match).
 */
export type TSqliteListPlan = { plain: TCond[]; values: TValueRows[]; other: TCond[] };

type TScopeWheres = { dep: Prisma.ChainScopeWhereInput; aip: Prisma.ChainScopeWhereInput };

/** The pieces of chains.ts this plan shares (passed in: chains.ts imports this file). */
export type TSqliteListDeps = {
  scopeWheres: (db: TDatabase, scope: string) => Promise<TScopeWheres>;
  plainChainWhere: (filters: TChainFilters, now: number, alias?: string) => TCond[] | null;
};

const and = (parts: TCond[]): TCond => [parts.length ? parts.map(([c]) => `(${c})`).join(" AND ") : "1", parts.flatMap(([, v]) => v)];
const or = (parts: TCond[]): TCond => [parts.length ? parts.map(([c]) => `(${c})`).join(" OR ") : "0", parts.flatMap(([, v]) => v)];

/**
 * A Prisma string filter on `column` as the SQL Prisma sends SQLite for it (LIKE with no escape
 * character, case-blind for ASCII), for the operators scopeWheres uses.
 */
function stringFilterSql(column: string, filter: unknown): TCond {
  if (typeof filter === "string") return [`${column} = ?`, [filter]];
  const parts: TCond[] = [];
  for (const [op, value] of Object.entries(filter as Record<string, unknown>)) {
    if (op === "in") parts.push([`${column} IN (SELECT value FROM json_each(?))`, [JSON.stringify(value)]]);
    else if (op === "gte") parts.push([`${column} >= ?`, [value]]);
    else if (op === "lt") parts.push([`${column} < ?`, [value]]);
    else if (op === "startsWith") parts.push([`${column} LIKE ?`, [`${value as string}%`]]);
    else if (op === "endsWith") parts.push([`${column} LIKE ?`, [`%${value as string}`]]);
    else throw new Error(`chain list (SQLite): no SQL for the string filter "${op}"`);
  }
  return and(parts);
}

/** A ChainScope where (scopeWheres's shapes: scope, OR, AND) as SQL on the row `alias`. */
function scopeWhereSql(alias: string, where: Prisma.ChainScopeWhereInput): TCond {
  const parts: TCond[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (key === "scope") parts.push(stringFilterSql(`${alias}."scope"`, value));
    else if (key === "OR") parts.push(or((value as Prisma.ChainScopeWhereInput[]).map((w) => scopeWhereSql(alias, w))));
    else if (key === "AND") parts.push(and((value as Prisma.ChainScopeWhereInput[]).map((w) => scopeWhereSql(alias, w))));
    else throw new Error(`chain list (SQLite): no SQL for the scope condition "${key}"`);
  }
  return and(parts);
}

const FILTER_KEYS = Object.keys(ZChainFilters.shape) as (keyof TChainFilters)[];
/**
 * A ChainScope where as a list of conditions on the row `alias` whose OR is the where: each a
 * conjunction of tests on the scope, i.e. one index range (or list) of ChainScope's scope index.
 */
function scopeBranches(alias: string, where: Prisma.ChainScopeWhereInput): TCond[] {
  let branches: TCond[] = [["1", []]];
  const conjoin = (next: TCond[]) => (branches = branches.flatMap((b) => next.map((n) => and([b, n]))));
  for (const [key, value] of Object.entries(where)) {
    if (key === "scope") conjoin([stringFilterSql(`${alias}."scope"`, value)]);
    else if (key === "OR") conjoin((value as Prisma.ChainScopeWhereInput[]).flatMap((w) => scopeBranches(alias, w)));
    else if (key === "AND") for (const w of value as Prisma.ChainScopeWhereInput[]) conjoin(scopeBranches(alias, w));
    else throw new Error(`chain list (SQLite): no SQL for the scope condition "${key}"`);
  }
  return branches;
}

/** The "chainId" of the rows of `from` (aliased d) under each condition, one SELECT a condition. */
const unionAll = (from: string, branches: TCond[]): TCond => [
  branches.map(([c]) => `SELECT d."chainId" FROM ${from} WHERE ${c}`).join(" UNION ALL "),
  branches.flatMap(([, v]) => v),
];

const PLAIN_KEYS = ["status", "source", "since", "until"] as const satisfies readonly (keyof TChainFilters)[];

/**
 * The filters as SQL on the direct connection; null for `q` (sqliteSearchWhere's reads stay) and a
 * purpose outside the grammar or with `_` (see below).
 * Each test is the one chainWhere gives Prisma, as Prisma writes it for SQLite.
 */
export async function sqliteListPlan(db: TDatabase, deps: TSqliteListDeps, filters: TChainFilters, now: number): Promise<TSqliteListPlan | null> {
  if (filters.q !== undefined) return null;
  const plain = deps.plainChainWhere(Object.fromEntries(PLAIN_KEYS.map((k) => [k, filters[k]])), now, "c.")!;
  const values: TValueRows[] = [];
  const other: TCond[] = [];
  if (filters.principal !== undefined) {
    const id = filters.principal;
    values.push({
      key: "principal",
      rows: [`SELECT d."chainId" FROM "ChainPrincipal" d WHERE d."principalId" = ?`, [id]],
      testsChain: false,
      distinct: false,
      ordered: { from: `"ChainPrincipal" d`, cond: [`d."principalId" = ?`, [id]] },
      test: [`EXISTS (SELECT 1 FROM "ChainPrincipal" x WHERE x."chainId" = c."id" AND x."principalId" = ?)`, [id]],
    });
  }
  if (filters.finding === "missing_evidence") other.push([`c."evidenceDue" < ?`, [now]]);
  else if (filters.finding !== undefined) {
    const code = filters.finding;
    values.push({
      key: "finding",
      rows: [`SELECT d."chainId" FROM "Finding" d WHERE d."code" = ?`, [code]],
      testsChain: false,
      distinct: true,
      ordered: null,
      test: [`EXISTS (SELECT 1 FROM "Finding" x WHERE x."chainId" = c."id" AND x."code" = ?)`, [code]],
    });
  }
  if (filters.scope !== undefined) {
    const { dep, aip } = await deps.scopeWheres(db, filters.scope);
    const exists = (w: Prisma.ChainScopeWhereInput): TCond => {
      const [sql, v] = scopeWhereSql("x", w);
      return [`EXISTS (SELECT 1 FROM "ChainScope" x WHERE x."chainId" = c."id" AND ${sql})`, v];
    };
    // chainWhere's `{ source: { not: "aip" }, scopes: { some: dep } } OR { source: "aip", scopes: { some: aip } }`.
    const test = or([and([[`c."source" <> 'aip'`, []], exists(dep)]), and([[`c."source" = 'aip'`, []], exists(aip)])]);
    // `{}` matches every scope row: no rows of its own to read.
    if (Object.keys(dep).length === 0 || Object.keys(aip).length === 0) other.push(test);
    else
      values.push({
        key: "scope",
        rows: unionAll(`"ChainScope" d`, [...scopeBranches("d", dep), ...scopeBranches("d", aip)]),
        testsChain: true,
        distinct: true,
        ordered: null,
        test,
      });
  }
  if (filters.purpose !== undefined) {
    const p = filters.purpose;
    // chainWhere's `purposeCode = p OR purposeCode startsWith p + "."`: Prisma's LIKE, case-blind with `_` a wildcard.
    const match = (alias: string): TCond => [`(${alias}."purposeCode" = ? OR ${alias}."purposeCode" LIKE ?)`, [p, `${p}.%`]];
    const test: TCond = [`EXISTS (SELECT 1 FROM "ChainPurpose" x WHERE x."chainId" = c."id" AND ${match("x")[0]})`, match("x")[1]];
    // The codes that LIKE can match are in the range [p + ".", p + "/") only for a code of the
    // grammar without `_` (lowercase, no wildcard): stored codes are all of the grammar (claims are
    // validated before a ChainPurpose row is written). Any other text keeps the reads before, whose
    // rare-value look reads that range and so can answer otherwise than the LIKE (`OPS.D3`, `ops.d_`).
    if (!PURPOSE_CODE_PATTERN.test(p) || p.includes("_")) return null;
    values.push({
      key: "purpose",
      // The code itself, and the range below it with chainWhere's LIKE (exact: the rows are the matches).
      rows: unionAll(`"ChainPurpose" d`, [
        [`d."purposeCode" = ?`, [p]],
        [`d."purposeCode" >= ? AND d."purposeCode" < ? AND d."purposeCode" LIKE ?`, [`${p}.`, `${p}/`, `${p}.%`]],
      ]),
      testsChain: false,
      distinct: true,
      ordered: null,
      test,
    });
  }
  if (filters.review !== undefined) {
    // "unreviewed": no review row, or one whose status is unreviewed (a reset); status is never null.
    other.push(
      filters.review === "unreviewed"
        ? [`NOT EXISTS (SELECT 1 FROM "ChainReview" rv WHERE rv."chainId" = c."id" AND rv."status" <> 'unreviewed')`, []]
        : [`EXISTS (SELECT 1 FROM "ChainReview" rv WHERE rv."chainId" = c."id" AND rv."status" = ?)`, [filters.review]],
    );
  }
  return { plain, values, other };
}

/** How many rows the value has, reading at most `limit` of its index entries. */
export function boundedRows(conn: Database.Database, v: TValueRows, limit: number): number {
  return statement(conn, `SELECT COUNT(*) FROM (SELECT 1 FROM (${v.rows[0]}) LIMIT ?)`)
    .pluck(true)
    .get(...v.rows[1], limit) as number;
}

/** Every test of the plan on `c` except the driver's own (its rows are the condition). */
function testsBeside(plan: TSqliteListPlan, driver: TValueRows | null): TCond[] {
  return [...plan.other, ...plan.values.filter((v) => v !== driver).map((v) => v.test)];
}

const after = (a: TListPage["after"], startedAt: string, id: string): TCond[] =>
  a ? [[`${startedAt} <= ? AND (${startedAt} < ? OR ${id} < ?)`, [a.startedAt, a.startedAt, a.id]]] : [];

const where = (parts: TCond[]) => (parts.length ? `WHERE ${and(parts)[0]}` : "");

/**
 * A page driven by the principal's rows, as chain ids in the list's order: its rows down
 * (principalId, startedAt, chainId) from the cursor, each chain looked up by id and tested, until
 * the page is full. A principal row repeats its chain's startedAt, so the order and the cursor are
 * the Chain walk's.
 */
export function orderedPageIds(
  conn: Database.Database,
  plan: TSqliteListPlan,
  driver: TValueRows,
  filters: TChainFilters,
  page: TListPage,
): string[] {
  const walk = driver.ordered!;
  const parts: TCond[] = [walk.cond, ...plan.plain, ...testsBeside(plan, driver)];
  // The leading bounds on the principal's own copy of startedAt, so the walk seeks its index there.
  if (filters.since !== undefined) parts.push([`d."startedAt" >= ?`, [filters.since]]);
  if (filters.until !== undefined) parts.push([`d."startedAt" <= ?`, [filters.until]]);
  parts.push(...after(page.after, `d."startedAt"`, `d."chainId"`));
  const [sql, values] = and(parts);
  return statement(
    conn,
    `SELECT d."chainId" FROM ${walk.from} CROSS JOIN "Chain" c ON c."id" = d."chainId" WHERE ${sql}
     ORDER BY d."startedAt" DESC, d."chainId" DESC LIMIT ?`,
  )
    .pluck(true)
    .all(...values, page.take) as string[];
}

/**
 * A page driven by a value whose rows are not in the list's order (a finding, a scope, a purpose),
 * as chain ids in the list's order. First Chain's range newest first (the walk before), but at most
 * as many chains as the value has rows (`rows`), testing each; if that does not fill the page, the
 * rest from the value's own chains after the last chain looked at, sorted. Either way the rows are
 * the first `take` matches after the cursor in (startedAt, id) order, and the page costs at most
 * about three times the value's rows, where the walk alone read the whole range when few chains in
 * it matched. The window is a co-routine read in order: it stops at the page's last match.
 */
export function unorderedPageIds(conn: Database.Database, plan: TSqliteListPlan, driver: TValueRows, rows: number, page: TListPage): string[] {
  const window = Math.max(rows, page.take);
  const range = [...plan.plain, ...after(page.after, `c."startedAt"`, `c."id"`)];
  const rangeValues = range.flatMap(([, v]) => v);
  const tests = and([...testsBeside(plan, null)]);
  // The columns the tests read of the chain (id, source for a scope, evidenceDue for missing_evidence).
  const walked = statement(
    conn,
    `SELECT c."id" FROM (SELECT c."id", c."startedAt", c."source", c."evidenceDue" FROM "Chain" c ${where(range)}
       ORDER BY c."startedAt" DESC, c."id" DESC LIMIT ?) c
     WHERE ${tests[0]} ORDER BY c."startedAt" DESC, c."id" DESC LIMIT ?`,
  )
    .pluck(true)
    .all(...rangeValues, window, ...tests[1], page.take) as string[];
  if (walked.length === page.take) return walked;
  // The window's last chain: none when the range ended inside the window, which then held every match.
  const last = statement(
    conn,
    `SELECT c."startedAt", c."id" FROM "Chain" c ${where(range)} ORDER BY c."startedAt" DESC, c."id" DESC LIMIT 1 OFFSET ?`,
  ).get(...rangeValues, window - 1) as { startedAt: number; id: string } | undefined;
  if (!last) return walked;
  // The value's chains past the window, each looked up once and tested (its own test only for a scope: its rule reads the source).
  const rest = and([
    ...plan.plain,
    [`(c."startedAt" < ? OR (c."startedAt" = ? AND c."id" < ?))`, [last.startedAt, last.startedAt, last.id]],
    ...(driver.testsChain ? [driver.test] : []),
    ...testsBeside(plan, driver),
  ]);
  const more = statement(
    conn,
    `SELECT c."id" FROM (SELECT DISTINCT "chainId" FROM (${driver.rows[0]})) x
     CROSS JOIN "Chain" c ON c."id" = x."chainId" WHERE ${rest[0]} ORDER BY c."startedAt" DESC, c."id" DESC LIMIT ?`,
  )
    .pluck(true)
    .all(...driver.rows[1], ...rest[1], page.take - walked.length) as string[];
  return [...walked, ...more];
}

/**
 * How many chains match (at most `atMost`), read from the driver's rows (their number bounded by
 * the caller) in one statement: the rows' distinct chains first, then each chain looked up by id
 * once and tested (a scope or a purpose has a row per matching scope or code: two for most chains
 * of `scope=d3/*:read`, and a look-up of a wide Chain row costs several µs); a value with no test
 * on the chain is counted on its own index.
 */
export function drivenCount(conn: Database.Database, plan: TSqliteListPlan, driver: TValueRows, atMost: number | undefined): number {
  const onChain = [...plan.plain, ...(driver.testsChain ? [driver.test] : []), ...testsBeside(plan, driver)];
  const [rowSql, rowValues] = driver.rows;
  const chains = `SELECT ${driver.distinct ? "DISTINCT " : ""}"chainId" FROM (${rowSql})`;
  const [chainSql, chainValues] = and(onChain);
  const matched = onChain.length ? `SELECT 1 FROM (${chains}) x CROSS JOIN "Chain" c ON c."id" = x."chainId" WHERE ${chainSql}` : chains;
  return statement(conn, `SELECT COUNT(*) FROM (${matched}${atMost === undefined ? "" : " LIMIT ?"})`)
    .pluck(true)
    .get(...rowValues, ...chainValues, ...(atMost === undefined ? [] : [atMost])) as number;
}

/**
 * The count of the list that counters answer: none, or a status alone, either with
 * `review=unreviewed`. ChainStatusCount (migration 0030, kept by triggers in every writer's
 * transaction) holds each stored status; a verified chain whose evidence is overdue at `now` reads
 * as a warning, and those are a range of (status, evidenceDue), as the overview counts them. The
 * unreviewed are those less the chains with a review (ChainReview rows not reset), when there are at
 * most 10,000 of them. Null for any other filters. The capped count over Chain read up to 10,001
 * verified chains' rows (~65 ms CPU at 1M events), and tested each for a review.
 */
export function counterCount(conn: Database.Database, filters: TChainFilters, now: number, plain: TCond[]): number | null {
  // The filters alone: a list query also carries its cursor, limit and sort.
  const given = FILTER_KEYS.filter((k) => filters[k] !== undefined && !(k === "review" && filters.review === "unreviewed"));
  if (given.length > 1 || (given.length === 1 && given[0] !== "status")) return null;
  const all = statusCount(conn, filters.status, now);
  if (filters.review === undefined) return all;
  const reviews = statement(conn, `SELECT COUNT(*) FROM (SELECT 1 FROM "ChainReview" WHERE "status" <> 'unreviewed' LIMIT ?)`)
    .pluck(true)
    .get(REVIEWED_AT_MOST + 1) as number;
  if (reviews > REVIEWED_AT_MOST) return null;
  const [sql, values] = and([[`rv."status" <> 'unreviewed'`, []], ...plain]);
  const reviewed = statement(conn, `SELECT COUNT(*) FROM "ChainReview" rv CROSS JOIN "Chain" c ON c."id" = rv."chainId" WHERE ${sql}`)
    .pluck(true)
    .get(...values) as number;
  return all - reviewed;
}

/** At most this many reviewed chains are subtracted from a counter (counterCount); past it the count over Chain stays. */
const REVIEWED_AT_MOST = 10_000;

/** How many chains have this read-time status (undefined: every chain), from the counters. */
function statusCount(conn: Database.Database, status: TChainFilters["status"], now: number): number {
  const stored = (statuses: string[] | null) =>
    statement(
      conn,
      `SELECT COALESCE(SUM("count"), 0) FROM "ChainStatusCount"${statuses ? ` WHERE "status" IN (SELECT value FROM json_each(?))` : ""}`,
    )
      .pluck(true)
      .get(...(statuses ? [JSON.stringify(statuses)] : [])) as number;
  const overdue = () =>
    statement(conn, `SELECT COUNT(*) FROM "Chain" WHERE "status" = 'verified' AND "evidenceDue" < ?`).pluck(true).get(now) as number;
  switch (status) {
    case undefined:
      return stored(null);
    case "verified":
      return stored(["verified"]) - overdue();
    case "warning":
      return stored(["warning"]) + overdue();
    default:
      return stored([status]);
  }
}
