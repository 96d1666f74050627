// One ingest batch against the store, written once for both databases.
//
// The steps are a generator that asks a store for what it needs (`yield* ask(...)`) and ends with
// one write plan. SQLite runs it synchronously on its own connection (store-sqlite.ts); PostgreSQL
// runs the same steps with awaits (store-prisma.ts). The batch's new events are checked from memory
// together with what the chains already hold, never re-read.
//
// Two phases, so the chain checks (CPU: a big chain takes a while) never run while the ledger is
// locked, which on PostgreSQL stalls every other instance's ingest and on SQLite every other writer:
// 1. without the lock: read what the checks need (stored tokens of the batch's jtis, the chains the
//    new events touch or complete, their events, the events they point at elsewhere, principal
//    kinds) with the `version` of each affected chain, then classify replays and check the chains;
// 2. under the lock: re-read only the cheap facts the checks depended on that another batch could
//    have changed meanwhile (which of the jtis and references are stored, which chains depend on the
//    new events, the chains' versions). Unchanged: give ledger positions and write. Changed: release
//    the lock and start again; after OPTIMISTIC_ATTEMPTS, read and check under the lock (bounded
//    work: the list limits of spec §8 bound every check).
// Either way the verdicts are those of the store as the write finds it, as with one locked phase.
import type { TClaims, TFinding, TRejectCode } from "@/lib/protocol/types";
import { checkChain } from "@/lib/protocol/chain";
import { classifyReplay } from "@/lib/protocol/envelope";
import { ledgerHash } from "@/lib/protocol/ledger";
import {
  chainInputsFrom,
  missingRefs,
  parseEventRows,
  principalIdsOf,
  type TExternalRow,
  type TParsedEventRow,
  type TPrincipalKindRow,
  type TStoredEventRow,
} from "@/lib/chains/load";
import { summariseChain, type TChainSummaryRow } from "@/lib/ingest/summary";
import { storableRaw, storableText } from "@/lib/text";

export type TIngestResult = {
  jti: string | null;
  status: "accepted" | "duplicate" | "pending" | "rejected";
  chain?: string;
  findings: Pick<TFinding, "code" | "severity" | "message">[];
  error?: { code: TRejectCode; message: string };
};

export type TCandidate =
  | { index: number; kind: "rejected"; rawEntry: unknown; jti: string | null; code: TRejectCode; message: string }
  | { index: number; kind: "verified"; raw: string; claims: TClaims; alg: string; kid: string; keyRevokedAt: number | null };

type TRejected = Extract<TCandidate, { kind: "rejected" }>;

export type TEventInsert = {
  seq: number;
  jti: string;
  chainId: string;
  kind: string;
  iss: string;
  aud: string | null;
  ref: string | null;
  iat: number;
  exp: number | null;
  status: "accepted" | "pending";
  alg: string;
  kid: string;
  token: string;
  claims: string;
  purposeCode: string | null;
  prevHash: string;
  hash: string;
  /** the signing key's revokedAt in the registry at receipt (late_after_revocation) */
  keyRevokedAt: number | null;
};

/**
 * The columns of an event row in table order (all but receivedAt), with their PostgreSQL types;
 * both ingest stores write them from this list (a field added to TEventInsert must be added here).
 */
export const EVENT_INSERT_COLUMNS: { [K in keyof TEventInsert]: "text" | "integer" | "double precision" } = {
  seq: "integer",
  jti: "text",
  chainId: "text",
  kind: "text",
  iss: "text",
  aud: "text",
  ref: "text",
  iat: "double precision",
  exp: "double precision",
  status: "text",
  alg: "text",
  kid: "text",
  token: "text",
  claims: "text",
  purposeCode: "text",
  prevHash: "text",
  hash: "text",
  keyRevokedAt: "double precision",
};

export type TFindingInsert = { chainId: string; eventJti: string; code: string; severity: string; message: string };

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
  quarantine: { jti: string | null; code: string; message: string; raw: string; bytes: number }[];
  /** who sent the batch ("token:<id>", "session:<user id>"): the quarantine quota is per sender */
  source: string | null;
};

export type TFindingRow = { id: number; eventJti: string; code: string; severity: string; message: string };

/** What the steps read. Every list argument is non-empty and has no duplicates. */
export type TIngestStore = {
  /** the ledger head: asked first inside the locked scope (see the runners), which it locks */
  lockHead(): { seq: number; hash: string };
  storedTokens(jtis: string[]): { jti: string; token: string; chainId: string }[];
  /** the summary rows' versions: +1 at every write of the chain (absent: no such chain yet) */
  chainVersions(chainIds: string[]): { id: string; version: number }[];
  /** chains holding events that reference any of `jtis` */
  dependantChains(jtis: string[]): string[];
  /** every stored event of these chains, in ledger order */
  chainEvents(chainIds: string[]): TStoredEventRow[];
  eventKinds(jtis: string[]): TExternalRow[];
  principalKinds(ids: string[]): TPrincipalKindRow[];
  /** stored findings of these events, in insertion (id) order */
  findingsOf(jtis: string[]): TFindingRow[];
  write(plan: TWritePlan): void;
};

type TStoreOp = { [K in keyof TIngestStore]: { op: K; args: Parameters<TIngestStore[K]> } }[keyof TIngestStore];
/** A store operation, or `release`: leave the locked scope without writing (the runners' business). */
type TOp = TStoreOp | { op: "release"; args: [] };
export type TSteps<T> = Generator<TOp, T, unknown>;

function* ask<K extends keyof TIngestStore>(op: K, ...args: Parameters<TIngestStore[K]>): TSteps<ReturnType<TIngestStore[K]>> {
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

/**
 * Runs the steps: every operation before `lockHead` on `store` outside any transaction; from
 * `lockHead` to `release` (or to the end, which commits the write) synchronously inside `lock`.
 */
export async function runPhasedSync<T>(steps: TSteps<T>, store: TIngestStore, lock: TSyncLock): Promise<T> {
  let step: TStep<T> = steps.next();
  for (;;) {
    if (step.done) return step.value;
    if (step.value.op === "release") throw new Error("release outside the locked scope");
    if (step.value.op !== "lockHead") {
      step = steps.next(call(store, step.value));
      continue;
    }
    const first = step.value;
    const outcome = await lock((locked): TLockedOutcome<T> => {
      for (let s: TStep<T> = steps.next(call(locked, first)); ; ) {
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
    if (step.value.op !== "lockHead") {
      step = steps.next(await call(store, step.value));
      continue;
    }
    const first = step.value;
    const outcome = await lock(async (locked): Promise<TLockedOutcome<T>> => {
      for (let s: TStep<T> = steps.next(await call(locked, first)); ; ) {
        if (s.done) return { released: false, step: s };
        if (s.value.op === "release") return { released: true };
        s = steps.next(await call(locked, s.value));
      }
    });
    step = outcome.released ? steps.next(undefined) : outcome.step;
  }
}

function refOf(c: TClaims): string | null {
  switch (c.kind) {
    case "delegate":
      return c.parent;
    case "invoke":
      return c.grant ?? null;
    case "complete":
      return c.grant;
    case "revoke":
      return c.target;
    default:
      return null;
  }
}

type TFresh = { index: number; claims: TClaims; raw: string; alg: string; kid: string; keyRevokedAt: number | null; seq: number; prevHash: string; hash: string };

type TRecheck = {
  statusOf: Map<string, "accepted" | "pending">;
  findingsOf: Map<string, TIngestResult["findings"]>;
  plan: Pick<TWritePlan, "chains" | "recheckedChains" | "findings" | "scopes" | "principals" | "purposes" | "toPending" | "toAccepted">;
};

/** Re-checks whole chains (stored events plus the batch's) and says what to rewrite. */
function recheck(chainIds: string[], events: TParsedEventRow[], externalRows: TExternalRow[], principalRows: TPrincipalKindRow[]): TRecheck {
  const inputs = chainInputsFrom(chainIds, events, externalRows, principalRows);
  const statusOf = new Map<string, "accepted" | "pending">();
  const findingsOf = new Map<string, TIngestResult["findings"]>();
  const plan: TRecheck["plan"] = { chains: [], recheckedChains: chainIds, findings: [], scopes: [], principals: [], purposes: [], toPending: [], toAccepted: [] };
  for (const input of inputs.values()) {
    const analysis = checkChain(input);
    for (const e of input.events) {
      const status = analysis.events.get(e.jti)?.status ?? "accepted";
      statusOf.set(e.jti, status);
      if (status !== e.status) (status === "pending" ? plan.toPending : plan.toAccepted).push(e.jti);
    }
    const s = summariseChain(input.chainId, input.events, analysis);
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
  return { statusOf, findingsOf, plan };
}

function eventInsert(f: TFresh, status: "accepted" | "pending"): TEventInsert {
  const c = f.claims;
  return {
    seq: f.seq,
    jti: c.jti,
    chainId: c.chain,
    kind: c.kind,
    iss: c.iss,
    aud: "aud" in c ? c.aud : null,
    ref: refOf(c),
    iat: c.iat,
    exp: "exp" in c ? c.exp : null,
    status,
    alg: f.alg,
    kid: f.kid,
    token: f.raw,
    claims: JSON.stringify(c),
    purposeCode: c.kind === "authorize" || c.kind === "delegate" ? c.purpose.code : c.kind === "invoke" ? (c.purpose ?? null) : null,
    prevHash: f.prevHash,
    hash: f.hash,
    keyRevokedAt: f.keyRevokedAt,
  };
}

/** Optimistic rounds (check unlocked, validate under the lock) before checking under the lock. */
export const OPTIMISTIC_ATTEMPTS = 3;

/** What phase 1 read and decided, and the facts phase 2 validates it against. */
type TPrepared = {
  fresh: TFresh[];
  duplicates: { index: number; jti: string; chain: string }[];
  rejected: TRejected[];
  checked: TRecheck | null;
  /** the batch's verified jtis and the references out of the affected chains, and which of them were stored */
  watched: string[];
  storedOfWatched: Set<string>;
  /** the new events' jtis and the chains whose events referenced them */
  freshJtis: string[];
  dependants: Set<string>;
  affected: string[];
  versions: Map<string, number>;
};

/**
 * Phase 1: replay classification against the store (§4 last step) and the re-check of every chain
 * the new events touch or complete (§5), from reads alone. Ledger positions are not known yet (they
 * are given under the lock); no check reads them.
 */
function* prepare(candidates: TCandidate[], at: Date): TSteps<TPrepared> {
  const verified = candidates.filter((c) => c.kind === "verified");
  const jtis = [...new Set(verified.map((c) => c.claims.jti))];
  const existing = jtis.length ? yield* ask("storedTokens", jtis) : [];
  const stored = new Map(existing.map((e) => [e.jti, { token: e.token, chain: e.chainId }]));
  const storedOfWatched = new Set(existing.map((e) => e.jti));

  const rejected: TRejected[] = candidates.filter((c) => c.kind === "rejected");
  const fresh: TFresh[] = [];
  const duplicates: TPrepared["duplicates"] = [];
  for (const c of verified) {
    const prior = stored.get(c.claims.jti);
    const verdict = classifyReplay(c.raw, prior?.token);
    if (verdict === "duplicate") {
      duplicates.push({ index: c.index, jti: c.claims.jti, chain: prior!.chain });
    } else if (verdict === "replay") {
      rejected.push({ index: c.index, kind: "rejected", rawEntry: c.raw, jti: c.claims.jti, code: "replay", message: `jti ${c.claims.jti} was already used by a different token.` });
    } else {
      fresh.push({ index: c.index, claims: c.claims, raw: c.raw, alg: c.alg, kid: c.kid, keyRevokedAt: c.keyRevokedAt, seq: 0, prevHash: "", hash: "" });
      stored.set(c.claims.jti, { token: c.raw, chain: c.claims.chain });
    }
  }

  const freshJtis = fresh.map((f) => f.claims.jti);
  let checked: TRecheck | null = null;
  let dependants: string[] = [];
  let affected: string[] = [];
  let versions = new Map<string, number>();
  let refs: string[] = [];
  if (fresh.length) {
    // Chains that gain events, and chains whose events point at a new event (an orphan's parent
    // arriving): both are re-checked whole. A new event pointing at another new one is in a chain
    // that gains events anyway. Versions are read before the events: any write after this read
    // shows up as a new version under the lock.
    dependants = yield* ask("dependantChains", freshJtis);
    affected = [...new Set([...fresh.map((f) => f.claims.chain), ...dependants])];
    versions = new Map((yield* ask("chainVersions", affected)).map((v) => [v.id, v.version]));
    const events = parseEventRows(yield* ask("chainEvents", affected));
    const receivedAt = at.getTime() / 1000;
    for (const f of fresh)
      events.push({ seq: f.seq, jti: f.claims.jti, chainId: f.claims.chain, claims: f.claims, status: "accepted", ref: refOf(f.claims), keyRevokedAt: f.keyRevokedAt, receivedAt: f.keyRevokedAt === null ? null : receivedAt });
    refs = missingRefs(events);
    const principalIds = principalIdsOf(events);
    const externalRows = refs.length ? yield* ask("eventKinds", refs) : [];
    for (const r of externalRows) storedOfWatched.add(r.jti);
    // Principal kinds are not validated under the lock: a principal's kind never changes, and the
    // checks only ask for the kinds of signers, registered before their events were accepted.
    const principalRows = principalIds.length ? yield* ask("principalKinds", principalIds) : [];
    checked = recheck(affected, events, externalRows, principalRows);
  }
  const watched = [...new Set([...jtis, ...refs])];
  return { fresh, duplicates, rejected, checked, watched, storedOfWatched, freshJtis, dependants: new Set(dependants), affected, versions };
}

const sameSet = <T>(a: Set<T>, b: Iterable<T>) => {
  const list = [...b];
  return list.length === a.size && list.every((x) => a.has(x));
};

/**
 * Phase 2's validation, under the lock: is every fact phase 1 read still true? Stored events never
 * change or leave, so "which of these jtis are stored" covers the batch's replay classification and
 * the references out of the chains; every write to a chain bumps its version; dependants only grow.
 */
function* unchanged(p: TPrepared): TSteps<boolean> {
  if (p.watched.length) {
    const present = yield* ask("eventKinds", p.watched);
    if (!sameSet(p.storedOfWatched, present.map((r) => r.jti))) return false;
  }
  if (p.freshJtis.length === 0) return true;
  if (!sameSet(p.dependants, yield* ask("dependantChains", p.freshJtis))) return false;
  const versions = yield* ask("chainVersions", p.affected);
  return versions.length === p.versions.size && versions.every((v) => p.versions.get(v.id) === v.version);
}

/**
 * One batch: phase 1 unlocked, phase 2 under the lock (see the top of this file), then ledger
 * positions and hashes (§7), the write, and one result per entry, in order. Results carry exactly
 * what the write plan stores.
 */
export function* ingestSteps(candidates: TCandidate[], at: Date, source: string | null = null): TSteps<TIngestResult[]> {
  for (let attempt = 1; ; attempt++) {
    const optimistic = attempt <= OPTIMISTIC_ATTEMPTS;
    let head = optimistic ? null : yield* ask("lockHead");
    const prepared = yield* prepare(candidates, at);
    if (optimistic) {
      head = yield* ask("lockHead");
      if (!(yield* unchanged(prepared))) {
        yield { op: "release", args: [] };
        continue;
      }
    }
    return yield* finish(candidates.length, prepared, head!, at, source);
  }
}

function* finish(count: number, prepared: TPrepared, head: { seq: number; hash: string }, at: Date, source: string | null): TSteps<TIngestResult[]> {
  const { duplicates, rejected, checked } = prepared;
  let { seq, hash } = head;
  const fresh = prepared.fresh.map((f) => {
    const prevHash = hash;
    hash = ledgerHash(prevHash, f.raw);
    seq += 1;
    return { ...f, seq, prevHash, hash };
  });

  // Duplicates of events in chains this batch did not re-check report their stored findings.
  const rechecked = new Set(checked?.plan.recheckedChains ?? []);
  const unchecked = [...new Set(duplicates.filter((d) => !rechecked.has(d.chain)).map((d) => d.jti))];
  const storedFindings = new Map<string, TIngestResult["findings"]>();
  if (unchecked.length) {
    for (const f of yield* ask("findingsOf", unchecked)) {
      const list = storedFindings.get(f.eventJti) ?? [];
      list.push({ code: f.code as TFinding["code"], severity: f.severity as TFinding["severity"], message: f.message });
      storedFindings.set(f.eventJti, list);
    }
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
    quarantine: rejected.map((r) => {
      const raw = storableRaw(r.rawEntry);
      return { jti: r.jti === null ? null : storableText(r.jti), code: r.code, message: storableText(r.message), raw, bytes: Buffer.byteLength(raw, "utf8") };
    }),
    source,
  });

  const results: TIngestResult[] = new Array(count);
  const findingsOf = (jti: string) => checked?.findingsOf.get(jti) ?? storedFindings.get(jti) ?? [];
  for (const f of fresh) {
    const jti = f.claims.jti;
    results[f.index] = { jti, status: statusOf(jti) === "pending" ? "pending" : "accepted", chain: f.claims.chain, findings: findingsOf(jti) };
  }
  for (const d of duplicates) results[d.index] = { jti: d.jti, status: "duplicate", chain: d.chain, findings: findingsOf(d.jti) };
  for (const r of rejected) results[r.index] = { jti: r.jti, status: "rejected", findings: [], error: { code: r.code, message: r.message } };
  return results;
}
