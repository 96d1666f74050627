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
//    new events, the chains' versions). Unchanged: give ledger positions and write. Changed: release
//    the lock and start again; after OPTIMISTIC_ATTEMPTS, read and check under the lock (bounded
//    work: the list limits of docs/protocol.md §8 bound every check).
// Either way the verdicts are those of the store as the write finds it, as with one locked phase.
import type { TClaims, TFinding, TRejectCode } from "@/lib/protocol/types";
import { checkChain } from "@/lib/protocol/chain";
import { claimedChain, classifyReplay } from "@/lib/protocol/envelope";
import { ledgerHash } from "@/lib/protocol/ledger";
import { eventRef } from "@/lib/protocol/grammar";
import { chainInputsFrom, missingRefs, parseEventRows, principalIdsOf } from "@/lib/chains/load";
import { summariseChain } from "@/lib/ingest/summary";
import { ask, type TSteps, type TWritePlan } from "@/lib/db/stores/ingest";
import type { TEventInsert, TExternalRow, TParsedEventRow, TPrincipalKindRow } from "@/lib/db/rows";
import { storableRaw, storableText } from "@/lib/text";

export type { TIngestResult } from "@/lib/contracts/events";
import type { TIngestResult } from "@/lib/contracts/events";

export type TCandidate =
  | { index: number; kind: "rejected"; rawEntry: unknown; jti: string | null; code: TRejectCode; message: string }
  | { index: number; kind: "verified"; raw: string; claims: TClaims; alg: string; kid: string; keyRevokedAt: number | null };

type TRejected = Extract<TCandidate, { kind: "rejected" }>;

type TFresh = {
  index: number;
  claims: TClaims;
  raw: string;
  alg: string;
  kid: string;
  keyRevokedAt: number | null;
  seq: number;
  prevHash: string;
  hash: string;
};

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
    ref: eventRef(c),
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
function* readAndCheck(candidates: TCandidate[], at: Date): TSteps<TPrepared> {
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
      events.push({
        seq: f.seq,
        jti: f.claims.jti,
        chainId: f.claims.chain,
        claims: f.claims,
        status: "accepted",
        ref: eventRef(f.claims),
        keyRevokedAt: f.keyRevokedAt,
        receivedAt: f.keyRevokedAt === null ? null : receivedAt,
      });
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
    if (
      !sameSet(
        p.storedOfWatched,
        present.map((r) => r.jti),
      )
    )
      return false;
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
    const prepared = yield* readAndCheck(candidates, at);
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
