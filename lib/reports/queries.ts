// Reads for the exports. The many-chain exports walk chains and events with keyset pagination so
// memory stays bounded by one page, whatever the filters match: nothing here collects a whole
// result set.
import { stores } from "@/lib/db";
import type { TChainKey, TChainRow } from "@/lib/db/stores/chains";
import type { TCsvEventRow, TEventRow, TExportStore, TFindingOfEvent, TRefRow } from "@/lib/db/stores/exports";
import { AppError } from "@/lib/http";
import { getChain, nowSeconds, toChainSummary } from "@/lib/chains/queries";
import type { TChainFilters } from "@/lib/contracts/chains";
import type { TChainDetail, TChainRefusals, TChainSummary } from "@/lib/contracts/chains";
import { refusalsOfChain } from "@/lib/chains/refusals";
import { attestationOf, readTimeFindings } from "@/lib/protocol/chain";
import { sortFindings } from "@/lib/protocol/findings";
import { GENESIS_HASH } from "@/lib/protocol/ledger";
import {
  FINDING_CODES,
  type TAttestation,
  type TChainStatus,
  type TClaims,
  type TEventKind,
  type TFinding,
  type TFindingCode,
  type TSeverity,
} from "@/lib/protocol/types";
import { sha256Hex } from "@/lib/auth/secrets";
import { csvEventRow, csvRecordRow, type TCsvRowVerdict, type TCsvTimes, type TEventRecord } from "./csv";
import { CsvPageBytes } from "./stream";
import { parsePublicJwk, serverKey } from "@/lib/ledger/server-key";
import { observedRecords } from "./observed-rows";
import type { TCsvRecord, TObservedRecord } from "./csv";
import { buildEvidenceBundle, buildObservedEvidence, type TEvidenceBundle, type TObservedEvidence } from "./evidence";
import { reportReview, type TReportReview } from "@/lib/review/report";
import { statusRank } from "@/lib/protocol/grammar";

export const CHAIN_PAGE = 100;
export const EVENT_PAGE = 1000;

/** Page sizes of the keyset walks; tests shrink them to cross page boundaries. */
export type TPaging = { chains: number; events: number };
const DEFAULT_PAGING: TPaging = { chains: CHAIN_PAGE, events: EVENT_PAGE };

// ---------------------------------------------------------------------------------------------
// Chains matching the list filters, newest first (the list's order), one page at a time.

/** Pages of stored chain rows matching the filters, in the order GET /api/v1/chains lists them. */
async function* chainRowPages(filters: TChainFilters, now: number, take = CHAIN_PAGE): AsyncGenerator<TChainRow[]> {
  const store = (await stores()).chains;
  for (let after: { startedAt: number; id: string } | undefined; ;) {
    const page = await store.listRows(filters, now, { after, take });
    if (page.length === 0) return;
    yield page;
    if (page.length < take) return;
    after = { startedAt: page[page.length - 1].startedAt, id: page[page.length - 1].id };
  }
}

/** The same pages with only what the event exports need. */
async function* chainKeyPages(filters: TChainFilters, now: number, take = CHAIN_PAGE): AsyncGenerator<TChainKey[]> {
  const store = (await stores()).chains;
  for (let after: { startedAt: number; id: string } | undefined; ;) {
    const page = await store.listKeys(filters, now, { after, take });
    if (page.length === 0) return;
    yield page;
    if (page.length < take) return;
    after = { startedAt: page[page.length - 1].startedAt, id: page[page.length - 1].id };
  }
}

export async function assertChainExists(id: string): Promise<void> {
  if (!(await (await stores()).exports.chainExists(id))) throw new AppError("not_found", `No chain ${id}.`);
}

// ---------------------------------------------------------------------------------------------
// Event records for the CSV exports.
//
// The verdict of each event comes from what ingest stored (the Finding rows are rewritten whenever
// a batch touches the chain, so they are exactly the chain check's result) plus the two things a
// chain read derives on the fly: the read-time missing_evidence finding and a complete's
// attestation level. Both are derived per page with the same protocol functions a chain read uses.

type TGrantClaims = Extract<TClaims, { kind: "authorize" | "delegate" }>;
const isGrantClaims = (c: TClaims): c is TGrantClaims => c.kind === "authorize" || c.kind === "delegate";

// One pass over the rows, then one lookup of each kind for the page: this runs for every row of
// every export, so it avoids intermediate arrays.
/** A page's grants by jti: what the read-time missing_evidence rule and attestations need of them. */
type TPageGrants = Map<string, { chainId: string; iss: string; aud: string; exp: number }>;

/** Stored findings grouped by their event's jti, in the order read. */
function findingsByEvent(rows: TFindingOfEvent[]): Map<string, TFinding[]> {
  const byEvent = new Map<string, TFinding[]>();
  for (const f of rows) {
    const finding = { code: f.code as TFindingCode, severity: f.severity as TSeverity, message: f.message };
    const list = byEvent.get(f.eventJti);
    if (list) list.push(finding);
    else byEvent.set(f.eventJti, [finding]);
  }
  return byEvent;
}

/**
 * What a page of events needs from outside itself, for recordsOfPage (csvOfPage does the same
 * with what earlier pages read kept in a TCsvMemo): stored findings, the grants completes name that the page does not hold (into `grantOf`), the human root
 * of chains whose root is elsewhere (into `rootOf`), issuers' names and key thumbprints, signer
 * kinds, and the read-time missing_evidence findings of the page's overdue grants.
 */
async function lookupsOfPage(
  reads: TExportStore,
  page: {
    jtis: string[];
    unread: string[];
    overdue: string[];
    issuers: Set<string>;
    kindIds: Set<string>;
    rootless: string[];
    rootOf: Map<string, string | null>;
    grantOf: Map<string, TRefRow>;
    grantsOfPage: TPageGrants;
  },
  now: number,
) {
  const { jtis, unread, overdue, issuers, kindIds, rootless, rootOf, grantOf, grantsOfPage } = page;
  const [findingRows, grantRows, closerRows, keyRows, nameRows, rootRows] = await Promise.all([
    reads.findings(jtis),
    unread.length ? reads.events(unread) : Promise.resolve([]),
    overdue.length ? reads.completesOf(overdue) : Promise.resolve([]),
    reads.keys([...issuers]),
    reads.principals([...issuers]),
    rootless.length ? reads.events(rootless) : Promise.resolve([]),
  ]);
  for (const r of rootRows) if (r.kind === "authorize" && r.chainId === r.jti) rootOf.set(r.chainId, r.iss);
  const nameOf = new Map(nameRows.map((p) => [p.id, p.name]));

  for (const c of closerRows) kindIds.add(c.iss);
  const kinds = kindIds.size ? new Map((await reads.kinds([...kindIds])).map((p) => [p.id, p.kind])) : new Map<string, string>();

  const findingsOf = findingsByEvent(findingRows);
  for (const g of grantRows) grantOf.set(g.jti, g);
  // By principal, then kid: a key per row built from both cost a string and its hash per row.
  const keysOf = new Map<string, Map<string, string>>();
  for (const k of keyRows) {
    const kids = keysOf.get(k.principalId);
    if (kids) kids.set(k.kid, k.thumbprint);
    else keysOf.set(k.principalId, new Map([[k.kid, k.thumbprint]]));
  }
  const thumbprintOf = (iss: string, kid: string) => keysOf.get(iss)?.get(kid) ?? null;

  // missing_evidence: a grant of this page whose exp has passed, with no complete in its own chain
  // from a signer the protocol allows (docs/protocol.md §8: any status, even after exp, closes it).
  const closed = new Set<string>();
  for (const c of closerRows) {
    const g = c.ref ? grantsOfPage.get(c.ref) : undefined;
    if (!g || g.chainId !== c.chainId) continue;
    if (attestationOf(c.iss, g, kinds.get(c.iss)) !== null) closed.add(c.ref!);
  }
  const openGrants = overdue.filter((j) => !closed.has(j)).map((j) => ({ jti: j, exp: grantsOfPage.get(j)!.exp }));
  const late = openGrants.length ? readTimeFindings({ events: new Map(), status: "verified", hasPending: false, openGrants }, now) : null;
  return { nameOf, kinds, findingsOf, thumbprintOf, late };
}

async function recordsOfPage(reads: TExportStore, rows: TEventRow[], now: number): Promise<TEventRecord[]> {
  const n = rows.length;
  const claimsOf = new Array<TClaims>(n);
  const jtis = new Array<string>(n);
  const completeRefs = new Set<string>();
  const issuers = new Set<string>();
  const kindIds = new Set<string>();
  const overdue: string[] = [];
  const grantsOfPage: TPageGrants = new Map();
  const indexOf = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    const claims = (claimsOf[i] = JSON.parse(row.claims) as TClaims);
    jtis[i] = row.jti;
    indexOf.set(row.jti, i);
    issuers.add(claims.iss);
    if (claims.kind === "complete") {
      completeRefs.add(claims.grant);
      kindIds.add(claims.iss);
    } else if (isGrantClaims(claims)) {
      grantsOfPage.set(row.jti, { chainId: row.chainId, iss: claims.iss, aud: claims.aud, exp: claims.exp });
      if (now > claims.exp) overdue.push(row.jti);
    }
  }

  // The grants completes name are mostly on the same page (the chain's earlier events): only the
  // others are read. A page row gives what the stored columns would (ingest derives them from claims).
  const grantOf = new Map<string, TRefRow>();
  const unread: string[] = [];
  for (const ref of completeRefs) {
    const i = indexOf.get(ref);
    if (i === undefined) unread.push(ref);
    else {
      const c = claimsOf[i];
      grantOf.set(ref, { jti: ref, chainId: rows[i].chainId, kind: rows[i].kind, iss: c.iss, aud: "aud" in c ? c.aud : null });
    }
  }
  // The human root of each chain: its root authorize (jti = chain id) signed it, in this page or not.
  const rootOf = new Map<string, string | null>();
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    if (row.jti === row.chainId && claimsOf[i].kind === "authorize") rootOf.set(row.chainId, claimsOf[i].iss);
  }
  const rootless = [...new Set(rows.map((r) => r.chainId))].filter((id) => !rootOf.has(id));
  const { nameOf, kinds, findingsOf, thumbprintOf, late } = await lookupsOfPage(
    reads,
    { jtis, unread, overdue, issuers, kindIds, rootless, rootOf, grantOf, grantsOfPage },
    now,
  );

  const out = new Array<TEventRecord>(n);
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    const claims = claimsOf[i];
    const stored = findingsOf.get(row.jti);
    const lateFinding = late?.get(row.jti);
    const findings = lateFinding ? [...(stored ?? []), lateFinding] : (stored ?? []);
    let attestation: TAttestation | null = null;
    if (claims.kind === "complete") {
      const g = grantOf.get(claims.grant);
      if (g && g.chainId === row.chainId && (g.kind === "authorize" || g.kind === "delegate") && g.aud !== null)
        attestation = attestationOf(claims.iss, { iss: g.iss, aud: g.aud }, kinds.get(claims.iss));
    }
    out[i] = {
      seq: row.seq,
      receivedAt: row.receivedAt,
      chain: row.chainId,
      jti: row.jti,
      kind: row.kind as TEventKind,
      claims,
      status: row.status === "pending" ? "pending" : "accepted",
      findings: findings.length > 1 ? sortFindings(findings) : findings,
      attestation,
      alg: row.alg,
      kid: row.kid,
      keyThumbprint: thumbprintOf(claims.iss, row.kid),
      tokenSha256: sha256Hex(row.token),
      prevHash: row.prevHash,
      hash: row.hash,
      issName: nameOf.get(claims.iss) ?? null,
      humanRoot: rootOf.get(row.chainId) ?? null,
    };
  }
  return out;
}

type TChainRef = { id: string; eventCount: number };

/**
 * The events of the given chains, chain by chain in the given order, each chain in ledger order.
 * Small chains are read together, as many as fit in `take` events by their stored count, in one
 * query; a bigger chain is read alone with keyset paging on seq. A chain that grew since its count
 * was read only makes its group's read a few rows longer.
 */
async function* eventRowsOfChains(chains: TChainRef[], take: number, reads: TExportStore): AsyncGenerator<TEventRow[]> {
  let group: string[] = [];
  let grouped = 0;
  for (const chain of chains) {
    if (group.length && grouped + chain.eventCount > take) {
      yield await reads.eventsOfChains(group);
      group = [];
      grouped = 0;
    }
    if (chain.eventCount < take) {
      group.push(chain.id);
      grouped += chain.eventCount;
      continue;
    }
    for (let after = 0; ;) {
      const rows = await reads.chainEvents(chain.id, after, take);
      const isLast = rows.length < take;
      if (!isLast) after = rows[rows.length - 1].seq;
      yield rows;
      if (isLast) break;
    }
  }
  if (group.length) yield await reads.eventsOfChains(group);
}

/** Event records of the chains, in pages of `take` rows: memory holds at most two pages of rows. */
async function* eventRecordsOfChains(chains: TChainRef[], now: number, take: number, reads: TExportStore): AsyncGenerator<TEventRecord[]> {
  let batch: TEventRow[] = [];
  for await (const rows of eventRowsOfChains(chains, take, reads)) {
    batch = batch.concat(rows);
    while (batch.length >= take) yield await recordsOfPage(reads, batch.splice(0, take), now);
  }
  if (batch.length) yield await recordsOfPage(reads, batch, now);
}

/** Event records of one chain, page by page. `reads`: tests compare the two implementations. */
export async function* chainEventRecords(
  chainId: string,
  now = nowSeconds(),
  paging: TPaging = DEFAULT_PAGING,
  reads?: TExportStore,
): AsyncGenerator<TCsvRecord[]> {
  // An observed chain has no events: its observed calls, labelled so (docs/observed.md).
  if ((await (await stores()).observed.chain(chainId)) !== null) {
    yield* observedRecordPages(chainId, now, paging.events);
    return;
  }
  // Its count is not known here: read with keyset paging whatever its size.
  yield* eventRecordsOfChains([{ id: chainId, eventCount: Infinity }], now, paging.events, reads ?? (await stores()).exports);
}

/** An observed chain's call rows, in pages of `take`. */
async function* observedRecordPages(chainId: string, now: number, take: number): AsyncGenerator<TObservedRecord[]> {
  const rows = observedRecords(await getChain(chainId, { now, includeRaw: false }));
  for (let i = 0; i < rows.length; i += take) yield rows.slice(i, i + take);
}

const OBSERVED_SOURCES = new Set(["otel", "capture"]);

/**
 * Event records of every chain the filters match: chain pages newest first, events per page. The
 * observed chains among them give their observed calls instead (source and verification say so).
 */
export async function* filteredEventRecords(
  filters: TChainFilters,
  now = nowSeconds(),
  paging: TPaging = DEFAULT_PAGING,
  reads?: TExportStore,
): AsyncGenerator<TCsvRecord[]> {
  const store = reads ?? (await stores()).exports;
  for await (const rows of chainKeyPages(filters, now, paging.chains)) {
    // Runs of signed chains are read together as before; each observed chain on its own, in order.
    let run: typeof rows = [];
    for (const row of rows) {
      if (!OBSERVED_SOURCES.has(row.source)) {
        run.push(row);
        continue;
      }
      if (run.length) yield* eventRecordsOfChains(run, now, paging.events, store);
      run = [];
      yield* observedRecordPages(row.id, now, paging.events);
    }
    if (run.length) yield* eventRecordsOfChains(run, now, paging.events, store);
  }
}

// ---------------------------------------------------------------------------------------------
// The CSV exports themselves: the same events, verdicts and lookups as the records above, but read
// as TCsvEventRow (claim fields extracted by the database, the token hashed) and written straight
// to CSV text, a page at a time. The record form above stays the reference: the export tests
// require both to give the same bytes.

/**
 * What one CSV export remembers from page to page, so a page looks up only what earlier pages did
 * not (each page looked up every issuer's name, kind and keys, its chains' roots and the grants its
 * completes name again: a third of an export's reads). Only what does not change under a running
 * export is kept as found: a stored event (its chain, kind, signer and audience: the grants), a
 * chain's root authorize's signer. A principal's name, kind and keys are kept as the export first
 * read them; a row whose kid is not among the kept keys reads its signer again (a key registered
 * since), once: a kid still without a key stays so for the rest of the export. Bounded: each map
 * is emptied when it passes MEMO_LIMIT entries.
 */
export type TCsvMemo = {
  /** `keys`: kid → thumbprint, null for a kid the signer had no key of when the export looked */
  principals: Map<string, { name: string | null; kind: string | undefined; keys: Map<string, string | null> }>;
  /** chain → its root authorize's signer (only chains whose root was found) */
  roots: Map<string, string>;
  /** events by jti, as completes name their grants */
  refs: Map<string, TRefRow>;
  /** the bytes of a row on the last page, on average: the next page's buffer is sized by it */
  rowBytes: number;
};
/** A row's bytes before an export has written one (the bench's rows are ~450-600). */
const FIRST_ROW_BYTES = 640;
const MEMO_LIMIT = 20_000;
export const csvMemo = (): TCsvMemo => ({ principals: new Map(), roots: new Map(), refs: new Map(), rowBytes: 0 });

/** Reads the principals' names, kinds and keys into the memo (absent ones as absent: read once). */
async function learnPrincipals(reads: TExportStore, memo: TCsvMemo, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const rows = await reads.signers(ids);
  const { principals } = memo;
  for (const id of ids) principals.set(id, { name: null, kind: undefined, keys: new Map() });
  for (const [id, kind, name, kid, thumbprint] of rows) {
    const known = principals.get(id)!;
    known.name = name;
    known.kind = kind;
    if (kid !== null) known.keys.set(kid, thumbprint);
  }
}

/**
 * One page of TCsvEventRow as CSV text; recordsOfPage + eventCsvRow, without parsing claims, with
 * the lookups of earlier pages of the same export kept in `memo`.
 */
async function csvOfPage(reads: TExportStore, rows: TCsvEventRow[], now: number, times: TCsvTimes, memo: TCsvMemo): Promise<Uint8Array> {
  const n = rows.length;
  const { principals, roots, refs } = memo;
  // Emptied only here, before the page: what this page learns stays until its rows are written.
  if (principals.size > MEMO_LIMIT) principals.clear();
  if (refs.size + n > MEMO_LIMIT) refs.clear();
  if (roots.size + n > MEMO_LIMIT) roots.clear();
  const jtis = new Array<string>(n);
  const completeRefs = new Set<string>();
  const unknown = new Set<string>();
  const unknownKeys: number[] = [];
  const overdue: string[] = [];
  const grantsOfPage: TPageGrants = new Map();
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    const kind = r[4];
    const jti = r[3];
    const iss = r[5];
    jtis[i] = jti;
    if (principals.get(iss)?.keys.has(r[13]) !== true) {
      unknown.add(iss);
      unknownKeys.push(i);
    }
    if (kind === "complete") completeRefs.add(r[7]!);
    else if (kind === "authorize" || kind === "delegate") {
      grantsOfPage.set(jti, { chainId: r[2], iss, aud: r[6]!, exp: r[9]! });
      refs.set(jti, { jti, chainId: r[2], kind, iss, aud: r[6] });
      if (now > r[9]!) overdue.push(jti);
      // The human root of each chain: its root authorize (jti = chain id) signed it.
      if (kind === "authorize" && jti === r[2]) roots.set(jti, iss);
    }
  }
  // The grants completes name are mostly on this page or an earlier one: only the others are read.
  const unread: string[] = [];
  for (const ref of completeRefs) if (!refs.has(ref)) unread.push(ref);
  const rootless = new Set<string>();
  const chains: string[] = [];
  for (let i = 0, last = ""; i < n; i++) {
    const chainId = rows[i][2];
    if (chainId === last) continue;
    last = chainId;
    chains.push(chainId);
    if (!roots.has(chainId)) rootless.add(chainId);
  }
  const [findingRows, grantRows, closerRows, rootRows] = await Promise.all([
    findingsOfPage(reads, rows, jtis, chains),
    unread.length ? reads.events(unread) : Promise.resolve([]),
    overdue.length ? reads.completesOf(overdue) : Promise.resolve([]),
    rootless.size ? reads.events([...rootless]) : Promise.resolve([]),
    learnPrincipals(reads, memo, [...unknown]),
  ]);
  for (const r of rootRows) if (r.kind === "authorize" && r.chainId === r.jti) roots.set(r.chainId, r.iss);
  for (const g of grantRows) refs.set(g.jti, g);
  // A kid its signer has no key of (an AIP event's ephemeral key): known as none for the export.
  for (const i of unknownKeys) {
    const keys = principals.get(rows[i][5])?.keys;
    if (keys && !keys.has(rows[i][13])) keys.set(rows[i][13], null);
  }
  // The closers' signers' kinds (attestationOf), the few not known yet.
  const closers = new Set<string>();
  for (const c of closerRows) if (!principals.has(c.iss)) closers.add(c.iss);
  await learnPrincipals(reads, memo, [...closers]);
  const kindOf = (id: string) => principals.get(id)?.kind;

  const findingsOf = findingsByEvent(findingRows);
  // missing_evidence: as lookupsOfPage.
  const closed = new Set<string>();
  for (const c of closerRows) {
    const g = c.ref ? grantsOfPage.get(c.ref) : undefined;
    if (!g || g.chainId !== c.chainId) continue;
    if (attestationOf(c.iss, g, kindOf(c.iss)) !== null) closed.add(c.ref!);
  }
  const openGrants = overdue.filter((j) => !closed.has(j)).map((j) => ({ jti: j, exp: grantsOfPage.get(j)!.exp }));
  const late = openGrants.length ? readTimeFindings({ events: new Map(), status: "verified", hasPending: false, openGrants }, now) : null;

  const NONE: TFinding[] = [];
  const bytes = new CsvPageBytes(n * (memo.rowBytes || FIRST_ROW_BYTES) + (n << 6));
  // One verdict object for the page's rows (csvEventRow keeps none of it).
  const v: TCsvRowVerdict = { findings: NONE, attestation: null, keyThumbprint: null, issName: null, humanRoot: null };
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    const stored = findingsOf.get(r[3]);
    const lateFinding = late?.get(r[3]);
    const findings = lateFinding ? [...(stored ?? []), lateFinding] : (stored ?? NONE);
    let attestation: TAttestation | null = null;
    if (r[4] === "complete") {
      const g = refs.get(r[7]!);
      if (g && g.chainId === r[2] && (g.kind === "authorize" || g.kind === "delegate") && g.aud !== null)
        attestation = attestationOf(r[5], { iss: g.iss, aud: g.aud }, kindOf(r[5]));
    }
    const p = principals.get(r[5]);
    v.findings = findings.length > 1 ? sortFindings(findings) : findings;
    v.attestation = attestation;
    v.keyThumbprint = p?.keys.get(r[13]) ?? null;
    v.issName = p?.name ?? null;
    v.humanRoot = roots.get(r[2]) ?? null;
    bytes.add(csvEventRow(r, v, times));
  }
  if (n) memo.rowBytes = Math.ceil(bytes.size / n);
  return bytes.done();
}

/**
 * The stored findings of a page's events, asked only for the events of chains that have any: most
 * chains have none, and asking for each of a page's thousand events cost ~0.4 µs a row. Two reads
 * instead of one, as the page's other lookups are: an export was never a snapshot.
 */
async function findingsOfPage(reads: TExportStore, rows: TCsvEventRow[], jtis: string[], chains: string[]): Promise<TFindingOfEvent[]> {
  const flagged = new Set(await reads.chainsWithFindings(chains));
  if (flagged.size === 0) return [];
  if (flagged.size === chains.length) return reads.findings(jtis);
  const asked: string[] = [];
  for (const r of rows) if (flagged.has(r[2])) asked.push(r[3]);
  return reads.findings(asked);
}

/** eventRowsOfChains, as TCsvEventRow. */
async function* csvRowsOfChains(chains: TChainRef[], take: number, reads: TExportStore): AsyncGenerator<TCsvEventRow[]> {
  let group: string[] = [];
  let grouped = 0;
  for (const chain of chains) {
    if (group.length && grouped + chain.eventCount > take) {
      yield await reads.csvEventsOfChains(group);
      group = [];
      grouped = 0;
    }
    if (chain.eventCount < take) {
      group.push(chain.id);
      grouped += chain.eventCount;
      continue;
    }
    for (let after = 0; ;) {
      const rows = await reads.csvChainEvents(chain.id, after, take);
      const isLast = rows.length < take;
      if (!isLast) after = rows[rows.length - 1][0];
      yield rows;
      if (isLast) break;
    }
  }
  if (group.length) yield await reads.csvEventsOfChains(group);
}

/** The CSV of the chains' events as UTF-8, a page of `take` rows per chunk. */
async function* csvOfChains(
  chains: TChainRef[],
  now: number,
  take: number,
  reads: TExportStore,
  times: TCsvTimes,
  memo: TCsvMemo,
): AsyncGenerator<Uint8Array> {
  let batch: TCsvEventRow[] = [];
  for await (const rows of csvRowsOfChains(chains, take, reads)) {
    batch = batch.length ? batch.concat(rows) : rows;
    while (batch.length >= take) yield await csvOfPage(reads, batch.splice(0, take), now, times, memo);
  }
  if (batch.length) yield await csvOfPage(reads, batch, now, times, memo);
}

const observedCsv = (page: TObservedRecord[], times: TCsvTimes) => Buffer.from(page.map((r) => csvRecordRow(r, times)).join(""), "utf8");

/** chainEventRecords as CSV (no header) in UTF-8, page by page. */
export async function* chainEventCsv(
  chainId: string,
  now = nowSeconds(),
  times: TCsvTimes = "iso",
  paging: TPaging = DEFAULT_PAGING,
  reads?: TExportStore,
): AsyncGenerator<Uint8Array> {
  const store = reads ?? (await stores()).exports;
  // Whether it is observed, on the export's own reads (the observed store reads the chain's whole
  // record through Prisma: ~0.5 ms of each one-chain export).
  if (await store.isObserved(chainId)) {
    for await (const page of observedRecordPages(chainId, now, paging.events)) yield observedCsv(page, times);
    return;
  }
  yield* csvOfChains([{ id: chainId, eventCount: Infinity }], now, paging.events, store, times, csvMemo());
}

/** filteredEventRecords as CSV (no header) in UTF-8, page by page. */
export async function* filteredEventCsv(
  filters: TChainFilters,
  now = nowSeconds(),
  times: TCsvTimes = "iso",
  paging: TPaging = CSV_PAGING,
  reads?: TExportStore,
): AsyncGenerator<Uint8Array> {
  const store = reads ?? (await stores()).exports;
  const memo = csvMemo();
  for await (const rows of chainKeyPages(filters, now, paging.chains)) {
    let run: typeof rows = [];
    for (const row of rows) {
      if (!OBSERVED_SOURCES.has(row.source)) {
        run.push(row);
        continue;
      }
      if (run.length) yield* csvOfChains(run, now, paging.events, store, times, memo);
      run = [];
      for await (const page of observedRecordPages(row.id, now, paging.events)) yield observedCsv(page, times);
    }
    if (run.length) yield* csvOfChains(run, now, paging.events, store, times, memo);
  }
}

/** The many-chain CSV reads its chain keys a thousand at a time (fewer list queries; the keys are small). */
const CSV_PAGING: TPaging = { chains: 1000, events: EVENT_PAGE };

// ---------------------------------------------------------------------------------------------
// The evidence bundle of one chain.

export async function getEvidenceBundle(chainId: string, now = nowSeconds()): Promise<TEvidenceBundle> {
  const at = Math.floor(now * 1000) / 1000;
  return evidenceOf(await getChain(chainId, { now: at, includeRaw: true }));
}

/** evidence.json: a signed chain's evidence bundle, or an observed chain's record (observed, not verified: docs/observed.md). */
export async function getChainEvidence(chainId: string, now = nowSeconds()): Promise<TEvidenceBundle | TObservedEvidence> {
  const at = Math.floor(now * 1000) / 1000;
  const detail = await getChain(chainId, { now: at, includeRaw: true });
  return detail.observed ? buildObservedEvidence(detail, await serverKey()) : evidenceOf(detail);
}

/** The signed evidence bundle of a chain read (raw tokens included). */
async function evidenceOf(detail: TChainDetail): Promise<TEvidenceBundle> {
  if (detail.observed) {
    throw new AppError(
      "invalid_request",
      `Chain ${detail.id} is observed (${detail.source}), not signed: it has no signed events to bundle as evidence.`,
    );
  }
  const store = (await stores()).exports;
  // References out of the chain (a cross-chain parent, grant or target): the bundle carries those
  // events too, so the verifier can check that they really belong to another chain.
  const own = new Set(detail.events.map((e) => e.jti));
  const externalRefs = [...new Set(detail.events.map((e) => e.ref).filter((r): r is string => r !== null && !own.has(r)))];
  const externalRows = await store.externalEvents(externalRefs);
  const principalIds = new Set<string>();
  for (const e of detail.events) {
    principalIds.add(e.iss);
    if (e.aud) principalIds.add(e.aud);
  }
  for (const x of externalRows) principalIds.add(x.iss);
  const issuers = [...new Set([...detail.events.map((e) => e.iss), ...externalRows.map((x) => x.iss)])];
  const [principals, keys] = await Promise.all([store.principals([...principalIds]), store.fullKeys(issuers)]);
  // Read after the events: the ledger only grows, so this head is at or after every event read.
  const head = await store.ledgerHead();
  const ledgerHead = { seq: head?.seq ?? 0, hash: head?.hash ?? GENESIS_HASH };
  const lastSeq = Math.max(0, ...detail.events.map((e) => e.seq), ...externalRows.map((x) => x.seq));
  const [checkpoint, signer] = await Promise.all([checkpointCovering(store, lastSeq, ledgerHead.seq), serverKey()]);
  return buildEvidenceBundle({
    detail,
    principals,
    keys: keys.map((k) => ({ ...k, jwk: JSON.parse(k.jwk) as Record<string, unknown> })),
    external: externalRows.map((x) => ({ ...x, receivedAt: x.receivedAt.toISOString() })),
    ledgerHead,
    checkpoint,
    signer,
  });
}

/**
 * The latest signed checkpoint at or after `fromSeq` and not past the head the bundle states (one
 * signed later may be beyond it), with its key; null when the server has not signed that far yet.
 */
async function checkpointCovering(store: TExportStore, fromSeq: number, headSeq: number) {
  const row = await store.checkpointCovering(fromSeq, headSeq);
  if (!row) return null;
  const jwk = row.jwk ? parsePublicJwk(row.jwk) : null;
  // Without its key the verifier could not check it: leave it out rather than ship a bad one.
  return jwk ? { seq: row.seq, hash: row.hash, at: row.at.toISOString(), kid: row.kid, signature: row.signature, jwk } : null;
}

// ---------------------------------------------------------------------------------------------
// The chain report: the chain read plus what only the report shows (key records).

export type TReportKey = { principalId: string; kid: string; thumbprint: string; revokedAt: number | null; kty: string | null; crv: string | null };
/**
 * `evidence`: what the report shares with the evidence bundle of the same moment: its digest, the
 * server key that signed it, the ledger head it states and the checkpoint it carries.
 */
export type TChainReportData = {
  detail: TChainDetail;
  keys: TReportKey[];
  /** the chain's review and every finding's state (docs/review.md); absent in reports built without one */
  review?: TReportReview;
  /** submissions refused at ingest that named the chain (the newest 50, and how many) */
  refused: TChainRefusals;
  evidence: { digest: string; serverKey: string; ledgerHead: { seq: number; hash: string }; checkpoint: { seq: number; at: string } | null };
};

/** The detail of an observed chain (source otel or capture), for its own report; null for a signed chain. */
export async function observedChainDetail(chainId: string, now = nowSeconds()): Promise<TChainDetail | null> {
  const detail = await getChain(chainId, { now, includeRaw: false });
  return detail.observed ? detail : null;
}

export async function getChainReportData(chainId: string, now = nowSeconds()): Promise<TChainReportData> {
  const at = Math.floor(now * 1000) / 1000;
  const detail = await getChain(chainId, { now: at, includeRaw: true });
  const used = new Set(detail.events.map((e) => `${e.iss}\u0000${e.kid}`));
  const rows = await (await stores()).exports.fullKeys([...new Set(detail.events.map((e) => e.iss))]);
  const keys = rows
    .filter((k) => used.has(`${k.principalId}\u0000${k.kid}`))
    .map((k) => {
      const jwk = JSON.parse(k.jwk) as { kty?: string; crv?: string };
      return { principalId: k.principalId, kid: k.kid, thumbprint: k.thumbprint, revokedAt: k.revokedAt, kty: jwk.kty ?? null, crv: jwk.crv ?? null };
    });
  // The bundle the report's digest names: the same chain read, so the same generatedAt and verdicts.
  const bundle = await evidenceOf(detail);
  const evidence = {
    digest: bundle.digest,
    serverKey: bundle.signature.kid,
    ledgerHead: bundle.ledgerHead,
    checkpoint: bundle.checkpoint ? { seq: bundle.checkpoint.seq, at: bundle.checkpoint.at } : null,
  };
  return { detail, keys, evidence, review: await reportReview(chainId, at), refused: await refusalsOfChain(chainId) };
}

// ---------------------------------------------------------------------------------------------
// The period summary: one pass over the matching chains, keeping only counters and the worst few.

export const WORST_CHAINS = 15;

export type TPeriodSummary = {
  filters: TChainFilters;
  generatedAt: string;
  chainCount: number;
  eventCount: number;
  hopCount: number;
  byStatus: Record<TChainStatus, number>;
  /** per finding code: chains affected and findings in total */
  byFinding: { code: TFindingCode; chains: number; findings: number }[];
  firstStartedAt: number | null;
  lastStartedAt: number | null;
  worst: TChainSummary[];
  /** RFC 7638 thumbprint of the server's signing key, printed so a reader can pin bundles to it */
  serverKey: string;
};

/** Worst first: status, then critical, error and warning counts, then newest. */
export function compareWorst(a: TChainSummary, b: TChainSummary): number {
  return (
    statusRank(a.status) - statusRank(b.status) ||
    b.counts.critical - a.counts.critical ||
    b.counts.error - a.counts.error ||
    b.counts.warning - a.counts.warning ||
    b.startedAt - a.startedAt ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

export async function getPeriodSummary(filters: TChainFilters, now = nowSeconds()): Promise<TPeriodSummary> {
  const byStatus: Record<TChainStatus, number> = { violation: 0, pending: 0, warning: 0, verified: 0, observed: 0 };
  const chainsWith = new Map<TFindingCode, number>();
  let chainCount = 0;
  let eventCount = 0;
  let hopCount = 0;
  let overdueGrants = 0;
  let first: number | null = null;
  let last: number | null = null;
  let worst: TChainSummary[] = [];
  for await (const rows of chainRowPages(filters, now)) {
    const page = rows.map((r) => toChainSummary(r, now));
    for (const [i, c] of page.entries()) {
      chainCount++;
      eventCount += c.eventCount;
      hopCount += c.hopCount;
      byStatus[c.status]++;
      for (const code of c.findingCodes) chainsWith.set(code, (chainsWith.get(code) ?? 0) + 1);
      first = first === null ? c.startedAt : Math.min(first, c.startedAt);
      last = last === null ? c.startedAt : Math.max(last, c.startedAt);
      // The read-time missing_evidence findings: what the list adds to the stored warning count.
      overdueGrants += c.counts.warning - rows[i].warningCount;
    }
    worst = [...worst, ...page.filter((c) => c.status !== "verified")].sort(compareWorst).slice(0, WORST_CHAINS);
  }
  const grouped = await (await stores()).chains.findingCounts(filters, now);
  const findingsOf = new Map(grouped.map((g) => [g.code as TFindingCode, g.count]));
  if (overdueGrants > 0) findingsOf.set("missing_evidence", overdueGrants);
  const byFinding = FINDING_CODES.filter((code) => (chainsWith.get(code) ?? 0) > 0 || (findingsOf.get(code) ?? 0) > 0).map((code) => ({
    code,
    chains: chainsWith.get(code) ?? 0,
    findings: findingsOf.get(code) ?? 0,
  }));
  return {
    filters,
    generatedAt: new Date(now * 1000).toISOString(),
    chainCount,
    eventCount,
    hopCount,
    byStatus,
    byFinding,
    firstStartedAt: first,
    lastStartedAt: last,
    worst,
    serverKey: (await serverKey()).kid,
  };
}
