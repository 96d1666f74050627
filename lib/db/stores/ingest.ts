// The ingest store: what one batch reads and writes (lib/ingest/steps.ts is the batch itself, written
// once as a generator that asks this store for each read and ends with one write plan), and the two
// runners that execute those steps: synchronously on SQLite's direct connection, with awaits on
// PostgreSQL's pool. Both run the steps in two phases: reads outside any lock, then the locked scope
// (SQLite's write lock; PostgreSQL's ledger-head row FOR UPDATE) from `lockHead` or
// `lockHeadAndRead` to the write or to `release`.
import type Database from "better-sqlite3";
import type { TPrincipalKind, TRegistryPrincipal } from "@/lib/protocol/types";
import type { TLpUse } from "@/lib/protocol/least-privilege";
import type pg from "pg";
import type { TDatabase } from "../connect";
import { fromSqliteDate, IN_LIST, statement, toSqliteDate, writeTransaction } from "../sqlite";
import {
  CHAIN_SUMMARY_COLUMNS,
  EVENT_INSERT_COLUMNS,
  type TChainSummaryRow,
  type TEventInsert,
  type TExternalRow,
  type TFindingRow,
  type TPrincipalKindRow,
  type TStoredEventRow,
} from "../rows";

export type TFindingInsert = { chainId: string; eventJti: string; code: string; severity: string; message: string };

export type TDriftBaselineRow = { key: string; principal: string; purpose: string; first: number; latest: number; events: number };
export type TDriftValueRow = { key: string; aspect: string; value: string; last: number };
export type TDriftBucketRow = { key: string; bucket: number; events: number; action: number; resource: number; data: number; host: number };
type TDriftSums = Omit<TDriftBucketRow, "bucket">;

/**
 * What a batch adds to the behavioural drift baselines (lib/protocol/drift.ts): increments, merged
 * into the stored rows (first: min, latest and last: max, counts: sum), and the rows of a baseline
 * its sliding window left behind (value rows last seen before `before`, buckets before `beforeBucket`).
 */
export type TDriftWrite = {
  /** `since`: the baseline's window's first bucket after the batch, stored only when the row is new */
  baselines: Map<string, TDriftBaselineRow & { since: number }>;
  values: Map<string, TDriftValueRow>;
  buckets: Map<string, TDriftBucketRow>;
  prune: { key: string; before: number; beforeBucket: number }[];
};

/** Everything one batch writes, in the order a store must write it (chains before their rows). */
export type TWritePlan = {
  /** the server's clock for receivedAt, lastEventAt and createdAt */
  at: Date;
  events: TEventInsert[];
  /** chain summaries to insert or overwrite (createdAt only on insert) */
  chains: TChainSummaryRow[];
  /** chains whose findings are replaced by `findings` */
  recheckedChains: string[];
  findings: TFindingInsert[];
  /** index rows only ever grow with a chain's events: insert, keeping rows already there */
  scopes: { chainId: string; scope: string }[];
  principals: { chainId: string; principalId: string }[];
  purposes: { chainId: string; purposeCode: string }[];
  /** stored events whose status the re-check changed */
  toPending: string[];
  toAccepted: string[];
  head: { seq: number; hash: string } | null;
  quarantine: { jti: string | null; code: string; message: string; raw: string; bytes: number; chainId: string | null }[];
  /** who sent the batch ("token:<id>", "session:<user id>"): the quarantine quota is per sender */
  source: string | null;
  /** the batch's additions to the drift baselines (null: no new invoke) */
  drift: TDriftWrite | null;
  /** what the new events did under grants (lib/protocol/least-privilege.ts grantUsesOf), added to GrantUse */
  grantUses: TLpUse[];
};

/** A write plan that stores nothing but baseline updates (the drift bench and its store contract case). */
export function driftOnlyWrite(at: Date, drift: TDriftWrite | null): TWritePlan {
  return {
    at,
    events: [],
    chains: [],
    recheckedChains: [],
    findings: [],
    scopes: [],
    principals: [],
    purposes: [],
    toPending: [],
    toAccepted: [],
    head: null,
    quarantine: [],
    source: null,
    drift,
    grantUses: [],
  };
}

/**
 * What an optimistic batch re-reads under the lock (lib/ingest/steps.ts `unchanged`), named before
 * the lock is taken: lists may be empty here (nothing to read).
 */
export type TLockedReadQuery = {
  /** which of these jtis are stored */
  watched: string[];
  /** the events observed so far by these drift baselines */
  driftKeys: string[];
  /** the chains holding events that reference these jtis */
  freshJtis: string[];
  /** these chains' versions */
  affected: string[];
  /**
   * each of `affected`'s version as the batch read it (null: no such chain then): the chains that
   * changed since (`TLockedRead.changed`) are read with the rest
   */
  readVersions: (number | null)[];
  /** the stored findings of these events (duplicates in chains the batch does not re-check) */
  findingsOf: string[];
};

/** A chain's events with what they reference and whom they name (TIngestStore.chainFacts). */
export type TChainFacts = { events: TStoredEventRow[]; refs: TExternalRow[]; principals: TPrincipalKindRow[] };

export type TLockedRead = {
  head: { seq: number; hash: string };
  stored: string[];
  driftVersions: { key: string; events: number }[];
  dependants: string[];
  versions: { id: string; version: number }[];
  findings: TFindingRow[];
  /**
   * chainFacts of changedChains(q, versions, dependants), with those chains' ids: what a failed
   * validation re-reads when only chains changed (lib/ingest/steps.ts `revise`), read under the
   * same lock in the same request, so that repair needs no round trip of its own
   */
  changed: TChainFacts & { chainIds: string[] };
};

/**
 * The chains a batch must read again under the lock: those of `affected` whose version is not the
 * one the batch read, and the dependants (chains referencing its new events) not among `affected`.
 */
export function changedChains(
  q: Pick<TLockedReadQuery, "affected" | "readVersions">,
  versions: TLockedRead["versions"],
  dependants: string[],
): string[] {
  const now = new Map(versions.map((v) => [v.id, v.version]));
  const affected = new Set(q.affected);
  return [...q.affected.filter((id, i) => (now.get(id) ?? null) !== q.readVersions[i]), ...new Set(dependants.filter((id) => !affected.has(id)))];
}

const noChainFacts = (): TLockedRead["changed"] => ({ chainIds: [], events: [], refs: [], principals: [] });

/** What the steps read. Every list argument is non-empty and has no duplicates (TLockedReadQuery's may be empty). */
export type TIngestStore = {
  /** the ledger head: asked first inside the locked scope (see the runners), which it locks */
  lockHead(): { seq: number; hash: string };
  /**
   * lockHead, then, under the lock, what `q` names as it is now (eventKinds, driftVersions,
   * dependantChains, chainVersions and findingsOf of its lists, and the chainFacts of the chains that
   * changed): the other way to open the locked scope. One request for all of it, so a store that
   * pays per round trip (PostgreSQL) sends them together, behind the lock's own statement.
   */
  lockHeadAndRead(q: TLockedReadQuery): TLockedRead;
  storedTokens(jtis: string[]): { jti: string; token: string; chainId: string }[];
  /** the summary rows' versions: +1 at every write of the chain (absent: no such chain yet) */
  chainVersions(chainIds: string[]): { id: string; version: number }[];
  /** chains holding events that reference any of `jtis` */
  dependantChains(jtis: string[]): string[];
  /** every stored event of these chains, in ledger order */
  chainEvents(chainIds: string[]): TStoredEventRow[];
  /** storedTokens and dependantChains of the same jtis, in one request (a batch's first read) */
  jtiFacts(jtis: string[]): { stored: { jti: string; token: string; chainId: string }[]; dependants: string[] };
  /** chainVersions, then chainEvents, of the same chains, in one request (the versions read first) */
  chainState(chainIds: string[]): { versions: { id: string; version: number }[]; events: TStoredEventRow[] };
  eventKinds(jtis: string[]): TExternalRow[];
  principalKinds(ids: string[]): TPrincipalKindRow[];
  /**
   * eventKinds of `jtis` and principalKinds of `ids` (either list may be empty): what the chain
   * checks read besides the chains' own events, in one request (on PostgreSQL one round trip).
   */
  kindsOf(q: { jtis: string[]; ids: string[] }): { events: TExternalRow[]; principals: TPrincipalKindRow[] };
  /**
   * chainEvents of these chains, with the stored events their events reference (eventKinds) and the
   * kinds of the principals they name as issuer or audience (principalKinds): in one request.
   */
  chainFacts(chainIds: string[]): TChainFacts;
  /** stored findings of these events, in insertion (id) order */
  findingsOf(jtis: string[]): TFindingRow[];
  /**
   * The drift baselines of `keys` as far as a batch's judgement needs them: their summary rows, the
   * value rows named in `values` (absent when never seen), their buckets from `recentBucket` on one
   * by one, and the sums of their buckets in [fromBucket, recentBucket) per key (absent: no such
   * bucket). The sums come from the running sums kept in the baseline row (see `earlierSums`): a
   * month of hourly buckets per baseline is neither summed nor read at each batch.
   */
  driftFacts(q: { keys: string[]; values: { key: string; aspect: string; value: string }[]; fromBucket: number; recentBucket: number }): {
    baselines: TDriftBaselineRow[];
    values: TDriftValueRow[];
    buckets: TDriftBucketRow[];
    earlier: Omit<TDriftBucketRow, "bucket">[];
  };
  /** events observed so far by each of these baselines (absent: none): any write to one changes it */
  driftVersions(keys: string[]): { key: string; events: number }[];
  write(plan: TWritePlan): void;
};

type TStoreOp = { [K in keyof TIngestStore]: { op: K; args: Parameters<TIngestStore[K]> } }[keyof TIngestStore];
/** A store operation, or `release`: leave the locked scope without writing (the runners' business). */
export type TOp = TStoreOp | { op: "release"; args: [] };
export type TSteps<T> = Generator<TOp, T, unknown>;

/** One read or write of the steps: `yield* ask("storedTokens", jtis)`. */
export function* ask<K extends keyof TIngestStore>(op: K, ...args: Parameters<TIngestStore[K]>): TSteps<ReturnType<TIngestStore[K]>> {
  return (yield { op, args } as TOp) as ReturnType<TIngestStore[K]>;
}

export type TAsyncIngestStore = { [K in keyof TIngestStore]: (...args: Parameters<TIngestStore[K]>) => Promise<ReturnType<TIngestStore[K]>> };

/**
 * Opens the database's locked scope (a write transaction), runs `inside` with the store to use in
 * it, and ends the scope when `inside` returns (commit) or throws (rollback). For SQLite, `inside`
 * is synchronous: nothing else in the process runs between BEGIN and COMMIT.
 */
export type TSyncLock = <R>(inside: (store: TIngestStore) => R) => Promise<R>;
export type TAsyncLock = <R>(inside: (store: TAsyncIngestStore) => Promise<R>) => Promise<R>;

type TStep<T> = IteratorResult<TOp, T>;
/** How a locked scope ended: the steps released it (validation failed), or they wrote and finished. */
type TLockedOutcome<T> = { released: true } | { released: false; step: TStep<T> };

const call = (store: TIngestStore | TAsyncIngestStore, op: TStoreOp) => (store[op.op] as (...a: unknown[]) => unknown)(...op.args);
/** The operations that open the locked scope. */
const opensLock = (op: TOp) => op.op === "lockHead" || op.op === "lockHeadAndRead";

/**
 * Runs the steps: every operation before `lockHead` (or `lockHeadAndRead`) on `store` outside any
 * transaction; from there to `release` (or to the end, which commits the write) synchronously inside `lock`.
 */
export async function runPhasedSync<T>(steps: TSteps<T>, store: TIngestStore, lock: TSyncLock): Promise<T> {
  let step: TStep<T> = steps.next();
  for (;;) {
    if (step.done) return step.value;
    if (step.value.op === "release") throw new Error("release outside the locked scope");
    if (!opensLock(step.value)) {
      step = steps.next(call(store, step.value));
      continue;
    }
    const first = step.value;
    const outcome = await lock((locked): TLockedOutcome<T> => {
      for (let s: TStep<T> = steps.next(call(locked, first)); ;) {
        if (s.done) return { released: false, step: s };
        if (s.value.op === "release") return { released: true };
        s = steps.next(call(locked, s.value));
      }
    });
    step = outcome.released ? steps.next(undefined) : outcome.step;
  }
}

/** runPhasedSync for an asynchronous store (PostgreSQL): the same phases, with awaits. */
export async function runPhasedAsync<T>(steps: TSteps<T>, store: TAsyncIngestStore, lock: TAsyncLock): Promise<T> {
  let step: TStep<T> = steps.next();
  for (;;) {
    if (step.done) return step.value;
    if (step.value.op === "release") throw new Error("release outside the locked scope");
    if (!opensLock(step.value)) {
      step = steps.next(await call(store, step.value));
      continue;
    }
    const first = step.value;
    const outcome = await lock(async (locked): Promise<TLockedOutcome<T>> => {
      for (let s: TStep<T> = steps.next(await call(locked, first)); ;) {
        if (s.done) return { released: false, step: s };
        if (s.value.op === "release") return { released: true };
        s = steps.next(await call(locked, s.value));
      }
    });
    step = outcome.released ? steps.next(undefined) : outcome.step;
  }
}

const json = (list: string[]) => JSON.stringify(list);
const quoted = (columns: string[]) => columns.map((c) => `"${c}"`).join(", ");
const placeholders = (columns: string[]) => columns.map(() => "?").join(", ");
const usage = (plan: TWritePlan) => plan.quarantine.reduce((n, r) => n + r.bytes, 0);
/** Each written chain's startedAt, which its ChainPrincipal rows repeat (the principal filter's index order). */
function startedAtOf(plan: TWritePlan): (chainId: string) => number {
  const of = new Map(plan.chains.map((c) => [c.id, c.startedAt]));
  return (chainId) => {
    const t = of.get(chainId);
    if (t === undefined) throw new Error(`principal row of chain ${chainId}, which the plan does not write`);
    return t;
  };
}

// The columns of a stored baseline a batch reads: its summary row and its running sums.
const DRIFT_BASELINE_READ = `"key", "principal", "purpose", "first", "latest", "events", "since", "sumEvents", "sumAction", "sumResource", "sumData", "sumHost"`;
type TDriftBaselineRead = TDriftBaselineRow & {
  since: number;
  sumEvents: number;
  sumAction: number;
  sumResource: number;
  sumData: number;
  sumHost: number;
};

const summary = (r: TDriftBaselineRead): TDriftBaselineRow => ({
  key: r.key,
  principal: r.principal,
  purpose: r.purpose,
  first: r.first,
  latest: r.latest,
  events: r.events,
});

/**
 * The sums of each baseline's buckets in [fromBucket, recentBucket), from its running sums (the
 * buckets from `since` on) without summing the window: plus the stored buckets in
 * [fromBucket, since) or minus those in [since, fromBucket) (`edges`: the stored buckets between the
 * two starts, usually none, or the few the window is leaving, which the same batch prunes), minus
 * the buckets from recentBucket on (`recent`, read one by one anyway). Absent when no such bucket
 * holds an event (every stored bucket holds at least one).
 */
export function earlierSums(fromBucket: number, baselines: TDriftBaselineRead[], edges: TDriftBucketRow[], recent: TDriftBucketRow[]): TDriftSums[] {
  const sums = new Map<string, TDriftSums & { since: number }>();
  for (const b of baselines)
    sums.set(b.key, {
      key: b.key,
      since: Number(b.since),
      events: Number(b.sumEvents),
      action: Number(b.sumAction),
      resource: Number(b.sumResource),
      data: Number(b.sumData),
      host: Number(b.sumHost),
    });
  const add = (r: TDriftBucketRow, sign: 1 | -1) => {
    const t = sums.get(r.key);
    if (!t) return;
    t.events += sign * Number(r.events);
    t.action += sign * Number(r.action);
    t.resource += sign * Number(r.resource);
    t.data += sign * Number(r.data);
    t.host += sign * Number(r.host);
  };
  for (const r of edges) add(r, fromBucket < sums.get(r.key)!.since ? 1 : -1);
  for (const r of recent) add(r, -1);
  return [...sums.values()].filter((t) => t.events > 0).map(({ since: _since, ...t }) => t);
}

// ---------------------------------------------------------------------------------------------
// SQLite: prepared statements on the direct connection; the locked phase is BEGIN IMMEDIATE.

const SQLITE_EVENT_COLUMNS = [...Object.keys(EVENT_INSERT_COLUMNS), "receivedAt"] as (keyof TEventInsert | "receivedAt")[];
const SQLITE_CHAIN_COLUMNS = [...Object.keys(CHAIN_SUMMARY_COLUMNS), "lastEventAt"] as (keyof TChainSummaryRow | "lastEventAt")[];

function sqliteStatements(conn: Database.Database) {
  const q = (sql: string) => statement(conn, sql);
  return {
    head: q(`SELECT "seq", "hash" FROM "LedgerHead" WHERE "id" = 1`),
    storedTokens: q(`SELECT "jti", "token", "chainId" FROM "Event" WHERE "jti" IN ${IN_LIST}`),
    chainVersions: q(`SELECT "id", "version" FROM "Chain" WHERE "id" IN ${IN_LIST}`),
    dependantChains: q(`SELECT DISTINCT "chainId" FROM "Event" WHERE "ref" IN ${IN_LIST}`).pluck(),
    // receivedAt only where a check can use it (TStoredEventRow): no date to convert on every row.
    chainEvents: q(
      `SELECT "seq", "jti", "chainId", "claims", "status", "ref", "keyRevokedAt", "drift", CASE WHEN "keyRevokedAt" IS NULL THEN NULL ELSE "receivedAt" END AS "receivedAt"
       FROM "Event" WHERE "chainId" IN ${IN_LIST} ORDER BY "seq"`,
    ),
    eventKinds: q(`SELECT "jti", "chainId", "kind" FROM "Event" WHERE "jti" IN ${IN_LIST}`),
    chainRefs: q(
      `SELECT "jti", "chainId", "kind" FROM "Event" WHERE "jti" IN (SELECT "ref" FROM "Event" WHERE "chainId" IN ${IN_LIST} AND "ref" IS NOT NULL)`,
    ),
    chainPrincipals: q(
      `SELECT "id", "kind" FROM "Principal" WHERE "id" IN (SELECT "iss" FROM "Event" WHERE "chainId" IN ${IN_LIST.replace("?", "@chains")}
       UNION SELECT "aud" FROM "Event" WHERE "chainId" IN ${IN_LIST.replace("?", "@chains")} AND "aud" IS NOT NULL)`,
    ),
    principalKinds: q(`SELECT "id", "kind" FROM "Principal" WHERE "id" IN ${IN_LIST}`),
    findingsOf: q(`SELECT "id", "eventJti", "code", "severity", "message" FROM "Finding" WHERE "eventJti" IN ${IN_LIST} ORDER BY "id"`),
    driftBaselines: q(`SELECT ${DRIFT_BASELINE_READ} FROM "DriftBaseline" WHERE "key" IN ${IN_LIST}`),
    driftValues: q(
      `SELECT v."key", v."aspect", v."value", v."last" FROM json_each(?) j JOIN "DriftValue" v
       ON v."key" = json_extract(j.value, '$[0]') AND v."aspect" = json_extract(j.value, '$[1]') AND v."value" = json_extract(j.value, '$[2]')`,
    ),
    driftBuckets: q(
      `SELECT "key", "bucket", "events", "action", "resource", "data", "host" FROM "DriftBucket" WHERE "key" IN ${IN_LIST} AND "bucket" >= ?`,
    ),
    // The buckets between the window's start for this batch and the start the sums count from
    // (see earlierSums): usually none, or the few the window is leaving, which this batch prunes.
    driftEdges: q(
      `SELECT b."key", b."bucket", b."events", b."action", b."resource", b."data", b."host" FROM "DriftBaseline" d JOIN "DriftBucket" b
       ON b."key" = d."key" AND b."bucket" >= MIN(d."since", @from) AND b."bucket" < MAX(d."since", @from) WHERE d."key" IN ${IN_LIST.replace("?", "@keys")}`,
    ),
    driftVersions: q(`SELECT "key", "events" FROM "DriftBaseline" WHERE "key" IN ${IN_LIST}`),
    upsertDriftBaseline: q(
      `INSERT INTO "DriftBaseline" ("key", "principal", "purpose", "first", "latest", "events", "since") VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT ("key") DO UPDATE SET "first" = MIN("DriftBaseline"."first", excluded."first"),
       "latest" = MAX("DriftBaseline"."latest", excluded."latest"), "events" = "DriftBaseline"."events" + excluded."events"`,
    ),
    upsertDriftValue: q(
      `INSERT INTO "DriftValue" ("key", "aspect", "value", "last") VALUES (?, ?, ?, ?)
       ON CONFLICT ("key", "aspect", "value") DO UPDATE SET "last" = MAX("DriftValue"."last", excluded."last")`,
    ),
    upsertDriftBucket: q(
      `INSERT INTO "DriftBucket" ("key", "bucket", "events", "action", "resource", "data", "host") VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT ("key", "bucket") DO UPDATE SET "events" = "DriftBucket"."events" + excluded."events",
       "action" = "DriftBucket"."action" + excluded."action", "resource" = "DriftBucket"."resource" + excluded."resource",
       "data" = "DriftBucket"."data" + excluded."data", "host" = "DriftBucket"."host" + excluded."host"`,
    ),
    // A bucket upserted at or after the baseline's `since` is counted in its running sums.
    addDriftSums: q(
      `UPDATE "DriftBaseline" SET "sumEvents" = "sumEvents" + ?, "sumAction" = "sumAction" + ?, "sumResource" = "sumResource" + ?,
       "sumData" = "sumData" + ?, "sumHost" = "sumHost" + ? WHERE "key" = ? AND "since" <= ?`,
    ),
    // Before the prune deletes a baseline's buckets older than its window: the counted ones among
    // them leave the running sums, which then count from the window's new first bucket.
    subtractDriftSums: q(
      `UPDATE "DriftBaseline" SET ("sumEvents", "sumAction", "sumResource", "sumData", "sumHost", "since") = (
         SELECT "DriftBaseline"."sumEvents" - COALESCE(SUM(b."events"), 0), "DriftBaseline"."sumAction" - COALESCE(SUM(b."action"), 0),
         "DriftBaseline"."sumResource" - COALESCE(SUM(b."resource"), 0), "DriftBaseline"."sumData" - COALESCE(SUM(b."data"), 0),
         "DriftBaseline"."sumHost" - COALESCE(SUM(b."host"), 0), @before
         FROM "DriftBucket" b WHERE b."key" = "DriftBaseline"."key" AND b."bucket" >= "DriftBaseline"."since" AND b."bucket" < @before)
       WHERE "key" = @key AND "since" < @before`,
    ),
    upsertGrantUse: q(
      `INSERT INTO "GrantUse" ("grantJti", "kind", "iss", "chainId", "use", "detail", "count", "last") VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT ("grantJti", "kind", "iss", "chainId", "use", "detail") DO UPDATE SET "count" = "GrantUse"."count" + excluded."count",
       "last" = MAX("GrantUse"."last", excluded."last")`,
    ),
    pruneDriftValues: q(`DELETE FROM "DriftValue" WHERE "key" = ? AND "last" < ?`),
    pruneDriftBuckets: q(`DELETE FROM "DriftBucket" WHERE "key" = ? AND "bucket" < ?`),
    insertEvent: q(`INSERT INTO "Event" (${quoted(SQLITE_EVENT_COLUMNS)}) VALUES (${placeholders(SQLITE_EVENT_COLUMNS)})`),
    deleteFindings: q(`DELETE FROM "Finding" WHERE "chainId" IN ${IN_LIST}`),
    upsertChain: q(
      `INSERT INTO "Chain" (${quoted(SQLITE_CHAIN_COLUMNS)}, "createdAt") VALUES (${placeholders(SQLITE_CHAIN_COLUMNS)}, ?)
       ON CONFLICT ("id") DO UPDATE SET ${SQLITE_CHAIN_COLUMNS.slice(1)
         .map((c) => `"${c}" = excluded."${c}"`)
         .join(", ")}, "version" = "Chain"."version" + 1`,
    ),
    // The flagged event's iat beside the finding (the Findings page's order; events are inserted first).
    insertFinding: q(
      `INSERT INTO "Finding" ("chainId", "eventJti", "code", "severity", "message", "iat") VALUES (?, ?, ?, ?, ?, (SELECT "iat" FROM "Event" WHERE "jti" = ?))`,
    ),
    insertScope: q(`INSERT INTO "ChainScope" ("chainId", "scope") VALUES (?, ?) ON CONFLICT DO NOTHING`),
    // A chain's principals are rewritten with it: an earlier root moves its startedAt, which the row
    // repeats (written only when it moved: most rechecks leave it, and an unchanged row stays untouched).
    insertPrincipal: q(
      `INSERT INTO "ChainPrincipal" ("chainId", "principalId", "startedAt") VALUES (?, ?, ?) ON CONFLICT ("chainId", "principalId") DO UPDATE SET "startedAt" = excluded."startedAt" WHERE "ChainPrincipal"."startedAt" <> excluded."startedAt"`,
    ),
    insertPurpose: q(`INSERT INTO "ChainPurpose" ("chainId", "purposeCode") VALUES (?, ?) ON CONFLICT DO NOTHING`),
    setStatus: q(`UPDATE "Event" SET "status" = ? WHERE "jti" IN ${IN_LIST}`),
    setHead: q(`UPDATE "LedgerHead" SET "seq" = ?, "hash" = ? WHERE "id" = 1`),
    insertQuarantine: q(
      `INSERT INTO "Quarantine" ("receivedAt", "jti", "code", "message", "raw", "source", "bytes", "chainId") VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    addQuarantineUsage: q(
      `INSERT INTO "QuarantineUsage" ("source", "bytes", "rows") VALUES (?, ?, ?)
       ON CONFLICT ("source") DO UPDATE SET "bytes" = "QuarantineUsage"."bytes" + excluded."bytes", "rows" = "QuarantineUsage"."rows" + excluded."rows"`,
    ),
  };
}

export function sqliteIngestStore(conn: Database.Database): TIngestStore {
  const sql = sqliteStatements(conn);
  const store: TIngestStore = {
    lockHead: () => {
      const row = sql.head.get() as { seq: number; hash: string } | undefined;
      if (!row) throw new Error("ledger head row missing: migrations not applied");
      return { seq: Number(row.seq), hash: row.hash };
    },
    // Function calls on the connection: nothing to gain from sending them together. The changed
    // chains are found from the versions and dependants just read, and read only when there are some.
    lockHeadAndRead: (q) => {
      const head = store.lockHead();
      const dependants = q.freshJtis.length ? store.dependantChains(q.freshJtis) : [];
      const versions = q.affected.length ? store.chainVersions(q.affected) : [];
      const changed = changedChains(q, versions, dependants);
      return {
        head,
        stored: q.watched.length ? store.eventKinds(q.watched).map((r) => r.jti) : [],
        driftVersions: q.driftKeys.length ? store.driftVersions(q.driftKeys) : [],
        dependants,
        versions,
        findings: q.findingsOf.length ? store.findingsOf(q.findingsOf) : [],
        changed: changed.length ? { chainIds: changed, ...store.chainFacts(changed) } : noChainFacts(),
      };
    },
    storedTokens: (jtis) => sql.storedTokens.all(json(jtis)) as { jti: string; token: string; chainId: string }[],
    chainVersions: (chainIds) => sql.chainVersions.all(json(chainIds)) as { id: string; version: number }[],
    dependantChains: (jtis) => sql.dependantChains.all(json(jtis)) as string[],
    chainEvents: (chainIds) => {
      const rows = sql.chainEvents.all(json(chainIds)) as { receivedAt: string | number | null }[];
      // The stored date as a NumericDate, in place: only the few rows that carry one.
      for (const r of rows) if (typeof r.receivedAt === "string") r.receivedAt = fromSqliteDate(r.receivedAt).getTime() / 1000;
      return rows as TStoredEventRow[];
    },
    jtiFacts: (jtis) => ({ stored: store.storedTokens(jtis), dependants: store.dependantChains(jtis) }),
    chainState: (chainIds) => ({ versions: store.chainVersions(chainIds), events: store.chainEvents(chainIds) }),
    eventKinds: (jtis) => sql.eventKinds.all(json(jtis)) as TExternalRow[],
    principalKinds: (ids) => sql.principalKinds.all(json(ids)) as TPrincipalKindRow[],
    kindsOf: (q) => ({
      events: q.jtis.length ? store.eventKinds(q.jtis) : [],
      principals: q.ids.length ? store.principalKinds(q.ids) : [],
    }),
    chainFacts: (chainIds) => ({
      events: store.chainEvents(chainIds),
      refs: sql.chainRefs.all(json(chainIds)) as TExternalRow[],
      principals: sql.chainPrincipals.all({ chains: json(chainIds) }) as TPrincipalKindRow[],
    }),
    findingsOf: (jtis) => sql.findingsOf.all(json(jtis)) as TFindingRow[],
    driftFacts: (q) => {
      const baselines = sql.driftBaselines.all(json(q.keys)) as TDriftBaselineRead[];
      const buckets = sql.driftBuckets.all(json(q.keys), q.recentBucket) as TDriftBucketRow[];
      return {
        baselines: baselines.map(summary),
        values: q.values.length ? (sql.driftValues.all(JSON.stringify(q.values.map((v) => [v.key, v.aspect, v.value]))) as TDriftValueRow[]) : [],
        buckets,
        earlier: earlierSums(q.fromBucket, baselines, sql.driftEdges.all({ from: q.fromBucket, keys: json(q.keys) }) as TDriftBucketRow[], buckets),
      };
    },
    driftVersions: (keys) => sql.driftVersions.all(json(keys)) as { key: string; events: number }[],
    write: (plan: TWritePlan) => {
      const at = toSqliteDate(plan.at);
      for (const e of plan.events) sql.insertEvent.run(...SQLITE_EVENT_COLUMNS.map((c) => (c === "receivedAt" ? at : e[c])));
      if (plan.recheckedChains.length) sql.deleteFindings.run(json(plan.recheckedChains));
      for (const c of plan.chains) sql.upsertChain.run(...SQLITE_CHAIN_COLUMNS.map((k) => (k === "lastEventAt" ? at : c[k])), at);
      for (const f of plan.findings) sql.insertFinding.run(f.chainId, f.eventJti, f.code, f.severity, f.message, f.eventJti);
      for (const r of plan.scopes) sql.insertScope.run(r.chainId, r.scope);
      const startedAt = startedAtOf(plan);
      for (const r of plan.principals) sql.insertPrincipal.run(r.chainId, r.principalId, startedAt(r.chainId));
      for (const r of plan.purposes) sql.insertPurpose.run(r.chainId, r.purposeCode);
      if (plan.toPending.length) sql.setStatus.run("pending", json(plan.toPending));
      if (plan.toAccepted.length) sql.setStatus.run("accepted", json(plan.toAccepted));
      if (plan.head) sql.setHead.run(plan.head.seq, plan.head.hash);
      for (const r of plan.quarantine) sql.insertQuarantine.run(at, r.jti, r.code, r.message, r.raw, plan.source, r.bytes, r.chainId);
      if (plan.source !== null && plan.quarantine.length) sql.addQuarantineUsage.run(plan.source, usage(plan), plan.quarantine.length);
      for (const u of plan.grantUses) sql.upsertGrantUse.run(u.grantJti, u.kind, u.iss, u.chainId, u.use, u.detail, u.count, u.last);
      if (plan.drift) {
        const d = plan.drift;
        for (const b of d.baselines.values()) sql.upsertDriftBaseline.run(b.key, b.principal, b.purpose, b.first, b.latest, b.events, b.since);
        for (const v of d.values.values()) sql.upsertDriftValue.run(v.key, v.aspect, v.value, v.last);
        for (const b of d.buckets.values()) {
          sql.upsertDriftBucket.run(b.key, b.bucket, b.events, b.action, b.resource, b.data, b.host);
          sql.addDriftSums.run(b.events, b.action, b.resource, b.data, b.host, b.key, b.bucket);
        }
        for (const p of d.prune) {
          sql.subtractDriftSums.run({ before: p.beforeBucket, key: p.key });
          sql.pruneDriftValues.run(p.key, p.before);
          sql.pruneDriftBuckets.run(p.key, p.beforeBucket);
        }
      }
    },
  };
  return store;
}

/** The locked scope on SQLite: one BEGIN IMMEDIATE … COMMIT on the direct connection. */
export function sqliteIngestLock(conn: Database.Database, busyTimeoutMs: number): TSyncLock {
  return (inside) => writeTransaction(conn, () => inside(sqliteIngestStore(conn)), busyTimeoutMs);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: plain SQL on the pool Prisma's adapter runs on (lib/db/connect.ts), never through
// Prisma's query interpreter: there each read cost a few hundred microseconds to milliseconds of
// JavaScript before and after the database's own work, and a batch asks a dozen. Lists travel as
// one array or JSON parameter, every statement is prepared once per connection (named), and the
// write plan goes out in as few statements as its dependencies allow. The locked scope is a
// transaction on one pooled connection.

/** A pooled connection or the pool itself (the unlocked phase: any connection will do). */
export type TPgQueryable = Pick<pg.Pool, "query">;

const PG_EVENT_COLUMNS = Object.entries(EVENT_INSERT_COLUMNS);
const PG_CHAIN_COLUMNS = Object.entries(CHAIN_SUMMARY_COLUMNS);
const names = (cols: [string, string][], prefix = "") => cols.map(([c]) => `${prefix}"${c}"`).join(", ");
const recordType = (cols: [string, string][]) => cols.map(([c, t]) => `"${c}" ${t}`).join(", ");
const INSERT_EVENTS = `INSERT INTO "Event" (${names(PG_EVENT_COLUMNS)}, "receivedAt")
  SELECT ${names(PG_EVENT_COLUMNS, "e.")}, $2::timestamp(3) FROM json_to_recordset($1::json) AS e(${recordType(PG_EVENT_COLUMNS)})`;
const UPSERT_CHAINS = `INSERT INTO "Chain" (${names(PG_CHAIN_COLUMNS)}, "lastEventAt", "createdAt")
  SELECT ${names(PG_CHAIN_COLUMNS, "c.")}, $2::timestamp(3), $2::timestamp(3) FROM json_to_recordset($1::json) AS c(${recordType(PG_CHAIN_COLUMNS)})
  ON CONFLICT ("id") DO UPDATE SET ${PG_CHAIN_COLUMNS.slice(1)
    .map(([c]) => `"${c}" = excluded."${c}"`)
    .join(", ")}, "lastEventAt" = excluded."lastEventAt", "version" = "Chain"."version" + 1`;
const ADD_USAGE = `INSERT INTO "QuarantineUsage" ("source", "bytes", "rows") VALUES ($1, $2, $3)
  ON CONFLICT ("source") DO UPDATE SET "bytes" = "QuarantineUsage"."bytes" + excluded."bytes", "rows" = "QuarantineUsage"."rows" + excluded."rows"`;

const PG_READS = {
  lockHead: `SELECT "seq", "hash" FROM "LedgerHead" WHERE "id" = 1 FOR UPDATE`,
  storedTokens: `SELECT "jti", "token", "chainId" FROM "Event" WHERE "jti" = ANY($1::text[])`,
  chainVersions: `SELECT "id", "version" FROM "Chain" WHERE "id" = ANY($1::text[])`,
  dependantChains: `SELECT DISTINCT "chainId" FROM "Event" WHERE "ref" = ANY($1::text[])`,
  // The receipt time as a NumericDate (timestamp(3) holds UTC), only where a check can use it.
  chainEvents: `SELECT "seq", "jti", "chainId", "claims", "status", "ref", "keyRevokedAt",
    CASE WHEN "keyRevokedAt" IS NULL THEN NULL ELSE EXTRACT(EPOCH FROM "receivedAt")::double precision END AS "receivedAt", "drift"
    FROM "Event" WHERE "chainId" = ANY($1::text[]) ORDER BY "seq"`,
  eventKinds: `SELECT "jti", "chainId", "kind" FROM "Event" WHERE "jti" = ANY($1::text[])`,
  principalKinds: `SELECT "id", "kind" FROM "Principal" WHERE "id" = ANY($1::text[])`,
  chainRefs: `SELECT "jti", "chainId", "kind" FROM "Event" WHERE "jti" IN (SELECT "ref" FROM "Event" WHERE "chainId" = ANY($1::text[]) AND "ref" IS NOT NULL)`,
  chainPrincipals: `SELECT "id", "kind" FROM "Principal" WHERE "id" IN (SELECT "iss" FROM "Event" WHERE "chainId" = ANY($1::text[])
    UNION SELECT "aud" FROM "Event" WHERE "chainId" = ANY($1::text[]) AND "aud" IS NOT NULL)`,
  findingsOf: `SELECT "id", "eventJti", "code", "severity", "message" FROM "Finding" WHERE "eventJti" = ANY($1::text[]) ORDER BY "id"`,
  driftBuckets: `SELECT "key", "bucket", "events", "action", "resource", "data", "host" FROM "DriftBucket" WHERE "key" = ANY($1::text[]) AND "bucket" >= $2`,
  driftVersions: `SELECT "key", "events" FROM "DriftBaseline" WHERE "key" = ANY($1::text[])`,
} as const;

// changedChains in SQL and their chainFacts in one statement ($1 the affected chains, $2 the versions
// the batch read, null where no chain was; $3 its new events' jtis), so they go out with the lock's
// other re-reads, before their answers are known, and the changed chains are found once (their
// dependants part is a lookup of every new jti). Lookups by key only, through arrays, as chainFacts'
// own statements (no join a generic plan could turn into a scan). The three kinds of rows come back
// as one list (`part`), with the columns of chainEvents, chainRefs and chainPrincipals.
const PG_CHANGED_FACTS = `WITH ch AS (SELECT ARRAY(
    SELECT "id" FROM "Chain" WHERE "id" = ANY($1::text[]) AND "version" IS DISTINCT FROM ($2::integer[])[array_position($1::text[], "id")]
    UNION SELECT "chainId" FROM "Event" WHERE "ref" = ANY($3::text[]) AND NOT ("chainId" = ANY($1::text[]))) AS "ids"),
  e AS MATERIALIZED (SELECT "seq", "jti", "chainId", "claims", "status", "ref", "keyRevokedAt",
    CASE WHEN "keyRevokedAt" IS NULL THEN NULL ELSE EXTRACT(EPOCH FROM "receivedAt")::double precision END AS "receivedAt", "drift", "iss", "aud"
    FROM "Event" WHERE "chainId" = ANY((SELECT "ids" FROM ch)::text[]))
  SELECT 'e' AS "part", "seq", "jti", "chainId", "claims", "status", "ref", "keyRevokedAt", "receivedAt", "drift", NULL AS "kind", NULL AS "id" FROM e
  UNION ALL SELECT 'r', NULL, x."jti", x."chainId", NULL, NULL, NULL, NULL, NULL, NULL, x."kind", NULL FROM "Event" x
    WHERE x."jti" = ANY(ARRAY(SELECT "ref" FROM e WHERE "ref" IS NOT NULL))
  UNION ALL SELECT 'p', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, p."kind", p."id" FROM "Principal" p
    WHERE p."id" = ANY(ARRAY(SELECT "iss" FROM e UNION SELECT "aud" FROM e WHERE "aud" IS NOT NULL))`;
type TChangedFactsRow = TStoredEventRow & { part: "e" | "r" | "p"; kind: string; id: string };

/** PG_CHANGED_FACTS's rows as chainFacts gives them: each row as its own statement returns it, events in ledger order. */
function changedFactsOf(rows: TChangedFactsRow[]): TLockedRead["changed"] {
  const out = noChainFacts();
  for (const r of rows) {
    if (r.part === "e") {
      const { seq, jti, chainId, claims, status, ref, keyRevokedAt, receivedAt, drift } = r;
      out.events.push({ seq, jti, chainId, claims, status, ref, keyRevokedAt, receivedAt, drift });
    } else if (r.part === "r") out.refs.push({ jti: r.jti, chainId: r.chainId, kind: r.kind });
    else out.principals.push({ id: r.id, kind: r.kind });
  }
  out.events.sort((a, b) => a.seq - b.seq);
  // Every changed chain holds events (a chain row is written with its events; a dependant holds the reference).
  out.chainIds = [...new Set(out.events.map((e) => e.chainId))];
  return out;
}

// A rechecked chain's findings are replaced. Its index rows only grow with its events (TWritePlan):
// they are inserted keeping the rows already there, as on SQLite, not deleted and written again
// (that rewrote every index row of each re-checked chain under the lock, a hundred chains per
// interleaved batch, to end with the same rows).
const DELETE_FINDINGS = `DELETE FROM "Finding" WHERE "chainId" = ANY($1::text[])`;
// Findings and the three index tables in one statement (four tables, no row touched twice).
// Findings keep the plan's order, which numbers their ids (json_to_recordset reads the array in order;
// the flagged event's iat is a scalar subquery per row, not a join, so that order stands).
const INSERT_CHAIN_ROWS = `WITH f AS (INSERT INTO "Finding" ("chainId", "eventJti", "code", "severity", "message", "iat")
    SELECT x."chainId", x."eventJti", x."code", x."severity", x."message", (SELECT e."iat" FROM "Event" e WHERE e."jti" = x."eventJti")
    FROM json_to_recordset($1::json) AS x("chainId" text, "eventJti" text, "code" text, "severity" text, "message" text)),
  s AS (INSERT INTO "ChainScope" ("chainId", "scope") SELECT * FROM unnest($2::text[], $3::text[]) ON CONFLICT DO NOTHING),
  p AS (INSERT INTO "ChainPrincipal" ("chainId", "principalId", "startedAt") SELECT * FROM unnest($4::text[], $5::text[], $8::double precision[])
    ON CONFLICT ("chainId", "principalId") DO UPDATE SET "startedAt" = excluded."startedAt" WHERE "ChainPrincipal"."startedAt" <> excluded."startedAt")
  INSERT INTO "ChainPurpose" ("chainId", "purposeCode") SELECT * FROM unnest($6::text[], $7::text[]) ON CONFLICT DO NOTHING`;
// Both status changes in one statement; a jti in both lists ends accepted, as the second of two would leave it.
const SET_STATUS = `UPDATE "Event" SET "status" = CASE WHEN "jti" = ANY($2::text[]) THEN 'accepted' ELSE 'pending' END
  WHERE "jti" = ANY($1::text[]) OR "jti" = ANY($2::text[])`;
const SET_HEAD = `UPDATE "LedgerHead" SET "seq" = $1, "hash" = $2 WHERE "id" = 1`;
const INSERT_QUARANTINE = `INSERT INTO "Quarantine" ("receivedAt", "jti", "code", "message", "raw", "source", "bytes", "chainId")
  SELECT $2::timestamp(3), q."jti", q."code", q."message", q."raw", $3, q."bytes", q."chainId"
  FROM json_to_recordset($1::json) AS q("jti" text, "code" text, "message" text, "raw" text, "bytes" integer, "chainId" text)`;

const DRIFT_VALUES = `SELECT v."key", v."aspect", v."value", v."last" FROM json_to_recordset($1::json) AS j("key" text, "aspect" text, "value" text)
  JOIN "DriftValue" v ON v."key" = j."key" AND v."aspect" = j."aspect" AND v."value" = j."value"`;
const DRIFT_BASELINES = `SELECT ${DRIFT_BASELINE_READ} FROM "DriftBaseline" WHERE "key" IN (SELECT json_array_elements_text($1::json))`;
// The buckets between the batch's window start and the running sums' (see earlierSums).
const DRIFT_EDGES = `SELECT b."key", b."bucket", b."events", b."action", b."resource", b."data", b."host" FROM "DriftBaseline" d JOIN "DriftBucket" b
  ON b."key" = d."key" AND b."bucket" >= LEAST(d."since", $2::integer) AND b."bucket" < GREATEST(d."since", $2::integer)
  WHERE d."key" IN (SELECT json_array_elements_text($1::json))`;
// Exported for the least-privilege bench's fill, which must count its rows the way ingest does.
export const UPSERT_GRANT_USES = `INSERT INTO "GrantUse" ("grantJti", "kind", "iss", "chainId", "use", "detail", "count", "last")
  SELECT * FROM json_to_recordset($1::json) AS u("grantJti" text, "kind" text, "iss" text, "chainId" text, "use" text, "detail" text, "count" integer, "last" double precision)
  ON CONFLICT ("grantJti", "kind", "iss", "chainId", "use", "detail") DO UPDATE SET "count" = "GrantUse"."count" + excluded."count",
  "last" = GREATEST("GrantUse"."last", excluded."last")`;
const UPSERT_DRIFT_BASELINES = `INSERT INTO "DriftBaseline" ("key", "principal", "purpose", "first", "latest", "events", "since")
  SELECT * FROM json_to_recordset($1::json) AS b("key" text, "principal" text, "purpose" text, "first" double precision, "latest" double precision, "events" integer, "since" integer)
  ON CONFLICT ("key") DO UPDATE SET "first" = LEAST("DriftBaseline"."first", excluded."first"),
  "latest" = GREATEST("DriftBaseline"."latest", excluded."latest"), "events" = "DriftBaseline"."events" + excluded."events"`;
const UPSERT_DRIFT_VALUES = `INSERT INTO "DriftValue" ("key", "aspect", "value", "last")
  SELECT * FROM json_to_recordset($1::json) AS v("key" text, "aspect" text, "value" text, "last" double precision)
  ON CONFLICT ("key", "aspect", "value") DO UPDATE SET "last" = GREATEST("DriftValue"."last", excluded."last")`;
const UPSERT_DRIFT_BUCKETS = `INSERT INTO "DriftBucket" ("key", "bucket", "events", "action", "resource", "data", "host")
  SELECT * FROM json_to_recordset($1::json) AS b("key" text, "bucket" integer, "events" integer, "action" integer, "resource" integer, "data" integer, "host" integer)
  ON CONFLICT ("key", "bucket") DO UPDATE SET "events" = "DriftBucket"."events" + excluded."events",
  "action" = "DriftBucket"."action" + excluded."action", "resource" = "DriftBucket"."resource" + excluded."resource",
  "data" = "DriftBucket"."data" + excluded."data", "host" = "DriftBucket"."host" + excluded."host"`;
// A bucket upserted at or after its baseline's `since` is counted in the running sums (summed per
// baseline first: an UPDATE … FROM applies one joined row per target row).
const ADD_DRIFT_SUMS = `UPDATE "DriftBaseline" d SET "sumEvents" = d."sumEvents" + x."events", "sumAction" = d."sumAction" + x."action",
  "sumResource" = d."sumResource" + x."resource", "sumData" = d."sumData" + x."data", "sumHost" = d."sumHost" + x."host"
  FROM (SELECT b."key", SUM(b."events") AS "events", SUM(b."action") AS "action", SUM(b."resource") AS "resource", SUM(b."data") AS "data", SUM(b."host") AS "host"
    FROM json_to_recordset($1::json) AS b("key" text, "bucket" integer, "events" integer, "action" integer, "resource" integer, "data" integer, "host" integer)
    JOIN "DriftBaseline" s ON s."key" = b."key" AND b."bucket" >= s."since" GROUP BY b."key") x
  WHERE d."key" = x."key"`;
// Before the prune deletes buckets older than the window: the counted ones leave the running sums,
// which then count from the window's new first bucket.
const SUBTRACT_DRIFT_SUMS = `UPDATE "DriftBaseline" d SET "sumEvents" = d."sumEvents" - x."events", "sumAction" = d."sumAction" - x."action",
  "sumResource" = d."sumResource" - x."resource", "sumData" = d."sumData" - x."data", "sumHost" = d."sumHost" - x."host", "since" = x."before"
  FROM (SELECT p."key", p."beforeBucket" AS "before", COALESCE(SUM(b."events"), 0) AS "events", COALESCE(SUM(b."action"), 0) AS "action",
    COALESCE(SUM(b."resource"), 0) AS "resource", COALESCE(SUM(b."data"), 0) AS "data", COALESCE(SUM(b."host"), 0) AS "host"
    FROM json_to_recordset($1::json) AS p("key" text, "beforeBucket" integer)
    JOIN "DriftBaseline" s ON s."key" = p."key" AND s."since" < p."beforeBucket"
    LEFT JOIN LATERAL (SELECT * FROM "DriftBucket" k WHERE k."key" = p."key" AND k."bucket" >= s."since" AND k."bucket" < p."beforeBucket" OFFSET 0) b ON true
    GROUP BY p."key", p."beforeBucket") x
  WHERE d."key" = x."key"`;
// The prunes delete by row address what a per-baseline index scan finds (LATERAL … OFFSET 0 keeps
// the subquery per baseline): as a plain join against the JSON list the planner, which cannot see
// the list's length or bounds, hashed it against a sequential scan of the whole table, a full
// rescan of every baseline's rows at each prune (found at 800k invokes, a third of a batch's time).
const PRUNE_DRIFT_VALUES = `DELETE FROM "DriftValue" WHERE ctid = ANY (ARRAY(
  SELECT v.ctid FROM json_to_recordset($1::json) AS p("key" text, "before" double precision)
  CROSS JOIN LATERAL (SELECT ctid FROM "DriftValue" x WHERE x."key" = p."key" AND x."last" < p."before" OFFSET 0) v))`;
const PRUNE_DRIFT_BUCKETS = `DELETE FROM "DriftBucket" WHERE ctid = ANY (ARRAY(
  SELECT b.ctid FROM json_to_recordset($1::json) AS p("key" text, "beforeBucket" integer)
  CROSS JOIN LATERAL (SELECT ctid FROM "DriftBucket" x WHERE x."key" = p."key" AND x."bucket" < p."beforeBucket" OFFSET 0) b))`;

// Every statement is prepared once per connection under a name of its own (node-postgres keeps
// the names it has prepared on each connection): parse and analysis once, not at every batch.
const statementNames = new Map<string, string>();
function prepared(text: string, values: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined) statementNames.set(text, (name = `delegraph_ingest_${statementNames.size}`));
  return { name, text, values };
}

const isPool = (conn: TPgQueryable): conn is pg.Pool => "totalCount" in conn;

/**
 * Queries sent together on one connection checked out of the pool and pipelined for them (see
 * setPipelined); every answer is awaited, failed or not, before the connection goes back.
 */
async function together<T extends readonly unknown[]>(pool: pg.Pool, send: (c: TPgQueryable) => T): Promise<{ [K in keyof T]: Awaited<T[K]> }> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (e: Error) => (broken = e);
  client.on("error", onError);
  setPipelined(client, true);
  try {
    const settled = await Promise.allSettled(send(client));
    const failed = settled.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { [K in keyof T]: Awaited<T[K]> };
  } finally {
    setPipelined(client, false);
    client.removeListener("error", onError);
    client.release(broken);
  }
}

/** A write plan's statements, in the order they must run (chains before their rows, events before their findings). */
function writeStatements(plan: TWritePlan): pg.QueryConfig[] {
  const out: pg.QueryConfig[] = [];
  const add = (text: string, ...values: unknown[]) => out.push(prepared(text, values));
  const at = plan.at.toISOString();
  if (plan.events.length) add(INSERT_EVENTS, JSON.stringify(plan.events), at);
  if (plan.recheckedChains.length) add(DELETE_FINDINGS, plan.recheckedChains);
  if (plan.chains.length) add(UPSERT_CHAINS, JSON.stringify(plan.chains), at);
  if (plan.findings.length || plan.scopes.length || plan.principals.length || plan.purposes.length) {
    const startedAt = startedAtOf(plan);
    add(
      INSERT_CHAIN_ROWS,
      JSON.stringify(
        plan.findings.map((f) => ({ chainId: f.chainId, eventJti: f.eventJti, code: f.code, severity: f.severity, message: f.message })),
      ),
      plan.scopes.map((r) => r.chainId),
      plan.scopes.map((r) => r.scope),
      plan.principals.map((r) => r.chainId),
      plan.principals.map((r) => r.principalId),
      plan.purposes.map((r) => r.chainId),
      plan.purposes.map((r) => r.purposeCode),
      plan.principals.map((r) => startedAt(r.chainId)),
    );
  }
  if (plan.toPending.length || plan.toAccepted.length) add(SET_STATUS, plan.toPending, plan.toAccepted);
  if (plan.head) add(SET_HEAD, plan.head.seq, plan.head.hash);
  if (plan.quarantine.length) {
    add(INSERT_QUARANTINE, JSON.stringify(plan.quarantine), at, plan.source);
    if (plan.source !== null) add(ADD_USAGE, plan.source, usage(plan), plan.quarantine.length);
  }
  if (plan.grantUses.length) add(UPSERT_GRANT_USES, JSON.stringify(plan.grantUses));
  if (plan.drift) {
    const d = plan.drift;
    add(UPSERT_DRIFT_BASELINES, JSON.stringify([...d.baselines.values()]));
    add(UPSERT_DRIFT_VALUES, JSON.stringify([...d.values.values()]));
    add(UPSERT_DRIFT_BUCKETS, JSON.stringify([...d.buckets.values()]));
    add(ADD_DRIFT_SUMS, JSON.stringify([...d.buckets.values()]));
    if (d.prune.length) {
      add(SUBTRACT_DRIFT_SUMS, JSON.stringify(d.prune));
      add(PRUNE_DRIFT_VALUES, JSON.stringify(d.prune));
      add(PRUNE_DRIFT_BUCKETS, JSON.stringify(d.prune));
    }
  }
  return out;
}

/**
 * The locked scope as postgresIngestLock opens it: a pipelined connection on which BEGIN has been
 * sent but not awaited (the scope's first operation awaits it with its own answer), and a write
 * that is sent but not awaited either (`written` hands it to the lock, which sends COMMIT and the
 * flush behind it and awaits them all).
 */
type TLockedScope = { begun: Promise<unknown>; written: (sent: Promise<unknown>) => void };

/**
 * The store on a transaction's connection (the locked phase, `scope` given) or on the pool (the
 * unlocked one). In the locked phase the connection is pipelined (postgresIngestLock): statements
 * sent together go out without waiting for each other's answers and the server runs them in order,
 * so `lockHeadAndRead` with the BEGIN before it is one round trip (a repaired round's reads
 * included), and the write with the COMMIT and the flush after it another.
 */
export function postgresIngestStore(conn: TPgQueryable, scope?: TLockedScope): TAsyncIngestStore {
  const rows = async <R extends object>(text: string, ...values: unknown[]): Promise<R[]> => (await conn.query<R>(prepared(text, values))).rows;
  const none = Promise.resolve([]);
  const store: TAsyncIngestStore = {
    lockHead: async () => {
      const [, [head]] = await Promise.all([scope?.begun, rows<{ seq: number; hash: string }>(PG_READS.lockHead)]);
      if (!head) throw new Error("ledger head row missing: migrations not applied");
      return { seq: Number(head.seq), hash: head.hash };
    },
    // Each call below sends its statement as it is made, in this order: the lock first, then the
    // reads, each with a snapshot taken after the lock was granted (READ COMMITTED).
    lockHeadAndRead: async (q) => {
      // The changed chains' facts are asked for whether or not any changed (usually none: an
      // empty answer); then a failed validation is repaired without another round trip.
      const [head, stored, driftVersions, dependants, versions, findings, facts] = await Promise.all([
        store.lockHead(),
        q.watched.length ? store.eventKinds(q.watched) : none,
        q.driftKeys.length ? store.driftVersions(q.driftKeys) : none,
        q.freshJtis.length ? store.dependantChains(q.freshJtis) : none,
        q.affected.length ? store.chainVersions(q.affected) : none,
        q.findingsOf.length ? store.findingsOf(q.findingsOf) : none,
        q.affected.length ? rows<TChangedFactsRow>(PG_CHANGED_FACTS, q.affected, q.readVersions, q.freshJtis) : none,
      ]);
      const changed = changedFactsOf(facts);
      return { head, stored: stored.map((r) => r.jti), driftVersions, dependants, versions, findings, changed };
    },
    storedTokens: (jtis) => rows(PG_READS.storedTokens, jtis),
    chainVersions: (chainIds) => rows(PG_READS.chainVersions, chainIds),
    dependantChains: async (jtis) => (await rows<{ chainId: string }>(PG_READS.dependantChains, jtis)).map((d) => d.chainId),
    chainEvents: (chainIds) => rows(PG_READS.chainEvents, chainIds),
    // The two reads of each pair together on one pipelined connection (the locked scope's, or one
    // from the pool for them), in this order: one round trip instead of two.
    jtiFacts: async (jtis) => {
      const send = (c: TPgQueryable) =>
        [
          c.query<{ jti: string; token: string; chainId: string }>(prepared(PG_READS.storedTokens, [jtis])),
          c.query<{ chainId: string }>(prepared(PG_READS.dependantChains, [jtis])),
        ] as const;
      const [t, d] = scope || !isPool(conn) ? await Promise.all(send(conn)) : await together(conn, send);
      return { stored: t.rows, dependants: d.rows.map((r) => r.chainId) };
    },
    chainState: async (chainIds) => {
      const send = (c: TPgQueryable) =>
        [
          c.query<{ id: string; version: number }>(prepared(PG_READS.chainVersions, [chainIds])),
          c.query<TStoredEventRow>(prepared(PG_READS.chainEvents, [chainIds])),
        ] as const;
      const [v, e] = scope || !isPool(conn) ? await Promise.all(send(conn)) : await together(conn, send);
      return { versions: v.rows, events: e.rows };
    },
    eventKinds: (jtis) => rows(PG_READS.eventKinds, jtis),
    principalKinds: (ids) => rows(PG_READS.principalKinds, ids),
    kindsOf: async (q) => {
      // Together on one pipelined connection, as driftFacts' reads; one read alone goes to the pool.
      const send = (c: TPgQueryable) =>
        [
          q.jtis.length ? c.query<TExternalRow>(prepared(PG_READS.eventKinds, [q.jtis])) : Promise.resolve(null),
          q.ids.length ? c.query<TPrincipalKindRow>(prepared(PG_READS.principalKinds, [q.ids])) : Promise.resolve(null),
        ] as const;
      const both = q.jtis.length > 0 && q.ids.length > 0;
      const [e, k] = scope || !isPool(conn) || !both ? await Promise.all(send(conn)) : await together(conn, send);
      return { events: e?.rows ?? [], principals: k?.rows ?? [] };
    },
    findingsOf: (jtis) => rows(PG_READS.findingsOf, jtis),
    chainFacts: async (chainIds) => {
      // Together on one pipelined connection (the locked scope's, or one from the pool for them).
      const send = (c: TPgQueryable) =>
        [
          c.query<TStoredEventRow>(prepared(PG_READS.chainEvents, [chainIds])),
          c.query<TExternalRow>(prepared(PG_READS.chainRefs, [chainIds])),
          c.query<TPrincipalKindRow>(prepared(PG_READS.chainPrincipals, [chainIds])),
        ] as const;
      const [e, r, k] = scope || !isPool(conn) ? await Promise.all(send(conn)) : await together(conn, send);
      return { events: e.rows, refs: r.rows, principals: k.rows };
    },
    driftFacts: async (q) => {
      // The four reads go out together on one pipelined connection (one round trip): the locked
      // scope's own, or, outside it, one checked out of the pool for them (four pool queries at
      // once would take four connections per batch).
      const send = (c: TPgQueryable) =>
        [
          c.query<TDriftBaselineRead>(prepared(DRIFT_BASELINES, [JSON.stringify(q.keys)])),
          q.values.length ? c.query<TDriftValueRow>(prepared(DRIFT_VALUES, [JSON.stringify(q.values)])) : Promise.resolve(null),
          c.query<TDriftBucketRow>(prepared(PG_READS.driftBuckets, [q.keys, q.recentBucket])),
          c.query<TDriftBucketRow>(prepared(DRIFT_EDGES, [JSON.stringify(q.keys), q.fromBucket])),
        ] as const;
      const [b, v, k, e] = scope || !isPool(conn) ? await Promise.all(send(conn)) : await together(conn, send);
      const [baselines, buckets] = [b.rows, k.rows];
      return { baselines: baselines.map(summary), values: v?.rows ?? [], buckets, earlier: earlierSums(q.fromBucket, baselines, e.rows, buckets) };
    },
    driftVersions: (keys) => rows(PG_READS.driftVersions, keys),
    write: async (plan) => {
      const statements = writeStatements(plan);
      if (scope) scope.written(Promise.all(statements.map((q) => conn.query(q))));
      // Outside a locked scope (the pool: each statement on a connection of its own), in order.
      else for (const q of statements) await conn.query(q);
    },
  };
  return store;
}

/** How long a batch waits for a pooled connection to open its transaction on (Prisma's maxWait before). */
const CONNECTION_WAIT_MS = 60_000;

/** A connection from the pool within `ms`, else an error the server answers 503 to (lib/db/health.ts). */
async function connectWithin(pool: pg.Pool, ms: number): Promise<pg.PoolClient> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const connecting = pool.connect();
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      // The code Prisma's transaction gave when it could not start in time, so the error keeps its meaning.
      reject(Object.assign(new Error(`no database connection free within ${ms} ms`), { code: "P2028" }));
    }, ms);
  });
  try {
    return await Promise.race([connecting, timeout]);
  } finally {
    clearTimeout(timer);
    // A connection that arrives after the wait gave up goes straight back to the pool.
    if (timedOut)
      connecting.then(
        (c) => c.release(),
        () => undefined,
      );
  }
}

// READ COMMITTED whatever the server's default (see postgresIngestLock); a statement that runs past
// two minutes (a lock another instance never releases) ends the transaction, as Prisma's
// interactive-transaction timeout did; BEGIN_UNFLUSHED's COMMIT does not wait for the WAL flush
// (FLUSH does, after the lock). One round trip: a parameterless query may hold several statements.
const BEGIN = `BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL statement_timeout = 120000`;
const BEGIN_UNFLUSHED = `${BEGIN}; SET LOCAL synchronous_commit = off`;

/**
 * Sent right behind a batch's COMMIT on the same connection, in a transaction of its own: a
 * transactional WAL record (a logical message, which every role may write and nothing reads unless
 * a logical decoder asks for this prefix), so that its commit waits for the WAL flush as the
 * server's synchronous_commit says (on by default). WAL is flushed in order: once it answers, the
 * batch's commit, written before it, is on disk as a synchronous COMMIT would have left it. The
 * ledger head's lock was released by the COMMIT already: the next batch's locked scope runs while
 * this one waits for the disk, and PostgreSQL flushes the WAL of several such commits at once.
 */
const FLUSH = `SELECT pg_logical_emit_message(true, 'delegraph.ingest', '')`;
/**
 * Whether this role may call FLUSH's function (every role may, unless an administrator revoked it):
 * if not, the ingest commits as it did before, the COMMIT itself waiting for the disk under the lock.
 */
const MAY_FLUSH = `SELECT COALESCE(bool_or(has_function_privilege("oid", 'EXECUTE')), false) AS "may" FROM pg_catalog.pg_proc
  WHERE "proname" = 'pg_logical_emit_message' AND "pronamespace" = 'pg_catalog'::regnamespace`;

const ignore = () => undefined;

/**
 * node-postgres's pipelining (its documented `pipeline` client option, in the pg 8.23 this repo pins) on one checked-out connection
 * for the locked scope only, so the pool's other users (Prisma's adapter, the plain-SQL reads) keep
 * the one-query-at-a-time connections they were written for. Switched while the connection is idle
 * (just checked out; every query answered before it goes back), where both modes start from the
 * same state; the client reads the flag at each query.
 */
function setPipelined(client: pg.PoolClient, on: boolean): void {
  (client as unknown as { pipeline: boolean }).pipeline = on;
}

/**
 * The locked scope on PostgreSQL: one READ COMMITTED transaction on one pooled connection
 * (lockHead locks the head row). The lock only serialises correctly under READ COMMITTED, where
 * each later statement sees what the previous holder committed; under a server default of
 * REPEATABLE READ or SERIALIZABLE the snapshot would predate the lock wait, and every ingest that
 * waited would fail with 40001. The COMMIT releases the lock without waiting for the WAL flush
 * (synchronous_commit off for this transaction alone); the scope ends once FLUSH, sent behind it,
 * has waited for it (synchronous_commit as the server has it, on by default): an acknowledged batch
 * is durable, as before, and the lock is no longer held through an fsync.
 */
export function postgresIngestLock(db: TDatabase): TAsyncLock {
  const pool = db.pg;
  if (pool === null) throw new Error("postgresIngestLock: not a PostgreSQL database");
  // Asked once, at the first batch; without the function (or on an error) the COMMIT waits as before.
  let mayFlush: Promise<boolean> | null = null;
  return async (inside) => {
    mayFlush ??= pool.query<{ may: boolean }>(MAY_FLUSH).then(
      (r) => r.rows[0]?.may === true,
      () => false,
    );
    const flushAfter = await mayFlush;
    const client = await connectWithin(pool, CONNECTION_WAIT_MS);
    let broken: Error | undefined;
    // The pool listens for errors on idle connections only: a connection that breaks between two
    // statements of the transaction would otherwise be an unhandled 'error' event (the process exits).
    const onError = (e: Error) => (broken = e);
    client.on("error", onError);
    setPipelined(client, true);
    const writes: Promise<unknown>[] = [];
    try {
      const begun = client.query(flushAfter ? BEGIN_UNFLUSHED : BEGIN);
      begun.catch(ignore); // awaited by the scope's first operation, which opens it (lockHead, lockHeadAndRead)
      const out = await inside(
        postgresIngestStore(client, {
          begun,
          written: (sent) => {
            sent.catch(ignore); // awaited below, unless the scope fails first (then rolled back)
            writes.push(sent);
          },
        }),
      );
      // The write's statements and the COMMIT, one round trip. A statement that fails aborts the
      // transaction, and the server then answers the COMMIT with a ROLLBACK: never acknowledged.
      // A scope released without a write (its validation failed) ends in ROLLBACK: it wrote only
      // the head's row lock, which a COMMIT would make wait for a WAL flush with the lock held.
      const end = writes.length ? "COMMIT" : "ROLLBACK";
      const ending = Promise.all([Promise.all(writes), client.query(end)]);
      // In the same round trip: the COMMIT's answer comes back before the flush, which it does not wait for.
      const flushed = end === "COMMIT" && flushAfter ? client.query(FLUSH) : null;
      flushed?.catch(ignore); // awaited below, unless the COMMIT failed first
      const [, ended] = await ending;
      if (ended.command !== end) throw new Error(`${end} answered ${ended.command}`);
      await flushed;
      return out;
    } catch (e) {
      // Behind whatever is still in flight on the pipeline, so it ends the transaction after them.
      // A connection that cannot even roll back is closed rather than handed to the next batch.
      await client.query("ROLLBACK").catch((r: Error) => (broken = r));
      throw e;
    } finally {
      setPipelined(client, false);
      client.removeListener("error", onError);
      client.release(broken);
    }
  };
}

// ---------------------------------------------------------------------------------------------
// The registry as the verifier sees it: principals with their public keys, read once per batch and
// never cached across batches (a key revoked a moment ago must fail the next batch).

type TKeyRow = { kid: string; jwk: string; revokedAt: number | null; thumbprint: string };

function toRegistryPrincipal(p: { id: string; kind: string; keys: TKeyRow[] }): TRegistryPrincipal {
  return {
    id: p.id,
    kind: p.kind as TPrincipalKind,
    keys: p.keys.map((k) => ({ kid: k.kid, jwk: JSON.parse(k.jwk) as object, revokedAt: k.revokedAt, thumbprint: k.thumbprint })),
  };
}

const REGISTRY_SQL = `SELECT p."id", p."kind", k."kid", k."jwk", k."revokedAt", k."thumbprint" FROM "Principal" p
  LEFT JOIN "PrincipalKey" k ON k."principalId" = p."id" WHERE p."id" IN ${IN_LIST}`;

const PG_REGISTRY_SQL = `SELECT p."id", p."kind", k."kid", k."jwk", k."revokedAt", k."thumbprint" FROM "Principal" p
  LEFT JOIN "PrincipalKey" k ON k."principalId" = p."id" WHERE p."id" = ANY($1::text[])`;

/** One row per key (a principal without keys: one row of nulls), grouped into principals. */
type TRegistryRow = { id: string; kind: string } & { [K in keyof TKeyRow]: TKeyRow[K] | null };
function registryOf(rows: TRegistryRow[]): Map<string, TRegistryPrincipal> {
  const byId = new Map<string, { id: string; kind: string; keys: TKeyRow[] }>();
  for (const r of rows) {
    let p = byId.get(r.id);
    if (!p) byId.set(r.id, (p = { id: r.id, kind: r.kind, keys: [] }));
    if (r.kid !== null) p.keys.push({ kid: r.kid, jwk: r.jwk!, revokedAt: r.revokedAt, thumbprint: r.thumbprint! });
  }
  return new Map([...byId.values()].map((p) => [p.id, toRegistryPrincipal(p)]));
}

export type TIngestStores = {
  /** Runs a batch's steps against this database (see the top of this file). */
  run<T>(steps: TSteps<T>): Promise<T>;
  /** The principals (with their keys) of these ids, for the envelope checks. */
  registry(ids: string[]): Promise<Map<string, TRegistryPrincipal>>;
};

export function createIngestStores(db: TDatabase): TIngestStores {
  const conn = db.sqlite;
  if (conn !== null) {
    const store = sqliteIngestStore(conn);
    const lock = sqliteIngestLock(conn, db.busyTimeoutMs);
    return {
      run: (steps) => runPhasedSync(steps, store, lock),
      // One statement on the direct connection: a Prisma query with its keys cost more than
      // verifying a 100-event batch's signatures on a loaded machine.
      registry: async (ids) => {
        if (ids.length === 0) return new Map();
        return registryOf(statement(conn, REGISTRY_SQL).all(json(ids)) as TRegistryRow[]);
      },
    };
  }
  const pool = db.pg!;
  const store = postgresIngestStore(pool);
  const lock = postgresIngestLock(db);
  return {
    run: (steps) => runPhasedAsync(steps, store, lock),
    registry: async (ids) => {
      if (ids.length === 0) return new Map();
      const { rows } = await pool.query<TRegistryRow>(prepared(PG_REGISTRY_SQL, [ids]));
      return registryOf(rows);
    },
  };
}
