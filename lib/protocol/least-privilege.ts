// Least privilege (docs/least-privilege.md): what a principal was granted against what it used, and
// the narrowest grant that would have covered that use. Pure: the read model hands in grants and
// invokes, this decides.
//
// A granted scope is "used" by a grant when an invoke the grant's audience signed under it acts
// within that scope, or when a delegate the audience issued from it passes on part of it: handing
// authority on is a use of it (a planner that only delegates is not over-privileged for that).
// Uses the grant does not cover (ghost permissions, escalations) never count as use and never enter
// a suggestion: a suggestion stays within what was granted.
import { egressHost, hostMatches, indexScopes, intersectEgress, isHttpResource, parseScope, purposeCovers, scopeCovers } from "./scope";
import type { TClaims, TConstraints } from "./types";

export type TLpGrant = {
  jti: string;
  chain: string;
  /** the parent grant's jti (delegate), null for an authorize */
  parent: string | null;
  iss: string;
  aud: string;
  iat: number;
  exp: number;
  scope: string[];
  purpose: string;
  constraints: TConstraints | null;
  maxDepth: number | null;
};

export type TLpInvoke = {
  jti: string;
  /** the grant it acts under, null when absent */
  grant: string | null;
  iss: string;
  iat: number;
  action: string;
  resource: string;
  data: string[];
};

export type TScopeUse = {
  /** a granted scope */
  scope: string;
  /** invokes acting within it */
  invocations: number;
  /** delegates passing on part of it */
  delegations: number;
  /** the actions and delegated scopes that used it, distinct, sorted */
  uses: string[];
};

export type TGrantUsage = {
  jti: string;
  chain: string;
  purpose: string;
  aud: string;
  iat: number;
  exp: number;
  granted: string[];
  used: TScopeUse[];
  unused: string[];
  /** actions and delegated scopes the grant did NOT cover (ghost permissions, escalations), with counts */
  outside: { scope: string; count: number }[];
  /** the grant's effective constraints (its own intersected with its ancestors'; {} = unconstrained) */
  effectiveConstraints: TConstraints;
  /** data classes the covered invokes touched, sorted */
  dataUsed: string[];
  /** hosts the covered invokes sent to (http/https resources), sorted */
  hostsUsed: string[];
  /** depth of the deepest delegate below this grant, relative to it (0 = never delegated) */
  depthUsed: number;
  /** seconds from the grant's iat to its last covered use (invoke or delegate); null when never used */
  lifetimeUsed: number | null;
};

export type TSuggestedGrant = {
  /** the narrowest scope set covering every covered use; [] when nothing was used */
  scope: string[];
  constraints: { data: string[]; egress: string[] };
  max_depth: number;
  /** seconds: the longest any grant was needed, rounded up to a minute; null when nothing was used */
  ttl: number | null;
  /** the purpose code the grants share, or the one asked for */
  purpose: string | null;
};

/**
 * The narrowest scope set that covers every element of `used` and is within `granted`: the used
 * scopes the granted set covers, less those another of them covers. Any set covering the same uses
 * covers each of its elements, so nothing narrower exists in the scope grammar.
 */
export function narrowestCover(used: readonly string[], granted: readonly string[]): string[] {
  const grantedIndex = indexScopes(granted);
  const candidates = new Set([...new Set(used)].filter((u) => grantedIndex.covers(u)));
  // Keep an element unless another one covers it. The patterns that cover a scope are few (a
  // wildcard on one of its prefixes or its own resource, with its action or `*`) and every pattern
  // has one spelling, so each element is checked by looking those up, not against every other.
  return [...candidates].filter((c) => !coveringPatterns(c).some((p) => p !== c && candidates.has(p))).sort();
}

/** Every valid pattern that covers `scope` (scope included), by the rules of scopeCovers. */
export function coveringPatterns(scope: string): string[] {
  const p = parseScope(scope);
  if (p === null) return [];
  const segments = p.resource === "*" ? [] : p.resource;
  const actions = p.action === "*" ? ["*"] : [p.action, "*"];
  const out: string[] = [];
  // A wildcard at a proper prefix covers a concrete resource; at any prefix up to its own, a wildcard one.
  const maxPrefix = p.wildcard ? segments.length : segments.length - 1;
  for (let k = 0; k <= maxPrefix; k++) {
    const resource = k === 0 ? "*" : `${segments.slice(0, k).join("/")}/*`;
    for (const a of actions) out.push(`${resource}:${a}`);
  }
  if (!p.wildcard) for (const a of actions) out.push(`${segments.join("/")}:${a}`);
  return out;
}

function intersectData(own: string[] | undefined, parent: string[] | undefined): string[] | undefined {
  if (own === undefined) return parent;
  if (parent === undefined) return [...new Set(own)];
  const allowed = new Set(parent);
  return [...new Set(own)].filter((d) => allowed.has(d));
}

/**
 * Effective constraints of a grant: its own lists intersected with its ancestors' within `grants`.
 * Iterative (a chain may be tens of thousands of hops deep) and memoised in `memo`.
 */
function effectiveConstraintsOf(jti: string, grants: ReadonlyMap<string, TLpLink>, memo: Map<string, TConstraints>): TConstraints {
  // Walk up to the nearest known (or the root, or a cycle), then come back down.
  const path: TLpLink[] = [];
  const onPath = new Set<string>();
  let at: string | null = jti;
  while (at !== null && !memo.has(at) && !onPath.has(at)) {
    const g = grants.get(at);
    if (!g) break;
    path.push(g);
    onPath.add(at);
    at = g.parent !== null && grants.has(g.parent) ? g.parent : null;
  }
  let parent: TConstraints = at !== null ? (memo.get(at) ?? {}) : {};
  for (let i = path.length - 1; i >= 0; i--) {
    const g = path[i];
    const data = intersectData(g.constraints?.data, parent.data);
    const egress = intersectEgress(g.constraints?.egress, parent.egress);
    parent = { ...(data !== undefined ? { data } : {}), ...(egress !== undefined ? { egress } : {}) };
    memo.set(g.jti, parent);
  }
  return memo.get(jti) ?? {};
}

/** The depth of the deepest delegate below `jti` (0 when none), iteratively, ignoring cycles. */
function depthBelow(jti: string, children: ReadonlyMap<string, readonly { jti: string }[]>): number {
  let deepest = 0;
  const seen = new Set<string>([jti]);
  const stack: { jti: string; depth: number }[] = [{ jti, depth: 0 }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    deepest = Math.max(deepest, top.depth);
    for (const c of children.get(top.jti) ?? [])
      if (!seen.has(c.jti)) {
        seen.add(c.jti);
        stack.push({ jti: c.jti, depth: top.depth + 1 });
      }
  }
  return deepest;
}

type TScopeCount = { invocations: number; delegations: number; uses: Set<string> };

/** What both analyses say of a grant before their own extras: who, when, and its scope used and not. */
function usageOf(
  g: TLpGrant,
  granted: string[],
  counts: ReadonlyMap<string, TScopeCount>,
  outside: ReadonlyMap<string, number>,
): Pick<TGrantUsage, "jti" | "chain" | "purpose" | "aud" | "iat" | "exp" | "granted" | "used" | "unused" | "outside"> {
  return {
    jti: g.jti,
    chain: g.chain,
    purpose: g.purpose,
    aud: g.aud,
    iat: g.iat,
    exp: g.exp,
    granted,
    ...splitUse(granted, counts),
    outside: outsideList(outside),
  };
}

/** The granted entries split into used (with their counts and the uses they covered) and unused. */
function splitUse(granted: readonly string[], counts: ReadonlyMap<string, TScopeCount>): { used: TScopeUse[]; unused: string[] } {
  const used: TScopeUse[] = [];
  const unused: string[] = [];
  for (const s of granted) {
    const c = counts.get(s)!;
    if (c.invocations + c.delegations > 0) used.push({ scope: s, invocations: c.invocations, delegations: c.delegations, uses: [...c.uses].sort() });
    else unused.push(s);
  }
  return { used, unused };
}

/** Uses no granted entry covered, most frequent first, then by name. */
function outsideList(outside: ReadonlyMap<string, number>): { scope: string; count: number }[] {
  return [...outside].map(([scope, count]) => ({ scope, count })).sort((a, b) => b.count - a.count || (a.scope < b.scope ? -1 : 1));
}

/**
 * Granted against used for each of `targets`. `chainGrants` holds every known grant of the targets'
 * chains (targets included): parents give effective constraints, children give delegations and the
 * depth used. `invokes` are the invokes under the targets (others are ignored).
 */
export function analyseGrants(input: {
  targets: readonly TLpGrant[];
  chainGrants: readonly TLpGrant[];
  invokes: readonly TLpInvoke[];
}): TGrantUsage[] {
  const byJti = new Map<string, TLpGrant>();
  for (const g of input.chainGrants) byJti.set(g.jti, g);
  for (const g of input.targets) byJti.set(g.jti, g);
  const children = new Map<string, TLpGrant[]>();
  for (const g of byJti.values())
    if (g.parent !== null && g.parent !== g.jti) {
      const list = children.get(g.parent);
      if (list) list.push(g);
      else children.set(g.parent, [g]);
    }
  const invokesOf = new Map<string, TLpInvoke[]>();
  for (const inv of input.invokes) {
    if (inv.grant === null) continue;
    const list = invokesOf.get(inv.grant);
    if (list) list.push(inv);
    else invokesOf.set(inv.grant, [inv]);
  }
  const effectiveMemo = new Map<string, TConstraints>();

  return input.targets.map((g) => {
    const granted = [...new Set(g.scope)];
    const counts = new Map<string, { invocations: number; delegations: number; uses: Set<string> }>(
      granted.map((s) => [s, { invocations: 0, delegations: 0, uses: new Set<string>() }]),
    );
    const outside = new Map<string, number>();
    const eff = effectiveConstraintsOf(g.jti, byJti, effectiveMemo);
    const data = new Set<string>();
    const hosts = new Set<string>();
    let lastUse: number | null = null;
    // The same few actions repeat across thousands of invokes: which granted scopes cover each is
    // worked out once.
    const coveringGranted = new Map<string, string[]>();
    const record = (scope: string, kind: "invocations" | "delegations", iat: number): boolean => {
      let covering = coveringGranted.get(scope);
      if (!covering) coveringGranted.set(scope, (covering = granted.filter((s) => scopeCovers(s, scope))));
      for (const s of covering) {
        const c = counts.get(s)!;
        c[kind]++;
        c.uses.add(scope);
      }
      const covered = covering.length > 0;
      if (!covered) outside.set(scope, (outside.get(scope) ?? 0) + 1);
      else lastUse = lastUse === null ? iat : Math.max(lastUse, iat);
      return covered;
    };
    // Only the grant's audience acts under it; anybody else's invoke is their ghost permission.
    for (const inv of invokesOf.get(g.jti) ?? []) {
      if (inv.iss !== g.aud) continue;
      if (!record(inv.action, "invocations", inv.iat)) continue;
      for (const d of inv.data) if (eff.data === undefined || eff.data.includes(d)) data.add(d);
      const host = egressHost(inv.resource);
      if (host !== null && (eff.egress === undefined || eff.egress.some((e) => hostMatches(e, host)))) hosts.add(host);
    }
    for (const child of children.get(g.jti) ?? []) {
      if (child.iss !== g.aud) continue;
      for (const s of new Set(child.scope)) record(s, "delegations", child.iat);
    }
    return {
      ...usageOf(g, granted, counts, outside),
      effectiveConstraints: eff,
      dataUsed: [...data].sort(),
      hostsUsed: [...hosts].sort(),
      depthUsed: depthBelow(g.jti, children),
      lifetimeUsed: lastUse === null ? null : Math.max(0, (lastUse as number) - g.iat),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// The same answer from counts kept at ingest (GrantUse, migration 0027): the ranking and the report
// read these instead of every invoke and every grant of the targets' chains.

/** A grant of a chain as the structure needs it: its parent and its own constraints. */
export type TLpLink = Pick<TLpGrant, "jti" | "parent" | "constraints">;

export type TLpUseKind = "invoke" | "delegate" | "data" | "resource";

/**
 * What was done under one grant, summed over stored events: `count` events, the latest at `last`.
 * - invoke: invokes naming the grant, by signer and action (`use`);
 * - delegate: delegates naming it as parent, by signer, the delegate's chain and one of its
 *   distinct scope entries (`use`);
 * - data: per signer and action, a data class the invokes listed (`detail`);
 * - resource: per signer and action, an http(s) resource they named (`detail`); its host is worked
 *   out when read, so the egress rules stay in one place.
 * Whether a use counts (signed by the grant's audience, covered by its scope, inside the targets'
 * chains, allowed by its effective constraints) is decided when read: the rows depend on each event
 * alone, so they are the same whatever order events arrive in.
 */
export type TLpUse = { grantJti: string; kind: TLpUseKind; iss: string; chainId: string; use: string; detail: string; count: number; last: number };

/** The GrantUse rows these events add, summed (the same sums as counting them one by one). */
export function grantUsesOf(events: readonly TClaims[]): TLpUse[] {
  const out = new Map<string, TLpUse>();
  const add = (grantJti: string, kind: TLpUseKind, iss: string, chainId: string, use: string, detail: string, iat: number) => {
    const key = JSON.stringify([grantJti, kind, iss, chainId, use, detail]);
    const row = out.get(key);
    if (row) {
      row.count++;
      row.last = Math.max(row.last, iat);
    } else out.set(key, { grantJti, kind, iss, chainId, use, detail, count: 1, last: iat });
  };
  for (const c of events) {
    if (c.kind === "invoke") {
      const grant = c.grant ?? null;
      if (grant === null) continue;
      add(grant, "invoke", c.iss, "", c.action, "", c.iat);
      for (const d of c.data ?? []) add(grant, "data", c.iss, "", c.action, d, c.iat);
      if (isHttpResource(c.resource)) add(grant, "resource", c.iss, "", c.action, c.resource, c.iat);
    } else if (c.kind === "delegate") {
      // An AIP delegate may name no parent.
      const parent = (c.parent as string | undefined) ?? null;
      if (parent === null || parent === c.jti) continue;
      for (const s of new Set(c.scope)) add(parent, "delegate", c.iss, c.chain, s, "", c.iat);
    }
  }
  return [...out.values()];
}

/** The part of a grant's usage the ranking needs, and the report's start. */
export type TGrantCounts = Pick<
  TGrantUsage,
  "jti" | "chain" | "purpose" | "aud" | "iat" | "exp" | "granted" | "used" | "unused" | "outside" | "lifetimeUsed"
>;

/** Which granted scopes cover a use, worked out once per distinct use of a grant. */
function coverage(granted: readonly string[]): (scope: string) => string[] {
  const memo = new Map<string, string[]>();
  return (scope) => {
    let covering = memo.get(scope);
    if (!covering) memo.set(scope, (covering = granted.filter((s) => scopeCovers(s, scope))));
    return covering;
  };
}

/** The rows that count for each target: its audience's, delegates only from the targets' chains (as analyseGrants reads them). */
function usesByTarget(targets: readonly TLpGrant[], uses: readonly TLpUse[]): Map<string, TLpUse[]> {
  const chains = new Set(targets.map((g) => g.chain));
  const audOf = new Map(targets.map((g) => [g.jti, g.aud]));
  const out = new Map<string, TLpUse[]>();
  for (const u of uses) {
    if (audOf.get(u.grantJti) !== u.iss) continue;
    if (u.kind === "delegate" && !chains.has(u.chainId)) continue;
    const list = out.get(u.grantJti);
    if (list) list.push(u);
    else out.set(u.grantJti, [u]);
  }
  return out;
}

/**
 * Granted against used for each of `targets` from their GrantUse rows: exactly analyseGrants's
 * granted, used, unused, outside and lifetimeUsed (counts add up, the sets are unions, the last use
 * a maximum, so sums of events give what the events give one by one).
 */
export function countGrantUses(targets: readonly TLpGrant[], uses: readonly TLpUse[]): TGrantCounts[] {
  const byTarget = usesByTarget(targets, uses);
  return targets.map((g) => {
    const granted = [...new Set(g.scope)];
    const counts = new Map(granted.map((s) => [s, { invocations: 0, delegations: 0, uses: new Set<string>() }]));
    const outside = new Map<string, number>();
    const covers = coverage(granted);
    let lastUse: number | null = null;
    for (const u of byTarget.get(g.jti) ?? []) {
      if (u.kind !== "invoke" && u.kind !== "delegate") continue;
      const covering = covers(u.use);
      for (const s of covering) {
        const c = counts.get(s)!;
        c[u.kind === "invoke" ? "invocations" : "delegations"] += u.count;
        c.uses.add(u.use);
      }
      if (covering.length === 0) outside.set(u.use, (outside.get(u.use) ?? 0) + u.count);
      else lastUse = lastUse === null ? u.last : Math.max(lastUse, u.last);
    }
    return {
      ...usageOf(g, granted, counts, outside),
      lifetimeUsed: lastUse === null ? null : Math.max(0, lastUse - g.iat),
    };
  });
}

/**
 * analyseGrants's whole answer from GrantUse rows and the structure of the targets' chains
 * (`links`: every grant of them, targets included, as parent and constraints, which are taken from
 * there rather than from `targets`): the effective
 * constraints and the depth used come from the structure, the data classes and hosts from the
 * data and resource rows of covered actions.
 */
export function analyseGrantUses(input: { targets: readonly TLpGrant[]; uses: readonly TLpUse[]; links: readonly TLpLink[] }): TGrantUsage[] {
  const byJti = new Map<string, TLpLink>();
  for (const g of input.links) byJti.set(g.jti, g);
  // The links of a target's chain include the target: its structure comes from there.
  for (const g of input.targets) if (!byJti.has(g.jti)) byJti.set(g.jti, g);
  const children = new Map<string, TLpLink[]>();
  for (const g of byJti.values())
    if (g.parent !== null && g.parent !== g.jti) {
      const list = children.get(g.parent);
      if (list) list.push(g);
      else children.set(g.parent, [g]);
    }
  const byTarget = usesByTarget(input.targets, input.uses);
  const effectiveMemo = new Map<string, TConstraints>();
  const counted = countGrantUses(input.targets, input.uses);
  return input.targets.map((g, i) => {
    const eff = effectiveConstraintsOf(g.jti, byJti, effectiveMemo);
    const covers = coverage(counted[i].granted);
    const data = new Set<string>();
    const hosts = new Set<string>();
    for (const u of byTarget.get(g.jti) ?? []) {
      if ((u.kind !== "data" && u.kind !== "resource") || covers(u.use).length === 0) continue;
      if (u.kind === "data") {
        if (eff.data === undefined || eff.data.includes(u.detail)) data.add(u.detail);
        continue;
      }
      const host = egressHost(u.detail);
      if (host !== null && (eff.egress === undefined || eff.egress.some((e) => hostMatches(e, host)))) hosts.add(host);
    }
    const { lifetimeUsed, ...counts } = counted[i];
    return {
      ...counts,
      effectiveConstraints: eff,
      dataUsed: [...data].sort(),
      hostsUsed: [...hosts].sort(),
      depthUsed: depthBelow(g.jti, children),
      lifetimeUsed,
    };
  });
}

/**
 * The `delegate` claims that would have covered what these grants were used for: scope (the
 * narrowest cover, within the union of what was granted), the data classes and hosts actually
 * touched (each allowed by the grant that touched it), the delegation depth used, and the longest
 * time a grant was needed. Never wider than the grants: every part comes from a covered use.
 */
export function suggestGrant(usages: readonly TGrantUsage[], purpose?: string | null): TSuggestedGrant {
  const granted = usages.flatMap((u) => u.granted);
  const usedScopes = usages.flatMap((u) => u.used.flatMap((s) => s.uses));
  const scope = narrowestCover(usedScopes, granted);
  const data = [...new Set(usages.flatMap((u) => u.dataUsed))].sort();
  const egress = [...new Set(usages.flatMap((u) => u.hostsUsed))].sort();
  const lifetimes = usages.map((u) => u.lifetimeUsed).filter((l): l is number => l !== null);
  const ttl = lifetimes.length === 0 ? null : Math.max(60, Math.ceil(Math.max(...lifetimes) / 60) * 60);
  const purposes = [...new Set(usages.map((u) => u.purpose))];
  return {
    scope,
    constraints: { data, egress },
    max_depth: usages.reduce((m, u) => Math.max(m, u.used.length > 0 ? u.depthUsed : 0), 0),
    ttl,
    purpose: purpose ?? (purposes.length === 1 ? purposes[0] : null),
  };
}

/** Grants whose purpose the asked-for purpose covers (all of them when none is asked for). */
export function grantsForPurpose<G extends { purpose: string }>(grants: readonly G[], purpose: string | undefined | null): G[] {
  return purpose ? grants.filter((g) => purposeCovers(purpose, g.purpose)) : [...grants];
}

export type TUnusedRank = {
  principal: string;
  purpose: string;
  grants: number;
  /** granted scope entries, summed over grants */
  granted: number;
  /** granted scope entries no use touched, summed over grants */
  unused: number;
  /** unused / granted, 0…1 */
  unusedShare: number;
  /** invokes and delegates covered, summed */
  uses: number;
  /** distinct scopes granted and never used by any grant of the group, sorted */
  neverUsed: string[];
};

/** Principals and purposes ranked by unused authority: most unused scope entries first, then share. */
export function rankUnusedAuthority(usages: readonly Pick<TGrantUsage, "aud" | "purpose" | "granted" | "used" | "unused">[]): TUnusedRank[] {
  const groups = new Map<string, Pick<TGrantUsage, "aud" | "purpose" | "granted" | "used" | "unused">[]>();
  for (const u of usages) {
    const key = `${u.aud}\u0000${u.purpose}`;
    const list = groups.get(key);
    if (list) list.push(u);
    else groups.set(key, [u]);
  }
  const out: TUnusedRank[] = [];
  for (const list of groups.values()) {
    const granted = list.reduce((n, u) => n + u.granted.length, 0);
    const unused = list.reduce((n, u) => n + u.unused.length, 0);
    const usedAnywhere = new Set(list.flatMap((u) => u.used.map((s) => s.scope)));
    out.push({
      principal: list[0].aud,
      purpose: list[0].purpose,
      grants: list.length,
      granted,
      unused,
      unusedShare: granted === 0 ? 0 : unused / granted,
      uses: list.reduce((n, u) => n + u.used.reduce((m, s) => m + s.invocations + s.delegations, 0), 0),
      neverUsed: [...new Set(list.flatMap((u) => u.unused))].filter((s) => !usedAnywhere.has(s)).sort(),
    });
  }
  return out.sort(
    (a, b) =>
      b.unused - a.unused ||
      b.unusedShare - a.unusedShare ||
      (a.principal < b.principal ? -1 : a.principal > b.principal ? 1 : a.purpose < b.purpose ? -1 : a.purpose > b.purpose ? 1 : 0),
  );
}
