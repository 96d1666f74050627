// What `?hop=<jti>` points at inside a chain. The jti may name a grant (a hop), or any other event
// (an invoke, a completion, a revoke, a ghost action with no grant): findings link to events, so
// every event jti must land somewhere meaningful.
import type { TChainDetail, TChainEvent, THop } from "@/lib/contracts/chains";

export type TChainIndex = {
  hopsByJti: Map<string, THop>;
  eventsByJti: Map<string, TChainEvent>;
  /** hops received by each principal (hop.to), in issue order */
  hopsTo: Map<string, THop[]>;
  hopsFrom: Map<string, THop[]>;
};

export function indexChain(detail: TChainDetail): TChainIndex {
  const hopsByJti = new Map<string, THop>();
  const hopsTo = new Map<string, THop[]>();
  const hopsFrom = new Map<string, THop[]>();
  for (const h of detail.hops) {
    hopsByJti.set(h.jti, h);
    push(hopsTo, h.to, h);
    push(hopsFrom, h.from, h);
  }
  const eventsByJti = new Map<string, TChainEvent>();
  for (const e of detail.events) eventsByJti.set(e.jti, e);
  for (const list of [...hopsTo.values(), ...hopsFrom.values()]) list.sort((a, b) => a.iat - b.iat);
  return { hopsByJti, eventsByJti, hopsTo, hopsFrom };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V) {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export type TSelection = {
  jti: string;
  /** the grant the inspector shows (null for a ghost action or an unknown jti) */
  hop: THop | null;
  /** the exact event selected; equals the hop's own event when a grant was selected */
  event: TChainEvent | null;
};

export function resolveSelection(index: TChainIndex, jti: string | null): TSelection | null {
  if (!jti) return null;
  const hop = index.hopsByJti.get(jti) ?? null;
  const event = index.eventsByJti.get(jti) ?? null;
  if (hop) return { jti, hop, event };
  if (!event) return { jti, hop: null, event: null };
  const ref = event.ref ? (index.hopsByJti.get(event.ref) ?? null) : null;
  return { jti, hop: ref, event };
}

/** Grants from the human root down to `hop`, root first. Stops on cycles and missing parents. */
export function authorityPath(index: TChainIndex, hop: THop | null): THop[] {
  const path: THop[] = [];
  const seen = new Set<string>();
  let cur: THop | null = hop;
  while (cur && !seen.has(cur.jti)) {
    seen.add(cur.jti);
    path.push(cur);
    cur = cur.parent ? (index.hopsByJti.get(cur.parent) ?? null) : null;
  }
  return path.reverse();
}

/** The grant a principal node opens: the first it received, or (for the human root) the first it gave. */
export function hopForPrincipal(index: TChainIndex, principalId: string): THop | null {
  return index.hopsTo.get(principalId)?.[0] ?? index.hopsFrom.get(principalId)?.[0] ?? null;
}

/**
 * The hops in story order, depth first from the human (a grant, then the grants given under it, each
 * level in issue order), each with its depth: the phone's authority path reads top to bottom.
 */
export function storyOrder(index: TChainIndex): { hop: THop; depth: number }[] {
  const children = new Map<string, THop[]>();
  const roots: THop[] = [];
  for (const h of index.hopsByJti.values()) {
    if (h.parent && index.hopsByJti.has(h.parent)) push(children, h.parent, h);
    else roots.push(h);
  }
  const byTime = (a: THop, b: THop) => a.iat - b.iat || a.jti.localeCompare(b.jti);
  const out: { hop: THop; depth: number }[] = [];
  const seen = new Set<string>();
  const walk = (h: THop, depth: number) => {
    if (seen.has(h.jti)) return;
    seen.add(h.jti);
    out.push({ hop: h, depth });
    for (const c of (children.get(h.jti) ?? []).sort(byTime)) walk(c, depth + 1);
  };
  for (const r of roots.sort(byTime)) walk(r, 0);
  return out;
}
