// What the chain checker needs for a set of chains, assembled from stored rows: their events, the
// events they reference in other chains, principal kinds. The assembly is pure (chainInputsFrom),
// so the ingest can feed it rows it read in its own phase plus the events it is about to store;
// loadChainInputs reads them through the chain store with a fixed number of queries.
import type { TStores } from "@/lib/db";
import type { TExternalRow, TParsedEventRow, TPrincipalKindRow, TStoredEventRow } from "@/lib/db/rows";
import type { TCheckEvent, TChainInput } from "@/lib/protocol/chain";
import type { TClaims, TEventKind, TPrincipalKind } from "@/lib/protocol/types";
import type { TDriftFact } from "@/lib/protocol/drift";

export type { TParsed, TParsedEventRow } from "@/lib/db/rows";

export type TLoadedChain = TChainInput & { events: (TCheckEvent & { status: string })[] };

/** An event row as chainInputsFrom takes it: from the ingest's reads, the detail read or a new event. */
type TInputEventRow = Pick<TParsedEventRow, "seq" | "jti" | "chainId" | "claims" | "status"> & {
  keyRevokedAt?: number | null;
  receivedAt?: number | Date | null;
  /** Event.drift: the drift judged at receipt, as stored (JSON) */
  drift?: string | null;
};

/** Event.drift as the check reads it (lib/protocol/drift.ts TDriftFact). */
export function parseDrift(text: string | null | undefined): TDriftFact | null {
  return text ? (JSON.parse(text) as TDriftFact) : null;
}

/** Receipt time in NumericDate seconds, where a check can need it (see TStoredEventRow.receivedAt). */
function receiptSeconds(e: Pick<TInputEventRow, "keyRevokedAt" | "receivedAt">): number | null {
  if (e.keyRevokedAt === null || e.keyRevokedAt === undefined || e.receivedAt === null || e.receivedAt === undefined) return null;
  return e.receivedAt instanceof Date ? e.receivedAt.getTime() / 1000 : e.receivedAt;
}

/**
 * An event as the ingest's chain checks read it, stored or new, made by this one object literal:
 * a list that mixed a stored row's copy (its keys in the select's order, `claims` turned from text
 * into an object) with a new event's literal (another order) gave each function reading the list
 * two shapes, and V8 threw away their optimised code whenever the rarer one came by after the
 * warm-up (a batch meeting a chain with stored events): docs/benchmarks.md, "The ingest's V8 churn".
 */
export function checkedEvent(
  seq: number,
  jti: string,
  chainId: string,
  claims: TClaims,
  status: string,
  ref: string | null,
  keyRevokedAt: number | null,
  receivedAt: number | null,
  drift: string | null,
): TParsedEventRow {
  return { seq, jti, chainId, claims, status, ref, keyRevokedAt, receivedAt, drift };
}

/** Stored events with their claims decoded, each made by checkedEvent (the ingest's and the loader's reads alike). */
export function parseStoredEvents(rows: TStoredEventRow[]): TParsedEventRow[] {
  const out: TParsedEventRow[] = [];
  for (const r of rows)
    out.push(checkedEvent(r.seq, r.jti, r.chainId, JSON.parse(r.claims) as TClaims, r.status, r.ref, r.keyRevokedAt, r.receivedAt, r.drift));
  return out;
}

/** References the loaded events make to events outside them: looked up by the caller. */
export function missingRefs(events: TParsedEventRow[]): string[] {
  const known = new Set(events.map((e) => e.jti));
  return [...new Set(events.map((e) => e.ref).filter((r): r is string => r !== null && !known.has(r)))];
}

/** Every principal the loaded events name as issuer or audience. */
export function principalIdsOf(events: TParsedEventRow[]): string[] {
  const ids = new Set<string>();
  for (const { claims } of events) {
    ids.add(claims.iss);
    if ("aud" in claims) ids.add(claims.aud);
  }
  return [...ids];
}

/** The checker inputs of `chainIds` from their events (in ledger order), external refs and kinds. */
export function chainInputsFrom(
  chainIds: string[],
  events: TInputEventRow[],
  externalRows: TExternalRow[],
  principalRows: TPrincipalKindRow[],
): Map<string, TLoadedChain> {
  const out = new Map<string, TLoadedChain>();
  // References are global: an event may point into another loaded chain, which the checker must
  // see as external (a cross-chain reference is unrooted, not an orphan).
  const external = new Map(externalRows.map((r) => [r.jti, { chain: r.chainId, kind: r.kind as TEventKind }]));
  for (const e of events) external.set(e.jti, { chain: e.chainId, kind: e.claims.kind });
  const principalKinds = new Map(principalRows.map((p) => [p.id, p.kind as TPrincipalKind]));
  for (const chainId of chainIds) out.set(chainId, { chainId, events: [], external, principalKinds });
  // The status added to the check event, not spread with it into a new object (V8's slow path).
  for (const e of events) out.get(e.chainId)!.events.push(Object.assign(toCheckEvent(e), { status: e.status }));
  return out;
}

/** One event as the checker reads it. */
export function toCheckEvent(e: Omit<TInputEventRow, "chainId" | "status">): TCheckEvent {
  return {
    jti: e.jti,
    seq: e.seq,
    claims: e.claims,
    keyRevokedAt: e.keyRevokedAt ?? null,
    receivedAt: receiptSeconds(e),
    drift: parseDrift(e.drift),
  };
}

/** The checker inputs of `chainIds`, read through the chain store. */
export async function loadChainInputs(store: TStores["chains"], chainIds: string[]): Promise<Map<string, TLoadedChain>> {
  if (chainIds.length === 0) return new Map();
  const events = parseStoredEvents(await store.checkEvents(chainIds));
  const [externalRows, principalRows] = await Promise.all([store.eventKinds(missingRefs(events)), store.principalKinds(principalIdsOf(events))]);
  return chainInputsFrom(chainIds, events, externalRows, principalRows);
}
