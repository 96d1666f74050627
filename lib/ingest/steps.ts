// One ingest batch against the store, written once for both databases.
//
// The steps are a generator that asks the ingest store for what it needs (`yield* ask(...)`) and
// ends with one write plan (lib/db/stores/ingest.ts: SQLite runs it synchronously on its own
// connection, PostgreSQL with awaits). The batch's new events are checked from memory
// together with what the chains already hold, never re-read.
//
// Two phases, so the chain checks (CPU: a big chain takes a while) never run while the ledger is
// locked, which on PostgreSQL stalls every other instance's ingest and on SQLite every other writer:
// 1. without the lock: read what the checks need (stored tokens of the batch's jtis, the chains the
//    new events touch or complete, their events, the events they point at elsewhere, principal
//    kinds) with the `version` of each affected chain, then classify replays and check the chains;
// 2. under the lock: re-read only the cheap facts the checks depended on that another batch could
//    have changed meanwhile (which of the jtis and references are stored, which chains depend on the
//    new events, the chains' versions), with the events of the chains that changed (usually none).
//    Unchanged: give ledger positions and write. Changed chains only (the batch's own jtis and drift
//    baselines as read): re-check them with the events read with the lock (`revise`), then write.
//    Otherwise: release the lock and start again; after OPTIMISTIC_ATTEMPTS, read and check under
//    the lock (bounded work: the list limits of docs/protocol.md §8 bound every check).
// Either way the verdicts are those of the store as the write finds it, as with one locked phase.
import type { TClaims, TFinding, TRejectCode } from "@/lib/protocol/types";
import { checkAnyChain, isAipClaims } from "@/lib/protocol/any-chain";
import {
  applyDrift,
  DEFAULT_DRIFT_SETTINGS,
  driftKey,
  driftUpdate,
  driftWindow,
  judgeDrift,
  newDriftBaseline,
  type TDriftFact,
  type TDriftFacts,
  type TDriftObservation,
  type TDriftSettings,
  type TDriftValueAspect,
} from "@/lib/protocol/drift";
import { egressHost } from "@/lib/protocol/scope";
import { grantUsesOf } from "@/lib/protocol/least-privilege";
import { claimedChain, classifyReplay } from "@/lib/protocol/envelope";
import { ledgerHash } from "@/lib/protocol/ledger";
import { eventRef } from "@/lib/protocol/grammar";
import { chainInputsFrom, checkedEvent, missingRefs, parseStoredEvents, principalIdsOf } from "@/lib/chains/load";
import { summariseChain } from "@/lib/ingest/summary";
import { ask, type TDriftWrite, type TLockedRead, type TLockedReadQuery, type TSteps, type TWritePlan } from "@/lib/db/stores/ingest";
import { csvColumnsOf } from "@/lib/db/csv-columns";
import type { TEventInsert, TExternalRow, TFindingRow, TParsedEventRow, TPrincipalKindRow } from "@/lib/db/rows";
import { storableRaw, storableText } from "@/lib/text";

export type { TIngestResult } from "@/lib/contracts/events";
import type { TIngestResult } from "@/lib/contracts/events";

export type TCandidate =
  | { index: number; kind: "rejected"; rawEntry: unknown; jti: string | null; code: TRejectCode; message: string }
  | {
      index: number;
      kind: "verified";
      raw: string;
      claims: TClaims;
      alg: string;
      kid: string;
      keyRevokedAt: number | null;
      /**
       * An AIP block or compact token (lib/aip/tokens.ts): its id comes from its signature, so a stored
       * id is a duplicate whatever token carried it (an extended chained token repeats its blocks).
       */
      aip?: true;
    };

type TRejected = Extract<TCandidate, { kind: "rejected" }>;

export type TFresh = {
  index: number;
  claims: TClaims;
  raw: string;
  alg: string;
  kid: string;
  keyRevokedAt: number | null;
  /** invokes: the drift judged at receipt (Event.drift) */
  drift: TDriftFact | null;
  seq: number;
  prevHash: string;
  hash: string;
};

/** One chain's check: each event's status (and the status stored before), and its summary. */
type TChainCheck = { statuses: { jti: string; status: "accepted" | "pending"; was: string }[]; summary: ReturnType<typeof summariseChain> };

type TRecheck = {
  statusOf: Map<string, "accepted" | "pending">;
  findingsOf: Map<string, TIngestResult["findings"]>;
  plan: Pick<TWritePlan, "chains" | "recheckedChains" | "findings" | "scopes" | "principals" | "purposes" | "toPending" | "toAccepted">;
  /** each chain's own check, which a repair under the lock keeps for the chains whose inputs did not change */
  checks: Map<string, TChainCheck>;
};

/**
 * Re-checks whole chains (stored events plus the batch's) and says what to rewrite. `kept`: checks
 * of chains whose inputs are what they were when these were made, used instead of checking again.
 */
function recheck(
  chainIds: string[],
  events: TParsedEventRow[],
  externalRows: TExternalRow[],
  principalRows: TPrincipalKindRow[],
  kept: Map<string, TChainCheck> = new Map(),
): TRecheck {
  const inputs = chainInputsFrom(chainIds, events, externalRows, principalRows);
  const checks = new Map<string, TChainCheck>();
  const statusOf = new Map<string, "accepted" | "pending">();
  const findingsOf = new Map<string, TIngestResult["findings"]>();
  const plan: TRecheck["plan"] = {
    chains: [],
    recheckedChains: chainIds,
    findings: [],
    scopes: [],
    principals: [],
    purposes: [],
    toPending: [],
    toAccepted: [],
  };
  for (const input of inputs.values()) {
    let check = kept.get(input.chainId);
    if (!check) {
      const analysis = checkAnyChain(input);
      const statuses: TChainCheck["statuses"] = [];
      for (const e of input.events) statuses.push({ jti: e.jti, status: analysis.events.get(e.jti)?.status ?? "accepted", was: e.status });
      check = { statuses, summary: summariseChain(input.chainId, input.events, analysis) };
    }
    checks.set(input.chainId, check);
    for (const { jti, status, was } of check.statuses) {
      statusOf.set(jti, status);
      if (status !== was) (status === "pending" ? plan.toPending : plan.toAccepted).push(jti);
    }
    const s = check.summary;
    const id = s.row.id;
    plan.chains.push(s.row);
    for (const f of s.findings) {
      plan.findings.push({ chainId: id, eventJti: f.eventJti, code: f.code, severity: f.severity, message: f.message });
      const list = findingsOf.get(f.eventJti) ?? [];
      list.push({ code: f.code, severity: f.severity, message: f.message });
      findingsOf.set(f.eventJti, list);
    }
    for (const scope of s.scopes) plan.scopes.push({ chainId: id, scope });
    for (const principalId of s.principals) plan.principals.push({ chainId: id, principalId });
    for (const purposeCode of s.purposes) plan.purposes.push({ chainId: id, purposeCode });
  }
  return { statusOf, findingsOf, plan, checks };
}

function eventInsert(f: TFresh, status: "accepted" | "pending"): TEventInsert {
  const c = f.claims;
  const claims = JSON.stringify(c);
  const row = {
    seq: f.seq,
    jti: c.jti,
    chainId: c.chain,
    kind: c.kind,
    iss: c.iss,
    aud: "aud" in c ? c.aud : null,
    ref: eventRef(c),
    iat: c.iat,
    exp: "exp" in c ? c.exp : null,
    status,
    alg: f.alg,
    kid: f.kid,
    token: f.raw,
    claims,
    purposeCode: c.kind === "authorize" || c.kind === "delegate" ? c.purpose.code : c.kind === "invoke" ? (c.purpose ?? null) : null,
    prevHash: f.prevHash,
    hash: f.hash,
    keyRevokedAt: f.keyRevokedAt,
    traceId: c.traceparent ? c.traceparent.slice(3, 35) : null,
    drift: f.drift ? JSON.stringify(f.drift) : null,
  };
  // What the CSV export shows, so it reads columns instead of claims and hashes nothing. Added to
  // the row, not spread with it into a new object: a spread followed by new keys takes V8's slow
  // path (~9 µs an event, the largest single cost of the steps' own JavaScript; docs/benchmarks.md).
  return Object.assign(row, csvColumnsOf(c, claims, row));
}

/** Optimistic rounds (check unlocked, validate under the lock) before checking under the lock. */
export const OPTIMISTIC_ATTEMPTS = 3;

/** What phase 1 read and decided, and the facts phase 2 validates it against. */
type TPrepared = {
  fresh: TFresh[];
  duplicates: { index: number; jti: string; chain: string }[];
  rejected: TRejected[];
  checked: TRecheck | null;
  /** the batch's verified jtis (their stored tokens classified it) */
  jtis: string[];
  /** the batch's verified jtis and the references out of the affected chains, and which of them were stored */
  watched: string[];
  storedOfWatched: Set<string>;
  /** the new events' jtis and the chains whose events referenced them */
  freshJtis: string[];
  dependants: Set<string>;
  affected: string[];
  versions: Map<string, number>;
  /** what the chain checks read: the affected chains' stored events (ledger order), the stored events their references name, signers' kinds */
  storedEvents: TParsedEventRow[];
  externalRows: TExternalRow[];
  principalRows: TPrincipalKindRow[];
  /** the drift baselines read (key → events observed, 0 when none) and what to write to them */
  driftSeen: Map<string, number>;
  drift: TDriftWrite | null;
};

/** The chains' stored events followed by the batch's new ones, as the checks read them (a new list). */
function withFresh(stored: TParsedEventRow[], fresh: TFresh[], at: Date): TParsedEventRow[] {
  const events = [...stored];
  const receivedAt = at.getTime() / 1000;
  for (const f of fresh)
    events.push(
      checkedEvent(
        f.seq,
        f.claims.jti,
        f.claims.chain,
        f.claims,
        "accepted",
        eventRef(f.claims),
        f.keyRevokedAt,
        f.keyRevokedAt === null ? null : receivedAt,
        f.drift ? JSON.stringify(f.drift) : null,
      ),
    );
  return events;
}

/**
 * Phase 1: replay classification against the store (§4 last step) and the re-check of every chain
 * the new events touch or complete (§5), from reads alone. Ledger positions are not known yet (they
 * are given under the lock); no check reads them.
 */
function* readAndCheck(candidates: TCandidate[], at: Date, drift: TDriftSettings): TSteps<TPrepared> {
  const verified = candidates.filter((c) => c.kind === "verified");
  const jtis = [...new Set(verified.map((c) => c.claims.jti))];
  // The dependants of every jti come with the stored tokens: when none is stored, the new events'
  // jtis are exactly these, and so are their dependants.
  const first = jtis.length ? yield* ask("jtiFacts", jtis) : { stored: [], dependants: [] };
  const existing = first.stored;
  const stored = new Map(existing.map((e) => [e.jti, { token: e.token, chain: e.chainId }]));
  const storedOfWatched = new Set(existing.map((e) => e.jti));

  const rejected: TRejected[] = candidates.filter((c) => c.kind === "rejected");
  const fresh: TFresh[] = [];
  const duplicates: TPrepared["duplicates"] = [];
  for (const c of verified) {
    const prior = stored.get(c.claims.jti);
    const verdict = c.aip && prior ? "duplicate" : classifyReplay(c.raw, prior?.token);
    if (verdict === "duplicate") {
      duplicates.push({ index: c.index, jti: c.claims.jti, chain: prior!.chain });
    } else if (verdict === "replay") {
      rejected.push({
        index: c.index,
        kind: "rejected",
        rawEntry: c.raw,
        jti: c.claims.jti,
        code: "replay",
        message: `jti ${c.claims.jti} was already used by a different token.`,
      });
    } else {
      fresh.push({
        index: c.index,
        claims: c.claims,
        raw: c.raw,
        alg: c.alg,
        kid: c.kid,
        keyRevokedAt: c.keyRevokedAt,
        drift: null,
        seq: 0,
        prevHash: "",
        hash: "",
      });
      stored.set(c.claims.jti, { token: c.raw, chain: c.claims.chain });
    }
  }

  const freshJtis = fresh.map((f) => f.claims.jti);
  let checked: TRecheck | null = null;
  let dependants: string[] = [];
  let affected: string[] = [];
  let versions = new Map<string, number>();
  let refs: string[] = [];
  let storedEvents: TParsedEventRow[] = [];
  let externalRows: TExternalRow[] = [];
  let principalRows: TPrincipalKindRow[] = [];
  let driftRead: { seen: Map<string, number>; write: TDriftWrite | null } = { seen: new Map(), write: null };
  if (fresh.length) {
    // Chains that gain events, and chains whose events point at a new event (an orphan's parent
    // arriving): both are re-checked whole. A new event pointing at another new one is in a chain
    // that gains events anyway. Versions are read before the events: any write after this read
    // shows up as a new version under the lock.
    dependants = existing.length ? yield* ask("dependantChains", freshJtis) : first.dependants;
    affected = [...new Set([...fresh.map((f) => f.claims.chain), ...dependants])];
    const state = yield* ask("chainState", affected);
    versions = new Map(state.versions.map((v) => [v.id, v.version]));
    storedEvents = parseStoredEvents(state.events);
    driftRead = yield* judgeDrifts(fresh, storedEvents, drift);
    const events = withFresh(storedEvents, fresh, at);
    refs = missingRefs(events);
    const principalIds = principalIdsOf(events);
    // Principal kinds are not validated under the lock: a principal's kind never changes, and the
    // checks only ask for the kinds of signers, registered before their events were accepted.
    if (refs.length || principalIds.length)
      ({ events: externalRows, principals: principalRows } = yield* ask("kindsOf", { jtis: refs, ids: principalIds }));
    for (const r of externalRows) storedOfWatched.add(r.jti);
    checked = recheck(affected, events, externalRows, principalRows);
  }
  const watched = [...new Set([...jtis, ...refs])];
  return {
    fresh,
    duplicates,
    rejected,
    checked,
    jtis,
    watched,
    storedOfWatched,
    freshJtis,
    dependants: new Set(dependants),
    affected,
    versions,
    storedEvents,
    externalRows,
    principalRows,
    driftSeen: driftRead.seen,
    drift: driftRead.write,
  };
}

/**
 * The new invokes drift is judged for, in batch order, each with its baseline: its signer under its
 * purpose (the invoke's own, else its grant's, found among the batch and the stored events given).
 */
function driftSubjects(
  fresh: TFresh[],
  stored: { jti: string; claims: TClaims }[],
): { f: TFresh; key: string; principal: string; purpose: string; o: TDriftObservation }[] {
  const claimsOf = new Map<string, TClaims>(stored.map((e) => [e.jti, e.claims]));
  for (const f of fresh) claimsOf.set(f.claims.jti, f.claims);
  const judged: { f: TFresh; key: string; principal: string; purpose: string; o: TDriftObservation }[] = [];
  for (const f of fresh) {
    const c = f.claims;
    if (c.kind !== "invoke" || isAipClaims(c)) continue;
    const grant = c.grant !== undefined ? claimsOf.get(c.grant) : undefined;
    const purpose = c.purpose ?? (grant && (grant.kind === "authorize" || grant.kind === "delegate") ? grant.purpose.code : "");
    const o: TDriftObservation = { iat: c.iat, action: c.action, resource: c.resource, data: c.data ?? [], host: egressHost(c.resource) };
    judged.push({ f, key: driftKey(c.iss, purpose), principal: c.iss, purpose, o });
  }
  return judged;
}

/**
 * Behavioural drift (lib/protocol/drift.ts): each new invoke, in batch order, judged against its
 * signer's baseline under its purpose (the invoke's own, else its grant's), the baseline read from
 * the store for exactly the values the batch names and the window's buckets, and updated in memory
 * so a later invoke of the batch sees the earlier ones. Sets each invoke's `drift` and returns what
 * the write adds to the baselines, with the baselines' event counts for the validation under the lock.
 */
export function* judgeDrifts(
  fresh: TFresh[],
  stored: { jti: string; claims: TClaims }[],
  s: TDriftSettings,
): TSteps<{ seen: Map<string, number>; write: TDriftWrite | null }> {
  const judged = driftSubjects(fresh, stored);
  if (judged.length === 0) return { seen: new Map(), write: null };

  const keys = [...new Set(judged.map((j) => j.key))];
  const values = new Map<string, { key: string; aspect: TDriftValueAspect; value: string }>();
  const want = (key: string, aspect: TDriftValueAspect, value: string) => values.set(`${key}\n${aspect}\n${value}`, { key, aspect, value });
  for (const { key, o } of judged) {
    want(key, "action", o.action);
    want(key, "resource", o.resource);
    for (const d of o.data) want(key, "data", d);
    if (o.host !== null) want(key, "host", o.host);
  }
  // Every window this batch can judge in starts at or after the earliest iat's window. Buckets
  // from the earliest iat's on are read one by one (the rate needs each); the earlier ones of the
  // window only as sums per baseline, held as one bucket just before them. Stored buckets older
  // than a baseline's window are pruned whenever it moves (below), so the sums are the window's;
  // within one batch they may still count a bucket or two the window just left.
  const minIat = judged.reduce((m, j) => Math.min(m, j.o.iat), Infinity);
  const fromBucket = driftWindow(-Infinity, minIat, s).firstBucket;
  const recentBucket = Math.floor(minIat / s.bucketSeconds);
  const read = yield* ask("driftFacts", { keys, values: [...values.values()], fromBucket, recentBucket });

  const facts = new Map<string, TDriftFacts>(keys.map((k) => [k, newDriftBaseline()]));
  const seen = new Map<string, number>(keys.map((k) => [k, 0]));
  const storedLatest = new Map<string, number>();
  for (const b of read.baselines) {
    const f = facts.get(b.key)!;
    f.first = b.first;
    f.latest = b.latest;
    seen.set(b.key, b.events);
    storedLatest.set(b.key, b.latest);
  }
  const storedLast = new Map<string, number>();
  for (const v of read.values) {
    facts.get(v.key)?.seen[v.aspect as TDriftValueAspect]?.set(v.value, v.last);
    storedLast.set(`${v.key}\n${v.aspect}\n${v.value}`, v.last);
  }
  for (const b of read.earlier)
    facts.get(b.key)?.buckets.set(recentBucket - 1, {
      events: Number(b.events),
      action: Number(b.action),
      resource: Number(b.resource),
      data: Number(b.data),
      host: Number(b.host),
    });
  for (const b of read.buckets)
    facts.get(b.key)?.buckets.set(b.bucket, { events: b.events, action: b.action, resource: b.resource, data: b.data, host: b.host });

  const write: TDriftWrite = { baselines: new Map(), values: new Map(), buckets: new Map(), prune: [] };
  for (const { f, key, principal, purpose, o } of judged) {
    const base = facts.get(key)!;
    const j = judgeDrift(base, o, s);
    if (j.drift) f.drift = { ...j.drift, purpose };
    const u = driftUpdate(o, j);
    applyDrift(base, u);
    const b = write.baselines.get(key) ?? { key, principal, purpose, first: o.iat, latest: o.iat, events: 0, since: 0 };
    b.first = Math.min(b.first, o.iat);
    b.latest = Math.max(b.latest, o.iat);
    b.events++;
    write.baselines.set(key, b);
    for (const { aspect, value } of u.seen) {
      const id = `${key}\n${aspect}\n${value}`;
      // A habitual value's "last seen" is refreshed at most once per bucket: knowing it to the
      // bucket is enough for a window of many buckets, and it spares an upsert per value per invoke.
      if ((storedLast.get(id) ?? -Infinity) >= o.iat - s.bucketSeconds) continue;
      const v = write.values.get(id);
      if (!v || v.last < o.iat) write.values.set(id, { key, aspect, value, last: o.iat });
    }
    const id = `${key}\n${u.bucket}`;
    const k = write.buckets.get(id) ?? { key, bucket: u.bucket, events: 0, action: 0, resource: 0, data: 0, host: 0 };
    k.events += u.counts.events;
    k.action += u.counts.action;
    k.resource += u.counts.resource;
    k.data += u.counts.data;
    k.host += u.counts.host;
    write.buckets.set(id, k);
  }
  // The window slides: once per bucket a baseline's rows older than its window are deleted, so
  // what it stores stays bounded by what the window holds.
  // A new baseline's running sums count its buckets from its window's first bucket on (the store
  // keeps `since` of a stored baseline, and moves it with the prune).
  for (const [key, f] of facts) {
    const before = storedLatest.get(key);
    const now = driftWindow(f.latest, f.latest, s);
    write.baselines.get(key)!.since = now.firstBucket;
    if (before !== undefined && driftWindow(before, before, s).firstBucket < now.firstBucket)
      write.prune.push({ key, before: now.horizon, beforeBucket: now.firstBucket });
  }
  return { seen, write };
}

const sameSet = <T>(a: Set<T>, b: Iterable<T>) => {
  const list = [...b];
  return list.length === a.size && list.every((x) => a.has(x));
};

/** What phase 2 re-reads under the lock to validate phase 1, and the stored findings `finish` reports. */
function lockedReadOf(p: TPrepared): TLockedReadQuery {
  const fresh = p.freshJtis.length > 0;
  return {
    watched: p.watched,
    driftKeys: fresh ? [...p.driftSeen.keys()] : [],
    freshJtis: p.freshJtis,
    affected: fresh ? p.affected : [],
    readVersions: fresh ? p.affected.map((id) => p.versions.get(id) ?? null) : [],
    findingsOf: uncheckedDuplicates(p),
  };
}

/**
 * Phase 2's validation, under the lock: is every fact phase 1 read still true? Stored events never
 * change or leave, so "which of these jtis are stored" covers the batch's replay classification and
 * the references out of the chains; every write to a chain bumps its version; dependants only grow.
 */
function unchanged(p: TPrepared, now: TLockedRead): boolean {
  if (p.watched.length && !sameSet(p.storedOfWatched, now.stored)) return false;
  if (p.freshJtis.length === 0) return true;
  const events = new Map(now.driftVersions.map((r) => [r.key, r.events]));
  for (const [key, seen] of p.driftSeen) if ((events.get(key) ?? 0) !== seen) return false;
  if (!sameSet(p.dependants, now.dependants)) return false;
  return now.versions.length === p.versions.size && now.versions.every((v) => p.versions.get(v.id) === v.version);
}

/**
 * A failed validation repaired under the lock rather than released, when the batch's own replay
 * classification and its drift baselines still hold: then what changed is chains only (stored events
 * added to affected chains, whose versions moved; new dependant chains; references stored since).
 * Those chains' events are read again (with the lock: `TLockedRead.changed`), the references and
 * signers still not known are read, and the chains that may have changed are re-checked from
 * memory: the reads and checks a new round would make against the store as the lock holds it
 * (stored events never change or leave, so an unchanged version is an unchanged chain and a stored
 * event's row read before is still its row), without leaving the lock and queueing for it again. Null: release and start again. Its facts are not validated again (the
 * lock is held), so only what `finish` reads is brought up to date.
 */
function* revise(p: TPrepared, now: TLockedRead, at: Date): TSteps<TPrepared | null> {
  const stored = new Set(now.stored);
  if (p.jtis.some((jti) => p.storedOfWatched.has(jti) !== stored.has(jti))) return null;
  if (p.freshJtis.length === 0) return null;
  const observed = new Map(now.driftVersions.map((r) => [r.key, r.events]));
  for (const [key, seen] of p.driftSeen) if ((observed.get(key) ?? 0) !== seen) return null;

  const version = new Map(now.versions.map((v) => [v.id, v.version]));
  // Dependants only grow and the new events' chains are the same: a superset of the first round's, in a new round's order.
  const affected = [...new Set([...p.fresh.map((f) => f.claims.chain), ...now.dependants])];
  const before = new Set(p.affected);
  const reread = new Set([...p.affected.filter((id) => version.get(id) !== p.versions.get(id)), ...affected.filter((id) => !before.has(id))]);
  // With what those chains' events reference and whom they name, known from then on: read with the
  // lock (the store found the same chains changed), else asked for now.
  const facts = sameSet(reread, now.changed.chainIds) ? now.changed : yield* ask("chainFacts", [...reread]);
  const rows = parseStoredEvents(facts.events);
  const storedEvents = [...p.storedEvents.filter((e) => !reread.has(e.chainId)), ...rows].sort((a, b) => a.seq - b.seq);
  // An invoke's drift baseline follows its grant's purpose: a grant that is now among the stored
  // events read would move it to another baseline, whose facts were not read.
  const baselines = (events: TParsedEventRow[]) => driftSubjects(p.fresh, events).map((j) => j.key);
  if (!sameList(baselines(storedEvents), baselines(p.storedEvents))) return null;

  const events = withFresh(storedEvents, p.fresh, at);
  const refs = missingRefs(events);
  const knownRefs = new Map([...p.externalRows, ...facts.refs].map((r) => [r.jti, r]));
  const newRefs = refs.filter((r) => !knownRefs.has(r));
  const principalIds = principalIdsOf(events);
  const knownKinds = new Map([...p.principalRows, ...facts.principals].map((r) => [r.id, r]));
  const newIds = principalIds.filter((id) => !knownKinds.has(id));
  const read = newRefs.length || newIds.length ? yield* ask("kindsOf", { jtis: newRefs, ids: newIds }) : { events: [], principals: [] };
  const externalRows = [...refs.flatMap((r) => knownRefs.get(r) ?? []), ...read.events];
  const principalRows = [...principalIds.flatMap((id) => knownKinds.get(id) ?? []), ...read.principals];
  // A chain read again is checked again, and so is one whose events name an event or a principal
  // the first round could not find and this one can (references and kinds are lookups; a found
  // event's row and a principal's kind never change): every other chain's check is kept.
  const foundBefore = new Set([...p.storedEvents.map((e) => e.jti), ...p.freshJtis, ...p.externalRows.map((r) => r.jti)]);
  const kindsBefore = new Set(p.principalRows.map((r) => r.id));
  const found = new Set([...storedEvents.map((e) => e.jti), ...externalRows.map((r) => r.jti)].filter((jti) => !foundBefore.has(jti)));
  const kindsFound = new Set(principalRows.map((r) => r.id).filter((id) => !kindsBefore.has(id)));
  const stale = new Set(reread);
  for (const e of events)
    if ((e.ref !== null && found.has(e.ref)) || kindsFound.has(e.claims.iss) || ("aud" in e.claims && kindsFound.has(e.claims.aud)))
      stale.add(e.chainId);
  const kept = new Map([...(p.checked?.checks ?? [])].filter(([id]) => !stale.has(id)));
  return {
    ...p,
    checked: recheck(affected, events, externalRows, principalRows, kept),
    dependants: new Set(now.dependants),
    affected,
    storedEvents,
    externalRows,
    principalRows,
  };
}

const sameList = <T>(a: T[], b: T[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * One batch: phase 1 unlocked, phase 2 under the lock (see the top of this file), then ledger
 * positions and hashes (§7), the write, and one result per entry, in order. Results carry exactly
 * what the write plan stores.
 */
export function* ingestSteps(
  candidates: TCandidate[],
  at: Date,
  source: string | null = null,
  drift: TDriftSettings = DEFAULT_DRIFT_SETTINGS,
): TSteps<TIngestResult[]> {
  for (let attempt = 1; attempt <= OPTIMISTIC_ATTEMPTS; attempt++) {
    const prepared = yield* readAndCheck(candidates, at, drift);
    // The lock and every re-read in one request: the facts were named before the lock was asked for.
    const now = yield* ask("lockHeadAndRead", lockedReadOf(prepared));
    if (unchanged(prepared, now)) return yield* finish(candidates.length, prepared, now.head, now.findings, at, source);
    const revised = yield* revise(prepared, now, at);
    if (revised) {
      // Re-checked chains report their own findings: only the duplicates outside them read stored ones.
      const unchecked = new Set(uncheckedDuplicates(revised));
      const findings = now.findings.filter((f) => unchecked.has(f.eventJti));
      return yield* finish(candidates.length, revised, now.head, findings, at, source);
    }
    yield { op: "release", args: [] };
  }
  const head = yield* ask("lockHead");
  const prepared = yield* readAndCheck(candidates, at, drift);
  const unchecked = uncheckedDuplicates(prepared);
  const findings = unchecked.length ? yield* ask("findingsOf", unchecked) : [];
  return yield* finish(candidates.length, prepared, head, findings, at, source);
}

/** Duplicates of events in chains this batch did not re-check: they report their stored findings. */
function uncheckedDuplicates({ duplicates, checked }: TPrepared): string[] {
  const rechecked = new Set(checked?.plan.recheckedChains ?? []);
  return [...new Set(duplicates.filter((d) => !rechecked.has(d.chain)).map((d) => d.jti))];
}

/** `findings`: the stored findings of uncheckedDuplicates(prepared), read under the lock. */
function* finish(
  count: number,
  prepared: TPrepared,
  head: { seq: number; hash: string },
  findings: TFindingRow[],
  at: Date,
  source: string | null,
): TSteps<TIngestResult[]> {
  const { duplicates, rejected, checked } = prepared;
  let { seq, hash } = head;
  const fresh = prepared.fresh.map((f) => {
    const prevHash = hash;
    hash = ledgerHash(prevHash, f.raw);
    seq += 1;
    return { ...f, seq, prevHash, hash };
  });

  const storedFindings = new Map<string, TIngestResult["findings"]>();
  for (const f of findings) {
    const list = storedFindings.get(f.eventJti) ?? [];
    list.push({ code: f.code as TFinding["code"], severity: f.severity as TFinding["severity"], message: f.message });
    storedFindings.set(f.eventJti, list);
  }

  const statusOf = (jti: string) => checked?.statusOf.get(jti) ?? "accepted";
  const freshJtis = new Set(prepared.freshJtis);
  yield* ask("write", {
    at,
    events: fresh.map((f) => eventInsert(f, statusOf(f.claims.jti))),
    chains: checked?.plan.chains ?? [],
    recheckedChains: checked?.plan.recheckedChains ?? [],
    findings: checked?.plan.findings ?? [],
    scopes: checked?.plan.scopes ?? [],
    principals: checked?.plan.principals ?? [],
    purposes: checked?.plan.purposes ?? [],
    // Fresh events are written with their final status; only stored ones change.
    toPending: (checked?.plan.toPending ?? []).filter((jti) => !freshJtis.has(jti)),
    toAccepted: (checked?.plan.toAccepted ?? []).filter((jti) => !freshJtis.has(jti)),
    head: fresh.length ? { seq, hash } : null,
    drift: prepared.drift,
    // Counted from the new events alone (duplicates and rejected entries are not among them), in
    // the same transaction as the events: GrantUse always sums exactly the stored events.
    grantUses: grantUsesOf(fresh.map((f) => f.claims)),
    quarantine: rejected.map((r) => {
      const raw = storableRaw(r.rawEntry);
      return {
        jti: r.jti === null ? null : storableText(r.jti),
        code: r.code,
        message: storableText(r.message),
        raw,
        bytes: Buffer.byteLength(raw, "utf8"),
        // Unverified: it only files the refusal under the chain it names (docs/operations.md).
        chainId: claimedChain(r.rawEntry),
      };
    }),
    source,
  });

  const results = new Array<TIngestResult>(count);
  const findingsOf = (jti: string) => checked?.findingsOf.get(jti) ?? storedFindings.get(jti) ?? [];
  for (const f of fresh) {
    const jti = f.claims.jti;
    results[f.index] = { jti, status: statusOf(jti) === "pending" ? "pending" : "accepted", chain: f.claims.chain, findings: findingsOf(jti) };
  }
  for (const d of duplicates) results[d.index] = { jti: d.jti, status: "duplicate", chain: d.chain, findings: findingsOf(d.jti) };
  for (const r of rejected) results[r.index] = { jti: r.jti, status: "rejected", findings: [], error: { code: r.code, message: r.message } };
  return results;
}
