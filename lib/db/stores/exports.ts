// The exports' reads: event rows page by page for the CSV exports (on SQLite through the direct
// connection: every row through Prisma's query interpreter cost ~50 µs, most of an export's time),
// and what an evidence bundle or a chain report adds to a chain read (events elsewhere, keys,
// principals, the covering checkpoint).
import type Database from "better-sqlite3";
import type { Pool, QueryResultRow } from "pg";
import type { Prisma } from "@/generated/sqlite/client";
import { sha256Hex } from "@/lib/auth/secrets";
import { csvTextsOf, isPlainCsvSource, keepsClaims } from "@/lib/db/csv-columns";
import { eventRef } from "@/lib/protocol/grammar";
import type { TClaims } from "@/lib/protocol/types";
import type { TDatabase, TPrisma } from "../connect";
import { IN_LIST, isoOfStored, statement } from "../sqlite";

const EVENT_SELECT = {
  seq: true,
  jti: true,
  chainId: true,
  kind: true,
  status: true,
  alg: true,
  kid: true,
  token: true,
  claims: true,
  prevHash: true,
  hash: true,
  receivedAt: true,
} as const satisfies Prisma.EventSelect;
type TEventRowStored = Prisma.EventGetPayload<{ select: typeof EVENT_SELECT }>;
/** An event row of the exports, receivedAt as ISO 8601 UTC (as Date.prototype.toISOString writes it). */
export type TEventRow = Omit<TEventRowStored, "receivedAt"> & { receivedAt: string };
const EVENT_KEYS = Object.keys(EVENT_SELECT) as (keyof TEventRowStored)[];

export type TFindingOfEvent = { eventJti: string; code: string; severity: string; message: string };
export type TRefRow = { jti: string; chainId: string; kind: string; iss: string; aud: string | null };
export type TCloserRow = { ref: string | null; iss: string; chainId: string };
export type TKeyRow = { principalId: string; kid: string; thumbprint: string };
export type TKindRow = { id: string; kind: string };
/** A registered signer and one of its keys (kid and thumbprint null for a signer without keys): one row a key. */
export type TSignerRow = [id: string, kind: string, name: string | null, kid: string | null, thumbprint: string | null];

/** An event outside a chain that the chain points at, as an evidence bundle carries it. */
export type TExternalEventRow = {
  seq: number;
  jti: string;
  chainId: string;
  kind: string;
  iss: string;
  token: string;
  prevHash: string;
  hash: string;
  receivedAt: Date;
};
export type TFullKeyRow = { principalId: string; kid: string; jwk: string; thumbprint: string; revokedAt: number | null };
export type TCheckpointRow = { seq: number; hash: string; at: Date; kid: string; signature: string };

/**
 * One event as the CSV export formats it (lib/reports/csv-rows.ts), the claim fields it shows
 * read by the database rather than parsed from `claims` in JavaScript, as an array (no object per
 * row). `x1`–`x3` depend on the kind: authorize/delegate `purpose.text`, the scope joined by spaces;
 * invoke `action`, `resource`; complete `status`, `result_hash`, `evidence.summary`; revoke `reason`.
 * `claims` is set only where those fields are not used: an event carrying `aip` (or presented by
 * AIP), or claims with a `\u` escape (control characters, lone surrogates, which the databases'
 * JSON functions do not give back as JavaScript does): the formatter parses them as before.
 */
export type TCsvEventRow = [
  seq: number,
  receivedAt: string,
  chainId: string,
  jti: string,
  kind: string,
  iss: string,
  aud: string | null,
  ref: string | null,
  iat: number,
  exp: number | null,
  purposeCode: string | null,
  status: string,
  alg: string,
  kid: string,
  tokenSha256: string,
  prevHash: string,
  hash: string,
  x1: string | null,
  x2: string | null,
  x3: string | null,
  claims: string | null,
  /** 1: stored as plain (csvFromClaims 2, lib/db/csv-columns.ts CSV_PLAIN): every cell but the verdict's and receivedAt is written as it is */
  plain: number,
];

export type TExportStore = {
  chainExists(chainId: string): Promise<boolean>;
  /** whether the chain is an observed one (docs/observed.md): its export lists observed calls */
  isObserved(chainId: string): Promise<boolean>;
  /** chainEvents as the CSV formats them */
  csvChainEvents(chainId: string, after: number, take: number): Promise<TCsvEventRow[]>;
  /** eventsOfChains as the CSV formats them */
  csvEventsOfChains(chainIds: string[]): Promise<TCsvEventRow[]>;
  /** up to `take` events of the chain after seq `after`, in ledger order */
  chainEvents(chainId: string, after: number, take: number): Promise<TEventRow[]>;
  /** every event of the chains, chain by chain in the given order, each in ledger order */
  eventsOfChains(chainIds: string[]): Promise<TEventRow[]>;
  findings(jtis: string[]): Promise<TFindingOfEvent[]>;
  /** those of the chains with at least one stored finding, in no particular order */
  chainsWithFindings(chainIds: string[]): Promise<string[]>;
  events(jtis: string[]): Promise<TRefRow[]>;
  /** completes whose grant is one of `refs` */
  completesOf(refs: string[]): Promise<TCloserRow[]>;
  keys(principalIds: string[]): Promise<TKeyRow[]>;
  kinds(principalIds: string[]): Promise<TKindRow[]>;
  /** principals and their keys in one read (the CSV's signer lookups), in no particular order; unknown ids give no row */
  signers(principalIds: string[]): Promise<TSignerRow[]>;
  /** events by jti, whole, as a bundle carries the ones a chain references elsewhere */
  externalEvents(jtis: string[]): Promise<TExternalEventRow[]>;
  /** principals with names, ordered by id */
  principals(ids: string[]): Promise<{ id: string; kind: string; name: string | null }[]>;
  /** keys with their JWK and revocation, ordered by principal and kid */
  fullKeys(principalIds: string[]): Promise<TFullKeyRow[]>;
  ledgerHead(): Promise<{ seq: number; hash: string } | null>;
  /** the latest checkpoint in [fromSeq, toSeq], and the public JWK of the key that signed it */
  checkpointCovering(fromSeq: number, toSeq: number): Promise<(TCheckpointRow & { jwk: string | null }) | null>;
};

/** Rows sorted by chain id then seq, put in the order of `chainIds` (each chain stays in seq order). */
function inChainOrder<R extends TEventRow | TCsvEventRow>(chainIds: string[], rows: R[]): R[] {
  if (chainIds.length === 1) return rows;
  const byChain = new Map<string, R[]>();
  for (const r of rows) {
    const chainId = Array.isArray(r) ? r[2] : r.chainId;
    const list = byChain.get(chainId);
    if (list) list.push(r);
    else byChain.set(chainId, [r]);
  }
  const out: R[] = [];
  for (const id of chainIds) for (const r of byChain.get(id) ?? []) out.push(r);
  return out;
}

const toExportRow = (r: TEventRowStored): TEventRow => ({ ...r, receivedAt: r.receivedAt.toISOString() });

/** keepsClaims in SQL, for rows whose csvFromClaims is null (stored before migration 0029, or by a writer that leaves it null). */
const SQL_KEEPS_CLAIMS = `"alg" = 'aip-presented' OR instr("claims", '"aip"') > 0 OR instr("claims", '\\u') > 0`;

/** An event row as TCsvEventRow, the fields taken from its parsed claims (the Prisma reads; the reference the SQL forms are compared with). */
export function csvRowOfEvent(r: TEventRow): TCsvEventRow {
  const c = JSON.parse(r.claims) as TClaims;
  const isGrant = c.kind === "authorize" || c.kind === "delegate";
  const x = csvTextsOf(c);
  const exact = keepsClaims(r.claims, r.alg);
  const row: TCsvEventRow = [
    r.seq,
    r.receivedAt,
    r.chainId,
    r.jti,
    r.kind,
    c.iss,
    "aud" in c ? c.aud : null,
    eventRef(c),
    c.iat,
    "exp" in c ? c.exp : null,
    isGrant ? c.purpose.code : c.kind === "invoke" ? (c.purpose ?? null) : null,
    r.status,
    r.alg,
    r.kid,
    sha256Hex(r.token),
    r.prevHash,
    r.hash,
    ...(exact ? ([null, null, null] as const) : x),
    exact ? r.claims : null,
    0,
  ];
  row[21] = isCsvPlain(row) ? 1 : 0;
  return row;
}

/** Whether a TCsvEventRow is what ingest stores as plain (CSV_PLAIN): the Prisma reads decide it from the row itself. */
export function isCsvPlain(r: TCsvEventRow): boolean {
  if (r[20] !== null) return false;
  const [, , chainId, jti, kind, iss, aud, ref, iat, exp, purposeCode, , alg, kid, tokenSha256, prevHash, hash, x1, x2, x3] = r;
  return isPlainCsvSource({ chainId, jti, kind, iss, aud, ref, iat, exp, purposeCode, alg, kid, prevHash, hash }, tokenSha256, [x1, x2, x3]);
}

function prismaExportStore(prisma: TPrisma): TExportStore {
  const chainEvents = async (chainId: string, after: number, take: number) =>
    (await prisma.event.findMany({ where: { chainId, seq: { gt: after } }, orderBy: { seq: "asc" }, take, select: EVENT_SELECT })).map(toExportRow);
  const eventsOfChains = async (chainIds: string[]) =>
    inChainOrder(
      chainIds,
      (
        await prisma.event.findMany({ where: { chainId: { in: chainIds } }, orderBy: [{ chainId: "asc" }, { seq: "asc" }], select: EVENT_SELECT })
      ).map(toExportRow),
    );
  return {
    chainExists: async (chainId) => (await prisma.chain.findUnique({ where: { id: chainId }, select: { id: true } })) !== null,
    isObserved: async (chainId) => (await prisma.observedChain.findUnique({ where: { id: chainId }, select: { id: true } })) !== null,
    chainEvents,
    eventsOfChains,
    csvChainEvents: async (chainId, after, take) => (await chainEvents(chainId, after, take)).map(csvRowOfEvent),
    csvEventsOfChains: async (chainIds) => (await eventsOfChains(chainIds)).map(csvRowOfEvent),
    findings: (jtis) =>
      prisma.finding.findMany({ where: { eventJti: { in: jtis } }, select: { eventJti: true, code: true, severity: true, message: true } }),
    chainsWithFindings: async (chainIds) =>
      (await prisma.finding.findMany({ where: { chainId: { in: chainIds } }, select: { chainId: true }, distinct: ["chainId"] })).map(
        (f) => f.chainId,
      ),
    events: (jtis) => prisma.event.findMany({ where: { jti: { in: jtis } }, select: { jti: true, chainId: true, kind: true, iss: true, aud: true } }),
    completesOf: (refs) => prisma.event.findMany({ where: { kind: "complete", ref: { in: refs } }, select: { ref: true, iss: true, chainId: true } }),
    keys: (principalIds) =>
      prisma.principalKey.findMany({ where: { principalId: { in: principalIds } }, select: { principalId: true, kid: true, thumbprint: true } }),
    kinds: (principalIds) => prisma.principal.findMany({ where: { id: { in: principalIds } }, select: { id: true, kind: true } }),
    signers: async (principalIds) =>
      (
        await prisma.principal.findMany({
          where: { id: { in: principalIds } },
          select: { id: true, kind: true, name: true, keys: { select: { kid: true, thumbprint: true } } },
        })
      ).flatMap((p): TSignerRow[] =>
        p.keys.length ? p.keys.map((k): TSignerRow => [p.id, p.kind, p.name, k.kid, k.thumbprint]) : [[p.id, p.kind, p.name, null, null]],
      ),
    externalEvents: async (jtis) =>
      jtis.length
        ? prisma.event.findMany({
            where: { jti: { in: jtis } },
            select: { seq: true, jti: true, chainId: true, kind: true, iss: true, token: true, prevHash: true, hash: true, receivedAt: true },
          })
        : [],
    principals: async (ids) =>
      ids.length
        ? prisma.principal.findMany({ where: { id: { in: ids } }, select: { id: true, kind: true, name: true }, orderBy: { id: "asc" } })
        : [],
    fullKeys: async (principalIds) =>
      principalIds.length
        ? prisma.principalKey.findMany({
            where: { principalId: { in: principalIds } },
            select: { principalId: true, kid: true, jwk: true, thumbprint: true, revokedAt: true },
            orderBy: [{ principalId: "asc" }, { kid: "asc" }],
          })
        : [],
    ledgerHead: () => prisma.ledgerHead.findUnique({ where: { id: 1 }, select: { seq: true, hash: true } }),
    checkpointCovering: async (fromSeq, toSeq) => {
      const row = await prisma.ledgerCheckpoint.findFirst({ where: { seq: { gte: Math.max(1, fromSeq), lte: toSeq } }, orderBy: { seq: "desc" } });
      if (!row) return null;
      const key = await prisma.ledgerKey.findUnique({ where: { kid: row.kid }, select: { jwk: true } });
      return { seq: row.seq, hash: row.hash, at: row.at, kid: row.kid, signature: row.signature, jwk: key?.jwk ?? null };
    },
  };
}

/** Raw rows of EVENT_KEYS as event rows. A batch's events share one receivedAt: converted once. */
function eventRowsOf(raw: unknown[][]): TEventRow[] {
  const at = EVENT_KEYS.indexOf("receivedAt");
  let lastStored: unknown = null;
  let lastIso = "";
  return raw.map((r) => {
    if (r[at] !== lastStored) lastIso = isoOfStored((lastStored = r[at]) as string);
    const row = {} as Record<string, unknown>;
    for (let i = 0; i < EVENT_KEYS.length; i++) row[EVENT_KEYS[i]] = i === at ? lastIso : r[i];
    return row as TEventRow;
  });
}

// TCsvEventRow's columns on SQLite: the stored CSV columns (lib/db/csv-columns.ts, written at
// ingest), and for a row without them what the export computed before migration 0029. Then the
// token hashed in JavaScript (SQLite has no SHA-256), the claim fields extracted by the JSON
// functions (SQLite keeps a row's parse for its other calls; the scope as its JSON array, joined in
// JavaScript: json_each per row cost more than the rest). CASE evaluates only the branch taken, so
// a row with its columns costs no extraction. Two columns more than TCsvEventRow, dropped by
// csvRowsOf: the token where tokenSha256 is null, and whether the fields were extracted here.
// No subquery: one over "Event" had SQLite sort whole rows (~1.7× the time).
const SQLITE_CSV_COLUMNS = `"seq", "receivedAt", "chainId", "jti", "kind", "iss", "aud", "ref", "iat", "exp", "purposeCode", "status", "alg", "kid", "tokenSha256", "prevHash", "hash",
  CASE WHEN "csvFromClaims" IS NOT NULL THEN "csvText1" WHEN "kind" = 'invoke' THEN json_extract("claims", '$.action') WHEN "kind" = 'complete' THEN json_extract("claims", '$.status')
    WHEN "kind" = 'revoke' THEN json_extract("claims", '$.reason') WHEN "kind" IN ('authorize', 'delegate') THEN json_extract("claims", '$.purpose.text') END,
  CASE WHEN "csvFromClaims" IS NOT NULL THEN "csvText2" WHEN "kind" = 'invoke' THEN json_extract("claims", '$.resource') WHEN "kind" = 'complete' THEN json_extract("claims", '$.result_hash')
    WHEN "kind" IN ('authorize', 'delegate') THEN json_extract("claims", '$.scope') END,
  CASE WHEN "csvFromClaims" IS NOT NULL THEN "csvText3" WHEN "kind" = 'complete' THEN json_extract("claims", '$.evidence.summary') END,
  CASE WHEN "csvFromClaims" = 1 THEN "claims" WHEN "csvFromClaims" IS NULL AND (${SQL_KEEPS_CLAIMS}) THEN "claims" END,
  "csvFromClaims" IS 2,
  CASE WHEN "tokenSha256" IS NULL THEN "token" END,
  "csvFromClaims" IS NULL`;

/** A scope's JSON array as its strings joined by spaces. Without a backslash no string holds a quote, so `","` only separates. */
export function joinScopeJson(json: string): string {
  if (json.includes("\\")) return (JSON.parse(json) as string[]).join(" ");
  return json.length <= 2 ? "" : json.slice(2, -2).split('","').join(" ");
}

/**
 * Raw SQLite rows in place as TCsvEventRow: receivedAt as ISO 8601 (a batch's events share one); for
 * a row without the stored columns, the token's SHA-256 and the extracted fields as the formatter
 * takes them (the scope joined, none where the row keeps its claims).
 */
function csvRowsOf(raw: unknown[][]): TCsvEventRow[] {
  let lastStored: unknown = null;
  let lastIso = "";
  for (const r of raw) {
    if (r[1] !== lastStored) lastIso = isoOfStored((lastStored = r[1]) as string);
    r[1] = lastIso;
    if (r[14] === null) r[14] = sha256Hex(r[22] as string);
    if (r[23] === 1) {
      if (r[20] !== null) r[17] = r[18] = r[19] = null;
      else if (r[18] !== null && (r[4] === "authorize" || r[4] === "delegate")) r[18] = joinScopeJson(r[18] as string);
    }
    r.length = 22;
  }
  return raw as TCsvEventRow[];
}

// A plain row's text columns as one string (PACKED_PARTS parts, split by PACKED_SEPARATOR), placed as
// TCsvEventRow places them: a row crosses into V8 as five values instead of 24. better-sqlite3 on
// Node 20 builds a row's array with one API call a column and a V8 string a text column; SQLite's
// concat_ws costs less than the strings and calls it saves, and String.prototype.split makes the
// parts in one call (docs/benchmarks.md, "CSV export VII"). Only a plain row (csvFromClaims 2) is
// packed: ingest stored it because none of its cells holds a control character, so neither the
// separator (U+001F) nor the null mark (U+001E) can be in one. Every other row (its texts may hold
// anything; its columns may need deriving) reads NULL here and is read again by seq with
// SQLITE_CSV_COLUMNS. The empty parts are the places of the row's other columns (seq, receivedAt,
// iat, exp, claims, plain), read as columns of their own or set in JavaScript.
const PACKED_SEPARATOR = "\u001f";
const PACKED_NULL = "\u001e";
const PACKED_PARTS = 22;
const orNullMark = (column: string) => `coalesce("${column}", '${PACKED_NULL}')`;
const SQLITE_CSV_PACKED = `"seq", "receivedAt", "iat", "exp",
  CASE WHEN "csvFromClaims" = 2 AND "tokenSha256" IS NOT NULL THEN concat_ws('${PACKED_SEPARATOR}', '', '', "chainId", "jti", "kind", "iss", ${orNullMark("aud")}, ${orNullMark("ref")},
    '', '', ${orNullMark("purposeCode")}, "status", "alg", "kid", "tokenSha256", "prevHash", "hash", ${orNullMark("csvText1")}, ${orNullMark("csvText2")}, ${orNullMark("csvText3")}, '', '') END`;

/**
 * Raw rows of SQLITE_CSV_PACKED as TCsvEventRow (csvRowsOf's form): a packed row split into its
 * parts, the others (and any row whose parts do not come out as PACKED_PARTS) read again by seq.
 */
function packedRowsOf(raw: unknown[][], unpacked: (seqs: number[]) => TCsvEventRow[]): TCsvEventRow[] {
  const out = raw as unknown as TCsvEventRow[];
  let lastStored: unknown = null;
  let lastIso = "";
  let others: number[] | null = null;
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i];
    const packed = r[4] as string | null;
    const p: unknown[] | null = packed === null ? null : packed.split(PACKED_SEPARATOR);
    if (p === null || p.length !== PACKED_PARTS) {
      (others ??= []).push(i);
      continue;
    }
    if (r[1] !== lastStored) lastIso = isoOfStored((lastStored = r[1]) as string);
    p[0] = r[0];
    p[1] = lastIso;
    p[8] = r[2];
    p[9] = r[3];
    out[i] = plainRow(p);
  }
  if (others !== null) {
    const seqs = others.map((i) => raw[i][0] as number);
    readAgainInto(out, others, seqs, unpacked);
  }
  return out;
}

/**
 * A plain row's parts at TCsvEventRow's places, its nullable texts' null marks back to null, the
 * claims (a plain row's cells come from its stored columns) null and plain 1.
 */
function plainRow(p: unknown[]): TCsvEventRow {
  if (p[6] === PACKED_NULL) p[6] = null;
  if (p[7] === PACKED_NULL) p[7] = null;
  if (p[10] === PACKED_NULL) p[10] = null;
  if (p[17] === PACKED_NULL) p[17] = null;
  if (p[18] === PACKED_NULL) p[18] = null;
  if (p[19] === PACKED_NULL) p[19] = null;
  p[20] = null;
  p[21] = 1;
  return p as TCsvEventRow;
}

/** The rows at places `others` of `out` (their seqs `seqs`, in the same order) read again by seq. */
function readAgainInto(out: TCsvEventRow[], others: number[], seqs: number[], readAgain: (seqs: number[]) => TCsvEventRow[]): void {
  const bySeq = new Map<number, TCsvEventRow>();
  for (const r of readAgain(seqs)) bySeq.set(r[0], r);
  for (let j = 0; j < others.length; j++) {
    const row = bySeq.get(seqs[j]);
    // Events are never deleted: a row read once is there to read again.
    if (row === undefined) throw new Error(`CSV export: event ${seqs[j]} not found on its second read`);
    out[others[j]] = row;
  }
}

// A one-chain page's rows as one string (PACKED_PARTS parts a row, at TCsvEventRow's places, all
// split by PACKED_SEPARATOR in one call): the page crosses into V8 as one value instead of five a
// row (SQLITE_CSV_PACKED's array, four numbers and a string: ~1 µs a row of V8 objects and API
// calls, "CSV export VIII"). A plain row (as SQLITE_CSV_PACKED packs it: no cell can hold the
// separator or the null mark) is written whole but for its chain id (every row's is the id asked
// for), its numbers as SQLite writes them as text (a plain row's iat and exp are whole seconds, so
// exact), and ends in "1"; any other row (or one whose receivedAt is not stored as text) is its seq
// and empty parts, ending in "0", and is read again by seq with SQLITE_CSV_PACKED. The rows are
// concatenated in the order the subquery gives them (SQLite does not flatten an ordered subquery
// into an aggregate), which is checked (seq rising); a page whose parts do not line up (a value
// holding the separator, a NOT NULL column found null) or out of order is read again with
// SQLITE_CSV_PACKED. Only a long chain's pages: one character beyond ASCII makes V8 hold the whole
// page, and every part split from it, as two-byte strings, and for groups of small chains that cost
// more than it saved where one plain row in 40 held one ("CSV export VIII"; testing each row for it
// in SQL cost as much as the page string saves).
const CHAIN_ROWS = `FROM "Event" WHERE "chainId" = ? AND "seq" > ? ORDER BY "seq" LIMIT ?`;
const SQLITE_CSV_CHAIN_PAGE = `SELECT count(*), group_concat("row", '${PACKED_SEPARATOR}') FROM (SELECT
  CASE WHEN "csvFromClaims" = 2 AND "tokenSha256" IS NOT NULL AND typeof("receivedAt") = 'text' THEN concat_ws('${PACKED_SEPARATOR}', "seq", "receivedAt", '', "jti", "kind", "iss", ${orNullMark("aud")}, ${orNullMark("ref")},
    "iat", ${orNullMark("exp")}, ${orNullMark("purposeCode")}, "status", "alg", "kid", "tokenSha256", "prevHash", "hash", ${orNullMark("csvText1")}, ${orNullMark("csvText2")}, ${orNullMark("csvText3")}, '', '1')
  ELSE concat_ws('${PACKED_SEPARATOR}', "seq"${", ''".repeat(PACKED_PARTS - 2)}, '0') END AS "row" ${CHAIN_ROWS})`;
const SQLITE_CSV_CHAIN_ROWS = `SELECT ${SQLITE_CSV_PACKED} ${CHAIN_ROWS}`;
const SQLITE_CSV_CHAINS_ROWS = `SELECT ${SQLITE_CSV_PACKED} FROM "Event" WHERE "chainId" IN ${IN_LIST} ORDER BY "chainId", "seq"`;
const SQLITE_CSV_PACKED_BY_SEQ = `SELECT ${SQLITE_CSV_PACKED} FROM "Event" WHERE "seq" IN ${IN_LIST}`;

/**
 * SQLITE_CSV_CHAIN_PAGE's `n` rows of `chainId` as TCsvEventRow (packedRowsOf's form), the rows not
 * in the string read by `readAgain`; null when its parts do not line up or its rows are out of order.
 */
function pageRowsOf(n: number, packed: string | null, chainId: string, readAgain: (seqs: number[]) => TCsvEventRow[]): TCsvEventRow[] | null {
  if (packed === null) return n === 0 ? [] : null;
  const p = packed.split(PACKED_SEPARATOR);
  if (p.length !== n * PACKED_PARTS) return null;
  const out = new Array<TCsvEventRow>(n);
  let lastStored = "";
  let lastIso = "";
  let others: number[] | null = null;
  let lastSeq = -Infinity;
  for (let i = 0, k = 0; i < n; i++, k += PACKED_PARTS) {
    const seq = Number(p[k]);
    if (!Number.isInteger(seq) || !(seq > lastSeq)) return null;
    lastSeq = seq;
    const plain = p[k + PACKED_PARTS - 1];
    if (plain === "0") {
      (others ??= []).push(i);
      continue;
    }
    if (plain !== "1") return null;
    const r: unknown[] = p.slice(k, k + PACKED_PARTS);
    r[0] = seq;
    if (r[1] !== lastStored) lastIso = isoOfStored((lastStored = r[1] as string));
    r[1] = lastIso;
    r[2] = chainId;
    r[8] = Number(r[8]);
    r[9] = r[9] === PACKED_NULL ? null : Number(r[9]);
    out[i] = plainRow(r);
  }
  if (others !== null) {
    const seqs = others.map((i) => Number(p[i * PACKED_PARTS]));
    readAgainInto(out, others, seqs, readAgain);
  }
  return out;
}

// The signers' read (TExportStore.signers) on SQLite: one statement, the ids' JSON array driving the
// join (one index seek a signer into each table; `IN` over the array had SQLite build and search a
// list first), and every row packed into one string, split once in JavaScript: the rows crossed into
// V8 as five strings each (a 1,000-hop chain names 1,001 signers, read once an export: "CSV export
// VIII"). A nullable part is written as "=" and its value, null as "", so no value is mistaken for
// a null; a value holding the separator adds parts, and a result whose parts are not SIGNER_PARTS a
// row is read again as arrays. Each id is asked for once (learnPrincipals asks for a set).
const SIGNERS_FROM = `FROM json_each(?) j JOIN "Principal" p ON p."id" = j."value" LEFT JOIN "PrincipalKey" k ON k."principalId" = p."id"`;
const SQLITE_SIGNERS_COLUMNS = `p."id", p."kind", p."name", k."kid", k."thumbprint" ${SIGNERS_FROM}`;
const SIGNER_PARTS = 5;
const SQLITE_SIGNERS_PACKED = `group_concat(concat_ws('${PACKED_SEPARATOR}', p."id", p."kind", coalesce('=' || p."name", ''), coalesce('=' || k."kid", ''), coalesce(k."thumbprint", '')), '${PACKED_SEPARATOR}') ${SIGNERS_FROM}`;

/** SQLITE_SIGNERS_PACKED's string of `n` rows as TSignerRow, or null when its parts are not SIGNER_PARTS a row (a value held the separator). */
function signerRowsOf(n: number, packed: string): TSignerRow[] | null {
  const p = packed.split(PACKED_SEPARATOR);
  if (p.length !== n * SIGNER_PARTS) return null;
  const out = new Array<TSignerRow>(n);
  for (let i = 0, j = 0; i < n; i++, j += SIGNER_PARTS) {
    const name = p[j + 2];
    const kid = p[j + 3];
    out[i] = [p[j], p[j + 1], name === "" ? null : name.slice(1), kid === "" ? null : kid.slice(1), kid === "" ? null : p[j + 4]];
  }
  return out;
}

function sqliteExportStore(prisma: TPrisma, conn: Database.Database): TExportStore {
  const q = (sql: string) => statement(conn, sql);
  const columns = EVENT_KEYS.map((c) => `"${c}"`).join(", ");
  const json = (list: string[]) => JSON.stringify(list);
  const unpacked = (seqs: number[]) =>
    csvRowsOf(q(`SELECT ${SQLITE_CSV_COLUMNS} FROM "Event" WHERE "seq" IN ${IN_LIST}`).raw(true).all(JSON.stringify(seqs)) as unknown[][]);
  // A page's rows left out of its string, read again by seq as CSV VII reads a page.
  const repacked = (seqs: number[]) => packedRowsOf(q(SQLITE_CSV_PACKED_BY_SEQ).raw(true).all(JSON.stringify(seqs)) as unknown[][], unpacked);
  return {
    ...prismaExportStore(prisma),
    csvChainEvents: async (chainId, after, take) => {
      const [n, packed] = q(SQLITE_CSV_CHAIN_PAGE).raw(true).get(chainId, after, take) as [number, string | null];
      return (
        pageRowsOf(n, packed, chainId, repacked) ??
        packedRowsOf(q(SQLITE_CSV_CHAIN_ROWS).raw(true).all(chainId, after, take) as unknown[][], unpacked)
      );
    },
    csvEventsOfChains: async (chainIds) =>
      inChainOrder(chainIds, packedRowsOf(q(SQLITE_CSV_CHAINS_ROWS).raw(true).all(json(chainIds)) as unknown[][], unpacked)),
    chainExists: async (chainId) => q(`SELECT 1 FROM "Chain" WHERE "id" = ?`).get(chainId) !== undefined,
    isObserved: async (chainId) => q(`SELECT 1 FROM "ObservedChain" WHERE "id" = ?`).get(chainId) !== undefined,
    chainEvents: async (chainId, after, take) =>
      eventRowsOf(
        q(`SELECT ${columns} FROM "Event" WHERE "chainId" = ? AND "seq" > ? ORDER BY "seq" LIMIT ?`)
          .raw(true)
          .all(chainId, after, take) as unknown[][],
      ),
    // One statement for a group of small chains (a statement per chain cost more than its rows).
    eventsOfChains: async (chainIds) =>
      inChainOrder(
        chainIds,
        eventRowsOf(
          q(`SELECT ${columns} FROM "Event" WHERE "chainId" IN ${IN_LIST} ORDER BY "chainId", "seq"`).raw(true).all(json(chainIds)) as unknown[][],
        ),
      ),
    findings: async (jtis) =>
      q(`SELECT "eventJti", "code", "severity", "message" FROM "Finding" WHERE "eventJti" IN ${IN_LIST}`).all(json(jtis)) as TFindingOfEvent[],
    // One index seek a chain.
    chainsWithFindings: async (chainIds) =>
      q(`SELECT "value" FROM json_each(?) WHERE EXISTS (SELECT 1 FROM "Finding" WHERE "chainId" = "value")`).pluck().all(json(chainIds)) as string[],
    events: async (jtis) => q(`SELECT "jti", "chainId", "kind", "iss", "aud" FROM "Event" WHERE "jti" IN ${IN_LIST}`).all(json(jtis)) as TRefRow[],
    completesOf: async (refs) =>
      q(`SELECT "ref", "iss", "chainId" FROM "Event" WHERE "kind" = 'complete' AND "ref" IN ${IN_LIST}`).all(json(refs)) as TCloserRow[],
    keys: async (principalIds) =>
      q(`SELECT "principalId", "kid", "thumbprint" FROM "PrincipalKey" WHERE "principalId" IN ${IN_LIST}`).all(json(principalIds)) as TKeyRow[],
    kinds: async (principalIds) => q(`SELECT "id", "kind" FROM "Principal" WHERE "id" IN ${IN_LIST}`).all(json(principalIds)) as TKindRow[],
    signers: async (principalIds) => {
      const ids = json(principalIds);
      const [n, packed] = q(`SELECT count(*), ${SQLITE_SIGNERS_PACKED}`).raw(true).get(ids) as [number, string | null];
      return packed === null ? [] : (signerRowsOf(n, packed) ?? (q(`SELECT ${SQLITE_SIGNERS_COLUMNS}`).raw(true).all(ids) as TSignerRow[]));
    },
    // Every export page names its issuers: through Prisma this cost ~18 ms a page of 126 names
    // (0.2 ms here), the largest single item of a CSV page on SQLite.
    principals: async (ids) =>
      ids.length
        ? (q(`SELECT "id", "kind", "name" FROM "Principal" WHERE "id" IN ${IN_LIST} ORDER BY "id"`).all(json(ids)) as {
            id: string;
            kind: string;
            name: string | null;
          }[])
        : [],
  };
}

// TCsvEventRow's columns on PostgreSQL: the stored CSV columns (lib/db/csv-columns.ts), and for a
// row without them (csvFromClaims null: written by a writer that leaves them null; migration 0029
// filled the older rows) what the export computed before: the token hashed, the claims cast to
// jsonb once. receivedAt as Date.prototype.toISOString writes it. `k`: the row keeps its claims
// (SQL_KEEPS_CLAIMS; jsonb refuses the \u0000 escape, hence no cast for those); `c` is cast only
// for a row without its columns.
const PG_CSV_SELECT = `SELECT e."seq", to_char(e."receivedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), e."chainId", e."jti", e."kind", e."iss", e."aud", e."ref",
  e."iat", e."exp", e."purposeCode", e."status", e."alg", e."kid", coalesce(e."tokenSha256", encode(sha256(convert_to(e."token", 'UTF8')), 'hex')), e."prevHash", e."hash",
  CASE WHEN e."csvFromClaims" IS NOT NULL THEN e."csvText1" WHEN e."kind" = 'invoke' THEN j.c->>'action' WHEN e."kind" = 'complete' THEN j.c->>'status'
    WHEN e."kind" = 'revoke' THEN j.c->>'reason' WHEN e."kind" IN ('authorize', 'delegate') THEN j.c->'purpose'->>'text' END,
  CASE WHEN e."csvFromClaims" IS NOT NULL THEN e."csvText2" WHEN j.c IS NULL THEN NULL WHEN e."kind" = 'invoke' THEN j.c->>'resource' WHEN e."kind" = 'complete' THEN j.c->>'result_hash'
    WHEN e."kind" IN ('authorize', 'delegate') THEN
      (SELECT coalesce(string_agg(s.v, ' ' ORDER BY s.n), '') FROM jsonb_array_elements_text(j.c->'scope') WITH ORDINALITY AS s(v, n)) END,
  CASE WHEN e."csvFromClaims" IS NOT NULL THEN e."csvText3" WHEN e."kind" = 'complete' THEN j.c->'evidence'->>'summary' END,
  CASE WHEN f.k THEN e."claims" END,
  CASE WHEN e."csvFromClaims" = 2 THEN 1 ELSE 0 END
FROM "Event" e
CROSS JOIN LATERAL (SELECT CASE WHEN e."csvFromClaims" IS NOT NULL THEN e."csvFromClaims" = 1
  ELSE (e."alg" = 'aip-presented' OR strpos(e."claims", '"aip"') > 0 OR strpos(e."claims", '\\u') > 0) END AS k) f
CROSS JOIN LATERAL (SELECT CASE WHEN f.k OR e."csvFromClaims" IS NOT NULL THEN NULL ELSE e."claims"::jsonb END AS c) j`;

/**
 * PostgreSQL: the CSV's reads as plain SQL on the pool Prisma uses (through Prisma's query
 * interpreter every row cost tens of µs, most of an export's time); the rest through Prisma.
 */
function postgresExportStore(prisma: TPrisma, pool: Pool): TExportStore {
  const rows = async <R extends QueryResultRow>(text: string, values: unknown[]) => (await pool.query<R>({ text, values })).rows;
  const arrays = async (text: string, values: unknown[]) => (await pool.query({ text, values, rowMode: "array" })).rows as TCsvEventRow[];
  return {
    ...prismaExportStore(prisma),
    csvChainEvents: (chainId, after, take) =>
      arrays(`${PG_CSV_SELECT} WHERE e."chainId" = $1 AND e."seq" > $2 ORDER BY e."seq" LIMIT $3`, [chainId, after, take]),
    csvEventsOfChains: async (chainIds) =>
      inChainOrder(chainIds, await arrays(`${PG_CSV_SELECT} WHERE e."chainId" = ANY($1::text[]) ORDER BY e."chainId", e."seq"`, [chainIds])),
    findings: (jtis) =>
      rows<TFindingOfEvent>(`SELECT "eventJti", "code", "severity", "message" FROM "Finding" WHERE "eventJti" = ANY($1::text[])`, [jtis]),
    chainsWithFindings: async (chainIds) =>
      (
        await rows<{ id: string }>(`SELECT c.id FROM unnest($1::text[]) AS c(id) WHERE EXISTS (SELECT 1 FROM "Finding" f WHERE f."chainId" = c.id)`, [
          chainIds,
        ])
      ).map((r) => r.id),
    events: (jtis) => rows<TRefRow>(`SELECT "jti", "chainId", "kind", "iss", "aud" FROM "Event" WHERE "jti" = ANY($1::text[])`, [jtis]),
    completesOf: (refs) =>
      rows<TCloserRow>(`SELECT "ref", "iss", "chainId" FROM "Event" WHERE "kind" = 'complete' AND "ref" = ANY($1::text[])`, [refs]),
    keys: (principalIds) =>
      rows<TKeyRow>(`SELECT "principalId", "kid", "thumbprint" FROM "PrincipalKey" WHERE "principalId" = ANY($1::text[])`, [principalIds]),
    kinds: (principalIds) => rows<TKindRow>(`SELECT "id", "kind" FROM "Principal" WHERE "id" = ANY($1::text[])`, [principalIds]),
    signers: async (principalIds) =>
      (
        await pool.query({
          text: `SELECT p."id", p."kind", p."name", k."kid", k."thumbprint" FROM "Principal" p LEFT JOIN "PrincipalKey" k ON k."principalId" = p."id" WHERE p."id" = ANY($1::text[])`,
          values: [principalIds],
          rowMode: "array",
        })
      ).rows as TSignerRow[],
    principals: async (ids) =>
      ids.length ? rows(`SELECT "id", "kind", "name" FROM "Principal" WHERE "id" = ANY($1::text[]) ORDER BY "id"`, [ids]) : [],
  };
}

export function createExportStore(db: TDatabase): TExportStore {
  if (db.sqlite) return sqliteExportStore(db.prisma, db.sqlite);
  return db.pg ? postgresExportStore(db.prisma, db.pg) : prismaExportStore(db.prisma);
}

/** Both implementations on one database (SQLite's direct connection or PostgreSQL's plain SQL, and Prisma): the equivalence tests compare them (lib/reports). */
export function exportStoresOf(db: TDatabase): { prisma: TExportStore; direct: TExportStore | null } {
  const direct = db.sqlite ? sqliteExportStore(db.prisma, db.sqlite) : db.pg ? postgresExportStore(db.prisma, db.pg) : null;
  return { prisma: prismaExportStore(db.prisma), direct };
}
