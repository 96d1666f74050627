// Two chains side by side (docs/least-privilege.md#compare): hops matched by the principal that
// received them and their purpose, and what differs between each pair in scope, constraints, depth
// and outcome. As Jaeger's trace compare does for spans, a hop on one side only is listed as such.
// Pure: the dashboard hands in the hops of the chains it already loaded.
import { scopeDiff } from "./scope";
import type { TConstraints } from "./types";

export type TCompareHop = {
  jti: string;
  /** the principal that received the grant */
  to: string;
  purpose: string;
  iat: number;
  scope: string[];
  /** effective constraints ({} = unconstrained) */
  constraints: TConstraints;
  /** root = 0, null when unknown */
  depth: number | null;
  maxDepth: number | null;
  /** the latest completion's status, or "open" */
  outcome: string;
  /** finding codes on the hop and its invocations, sorted, distinct */
  findings: string[];
};

export type TListChange = { added: string[]; removed: string[] };
/** `narrowed`: B's scopes that A covers without holding them as such (authority kept, narrower). */
export type TScopeChange = TListChange & { narrowed: string[] };

export type THopPair = {
  principal: string;
  purpose: string;
  a: TCompareHop | null;
  b: TCompareHop | null;
  /** only what differs; empty when the pair is the same or one side is missing */
  differences: {
    scope?: TScopeChange;
    data?: TListChange;
    egress?: TListChange;
    depth?: { a: number | null; b: number | null };
    maxDepth?: { a: number | null; b: number | null };
    outcome?: { a: string; b: string };
    findings?: TListChange;
  };
};

function listChange(a: readonly string[] | undefined, b: readonly string[] | undefined, asConstraint = true): TListChange | undefined {
  // Absent (unconstrained) and a list differ even when the list is long: say it as "any"; an
  // empty list allows nothing: "none".
  const words = (l: readonly string[] | undefined) => (!asConstraint ? (l ?? []) : l === undefined ? ["any"] : l.length === 0 ? ["none"] : l);
  const left = words(a);
  const right = words(b);
  const inA = new Set(left);
  const inB = new Set(right);
  const added = [...inB].filter((x) => !inA.has(x)).sort();
  const removed = [...inA].filter((x) => !inB.has(x)).sort();
  return added.length || removed.length ? { added, removed } : undefined;
}

function differences(a: TCompareHop, b: TCompareHop): THopPair["differences"] {
  const out: THopPair["differences"] = {};
  // By coverage, not by string: `finance/*:read` against `finance/q1:read` is a narrowing, and
  // the same authority spelled in two patterns is no difference.
  const d = scopeDiff(b.scope, a.scope);
  if (d.added.length || d.removed.length) {
    const inA = new Set(a.scope);
    const added = new Set(d.added);
    const narrowed = [...new Set(b.scope)].filter((s) => !inA.has(s) && !added.has(s)).sort();
    out.scope = { added: [...d.added].sort(), removed: [...d.removed].sort(), narrowed };
  }
  const data = listChange(a.constraints.data, b.constraints.data);
  if (data) out.data = data;
  const egress = listChange(
    a.constraints.egress?.map((e) => e.toLowerCase()),
    b.constraints.egress?.map((e) => e.toLowerCase()),
  );
  if (egress) out.egress = egress;
  if (a.depth !== b.depth) out.depth = { a: a.depth, b: b.depth };
  if (a.maxDepth !== b.maxDepth) out.maxDepth = { a: a.maxDepth, b: b.maxDepth };
  if (a.outcome !== b.outcome) out.outcome = { a: a.outcome, b: b.outcome };
  const findings = listChange(a.findings, b.findings, false);
  if (findings) out.findings = findings;
  return out;
}

/**
 * Pairs the hops of two chains by (receiving principal, purpose code); several hops with the same
 * key pair in order of issue. Rows follow chain A's order, then B's unmatched hops.
 */
export function compareHops(a: readonly TCompareHop[], b: readonly TCompareHop[]): THopPair[] {
  const key = (h: TCompareHop) => `${h.to}\u0000${h.purpose}`;
  const byIat = (x: TCompareHop, y: TCompareHop) => x.iat - y.iat || (x.jti < y.jti ? -1 : x.jti > y.jti ? 1 : 0);
  const queues = new Map<string, TCompareHop[]>();
  for (const h of [...b].sort(byIat)) {
    const q = queues.get(key(h));
    if (q) q.push(h);
    else queues.set(key(h), [h]);
  }
  const pairs: THopPair[] = [];
  for (const h of [...a].sort(byIat)) {
    const match = queues.get(key(h))?.shift() ?? null;
    pairs.push({ principal: h.to, purpose: h.purpose, a: h, b: match, differences: match ? differences(h, match) : {} });
  }
  for (const h of [...b].sort(byIat)) {
    if (pairs.some((p) => p.b === h)) continue;
    pairs.push({ principal: h.to, purpose: h.purpose, a: null, b: h, differences: {} });
  }
  return pairs;
}

/** Whether a pair is worth highlighting: one side missing, or anything differing. */
export function pairDiffers(p: THopPair): boolean {
  return p.a === null || p.b === null || Object.keys(p.differences).length > 0;
}
