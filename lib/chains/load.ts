// Loads what the chain checker needs for a set of chains, with a fixed number of queries however
// many chains or events: their events, the events they reference in other chains, principal kinds.
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

export type TLoadedChain = TChainInput & { events: (TCheckEvent & { status: string })[] };

export async function loadChainInputs(client: TDb | TTx, chainIds: string[]): Promise<Map<string, TLoadedChain>> {
  const out = new Map<string, TLoadedChain>();
  if (chainIds.length === 0) return out;
  const stored: TStoredEventRow[] = await client.event.findMany({
    where: { chainId: { in: chainIds } },
    select: { seq: true, jti: true, chainId: true, claims: true, status: true, ref: true },
    orderBy: { seq: "asc" },
  });
  const known = new Set<string>();
  const principalIds = new Set<string>();
  const parsed = stored.map((e) => {
    const claims = JSON.parse(e.claims) as TClaims;
    known.add(e.jti);
    principalIds.add(claims.iss);
    if ("aud" in claims) principalIds.add(claims.aud);
    return { row: e, claims };
  });
  // References are global: an event may point into another loaded chain, which the checker must
  // see as external (a cross-chain reference is unrooted, not an orphan).
  const missingRefs = [...new Set(stored.map((e) => e.ref).filter((r): r is string => r !== null && !known.has(r)))];
  const [externalRows, principalRows] = await Promise.all([
    missingRefs.length
      ? client.event.findMany({ where: { jti: { in: missingRefs } }, select: { jti: true, chainId: true, kind: true } })
      : Promise.resolve([]),
    principalIds.size
      ? client.principal.findMany({ where: { id: { in: [...principalIds] } }, select: { id: true, kind: true } })
      : Promise.resolve([]),
  ]);
  const external = new Map(externalRows.map((r) => [r.jti, { chain: r.chainId, kind: r.kind as TEventKind }]));
  for (const { row, claims } of parsed) external.set(row.jti, { chain: row.chainId, kind: claims.kind });
  const principalKinds = new Map(principalRows.map((p) => [p.id, p.kind as TPrincipalKind]));
  for (const chainId of chainIds) out.set(chainId, { chainId, events: [], external, principalKinds });
  for (const { row, claims } of parsed) {
    out.get(row.chainId)!.events.push({ jti: row.jti, seq: row.seq, claims, status: row.status });
  }
  return out;
}
