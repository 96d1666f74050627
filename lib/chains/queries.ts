// The chain read models: the list (with the read-time missing_evidence rule applied to stored
// summaries) and one chain's detail. Reads flow route → here → lib/db; nothing here writes. The
// detail's assembly is pure (lib/chains/detail.ts); this file loads and hands it the rows.
import { stores } from "@/lib/db";
import { isSortPosition, type TChainRow, type TSortPosition } from "@/lib/db/stores/chains";
import { AppError } from "@/lib/http";
import type { TChainSource } from "@/lib/protocol/grammar";
import type { TChainDetail, TChainList, TChainListQuery, TChainSummary, TRawEvent } from "@/lib/contracts/chains";
import { sha256Hex } from "@/lib/auth/secrets";
import type { TChainStatus, TFindingCode } from "@/lib/protocol/types";
import { buildObservedDetail, type TStoredObservedChain } from "@/lib/observations/detail";
import type { TChainReviewStatus } from "@/lib/contracts/review";
import { buildChainDetail } from "./detail";

export function nowSeconds(): number {
  return Date.now() / 1000;
}

// ---------------------------------------------------------------------------------------------
// The list

/** Applies the read-time `missing_evidence` rule to a stored summary. */
export function toChainSummary(row: TChainRow, now: number): TChainSummary {
  const overdue = row.evidenceDue !== null && now > row.evidenceDue ? countOverdue(row.openGrantExps, now) : 0;
  const codes = row.findingCodes ? (row.findingCodes.split(",") as TFindingCode[]) : [];
  if (overdue > 0 && !codes.includes("missing_evidence")) codes.push("missing_evidence");
  let status = row.status as TChainStatus;
  if (overdue > 0 && status === "verified") status = "warning";
  return {
    id: row.id,
    status,
    source: row.source as TChainSource,
    rootIss: row.rootIss,
    rootAud: row.rootAud,
    rootName: null,
    rootAudName: null,
    purposeCode: row.purposeCode,
    purposeText: row.purposeText,
    startedAt: row.startedAt,
    hopCount: row.hopCount,
    eventCount: row.eventCount,
    counts: { critical: row.criticalCount, error: row.errorCount, warning: row.warningCount + overdue },
    findingCodes: codes.sort(),
    lastEventAt: row.lastEventAt.toISOString(),
    review: (row.review?.status ?? "unreviewed") as TChainReviewStatus,
  };
}

/** Fills the display names of the summaries' root principals (one lookup for the whole list). */
export async function nameChains(items: TChainSummary[]): Promise<TChainSummary[]> {
  const ids = [...new Set(items.flatMap((c) => [c.rootIss, c.rootAud]).filter((id): id is string => id !== null))];
  if (ids.length === 0) return items;
  const names = new Map((await (await stores()).exports.principals(ids)).map((p) => [p.id, p.name] as const));
  return items.map((c) => ({
    ...c,
    rootName: c.rootIss === null ? null : (names.get(c.rootIss) ?? null),
    rootAudName: c.rootAud === null ? null : (names.get(c.rootAud) ?? null),
  }));
}

function countOverdue(openGrantExps: string, now: number): number {
  const exps = JSON.parse(openGrantExps) as number[];
  let n = 0;
  for (const e of exps) if (now > e) n++;
  return n;
}

type TCursor = { s: number; i: string };

function encodeCursor(c: TCursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

function decodeCursor(raw: string): TCursor {
  try {
    const c = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as TCursor;
    if (typeof c.s === "number" && Number.isFinite(c.s) && typeof c.i === "string" && c.i.length <= 200) return c;
  } catch {
    // fall through
  }
  throw new AppError("invalid_request", "cursor is not valid; use nextCursor from a previous page.");
}

/** A sorted list's cursor: the sort it belongs to, the instant its stretches are judged at, the last row's position. */
type TSortedCursor = { k: string; n: number } & TSortPosition;

function decodeSortedCursor(raw: string, sort: NonNullable<TChainListQuery["sort"]>): TSortedCursor {
  try {
    const c = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as TSortedCursor;
    if (c.k === sort && typeof c.n === "number" && Number.isFinite(c.n) && isSortPosition(sort, c)) return c;
  } catch {
    // fall through
  }
  throw new AppError("invalid_request", "cursor is not valid for this sort; use nextCursor from a previous page with the same sort.");
}

/**
 * The list's `total` counts at most this many matching chains. An exact count read every match on
 * every page (every chain without a filter: ~1M at 10M events, docs/benchmarks.md "Growth"); past
 * the cap the answer says so (`isTotalExact: false`) and the page reads "10,000+ chains".
 */
export const TOTAL_AT_MOST = 10_000;

/** `total` and `isTotalExact` of a page: one more than the cap is counted, to know whether it was reached. */
async function countTotal(query: TChainListQuery, now: number, atMost: number): Promise<Pick<TChainList, "total" | "isTotalExact">> {
  const counted = await (await stores()).chains.countRows(query, now, atMost + 1);
  return counted > atMost ? { total: atMost, isTotalExact: false } : { total: counted, isTotalExact: true };
}

/** `totalAtMost`: the count's cap (TOTAL_AT_MOST; a test passes a small one). */
export async function listChains(query: TChainListQuery, now = nowSeconds(), totalAtMost = TOTAL_AT_MOST): Promise<TChainList> {
  if (query.sort) return listSortedChains(query, query.sort, now, totalAtMost);
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  const store = (await stores()).chains;
  const [page, counted] = await Promise.all([
    store.listRows(query, now, { after: cursor ? { startedAt: cursor.s, id: cursor.i } : undefined, take: query.limit + 1 }),
    countTotal(query, now, totalAtMost),
  ]);
  const items = page.slice(0, query.limit);
  const last = items[items.length - 1];
  return {
    items: await nameChains(items.map((r) => toChainSummary(r, now))),
    nextCursor: page.length > query.limit && last ? encodeCursor({ s: last.startedAt, i: last.id }) : null,
    ...counted,
  };
}

/** The list in the order `sort` names (docs/api.md "Sorting the chain list"), with its own cursor. */
async function listSortedChains(
  query: TChainListQuery,
  sort: NonNullable<TChainListQuery["sort"]>,
  now: number,
  totalAtMost: number,
): Promise<TChainList> {
  const cursor = query.cursor ? decodeSortedCursor(query.cursor, sort) : null;
  const at = cursor?.n ?? now;
  const store = (await stores()).chains;
  const [page, counted] = await Promise.all([
    store.listSorted(query, now, { sort, now: at, after: cursor ? { g: cursor.g, v: cursor.v } : undefined, take: query.limit + 1 }),
    countTotal(query, now, totalAtMost),
  ]);
  const items = page.slice(0, query.limit);
  const last = items[items.length - 1];
  const next: TSortedCursor | null = page.length > query.limit && last ? { k: sort, n: at, ...last.at } : null;
  return {
    items: await nameChains(items.map((r) => toChainSummary(r.row, now))),
    nextCursor: next ? Buffer.from(JSON.stringify(next)).toString("base64url") : null,
    ...counted,
  };
}

// ---------------------------------------------------------------------------------------------
// One chain

export async function getChain(id: string, options: { now?: number; includeRaw?: boolean } = {}): Promise<TChainDetail> {
  return (await readChain(id, options)).detail;
}

/**
 * The chain's detail, and until when it stays what a read would return if the chain's stored rows
 * do not change (see buildChainDetail).
 */
export async function readChain(
  id: string,
  options: { now?: number; includeRaw?: boolean } = {},
): Promise<{ detail: TChainDetail; validUntil: number }> {
  const s = await stores();
  const rows = await s.chains.detailRows(id);
  if (rows.startedAt !== null && (rows.source === "otel" || rows.source === "capture")) {
    // An observed chain (docs/observed.md): its assembly, not signed events.
    const observed = await s.observed.chain(id);
    if (observed === null) throw new AppError("not_found", `No chain ${id}.`);
    const stored = JSON.parse(observed.data) as TStoredObservedChain;
    const signed = await s.observed.signedEventsOfTraces(observed.traceIds);
    return buildObservedDetail(stored, rows.source, rows.head, (options.now ?? nowSeconds()) * 1000, signed);
  }
  if (rows.startedAt === null || rows.events.length === 0) throw new AppError("not_found", `No chain ${id}.`);
  return buildChainDetail(id, rows, { now: options.now ?? nowSeconds(), includeRaw: options.includeRaw !== false });
}

/** One stored event with its raw token (GET /api/v1/events/{jti}); 404 when no event has this jti. */
export async function getRawEvent(jti: string): Promise<TRawEvent> {
  const row = await (await stores()).chains.rawEvent(jti);
  if (row === null) throw new AppError("not_found", `No event ${jti}.`);
  return {
    jti: row.jti,
    chainId: row.chainId,
    seq: row.seq,
    kind: row.kind as TRawEvent["kind"],
    alg: row.alg,
    kid: row.kid,
    token: row.token,
    tokenSha256: sha256Hex(row.token),
    prevHash: row.prevHash,
    hash: row.hash,
    receivedAt: row.receivedAt.toISOString(),
  };
}
