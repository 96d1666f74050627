// Loads what the chain checker needs for a set of chains, with a fixed number of queries however
// many chains or events: their events, the events they reference in other chains, principal kinds.
// The assembly is separate from the queries (chainInputsFrom), so the ingest can feed it rows it
// read inside its own transaction plus the events it is about to store.
import type { TDb, TTx } from "@/lib/db";
import type { TCheckEvent, TChainInput } from "@/lib/protocol/chain";
import type { TClaims, TEventKind, TPrincipalKind } from "@/lib/protocol/types";

export type TStoredEventRow = {
  seq: number;
  jti: string;
  chainId: string;
  claims: string;
  status: string;
  ref: string | null;
};

/** A chain event with its claims already decoded (stored rows are parsed once, here). */
export type TParsedEventRow = Omit<TStoredEventRow, "claims"> & { claims: TClaims };

export type TLoadedChain = TChainInput & { events: (TCheckEvent & { status: string })[] };

export type TExternalRow = { jti: string; chainId: string; kind: string };
export type TPrincipalKindRow = { id: string; kind: string };

export function parseEventRows(rows: TStoredEventRow[]): TParsedEventRow[] {
  return rows.map((r) => ({ ...r, claims: JSON.parse(r.claims) as TClaims }));
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
  events: TParsedEventRow[],
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
  for (const e of events) out.get(e.chainId)!.events.push({ jti: e.jti, seq: e.seq, claims: e.claims, status: e.status });
  return out;
}

export async function loadChainInputs(client: TDb | TTx, chainIds: string[]): Promise<Map<string, TLoadedChain>> {
  if (chainIds.length === 0) return new Map();
  const stored: TStoredEventRow[] = await client.event.findMany({
    where: { chainId: { in: chainIds } },
    select: { seq: true, jti: true, chainId: true, claims: true, status: true, ref: true },
    orderBy: { seq: "asc" },
  });
  const events = parseEventRows(stored);
  const refs = missingRefs(events);
  const principalIds = principalIdsOf(events);
  const [externalRows, principalRows] = await Promise.all([
    refs.length ? client.event.findMany({ where: { jti: { in: refs } }, select: { jti: true, chainId: true, kind: true } }) : Promise.resolve([]),
    principalIds.length ? client.principal.findMany({ where: { id: { in: principalIds } }, select: { id: true, kind: true } }) : Promise.resolve([]),
  ]);
  return chainInputsFrom(chainIds, events, externalRows, principalRows);
}
