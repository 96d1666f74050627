// The chain store: the list (every filter of docs/protocol.md §6/§8 as index lookups), what one chain's detail
// and the checker read, the cheap stamp a cached detail is keyed on, and the ledger walk.
import type Database from "better-sqlite3";
import type { Prisma } from "@/generated/sqlite/client";
import type { TChainFilters, TChainSortParam } from "@/lib/contracts/chains";
import { parseScope, scopeCovers } from "@/lib/protocol/scope";
import type { TDatabase, TPrisma } from "../connect";
import { startsWithText } from "../dialect";
import { type TExternalRow, type TPrincipalKindRow, type TStoredEventRow } from "../rows";
import { fromSqliteDate, IN_LIST, statement } from "../sqlite";
import { chainRowOf, postgresChainList, type TChainRowColumns } from "./chain-list-pg";
import {
  boundedRows,
  counterCount,
  drivenCount,
  orderedPageIds,
  sqliteListPlan,
  unorderedPageIds,
  type TSqliteListDeps,
  type TValueRows,
} from "./chain-list-sqlite";

/** The summary columns a list row needs; shared by every read that returns chain summaries. */
export const CHAIN_ROW_SELECT = {
  id: true,
  status: true,
  source: true,
  rootIss: true,
  rootAud: true,
  purposeCode: true,
  purposeText: true,
  startedAt: true,
  hopCount: true,
  eventCount: true,
  criticalCount: true,
  errorCount: true,
  warningCount: true,
  findingCodes: true,
  evidenceDue: true,
  openGrantExps: true,
  lastEventAt: true,
  review: { select: { status: true } },
} as const satisfies Prisma.ChainSelect;
/** How many keys are revoked: part of a chain's stamp (a revocation only ever adds one). */
const REVOKED_KEYS = `(SELECT COUNT(*) FROM "PrincipalKey" WHERE "revokedAt" IS NOT NULL)`;

export type TChainRow = Prisma.ChainGetPayload<{ select: typeof CHAIN_ROW_SELECT }>;

const CHAIN_KEY_SELECT = { id: true, startedAt: true, eventCount: true, source: true } as const satisfies Prisma.ChainSelect;
export type TChainKey = Prisma.ChainGetPayload<{ select: typeof CHAIN_KEY_SELECT }>;

/** What one chain's detail view reads of each event. */
const EVENT_DETAIL_SELECT = {
  seq: true,
  jti: true,
  chainId: true,
  kind: true,
  iss: true,
  aud: true,
  ref: true,
  iat: true,
  exp: true,
  status: true,
  alg: true,
  kid: true,
  token: true,
  claims: true,
  prevHash: true,
  hash: true,
  receivedAt: true,
  keyRevokedAt: true,
  drift: true,
} as const satisfies Prisma.EventSelect;
export type TEventDetailRow = Prisma.EventGetPayload<{ select: typeof EVENT_DETAIL_SELECT }>;
const EVENT_DETAIL_KEYS = Object.keys(EVENT_DETAIL_SELECT) as (keyof TEventDetailRow)[];

/** What the checker reads of each stored event (receipt time only where a check uses it). */
const EVENT_CHECK_SELECT = {
  seq: true,
  jti: true,
  chainId: true,
  claims: true,
  status: true,
  ref: true,
  keyRevokedAt: true,
  receivedAt: true,
  drift: true,
} as const satisfies Prisma.EventSelect;

export type TChainDetailRows = {
  startedAt: number | null;
  /** the chain's stored source (dep, aip, otel, capture) */
  source: string;
  /** claims still as stored (JSON text): the caller parses them once */
  events: TEventDetailRow[];
  head: { seq: number; hash: string } | null;
  externalRows: TExternalRow[];
  principals: { id: string; kind: string; name: string | null }[];
  /** `revokedAt`: the key's revocation as the registry holds it now (NumericDate), null when not revoked */
  keys: { principalId: string; kid: string; thumbprint: string; revokedAt: number | null }[];
};

/** detailRows's first part: the summary, the chain's events after a seq (ledger order), the ledger head. */
export type TChainDetailEvents = Pick<TChainDetailRows, "startedAt" | "source" | "events" | "head">;
/** detailRows's second part: the events referenced outside the chain, the principals named, the issuers' keys. */
export type TChainDetailLookups = Pick<TChainDetailRows, "externalRows" | "principals" | "keys">;

export type TLedgerRow = { seq: number; prevHash: string; hash: string; token: string };

/** One stored event with its raw token, as GET /api/v1/events/{jti} returns it. */
const RAW_EVENT_SELECT = {
  seq: true,
  jti: true,
  chainId: true,
  kind: true,
  alg: true,
  kid: true,
  token: true,
  prevHash: true,
  hash: true,
  receivedAt: true,
} as const satisfies Prisma.EventSelect;
export type TRawEventRow = Prisma.EventGetPayload<{ select: typeof RAW_EVENT_SELECT }>;
export type TListPage = { after?: { startedAt: number; id: string }; take: number };

/** Where a row sits in a sorted walk: its stretch (see sortSegments) and its sort key's values there. */
export type TSortPosition = { g: number; v: (string | number)[] };
/**
 * A page of a sorted list: `now` is the instant the stretches of `status` are judged at (the first
 * page's, carried in the cursor, so a verified chain whose evidence falls due between two pages is
 * neither listed twice nor skipped); `after` the position of the previous page's last row.
 */
export type TSortedPage = { sort: TChainSortParam; now: number; after?: TSortPosition; take: number };

export type TChainStore = {
  /** Summary rows matching the filters, newest first (startedAt, then id, descending). */
  listRows(filters: TChainFilters, now: number, page: TListPage): Promise<TChainRow[]>;
  /**
   * Summary rows matching the filters in the order `sort` names (docs/api.md "Sorting the chain
   * list"), each with its position, which the next page starts after. An index walk per stretch.
   */
  listSorted(filters: TChainFilters, now: number, page: TSortedPage): Promise<{ row: TChainRow; at: TSortPosition }[]>;
  /** The same order, with only what the event exports need. */
  listKeys(filters: TChainFilters, now: number, page: TListPage): Promise<TChainKey[]>;
  /**
   * Stored findings per code over the chains the filters match. Not bounded, unlike the list's
   * total: only the summary PDF reads it (lib/reports/queries.ts), which walks every matching chain
   * anyway, and a capped count would print a wrong number in an audit report.
   */
  findingCounts(filters: TChainFilters, now: number): Promise<{ code: string; count: number }[]>;
  /**
   * How many chains match the filters (the list's total), counting at most `atMost` of them when
   * given: the list passes its cap + 1, so a page never reads every match just to count them.
   */
  countRows(filters: TChainFilters, now: number, atMost?: number): Promise<number>;
  /** Everything one chain's detail view reads; `startedAt` null when there is no such chain. */
  detailRows(id: string): Promise<TChainDetailRows>;
  /** One stored event with its raw token; null when no event has this jti. */
  rawEvent(jti: string): Promise<TRawEventRow | null>;
  /** Every stored event of these chains, in ledger order, as the checker reads them. */
  checkEvents(chainIds: string[]): Promise<TStoredEventRow[]>;
  /** Which chain and kind these events have (the references a chain makes elsewhere). */
  eventKinds(jtis: string[]): Promise<TExternalRow[]>;
  principalKinds(ids: string[]): Promise<TPrincipalKindRow[]>;
  /**
   * The chain's version, the number of principals and of revoked keys, as one string; null when there
   * is no such chain. Registering a principal or revoking a key changes a chain's detail without
   * touching the chain (names, kinds, `keyRevokedNow`); both only ever grow, so counts suffice.
   */
  stamp(id: string): Promise<string | null>;
  /**
   * detailRows in two parts, for a detail kept between rebuilds (lib/chains/detail-state.ts): this
   * chain's events with a seq above `afterSeq` (0: all of them; `startedAt` null when there is no
   * such chain), then detailLookups for the ids its events name.
   */
  detailEvents(id: string, afterSeq: number): Promise<TChainDetailEvents>;
  detailLookups(ids: { refs: string[]; principalIds: string[]; issuers: string[] }): Promise<TChainDetailLookups>;
  /** One page of the ledger after `afterSeq`, in seq order. */
  ledgerPage(afterSeq: number, take: number): Promise<TLedgerRow[]>;
  ledgerHead(): Promise<{ seq: number; hash: string } | null>;
};

// ---------------------------------------------------------------------------------------------
// The list's filters as a Prisma where (shared by both databases; scope prefixes differ).

/**
 * Where the stored scopes related to a filter scope can be, so the lookup reads a few index
 * ranges instead of every distinct scope (tens of thousands, and re-parsed, on a big store):
 * - scopes that cover it are finitely many: a wildcard over each prefix of its resource (a proper
 *   prefix when the filter is concrete), or its own concrete resource, with its action or `*`;
 * - scopes it covers all start with its resource and "/" (a wildcard filter), or are its own
 *   resource with any action (a concrete filter with action `*`), or are itself.
 * `prefix` "" means every scope can match (a bare `*` filter); null means no prefix is needed.
 * Stored scopes are valid, hence canonical strings, so exact lookups are sound. The candidates are
 * a superset: the caller keeps those that cover or are covered (docs/protocol.md §8).
 */
export function scopeFilterCandidates(filter: string): { exact: string[]; prefix: string | null } | null {
  const f = parseScope(filter);
  if (!f) return null;
  const fp = f.resource === "*" ? [] : f.resource;
  const actions = f.action === "*" ? ["*"] : [f.action, "*"];
  const resource = (segments: string[], wildcard: boolean) => (segments.length === 0 ? "*" : segments.join("/") + (wildcard ? "/*" : ""));
  const exact = new Set<string>();
  for (let k = 0; k <= (f.wildcard ? fp.length : fp.length - 1); k++) for (const a of actions) exact.add(`${resource(fp.slice(0, k), true)}:${a}`);
  if (!f.wildcard) for (const a of actions) exact.add(`${resource(fp, false)}:${a}`);
  let prefix: string | null = null;
  if (f.wildcard) prefix = fp.length === 0 ? "" : fp.join("/") + "/";
  else if (f.action === "*") prefix = fp.join("/") + ":";
  return { exact: [...exact], prefix };
}

/**
 * The ChainScope condition of the `scope` filter (§8: a stored scope that covers the filter or that
 * it covers). Written as index lookups: the covering scopes exactly, the covered ones as a prefix
 * (and an action suffix). Stored scopes are lowercase, so SQLite's case-blind LIKE is exact; where
 * LIKE's "_" could match more, the candidates are read and checked one by one instead.
 */
async function scopeMatchWhere(db: TDatabase, scope: string): Promise<Prisma.ChainScopeWhereInput> {
  const candidates = scopeFilterCandidates(scope);
  if (!candidates) return { scope: { in: [] } };
  const { exact, prefix } = candidates;
  const f = parseScope(scope)!;
  const covered: Prisma.StringFilter<"ChainScope">[] = [];
  let isExact = true;
  if (prefix !== null) {
    if (prefix !== "") {
      const range = startsWithText(db, prefix);
      covered.push(range.where);
      isExact &&= range.isExact;
    }
    // A wildcard filter covers only scopes with its action; a concrete one with action * (the
    // only kind that needs a prefix) covers every action of its resource.
    if (f.wildcard && f.action !== "*") {
      covered.push({ endsWith: `:${f.action}` });
      isExact &&= !f.action.includes("_");
    }
  }
  // A bare `*:*` filter covers every scope: any chain with one matches.
  if (prefix === "" && covered.length === 0) return {};
  const coveredWhere: Prisma.ChainScopeWhereInput | null = prefix === null ? null : { AND: covered.map((c) => ({ scope: c })) };
  if (isExact) return coveredWhere ? { OR: [{ scope: { in: exact } }, coveredWhere] } : { scope: { in: exact } };
  const distinct = await db.prisma.chainScope.findMany({
    where: { OR: [{ scope: { in: exact } }, ...(coveredWhere ? [coveredWhere] : [])] },
    distinct: ["scope"],
    select: { scope: true },
  });
  return { scope: { in: distinct.map((d) => d.scope).filter((s) => scopeCovers(s, scope) || scopeCovers(scope, s)) } };
}

/**
 * The ChainScope condition of the `scope` filter on AIP chains: their scopes are opaque strings
 * compared with the prefix-`*` rule (shared/spec/aip-import.md §5), never DEP's grammar. The scopes
 * that cover the filter are finitely many (`*`, the filter, each of its prefixes + `*`); those it
 * covers (a filter ending in `*`) share its prefix.
 */
async function aipScopeMatchWhere(db: TDatabase, scope: string): Promise<Prisma.ChainScopeWhereInput> {
  const covering = new Set<string>([scope, "*"]);
  for (let k = 0; k < scope.length; k++) covering.add(`${scope.slice(0, k)}*`);
  const or: Prisma.ChainScopeWhereInput[] = [{ scope: { in: [...covering] } }];
  if (scope.endsWith("*")) {
    const prefix = scope.slice(0, -1);
    if (prefix === "") return {};
    const range = startsWithText(db, prefix);
    if (range.isExact && !prefix.includes("%") && !prefix.includes("\\")) or.push({ scope: range.where });
    else {
      const rows = await db.prisma.chainScope.findMany({ where: { scope: range.where }, distinct: ["scope"], select: { scope: true } });
      or.push({ scope: { in: rows.map((r) => r.scope).filter((x) => x.startsWith(prefix)) } });
    }
  }
  return { OR: or };
}

/** The ChainScope conditions of the `scope` filter: DEP chains by DEP's scope grammar, AIP chains by AIP's prefix rule. */
export async function scopeWheres(db: TDatabase, scope: string): Promise<{ dep: Prisma.ChainScopeWhereInput; aip: Prisma.ChainScopeWhereInput }> {
  return { dep: await scopeMatchWhere(db, scope), aip: await aipScopeMatchWhere(db, scope) };
}

/** The ChainPurpose condition of the `purpose` filter: the code itself or any code below it. */
function purposeMatchWhere(purpose: string): Prisma.ChainPurposeWhereInput {
  return { OR: [{ purposeCode: purpose }, { purposeCode: { startsWith: purpose + "." } }] };
}

/** The chains the filters match (status with read-time missing_evidence at `now`). */
export async function chainWhere(db: TDatabase, filters: TChainFilters, now: number): Promise<Prisma.ChainWhereInput> {
  const and: Prisma.ChainWhereInput[] = [];
  switch (filters.status) {
    case "violation":
    case "pending":
    case "observed":
      and.push({ status: filters.status });
      break;
    case "warning":
      and.push({ OR: [{ status: "warning" }, { status: "verified", evidenceDue: { lt: now } }] });
      break;
    case "verified":
      and.push({ status: "verified", OR: [{ evidenceDue: null }, { evidenceDue: { gte: now } }] });
      break;
  }
  if (filters.principal) and.push({ principals: { some: { principalId: filters.principal } } });
  if (filters.scope) {
    const { dep, aip } = await scopeWheres(db, filters.scope);
    // PostgreSQL cannot plan an OR of two EXISTS as a join: it walked every chain newest first (or
    // all of them, to count) testing both; 50 ms for 28 matches among 14k chains, growing with the
    // store. One EXISTS over either set of candidate scopes, implied by the OR and so changing no
    // answer, lets it start from the ChainScope index (2 ms; counting 0.3 ms). SQLite plans the
    // original well and keeps it.
    if (db.kind === "postgres" && Object.keys(dep).length > 0 && Object.keys(aip).length > 0) and.push({ scopes: { some: { OR: [dep, aip] } } });
    and.push({
      OR: [
        { source: { not: "aip" }, scopes: { some: dep } },
        { source: "aip", scopes: { some: aip } },
      ],
    });
  }
  if (filters.purpose) and.push({ purposes: { some: purposeMatchWhere(filters.purpose) } });
  if (filters.finding) {
    and.push(filters.finding === "missing_evidence" ? { evidenceDue: { lt: now } } : { findings: { some: { code: filters.finding } } });
  }
  if (filters.since !== undefined) and.push({ startedAt: { gte: filters.since } });
  if (filters.until !== undefined) and.push({ startedAt: { lte: filters.until } });
  if (filters.source) and.push({ source: filters.source });
  if (filters.review) {
    and.push(
      filters.review === "unreviewed"
        ? { OR: [{ review: { is: null } }, { review: { is: { status: "unreviewed" } } }] }
        : { review: { is: { status: filters.review } } },
    );
  }
  if (filters.q) and.push(searchTextWhere(db, filters.q));
  return and.length ? { AND: and } : {};
}

// ---------------------------------------------------------------------------------------------
// The `q` filter: a substring of the chain's searchText (stored lowercase).

/** At most this many ids are read into an `id IN` list (under Prisma's 999 bound parameters on SQLite). */
export const SEARCH_IDS_AT_MOST = 500;

/** At most SEARCH_IDS_AT_MOST ids (raw SQL on the direct connection), or null when there are more. */
function boundedIds(conn: Database.Database, sql: string, ...params: unknown[]): string[] | null {
  const ids = statement(conn, `${sql} LIMIT ${SEARCH_IDS_AT_MOST + 1}`)
    .pluck(true)
    .all(...params) as string[];
  return ids.length > SEARCH_IDS_AT_MOST ? null : ids;
}

/** Escapes LIKE's wildcards for PostgreSQL, whose LIKE takes \ as its escape character (Prisma escapes nothing). */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}

/**
 * The `q` condition on SQLite, whose LIKE has no escape character unless the statement names one
 * (Prisma's does not: `%` and `_` in `q` were wildcards). A text with neither is LIKE over every
 * chain, as before: SQLite keeps no index for it. An FTS5 trigram index was built and measured and
 * left out, since every chain write then re-indexes the chain's growing text (docs/benchmarks.md
 * "The `q=` search (0031)"). With a wildcard character: the exact matches (instr) when few, else
 * LIKE's matches less the ones instr rejects when those are few; beyond both bounds (a `_` or `%` in
 * a common text on a large store) the LIKE stays as it was.
 */
function sqliteSearchWhere(conn: Database.Database, text: string): Prisma.ChainWhereInput {
  const like: Prisma.ChainWhereInput = { searchText: { contains: text } };
  if (!/[%_]/.test(text)) return like;
  const exact = boundedIds(conn, `SELECT "id" FROM "Chain" WHERE instr("searchText", ?) > 0`, text);
  if (exact !== null) return { id: { in: exact } };
  const wrong = boundedIds(conn, `SELECT "id" FROM "Chain" WHERE "searchText" LIKE ? AND instr("searchText", ?) = 0`, `%${text}%`, text);
  return wrong === null ? like : { AND: [like, { id: { notIn: wrong } }] };
}

/**
 * The `q` condition: searchText (stored lowercase) contains the lowercased query, as a substring.
 * PostgreSQL: LIKE '%…%' with its wildcards escaped, which the pg_trgm index (migration 0031) serves
 * for three or more characters. SQLite: sqliteSearchWhere. docs/benchmarks.md "Growth".
 */
export function searchTextWhere(db: TDatabase, q: string): Prisma.ChainWhereInput {
  const text = q.toLowerCase();
  return db.sqlite ? sqliteSearchWhere(db.sqlite, text) : { searchText: { contains: likeLiteral(text) } };
}

function pageWhere(where: Prisma.ChainWhereInput, page: TListPage): Prisma.ChainWhereInput {
  const a = page.after;
  return a ? { AND: [where, { OR: [{ startedAt: { lt: a.startedAt } }, { startedAt: a.startedAt, id: { lt: a.id } }] }] } : where;
}

const NEWEST_FIRST = [{ startedAt: "desc" }, { id: "desc" }] as const satisfies Prisma.ChainOrderByWithRelationInput[];

/** Principal rows read per step of a principal-driven walk: the first step a page's worth, then more (a bound on the `in` list's size). */
const DRIVEN_MAX_BATCH = 400;
/**
 * With another filter beside `principal`, a principal in more chains than this is left to the Chain
 * walk: for a common principal and a rare status the walk finds its page early along the other
 * filter's index, while the principal's rows would be read to the end (measured at 216k chains: a
 * principal in 2,163 chains with status=violation, 63 ms walked, 384 ms driven at load 20).
 */
const DRIVEN_WITH_OTHER_FILTERS_AT_MOST = 800;
const OTHER_FILTERS = ["status", "scope", "purpose", "finding", "q", "source", "review"] as const satisfies readonly (keyof TChainFilters)[];

/** Whether a newest-first page is read from the principal's own rows (principalPage) rather than by walking Chain. */
async function isPrincipalDriven(prisma: TPrisma, filters: TChainFilters): Promise<boolean> {
  if (!filters.principal) return false;
  if (!OTHER_FILTERS.some((k) => filters[k] !== undefined)) return true;
  const rows = await prisma.chainPrincipal.count({ where: { principalId: filters.principal }, take: DRIVEN_WITH_OTHER_FILTERS_AT_MOST + 1 });
  return rows <= DRIVEN_WITH_OTHER_FILTERS_AT_MOST;
}

/**
 * A newest-first page of a list filtered by `principal`, walked from ChainPrincipal's
 * (principalId, startedAt, chainId) index (migration 0028) in the list's own order: each step reads
 * the next principal rows after the previous page's last (startedAt, id) and keeps the chains that
 * match every filter, in that order, until the page is full. Walking Chain newest first testing
 * each for the principal instead read the whole table for a principal in few chains
 * (docs/benchmarks.md "Growth"). The order and the cursor are the same as the Chain walk's, since a
 * principal row repeats its chain's startedAt (written with the chain) and chainId is the chain's id.
 */
async function principalPage<T extends { id: string }>(
  prisma: TPrisma,
  filters: TChainFilters & { principal: string },
  where: Prisma.ChainWhereInput,
  page: TListPage,
  fetch: (where: Prisma.ChainWhereInput) => Promise<T[]>,
): Promise<T[]> {
  const out: T[] = [];
  let after = page.after;
  let batch = Math.min(page.take, DRIVEN_MAX_BATCH);
  const range = {
    ...(filters.since !== undefined ? { gte: filters.since } : {}),
    ...(filters.until !== undefined ? { lte: filters.until } : {}),
  };
  for (;;) {
    const keys = await prisma.chainPrincipal.findMany({
      where: {
        principalId: filters.principal,
        // The leading bound alone lets both planners seek the index there instead of filtering from its start.
        startedAt: after ? { ...range, lte: Math.min(after.startedAt, range.lte ?? Infinity) } : range,
        ...(after ? { OR: [{ startedAt: { lt: after.startedAt } }, { startedAt: after.startedAt, chainId: { lt: after.id } }] } : {}),
      },
      orderBy: [{ startedAt: "desc" }, { chainId: "desc" }],
      take: batch,
      select: { chainId: true, startedAt: true },
    });
    if (keys.length === 0) return out;
    // Unordered and unlimited: ordered, a planner may walk another filter's index for these few ids.
    // In RARE_CHUNK pieces: a longer `id IN` beside another filter's index is walked the wrong way on SQLite (RARE_CHUNK).
    const rows = new Map<string, T>();
    for (const part of chunked(keys, RARE_CHUNK))
      for (const r of await fetch({ AND: [where, { id: { in: part.map((k) => k.chainId) } }] })) rows.set(r.id, r);
    for (const k of keys) {
      const row = rows.get(k.chainId);
      if (row && out.push(row) === page.take) return out;
    }
    if (keys.length < batch) return out;
    const last = keys[keys.length - 1];
    after = { startedAt: last.startedAt, id: last.chainId };
    batch = Math.min(batch * 4, DRIVEN_MAX_BATCH);
  }
}

/**
 * A filter value whose own rows number at most this many is rare: its page and its count are read
 * from those rows (rareCandidates) instead of walking Chain newest first testing each chain, which
 * read the whole table for a value in few chains, and counted by reading every chain
 * (docs/benchmarks.md "Growth"). Past it the value is common enough for the walk to find a page
 * early. Also a bound on the `in` lists below: Prisma sends one bind parameter per id, and SQLite
 * allows 999 in a statement.
 */
const RARE_AT_MOST = 800;
/**
 * Candidate ids per statement when they are tested against the other filters. Small on purpose:
 * SQLite's statistics are sampled (`analysis_limit`, lib/db/connect.ts), so an index led by a column
 * of few values (status) is believed to hold ~400 rows per value; with an `id IN` list of 400 beside
 * `status = ?` the planner walked that index instead, i.e. every verified chain (a count of a
 * principal in 3,528 chains with status=verified took 10 s at 10M events). With 50 ids it looks the
 * ids up (docs/benchmarks.md "10M events").
 */
const RARE_CHUNK = 50;

const chunked = <T>(list: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

/**
 * The chains a rare filter value can match, read from that filter's own index: the ids of the chains
 * with the principal (ChainPrincipal), with a finding of the code (Finding's (code, chainId)), with
 * a purpose at or below the code (ChainPurpose), or with a related scope (ChainScope, DEP's and
 * AIP's candidates together: a superset, the caller tests every filter). The first filter present
 * whose rows are at most `atMost` (a bounded count) is used; null when none is: no filter of these,
 * `finding=missing_evidence` (read at `now` from the chain), a scope every chain can match, or only
 * common values. `review` is not among them: both databases already start from ChainReview's status
 * index for it (measured at 1M chains: 2 ms for a status in 20 chains, 0.5 ms its count).
 * Each look costs at most RARE_AT_MOST + 1 index entries, whatever the store's size.
 */
export async function rareCandidates(db: TDatabase, filters: TChainFilters, atMost = RARE_AT_MOST): Promise<string[] | null> {
  const prisma = db.prisma;
  const take = atMost + 1;
  type TSource = { count: () => Promise<number>; ids: () => Promise<{ chainId: string }[]> };
  const sources: (() => Promise<TSource | null>)[] = [];
  if (filters.principal) {
    const where = { principalId: filters.principal };
    sources.push(async () => ({
      count: () => prisma.chainPrincipal.count({ where, take }),
      ids: () => prisma.chainPrincipal.findMany({ where, select: { chainId: true } }),
    }));
  }
  if (filters.finding && filters.finding !== "missing_evidence") {
    const where = { code: filters.finding };
    sources.push(async () => ({
      count: () => prisma.finding.count({ where, take }),
      ids: () => prisma.finding.findMany({ where, select: { chainId: true } }),
    }));
  }
  if (filters.purpose) {
    // The codes below it as an index range on SQLite (its LIKE read every row: 240 ms at 1M chains).
    const below = startsWithText<"ChainPurpose">(db, filters.purpose + ".").where;
    const where: Prisma.ChainPurposeWhereInput = { OR: [{ purposeCode: filters.purpose }, { purposeCode: below }] };
    sources.push(async () => ({
      count: () => prisma.chainPurpose.count({ where, take }),
      ids: () => prisma.chainPurpose.findMany({ where, select: { chainId: true } }),
    }));
  }
  if (filters.scope) {
    const scope = filters.scope;
    sources.push(async () => {
      const { dep, aip } = await scopeWheres(db, scope);
      // `{}` matches every scope row: never rare.
      if (Object.keys(dep).length === 0 || Object.keys(aip).length === 0) return null;
      const where = { OR: [dep, aip] };
      return { count: () => prisma.chainScope.count({ where, take }), ids: () => prisma.chainScope.findMany({ where, select: { chainId: true } }) };
    });
  }
  for (const source of sources) {
    const s = await source();
    if (s && (await s.count()) <= atMost) return [...new Set((await s.ids()).map((r) => r.chainId))];
  }
  return null;
}

/** Of the candidate chains, those that match `where`, with their start (unordered; RARE_CHUNK ids per statement). */
async function matchingCandidates(
  prisma: TPrisma,
  where: Prisma.ChainWhereInput,
  candidates: string[],
): Promise<{ id: string; startedAt: number }[]> {
  const out: { id: string; startedAt: number }[] = [];
  for (const part of chunked(candidates, RARE_CHUNK))
    out.push(...(await prisma.chain.findMany({ where: { AND: [where, { id: { in: part } }] }, select: { id: true, startedAt: true } })));
  return out;
}

/**
 * A newest-first page of a list whose rare filter value gave `candidates` (rareCandidates): the
 * candidates matching every filter after the cursor are found unordered (each chain looked up by
 * id), the page's rows are among those down to the take-th newest start, and the database orders
 * only those (so ties in startedAt go by id in the database's own order, as in the Chain walk, and
 * the cursor is the same). At most RARE_AT_MOST chains are read, whatever the store's size.
 */
async function rarePage<T>(
  prisma: TPrisma,
  where: Prisma.ChainWhereInput,
  candidates: string[],
  page: TListPage,
  fetch: (where: Prisma.ChainWhereInput) => Promise<T[]>,
): Promise<T[]> {
  const matched = await matchingCandidates(prisma, pageWhere(where, page), candidates);
  if (matched.length === 0) return [];
  const starts = matched.map((m) => m.startedAt).sort((a, b) => b - a);
  const cutoff = starts[Math.min(page.take, starts.length) - 1];
  // `where` again: a chain rewritten since the statement above is judged as it is now.
  return fetch({ AND: [where, pageWhere({}, page), { id: { in: matched.filter((m) => m.startedAt >= cutoff).map((m) => m.id) } }] });
}

// ---------------------------------------------------------------------------------------------
// The list's sorts. Each is a sequence of stretches; a stretch is a set of chains read in the order
// of an index (prisma/*/schema.prisma, migration 0026), so a page is a walk down one or a few index
// ranges whatever the store's size, and the next page seeks past the last row's key (keyset).

export type TSortColumn = "purposeCode" | "hopCount" | "criticalCount" | "errorCount" | "warningCount" | "startedAt" | "id";
/**
 * `orderFirst`: a column the stretch holds constant (null) but orders by first anyway, so that the
 * planner reads the stretch's index range in order: PostgreSQL does not treat `IS NULL` as fixing
 * a column's place in the order and would otherwise filter the (startedAt, id) index instead.
 */
export type TSortSegment = { where: Prisma.ChainWhereInput; keys: readonly TSortColumn[]; dir: "asc" | "desc"; orderFirst?: readonly TSortColumn[] };
const STRING_COLUMNS: ReadonlySet<TSortColumn> = new Set(["purposeCode", "id"]);
const BY_TIME = ["startedAt", "id"] as const;

/**
 * The stretches of a sort, in order. `started`, `hops`, `findings` are one stretch each (ties by
 * start time then id, in the same direction). `purpose`: chains with a purpose code by code, then
 * those without one (observed chains), in either direction. `status`: one stretch per status, worst
 * first (`-status`: best first), each newest first; a verified chain whose evidence is overdue at
 * `now` reads as a warning (the read-time missing_evidence rule), so it comes right after the
 * stored warnings. `findings` orders by the stored counts (critical, then error, then warning),
 * then the chains whose only finding is read at `now` (missing_evidence), then the clean ones
 * (`findings`: the reverse).
 */
export function sortSegments(sort: TChainSortParam, now: number): TSortSegment[] {
  const dir = sort.startsWith("-") ? "desc" : "asc";
  const key = sort.replace(/^-/, "");
  switch (key) {
    case "hops":
      return [{ where: {}, keys: ["hopCount", ...BY_TIME], dir }];
    case "findings": {
      // Stored findings by count; then chains whose only finding is a read-time missing_evidence
      // (overdue at `now`), so a "Broken audit trail" row never sorts among the clean ones; then
      // the clean ones. The last two are one range of the index (all counts 0), walked with a filter.
      const none = { criticalCount: 0, errorCount: 0, warningCount: 0 };
      const counts = ["criticalCount", "errorCount", "warningCount"] as const;
      const stretches: TSortSegment[] = [
        { where: { OR: [{ criticalCount: { gt: 0 } }, { errorCount: { gt: 0 } }, { warningCount: { gt: 0 } }] }, keys: [...counts, ...BY_TIME], dir },
        { where: { ...none, evidenceDue: { lt: now } }, keys: BY_TIME, dir, orderFirst: counts },
        { where: { ...none, OR: [{ evidenceDue: null }, { evidenceDue: { gte: now } }] }, keys: BY_TIME, dir, orderFirst: counts },
      ];
      return dir === "desc" ? stretches : stretches.reverse();
    }
    case "purpose":
      return [
        { where: { purposeCode: { not: null } }, keys: ["purposeCode", ...BY_TIME], dir },
        { where: { purposeCode: null }, keys: BY_TIME, dir, orderFirst: ["purposeCode"] },
      ];
    case "status": {
      const groups: Prisma.ChainWhereInput[] = [
        { status: "violation" },
        { status: "pending" },
        { status: "warning" },
        { status: "verified", evidenceDue: { lt: now } },
        { status: "verified", OR: [{ evidenceDue: null }, { evidenceDue: { gte: now } }] },
        { status: "observed" },
      ];
      if (dir === "desc") groups.reverse();
      return groups.map((where) => ({ where, keys: BY_TIME, dir: "desc" }));
    }
    default:
      return [{ where: {}, keys: BY_TIME, dir }];
  }
}

/** Whether `v` can be a position in a stretch of this sort (a cursor is client input). */
export function isSortPosition(sort: TChainSortParam, v: unknown): v is TSortPosition {
  const p = v as TSortPosition;
  if (typeof p !== "object" || p === null || !Number.isInteger(p.g) || !Array.isArray(p.v)) return false;
  const seg = sortSegments(sort, 0)[p.g];
  if (!seg || p.v.length !== seg.keys.length) return false;
  return seg.keys.every((k, i) =>
    STRING_COLUMNS.has(k) ? typeof p.v[i] === "string" && p.v[i].length <= 200 : typeof p.v[i] === "number" && Number.isFinite(p.v[i]),
  );
}

/**
 * The rows after `values` in a stretch's order. The leading bound repeats the first key on its own
 * so that both planners seek the index there instead of filtering from its start.
 */
function keysetAfter(seg: TSortSegment, values: (string | number)[]): Prisma.ChainWhereInput {
  const strict = seg.dir === "desc" ? "lt" : "gt";
  const loose = seg.dir === "desc" ? "lte" : "gte";
  const or = seg.keys.map((k, i) => {
    const clause: Record<string, unknown> = {};
    for (let j = 0; j < i; j++) clause[seg.keys[j]] = values[j];
    clause[k] = { [strict]: values[i] };
    return clause;
  });
  return { AND: [{ [seg.keys[0]]: { [loose]: values[0] } }, { OR: or }] };
}

// ---------------------------------------------------------------------------------------------

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

const json = (list: string[]) => JSON.stringify(list);

/** detailRows from its two parts: every event of the chain, then what those events name. */
async function detailRowsOf(store: Pick<TChainStore, "detailEvents" | "detailLookups">, id: string): Promise<TChainDetailRows> {
  const events = await store.detailEvents(id, 0);
  return { ...events, ...(await store.detailLookups(refsOf(events.events))) };
}

/** The store through Prisma alone, shared by both databases (and what the contract tests hold the plain-SQL reads to). */
export function prismaChainStore(db: TDatabase): TChainStore {
  const prisma: TPrisma = db.prisma;
  const store: TChainStore = {
    listRows: async (filters, now, page) => {
      const where = await chainWhere(db, filters, now);
      if (filters.principal && (await isPrincipalDriven(prisma, filters)))
        return principalPage(prisma, { ...filters, principal: filters.principal }, where, page, (w) =>
          prisma.chain.findMany({ where: w, select: CHAIN_ROW_SELECT }),
        );
      const rare = await rareCandidates(db, filters);
      if (rare)
        return rarePage(prisma, where, rare, page, (w) =>
          prisma.chain.findMany({ where: w, orderBy: NEWEST_FIRST, take: page.take, select: CHAIN_ROW_SELECT }),
        );
      return prisma.chain.findMany({ where: pageWhere(where, page), orderBy: NEWEST_FIRST, take: page.take, select: CHAIN_ROW_SELECT });
    },
    listSorted: async (filters, now, page) => {
      const base = await chainWhere(db, filters, now);
      const segments = sortSegments(page.sort, page.now);
      const out: { row: TChainRow; at: TSortPosition }[] = [];
      for (let g = page.after?.g ?? 0; g < segments.length && out.length < page.take; g++) {
        const seg = segments[g];
        const and = [base, seg.where];
        if (page.after && page.after.g === g) and.push(keysetAfter(seg, page.after.v));
        const rows = await prisma.chain.findMany({
          where: { AND: and },
          orderBy: [...(seg.orderFirst ?? []), ...seg.keys].map((k) => ({ [k]: seg.dir })),
          take: page.take - out.length,
          select: CHAIN_ROW_SELECT,
        });
        for (const row of rows) out.push({ row, at: { g, v: seg.keys.map((k) => row[k] as string | number) } });
      }
      return out;
    },
    listKeys: async (filters, now, page) => {
      const where = await chainWhere(db, filters, now);
      if (filters.principal && (await isPrincipalDriven(prisma, filters)))
        return principalPage(prisma, { ...filters, principal: filters.principal }, where, page, (w) =>
          prisma.chain.findMany({ where: w, select: CHAIN_KEY_SELECT }),
        );
      const rare = await rareCandidates(db, filters);
      if (rare)
        return rarePage(prisma, where, rare, page, (w) =>
          prisma.chain.findMany({ where: w, orderBy: NEWEST_FIRST, take: page.take, select: CHAIN_KEY_SELECT }),
        );
      return prisma.chain.findMany({ where: pageWhere(where, page), orderBy: NEWEST_FIRST, take: page.take, select: CHAIN_KEY_SELECT });
    },
    countRows: async (filters, now, atMost) => {
      const where = await chainWhere(db, filters, now);
      // A rare value is counted from its own rows: COUNT(*) over Chain with its test was planned as
      // a walk of every chain on SQLite (docs/benchmarks.md "Growth"), however few matched.
      // Counting needs no order, so a value is "rare" up to the count's own cap: 10,001 candidates
      // tested by id cost far less than a COUNT over Chain that reads every chain when fewer than
      // the cap match (2.4 s at 1M chains for a scope in 1,000).
      const rare = await rareCandidates(db, filters, Math.max(RARE_AT_MOST, atMost ?? 0));
      if (rare) {
        let n = 0;
        for (const part of chunked(rare, RARE_CHUNK)) n += await prisma.chain.count({ where: { AND: [where, { id: { in: part } }] } });
        return atMost === undefined ? n : Math.min(n, atMost);
      }
      return prisma.chain.count({ where, ...(atMost === undefined ? {} : { take: atMost }) });
    },
    findingCounts: async (filters, now) => {
      const where = await chainWhere(db, filters, now);
      const grouped = await prisma.finding.groupBy({ by: ["code"], where: { chain: where }, _count: { _all: true } });
      return grouped.map((g) => ({ code: g.code, count: g._count._all }));
    },
    detailRows: (id) => detailRowsOf(store, id),
    rawEvent: (jti) => prisma.event.findUnique({ where: { jti }, select: RAW_EVENT_SELECT }),
    checkEvents: async (chainIds) => {
      if (chainIds.length === 0) return [];
      const stored = await prisma.event.findMany({ where: { chainId: { in: chainIds } }, select: EVENT_CHECK_SELECT, orderBy: { seq: "asc" } });
      return stored.map((r) => ({ ...r, receivedAt: r.keyRevokedAt === null ? null : r.receivedAt.getTime() / 1000 }));
    },
    eventKinds: async (jtis) =>
      jtis.length ? prisma.event.findMany({ where: { jti: { in: jtis } }, select: { jti: true, chainId: true, kind: true } }) : [],
    principalKinds: async (ids) => (ids.length ? prisma.principal.findMany({ where: { id: { in: ids } }, select: { id: true, kind: true } }) : []),
    stamp: async (id) => {
      const [row] = await prisma.$queryRawUnsafe<{ version: number | bigint | null; principals: number | bigint; revoked: number | bigint }[]>(
        `SELECT (SELECT "version" FROM "Chain" WHERE "id" = ${db.kind === "postgres" ? "$1" : "?"}) AS "version", (SELECT COUNT(*) FROM "Principal") AS "principals", ${REVOKED_KEYS} AS "revoked"`,
        id,
      );
      return !row || row.version === null ? null : `${row.version}/${row.principals}/${row.revoked}`;
    },
    detailEvents: async (id, afterSeq) => {
      const [summary, events, head] = await Promise.all([
        prisma.chain.findUnique({ where: { id }, select: { startedAt: true, source: true } }),
        prisma.event.findMany({ where: { chainId: id, seq: { gt: afterSeq } }, orderBy: { seq: "asc" }, select: EVENT_DETAIL_SELECT }),
        prisma.ledgerHead.findUnique({ where: { id: 1 }, select: { seq: true, hash: true } }),
      ]);
      return { startedAt: summary?.startedAt ?? null, source: summary?.source ?? "dep", events, head };
    },
    detailLookups: async ({ refs, principalIds, issuers }) => {
      const [externalRows, principals, keys] = await Promise.all([
        refs.length ? prisma.event.findMany({ where: { jti: { in: refs } }, select: { jti: true, chainId: true, kind: true } }) : Promise.resolve([]),
        principalIds.length
          ? prisma.principal.findMany({ where: { id: { in: principalIds } }, select: { id: true, kind: true, name: true } })
          : Promise.resolve([]),
        issuers.length
          ? prisma.principalKey.findMany({
              where: { principalId: { in: issuers } },
              select: { principalId: true, kid: true, thumbprint: true, revokedAt: true },
            })
          : Promise.resolve([]),
      ]);
      return { externalRows, principals, keys };
    },
    ledgerPage: (afterSeq, take) =>
      prisma.event.findMany({
        where: { seq: { gt: afterSeq } },
        orderBy: { seq: "asc" },
        take,
        select: { seq: true, prevHash: true, hash: true, token: true },
      }),
    ledgerHead: () => prisma.ledgerHead.findUnique({ where: { id: 1 }, select: { seq: true, hash: true } }),
  };
  return store;
}

/**
 * SQLite overrides: the reads that return many rows go through the direct connection (rows through
 * Prisma cost ~50 µs each: most of a 1,000-hop chain's read), rows as arrays turned into objects of
 * one literal shape (better-sqlite3's own row objects are slow to read and to copy).
 */
/**
 * chainWhere as SQL conditions (each with its values) when the filters are only plain column tests
 * (status, source, since, until), the same tests Prisma writes for them; null for any other filter.
 */
export function plainChainWhere(filters: TChainFilters, now: number, alias = ""): [string, unknown[]][] | null {
  const where: [string, unknown[]][] = [];
  const col = (name: string) => `${alias}"${name}"`;
  for (const [name, value] of Object.entries(filters)) {
    if (value === undefined) continue;
    if (name === "status") {
      if (value === "warning") where.push([`(${col("status")} = 'warning' OR (${col("status")} = 'verified' AND ${col("evidenceDue")} < ?))`, [now]]);
      else if (value === "verified")
        where.push([`(${col("status")} = 'verified' AND (${col("evidenceDue")} IS NULL OR ${col("evidenceDue")} >= ?))`, [now]]);
      else where.push([`${col("status")} = ?`, [value]]);
    } else if (name === "source") where.push([`${col("source")} = ?`, [value]]);
    else if (name === "since") where.push([`${col("startedAt")} >= ?`, [value]]);
    else if (name === "until") where.push([`${col("startedAt")} <= ?`, [value]]);
    else return null;
  }
  return where;
}

/** The pieces of this file the SQLite list plan (chain-list-sqlite.ts) shares. */
const SQLITE_LIST_DEPS: TSqliteListDeps = { scopeWheres, plainChainWhere };

/**
 * At most this many of a value's rows drive a page beside other filters: the walk and the look that
 * decides it each read at most this many index entries. Past it for every value, the Chain walk stays.
 */
const DRIVEN_WALK_AT_MOST = 20_000;

/**
 * Whether a page of a principal beside plain column tests only is cheaper from the principal's rows
 * than down Chain's index: each walk reads about take × (its own range ÷ the matches), so the
 * shorter range wins. Chain's range is the status's chains (ChainStatusCount, kept by triggers: a
 * warning reads the warning and verified chains), or every chain without a status.
 */
function isPrincipalWalkCheaper(conn: Database.Database, principal: TValueRows, filters: TChainFilters): boolean {
  const statuses = filters.status === undefined ? null : filters.status === "warning" ? ["warning", "verified"] : [filters.status];
  const chains = statement(conn, `SELECT COALESCE(SUM("count"), 0) FROM "ChainStatusCount"${statuses ? ` WHERE "status" IN ${IN_LIST}` : ""}`)
    .pluck(true)
    .get(...(statuses ? [json(statuses)] : [])) as number;
  const limit = Math.min(chains, DRIVEN_WALK_AT_MOST);
  return boundedRows(conn, principal, limit + 1) <= limit;
}

/**
 * A page's rows in the list's order, driven by one filter value's own rows
 * (chain-list-sqlite.ts); null when the Chain walk through Prisma stays: `q`, no such value, every
 * value past DRIVEN_WALK_AT_MOST rows, or a principal beside only a status whose range is shorter.
 * Of several values, the one whose walk reads the fewest rows drives and the others are tested per
 * chain: a principal's rows are read in the list's order (about its rows at most), another value's
 * after a bounded window of Chain (about twice its rows at most).
 */
async function drivenPage(db: TDatabase, conn: Database.Database, filters: TChainFilters, now: number, page: TListPage): Promise<TChainRow[] | null> {
  const plan = await sqliteListPlan(db, SQLITE_LIST_DEPS, filters, now);
  if (!plan || plan.values.length === 0) return null;
  // From here to the rows, synchronous: the ids and their rows are read from one state of the store.
  const [only] = plan.values;
  if (plan.values.length === 1 && plan.other.length === 0 && only.key === "principal") {
    // Alone, every row of the principal's is a match: the walk reads the page's rows and no more.
    if (plan.plain.length > 0 && !isPrincipalWalkCheaper(conn, only, filters)) return null;
    return chainRowsById(conn, orderedPageIds(conn, plan, only, filters, page));
  }
  const sized = plan.values.map((v) => ({ v, n: boundedRows(conn, v, DRIVEN_WALK_AT_MOST + 1) })).filter((s) => s.n <= DRIVEN_WALK_AT_MOST);
  if (sized.length === 0) return null;
  const cost = (s: { v: TValueRows; n: number }) => (s.v.ordered ? s.n : 2 * s.n);
  const best = sized.reduce((a, b) => (cost(b) < cost(a) ? b : a));
  return chainRowsById(conn, best.v.ordered ? orderedPageIds(conn, plan, best.v, filters, page) : unorderedPageIds(conn, plan, best.v, best.n, page));
}

/** CHAIN_ROW_SELECT's columns on SQLite, the review's status beside them. */
const SQLITE_ROW_COLUMNS = `c."id", c."status", c."source", c."rootIss", c."rootAud", c."purposeCode", c."purposeText", c."startedAt", c."hopCount",
  c."eventCount", c."criticalCount", c."errorCount", c."warningCount", c."findingCodes", c."evidenceDue", c."openGrantExps", c."lastEventAt",
  rv."status" AS "reviewStatus"`;

/**
 * These chains' list rows in this order, as Prisma returns them (CHAIN_ROW_SELECT: Date for
 * lastEventAt, review null or { status }), read on the direct connection. Through Prisma, by id 50 at
 * a time with the filters again, a page of a scope or a purpose cost ~30 ms CPU: Prisma writes a
 * relation filter as `id IN (SELECT "chainId" FROM …)`, which SQLite materialises whole (the
 * scope's 10k rows) for each statement.
 */
function chainRowsById(conn: Database.Database, ids: string[]): TChainRow[] {
  if (ids.length === 0) return [];
  type TRaw = TChainRowColumns & { lastEventAt: string | number };
  const raw = statement(
    conn,
    `SELECT ${SQLITE_ROW_COLUMNS} FROM "Chain" c LEFT JOIN "ChainReview" rv ON rv."chainId" = c."id" WHERE c."id" IN ${IN_LIST}`,
  ).all(json(ids)) as TRaw[];
  const rows = new Map<string, TChainRow>();
  for (const r of raw) rows.set(r.id, chainRowOf(r, fromSqliteDate(r.lastEventAt)));
  return ids.flatMap((id) => rows.get(id) ?? []);
}

function sqliteChainStore(db: TDatabase, conn: Database.Database): TChainStore {
  const shared = prismaChainStore(db);
  const q = (sql: string) => statement(conn, sql);
  const detailColumns = EVENT_DETAIL_KEYS.map((c) => `"${c}"`).join(", ");
  const store: TChainStore = {
    ...shared,
    detailRows: (id) => detailRowsOf(store, id),
    stamp: async (id) => {
      const row = q(
        `SELECT (SELECT "version" FROM "Chain" WHERE "id" = ?) AS "version", (SELECT COUNT(*) FROM "Principal") AS "principals", ${REVOKED_KEYS} AS "revoked"`,
      ).get(id) as { version: number | null; principals: number; revoked: number } | undefined;
      return !row || row.version === null ? null : `${row.version}/${row.principals}/${row.revoked}`;
    },
    detailEvents: async (id, afterSeq) => {
      const summary = q(`SELECT "startedAt", "source" FROM "Chain" WHERE "id" = ?`).get(id) as { startedAt: number; source: string } | undefined;
      const raw = q(`SELECT ${detailColumns} FROM "Event" WHERE "chainId" = ? AND "seq" > ? ORDER BY "seq"`)
        .raw(true)
        .all(id, afterSeq) as unknown[][];
      const at = EVENT_DETAIL_KEYS.indexOf("receivedAt");
      const events = raw.map((r) => {
        const row = {} as Record<string, unknown>;
        for (let i = 0; i < EVENT_DETAIL_KEYS.length; i++) row[EVENT_DETAIL_KEYS[i]] = i === at ? fromSqliteDate(r[i] as string) : r[i];
        return row as TEventDetailRow;
      });
      const head = (q(`SELECT "seq", "hash" FROM "LedgerHead" WHERE "id" = 1`).get() as { seq: number; hash: string } | undefined) ?? null;
      return { startedAt: summary?.startedAt ?? null, source: summary?.source ?? "dep", events, head };
    },
    detailLookups: async ({ refs, principalIds, issuers }) => ({
      externalRows: refs.length
        ? (q(`SELECT "jti", "chainId", "kind" FROM "Event" WHERE "jti" IN ${IN_LIST}`).all(json(refs)) as TExternalRow[])
        : [],
      principals: principalIds.length
        ? (q(`SELECT "id", "kind", "name" FROM "Principal" WHERE "id" IN ${IN_LIST}`).all(json(principalIds)) as TChainDetailRows["principals"])
        : [],
      keys: issuers.length
        ? (q(`SELECT "principalId", "kid", "thumbprint", "revokedAt" FROM "PrincipalKey" WHERE "principalId" IN ${IN_LIST}`).all(
            json(issuers),
          ) as TChainDetailRows["keys"])
        : [],
    }),
    // A page driven by one filter value's own rows (a principal's, a stored finding's, a scope's, a
    // purpose's), every other filter tested per chain, read as ids in the list's order on the direct
    // connection, then their rows there (drivenPage). It was the Chain walk testing each chain, to the
    // end of the range when few or none matched: two values together read every chain of a 1M-event
    // store for an empty page (docs/benchmarks.md "A value in thousands of chains", "Two values
    // together, and a common scope or purpose").
    listRows: async (filters, now, page) => {
      const rows = await drivenPage(db, conn, filters, now, page);
      return rows ?? shared.listRows(filters, now, page);
    },
    // The count in one statement from the rows of the value with the fewest, when they are at most
    // the count's cap (rareCandidates's rule), every other filter tested per chain: it was their ids
    // read into Prisma and tested 50 per statement (RARE_CHUNK), ~100 statements for a value in 5k
    // chains. No filter or a status alone, either with review=unreviewed: counters (counterCount).
    countRows: async (filters, now, atMost) => {
      const cap = (n: number) => (atMost === undefined ? n : Math.min(n, atMost));
      const plan = await sqliteListPlan(db, SQLITE_LIST_DEPS, filters, now);
      if (!plan) return shared.countRows(filters, now, atMost);
      if (plan.values.length === 0) {
        const n = counterCount(conn, filters, now, plan.plain);
        return n === null ? shared.countRows(filters, now, atMost) : cap(n);
      }
      // Alone, the value's chains are those its rows name (a foreign key keeps every chain named),
      // counted on its index up to the cap: a principal in 10k of 100k chains was counted by
      // walking Chain testing each for the principal until the cap (PostgreSQL's count reads the same rows).
      const [only] = plan.values;
      if (plan.values.length === 1 && plan.plain.length === 0 && plan.other.length === 0 && only.key !== "scope")
        return drivenCount(conn, plan, only, atMost);
      // Rows, not chains: a scope or a purpose has a row per matching scope or code of a chain (two
      // for most chains of `scope=d3/*:read`), so the bound is the walk's; the count stops at the cap.
      const bound = Math.max(RARE_AT_MOST, atMost ?? 0, DRIVEN_WALK_AT_MOST);
      const sized = plan.values.map((v) => ({ v, n: boundedRows(conn, v, bound + 1) })).filter((s) => s.n <= bound);
      if (sized.length === 0) return shared.countRows(filters, now, atMost);
      return drivenCount(conn, plan, sized.reduce((a, b) => (b.n < a.n ? b : a)).v, atMost);
    },
    // The many-chain CSV export lists its chains' keys a thousand at a time: through Prisma that cost
    // ~14 ms for 673 chains (about a third of a 6,726-row export's budget at 150k rows/s), as SQL
    // well under a millisecond. Only the filters that are plain column tests are written here; the
    // others (principal, scope, purpose, finding, q, review) stay with chainWhere through Prisma.
    listKeys: async (filters, now, page) => {
      const where = plainChainWhere(filters, now);
      if (where === null) return shared.listKeys(filters, now, page);
      const a = page.after;
      if (a) where.push([`("startedAt" < ? OR ("startedAt" = ? AND "id" < ?))`, [a.startedAt, a.startedAt, a.id]]);
      const sql = `SELECT "id", "startedAt", "eventCount", "source" FROM "Chain"${where.length ? ` WHERE ${where.map(([c]) => c).join(" AND ")}` : ""}
        ORDER BY "startedAt" DESC, "id" DESC LIMIT ?`;
      return q(sql).all(...where.flatMap(([, v]) => v), page.take) as TChainKey[];
    },
    // A million events through Prisma's row mapping took ~14 s and grew the server by hundreds of
    // MB of garbage; the caller yields between pages (the walk is synchronous per page).
    ledgerPage: async (afterSeq, take) => {
      const rows = q(`SELECT "seq", "prevHash", "hash", "token" FROM "Event" WHERE "seq" > ? ORDER BY "seq" LIMIT ?`)
        .raw(true)
        .all(afterSeq, take) as [number, string, string, string][];
      return rows.map(([seq, prevHash, hash, token]) => ({ seq, prevHash, hash, token }));
    },
  };
  return store;
}

export function createChainStore(db: TDatabase): TChainStore {
  if (db.sqlite) return sqliteChainStore(db, db.sqlite);
  const shared = prismaChainStore(db);
  if (!db.pg) return shared;
  // The newest-first list and its count as plain SQL (lib/db/stores/chain-list-pg.ts).
  return {
    ...shared,
    ...postgresChainList(db, db.pg, {
      scopeWheres,
      likeLiteral,
      drivenWithOtherFiltersAtMost: DRIVEN_WITH_OTHER_FILTERS_AT_MOST,
      rareAtMost: RARE_AT_MOST,
      otherFilters: OTHER_FILTERS,
    }),
  };
}
