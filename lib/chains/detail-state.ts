// One chain's detail rebuilt after a change from what the last rebuild kept: a chain page polls its
// chain while events land in it, and a thousand-hop chain read whole each time cost ~40 ms on a
// quiet machine (reading and parsing 2,750 events, hashing their tokens, the check, assembling and
// serialising 3.4 MB) for an answer that one new event changes in a few places.
//
// What is kept, per chain, and why it stays true:
// - the stored events read so far, claims parsed and tokens hashed. A stored event never changes
//   except its `status`, which the detail takes from the check (a chain with an event the check
//   gives no verdict re-reads every status at each rebuild); a chain's new events have seqs above
//   every event already stored (the ledger appends under one lock), so a rebuild reads only the
//   events after the last seq it read.
// - the events referenced outside the chain that were found (an event's chain and kind never
//   change) and the principals found (principals are only ever added, never edited). Refs and
//   principals not found yet are looked up again at each rebuild.
// - the issuers' keys. A stored event's key existed when it was stored (an unknown kid is refused),
//   keys are never deleted, a key's thumbprint never changes, and its `revokedAt` only goes from
//   null to a time or, revoked again, to an earlier one. So while the registry's stamp (how many
//   principals, how many revoked keys: detail-cache.ts hands it in) reads as at the last full read,
//   the keys read then still hold except for: the issuers of the events read since (a key may have
//   been added for them), issuers with a revoked key (revoked again earlier) and issuers that signed
//   an event with a kid they had no key for (not stored by this ingest; kept safe anyway). Only
//   those are read again; everyone's when the stamp moved, or when no stamp is given.
// - the JSON text of everything that depends on one event alone (detail-json.ts), per body, and the
//   objects of the last detail with their text as UTF-8 bytes: an event whose verdict, key state and
//   findings read as they did, and a hop whose grant event, verdict, scope difference, invocations
//   and completions are as they were, keep their object (detail.ts TChainDetailMemo), so the body
//   is mostly kept bytes copied once.
// - what the chain check worked out: when only invokes and completes came since, only they are
//   judged (lib/protocol extendChainCheck, held to the whole check), else the chain is checked whole.
// Everything else (read-time findings, nodes, counts, and each hop or event whose parts do not all
// read the same) is computed anew, so a rebuild gives what a read from scratch gives
// (detail-state-cases.ts compares them byte for byte).
// Kept states are bounded by an estimate of their size, least recently rebuilt dropped first.
import { stores } from "@/lib/db";
import type { TExternalRow } from "@/lib/db/rows";
import type { TChainDetailRows, TEventDetailRow } from "@/lib/db/stores/chains";
import { AppError } from "@/lib/http";
import type { TChainCheckState, TChainInput, TCheckEvent } from "@/lib/protocol/chain";
import { checkAnyChainFrom } from "@/lib/protocol/any-chain";
import type { TEventKind, TPrincipalKind } from "@/lib/protocol/types";
import {
  assembleChainDetail,
  createChainDetailMemo,
  prepareDetailEvents,
  type TChainDetailMemo,
  type TDetailEvent,
  type TScopeDiffMemo,
} from "./detail";
import { createDetailJsonMemo, memoSize, writeChainDetail, type TDetailJsonMemo } from "./detail-json";
import { toCheckEvent } from "./load";
import { readChain } from "./queries";

type TKeyRow = TChainDetailRows["keys"][number];

/** What the kept states may hold in all, estimated in bytes of heap. */
export const DETAIL_STATE_BYTES = 24 * 1024 * 1024;
/** A chain whose state would be larger than this is rebuilt from scratch each time instead. */
const MAX_STATE_BYTES = 20 * 1024 * 1024;
/** A state not rebuilt for this long is dropped. */
const IDLE_MS = 120_000;
/** How many chains are remembered as built once: a chain's state is kept from its second build on. */
const BUILT_ONCE = 1_000;

type TState = {
  /** the highest seq read */
  lastSeq: number;
  events: TDetailEvent[];
  /** the checker's view of `events`, kept beside them */
  checkEvents: TCheckEvent[];
  /** what the last check worked out, extended by the next rebuild when only invokes and completes came (extendChainCheck) */
  check: TChainCheckState | null;
  jtis: Set<string>;
  /** the references the events make outside the chain, in order of first mention */
  refs: Set<string>;
  /**
   * the checker's `external` as chainInputsFrom builds it: the outside references found and every
   * event of the chain (a jti is unique in the store, so the two never overlap)
   */
  external: TChainInput["external"];
  /** the checker's principal kinds, made anew when a principal is first found (as a fresh read would) */
  principalKinds: TChainInput["principalKinds"];
  principalIds: Set<string>;
  issuers: Set<string>;
  externalFound: Map<string, TExternalRow>;
  principalsFound: Map<string, TChainDetailRows["principals"][number]>;
  scopeDiffs: TScopeDiffMemo;
  /** the kids each issuer signed the chain's events with */
  kidsOf: Map<string, Set<string>>;
  /** the issuers' key rows as last read, by issuer, and all of them as one list */
  keysOf: Map<string, TKeyRow[]>;
  keys: TKeyRow[];
  /** the registry stamp at the last read of every issuer's keys (null: none yet, or no stamp given) */
  keysAt: string | null;
  /** issuers whose keys are read at every rebuild: one has a revoked key, or a kid of theirs has no key */
  keysWatched: Set<string>;
  /** per body: the event, invocation, completion and hop objects of its last detail, handed out again while one reads the same */
  objects: { lean: TChainDetailMemo; raw: TChainDetailMemo };
  json: { lean: TDetailJsonMemo; raw: TDetailJsonMemo };
  /** an event has no verdict from the check, so its stored status shows: read every status each time */
  readsStatuses: boolean;
  /** estimated bytes of the events kept (their JSON memos are counted apart) */
  eventBytes: number;
  bytes: number;
  /** Date.now() at its last rebuild */
  usedAt: number;
};

const states = new Map<string, TState>(); // insertion order = least recently rebuilt first
// Chains built once without keeping anything: a chain that never changes while it is looked at
// (most of them) costs no memory here; one that changes is kept from its next rebuild on.
const builtOnce = new Set<string>();
let sweep: NodeJS.Timeout | null = null;
const queue = new Map<string, Promise<unknown>>();

function newState(): TState {
  return {
    lastSeq: 0,
    events: [],
    checkEvents: [],
    check: null,
    jtis: new Set(),
    refs: new Set(),
    external: new Map(),
    principalKinds: new Map(),
    principalIds: new Set(),
    issuers: new Set(),
    externalFound: new Map(),
    principalsFound: new Map(),
    scopeDiffs: new WeakMap(),
    kidsOf: new Map(),
    keysOf: new Map(),
    keys: [],
    keysAt: null,
    keysWatched: new Set(),
    objects: { lean: createChainDetailMemo(), raw: createChainDetailMemo() },
    json: { lean: createDetailJsonMemo(), raw: createDetailJsonMemo() },
    readsStatuses: false,
    eventBytes: 0,
    bytes: 0,
    usedAt: 0,
  };
}

/** One rebuild of a chain at a time: each one reads from where the last one stopped. */
function serialised<T>(id: string, run: () => Promise<T>): Promise<T> {
  const result = (queue.get(id) ?? Promise.resolve()).then(run, run);
  const settled = result.then(
    () => undefined,
    () => undefined,
  );
  queue.set(id, settled);
  void settled.then(() => {
    if (queue.get(id) === settled) queue.delete(id);
  });
  return result;
}

/** Appends the rows' events to the state; the issuers of those events. */
function append(state: TState, rows: TEventDetailRow[]): Set<string> {
  const issuers = new Set<string>();
  const added = prepareDetailEvents(rows);
  for (let i = 0; i < added.length; i++) {
    const e = added[i];
    state.events.push(e);
    state.checkEvents.push(toCheckEvent(e));
    state.jtis.add(e.jti);
    state.refs.delete(e.jti);
    if (e.ref !== null && !state.jtis.has(e.ref)) state.refs.add(e.ref);
    state.external.set(e.jti, { chain: e.chainId, kind: e.claims.kind });
    state.principalIds.add(e.iss);
    state.issuers.add(e.iss);
    issuers.add(e.iss);
    const kids = state.kidsOf.get(e.iss);
    if (kids) kids.add(e.kid);
    else state.kidsOf.set(e.iss, new Set([e.kid]));
    if (e.aud !== null) state.principalIds.add(e.aud);
    state.lastSeq = Math.max(state.lastSeq, e.seq);
    // Measured: ~6 kB of heap per event of the bench's thousand-hop chain, JSON memo included.
    state.eventBytes += 1_500 + 4 * (e.token.length + rows[i].claims.length + (e.drift?.length ?? 0));
  }
  return issuers;
}

/**
 * Which issuers' keys this rebuild reads: all of them unless the registry's stamp reads as at the
 * last full read, else those the header names (the issuers of the events just read, and the
 * watched ones).
 */
function keyIssuersToRead(state: TState, registry: string | undefined, appended: Set<string>): { issuers: string[]; all: boolean } {
  if (registry === undefined || registry !== state.keysAt) return { issuers: [...state.issuers], all: true };
  const issuers = new Set(appended);
  for (const p of state.keysWatched) issuers.add(p);
  return { issuers: [...issuers], all: false };
}

/** Keeps the key rows read for these issuers (every issuer's when `all`), and whom to watch. */
function keepKeys(state: TState, read: { issuers: string[]; all: boolean }, rows: TKeyRow[], registry: string | undefined): void {
  if (read.all) {
    state.keysOf = new Map();
    state.keysWatched = new Set();
  }
  for (const p of read.issuers) state.keysOf.set(p, []);
  for (const k of rows) state.keysOf.get(k.principalId)?.push(k);
  for (const p of read.issuers) {
    const keys = state.keysOf.get(p)!;
    let watched = keys.some((k) => k.revokedAt !== null);
    for (const kid of state.kidsOf.get(p) ?? []) if (!keys.some((k) => k.kid === kid)) watched = true;
    if (watched) state.keysWatched.add(p);
    else state.keysWatched.delete(p);
  }
  if (read.issuers.length > 0) state.keys = [...state.keysOf.values()].flat();
  state.keysAt = registry ?? null;
}

function keep(id: string, state: TState): void {
  states.delete(id);
  if (!builtOnce.has(id)) {
    builtOnce.add(id);
    if (builtOnce.size > BUILT_ONCE) builtOnce.delete(builtOnce.values().next().value!);
    return;
  }
  state.bytes = state.eventBytes + memoSize(state.json.lean) + memoSize(state.json.raw);
  if (state.bytes > MAX_STATE_BYTES) return;
  state.usedAt = Date.now();
  states.set(id, state);
  sweep ??= setTimeout(dropIdle, IDLE_MS).unref();
  let total = 0;
  for (const s of states.values()) total += s.bytes;
  for (const [key, s] of states) {
    if (total <= DETAIL_STATE_BYTES) break;
    total -= s.bytes;
    states.delete(key);
  }
}

function dropIdle(): void {
  sweep = null;
  const before = Date.now() - IDLE_MS;
  for (const [id, s] of states) if (s.usedAt <= before) states.delete(id);
  if (states.size > 0) sweep = setTimeout(dropIdle, IDLE_MS).unref();
}

/** The detail's JSON as UTF-8, byte for byte JSON.stringify(readChain(id, …).detail), and what readChain says besides. */
export type TDetailText = { json: Buffer; generatedAt: string; validUntil: number };

/**
 * `registry`: the principals and revoked keys part of the chain's stamp (TChainStore.stamp), read
 * before this call; without it every issuer's keys are read.
 */
export type TRebuildOptions = { now: number; includeRaw: boolean; registry?: string };

/**
 * The chain's detail at `now`, rebuilt from what the last rebuild of the chain kept. 404 when there
 * is no such chain. Observed chains (docs/observed.md) are read whole: they keep nothing here.
 */
export function rebuildChainDetail(id: string, options: TRebuildOptions): Promise<TDetailText> {
  return serialised(id, async () => {
    try {
      return await rebuild(id, options);
    } catch (e) {
      states.delete(id);
      throw e;
    }
  });
}

async function rebuild(id: string, { now, includeRaw, registry }: TRebuildOptions): Promise<TDetailText> {
  const store = (await stores()).chains;
  const state = states.get(id) ?? newState();
  states.delete(id);
  const part = await store.detailEvents(id, state.readsStatuses ? 0 : state.lastSeq);
  if (part.startedAt !== null && (part.source === "otel" || part.source === "capture")) {
    const { detail, validUntil } = await readChain(id, { now, includeRaw });
    return { json: Buffer.from(JSON.stringify(detail), "utf8"), generatedAt: detail.generatedAt, validUntil };
  }
  const statusOf = state.readsStatuses ? new Map(part.events.map((r) => [r.jti, r.status])) : null;
  const appended = append(
    state,
    part.events.filter((r) => r.seq > state.lastSeq),
  );
  if (part.startedAt === null || state.events.length === 0) throw new AppError("not_found", `No chain ${id}.`);
  if (statusOf) for (const e of state.events) e.status = statusOf.get(e.jti) ?? e.status;
  // Every status is as stored when this read was the chain's first or read them all.
  const statusesRead = state.readsStatuses || state.events.length === part.events.length;

  const refs = state.refs;
  const keysRead = keyIssuersToRead(state, registry, appended);
  const lookups = await store.detailLookups({
    refs: [...refs].filter((r) => !state.externalFound.has(r)),
    principalIds: [...state.principalIds].filter((p) => !state.principalsFound.has(p)),
    issuers: keysRead.issuers,
  });
  keepKeys(state, keysRead, lookups.keys, registry);
  for (const r of lookups.externalRows) {
    state.externalFound.set(r.jti, r);
    state.external.set(r.jti, { chain: r.chainId, kind: r.kind as TEventKind });
  }
  for (const p of lookups.principals) state.principalsFound.set(p.id, p);
  const externalRows = [...refs].flatMap((r) => state.externalFound.get(r) ?? []);
  const principals = [...state.principalsFound.values()];
  if (lookups.principals.length > 0 || state.principalKinds.size !== principals.length)
    state.principalKinds = new Map(principals.map((p) => [p.id, p.kind as TPrincipalKind]));

  // The checker's input as chainInputsFrom builds it from the same rows (the same maps while nothing was found).
  const input: TChainInput = { chainId: id, events: state.checkEvents, external: state.external, principalKinds: state.principalKinds };
  const checked = checkAnyChainFrom(state.check, input);
  state.check = checked.kept;
  const parts = {
    analysis: checked.analysis,
    startedAt: part.startedAt,
    source: part.source,
    head: part.head,
    events: state.events,
    input,
    externalRows,
    principals,
    keys: state.keys,
  };
  const memos = { scopeDiffs: state.scopeDiffs, memo: includeRaw ? state.objects.raw : state.objects.lean };
  let built = assembleChainDetail(id, parts, { now, includeRaw, ...memos });
  if (built.usesStoredStatus && !statusesRead) {
    // An event shows its stored status, which may have changed since it was kept: read them all,
    // now and at every later rebuild of this chain.
    state.readsStatuses = true;
    const all = new Map((await store.detailEvents(id, 0)).events.map((r) => [r.jti, r.status]));
    for (const e of state.events) e.status = all.get(e.jti) ?? e.status;
    built = assembleChainDetail(id, parts, { now, includeRaw, ...memos });
  }
  const json = writeChainDetail(built.detail, includeRaw ? state.json.raw : state.json.lean);
  keep(id, state);
  return { json, generatedAt: built.detail.generatedAt, validUntil: built.validUntil };
}

/** Forgets every kept state (tests; a state is never wrong, only memory). */
export function dropDetailStates(): void {
  states.clear();
  builtOnce.clear();
}

/** How many chains have a state kept (tests). */
export function keptDetailStates(): number {
  return states.size;
}
