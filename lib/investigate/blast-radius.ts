// The blast radius of a principal or one of its keys, as a tree: what it signed (with that key) or
// received since T, and under each grant everything downstream: the delegations it passed on, the
// actions taken, completions and revocations, however many hops below. Pure: the caller loads the
// chains' events; tests feed it plain claims.
import type { TBlastNode, TFindingBrief } from "@/lib/contracts/investigate";
import type { TClaims } from "@/lib/protocol/types";

export type TBlastEvent = { jti: string; chainId: string; claims: TClaims; kid?: string | null };

/** The event an event hangs under: a delegation's parent, an action's or completion's grant, a revocation's target. */
export function refOf(c: TClaims): string | null {
  if (c.kind === "delegate") return c.parent;
  if (c.kind === "invoke") return c.grant ?? null;
  if (c.kind === "complete") return c.grant;
  if (c.kind === "revoke") return c.target;
  return null;
}

/** A node is direct when the principal signed it (with the key, when one is named) or, without a key, received it. */
export function isDirect(e: TBlastEvent, principal: string, kid: string | null, since: number): boolean {
  if (e.claims.iat < since) return false;
  if (e.claims.iss === principal) return kid === null || e.kid === kid;
  return kid === null && "aud" in e.claims && e.claims.aud === principal;
}

/**
 * Roots are direct events not already under another direct event, in time order; each carries its
 * whole subtree. `limit` bounds the nodes: past it the tree stops growing and says so.
 */
export function blastTree(
  events: readonly TBlastEvent[],
  principal: string,
  opts: { kid: string | null; since: number; findings: ReadonlyMap<string, TFindingBrief[]>; limit: number },
): { roots: TBlastNode[]; nodes: number; direct: number; downstream: number; truncated: boolean } {
  const children = new Map<string, TBlastEvent[]>();
  for (const e of events) {
    const ref = refOf(e.claims);
    if (ref) children.set(ref, [...(children.get(ref) ?? []), e]);
  }
  const byTime = (a: TBlastEvent, b: TBlastEvent) => a.claims.iat - b.claims.iat || a.jti.localeCompare(b.jti);
  const seen = new Set<string>();
  let nodes = 0;
  let direct = 0;
  let truncated = false;
  const node = (e: TBlastEvent, depth: number): TBlastNode | null => {
    if (seen.has(e.jti)) return null;
    if (nodes >= opts.limit) {
      truncated = true;
      return null;
    }
    seen.add(e.jti);
    nodes++;
    const c = e.claims;
    const relation =
      c.iss === principal && isDirect(e, principal, opts.kid, opts.since)
        ? "signed"
        : isDirect(e, principal, opts.kid, opts.since)
          ? "received"
          : "downstream";
    if (relation !== "downstream") direct++;
    const kids = depth > 200 ? [] : [...(children.get(e.jti) ?? [])].sort(byTime);
    return {
      jti: e.jti,
      chainId: e.chainId,
      kind: c.kind,
      iss: c.iss,
      aud: "aud" in c ? c.aud : null,
      action: c.kind === "invoke" ? c.action : null,
      resource: c.kind === "invoke" ? c.resource : null,
      purpose: c.kind === "authorize" || c.kind === "delegate" ? c.purpose.code : null,
      iat: c.iat,
      relation,
      findings: opts.findings.get(e.jti) ?? [],
      children: kids.map((k) => node(k, depth + 1)).filter((n): n is TBlastNode => n !== null),
    };
  };
  const roots: TBlastNode[] = [];
  const directEvents = events.filter((e) => isDirect(e, principal, opts.kid, opts.since)).sort(byTime);
  // A direct event under an earlier direct event appears in that one's subtree, not as a root of its own.
  const underDirect = new Set<string>();
  const mark = (jti: string) => {
    for (const k of children.get(jti) ?? []) {
      if (underDirect.has(k.jti)) continue;
      underDirect.add(k.jti);
      mark(k.jti);
    }
  };
  for (const e of directEvents) mark(e.jti);
  for (const e of directEvents) {
    if (underDirect.has(e.jti)) continue;
    const n = node(e, 0);
    if (n) roots.push(n);
  }
  return { roots, nodes, direct, downstream: nodes - direct, truncated };
}
