// From a chain read model to the graph the dashboard draws: one node per principal, a small square
// per resource acted on, one edge per grant, one edge per (actor, resource) pair of invocations.
//
// Big chains: past a node budget we show the focal neighbourhood of the selected hop and stand in
// for everything else with "N hidden" placeholder nodes that carry the hidden part's findings and
// keep the real edge directions. Nothing is ever cut silently.
import type { TChainDetail, TChainEvent, TChainFinding, THop, TObservedEdge } from "@/lib/contracts/chains";
import type { TChainSource } from "@/lib/protocol/grammar";
import type { TAttestation, TFindingCode, TSeverity } from "@/lib/protocol/types";
import { findingName, SEVERITY_ORDER, sortCodes } from "../findings";
import { buildObservedGraph } from "./observed-graph";

/** The opening view draws up to this many nodes (tuned with `npm run bench`: see docs/benchmarks.md). */
export const NODE_BUDGET = 600;
/** A parent offers at most this many children to the opening view; the rest wait behind a stub. */
export const FANOUT_LIMIT = 15;
const MAX_PLACEHOLDERS = 60;

export type TGraphNodeKind = "human" | "agent" | "tool" | "attester" | "resource" | "unregistered" | "hidden";

export type TFindingSummary = {
  critical: number;
  error: number;
  warning: number;
  codes: TFindingCode[];
  worst: TSeverity | null;
};

export type TGraphNode = {
  /** React Flow id: URI-encoded so any principal id is safe inside a CSS attribute selector */
  id: string;
  kind: TGraphNodeKind;
  label: string;
  /** the principal id or resource URI (for hidden nodes: a description) */
  ref: string;
  isRoot: boolean;
  findings: TFindingSummary;
  width: number;
  height: number;
  /** hidden placeholders only: `jumpTo` the worst hidden finding's own event; `expand` the parent whose fan-out it stands for */
  hidden?: { count: number; jumpTo: string | null; expand: string | null };
  /** an on-behalf-of principal an AIP block asserts (drawn dashed): named, not signed by that person */
  isAsserted?: boolean;
  /** how each grant this principal received ended: a completion came back, or it expired with none */
  outcomes?: TGrantOutcome[];
  /** when a key this principal signed with in the chain was revoked after signing (keyRevokedNow) */
  keyRevokedAt?: number | null;
};

/**
 * How a grant ended, drawn at its target: "✓ completed · third-party attested", or
 * "✗ no report · expired …" (the Broken audit trail) when it expired and nobody reported.
 */
export type TGrantOutcome =
  | { kind: "completion"; jti: string; grantJti: string; status: "completed" | "failed" | "partial"; attestation: TAttestation | null; at: number }
  | { kind: "expired"; grantJti: string; at: number };

/** Room a node keeps for each outcome or key line under its name (each may wrap onto two lines). */
export const NODE_LINE_HEIGHT = 44;
export const MAX_OUTCOME_LINES = 2;

export type TScopeChange =
  { kind: "root"; scopes: string[] } | { kind: "escalation"; added: string[] } | { kind: "attenuation"; removed: number } | { kind: "same" };

export type TGraphEdge = {
  id: string;
  /** attest: a dotted line from a third-party attester to the principal whose grant it reported on */
  kind: "grant" | "invoke" | "hidden" | "attest";
  source: string;
  target: string;
  /** hop jti (grant) or the invoke jtis (invoke) */
  jtis: string[];
  label: string;
  /** grants: the purpose relative to the parent's ("….charts"), as the dashboard draws it; `label` is the whole code */
  shortLabel?: string;
  /** invocations: every action and the whole resource URI, for the tooltip */
  fullLabel?: string;
  scopeChange: TScopeChange | null;
  findings: TFindingSummary;
  isDashed: boolean;
  dashReason: string | null;
  /** an AIP hop signed with an ephemeral key, or an asserted on-behalf-of link: who delegated is not proven */
  isUnverified?: boolean;
  isRevoked: boolean;
  hasEvidence: boolean;
  /** observed chains only (observed-graph.ts): drawn dashed and labelled with their source, never verified */
  observed?: { source: TChainSource; kind: TObservedEdge["kind"]; outcome: TObservedEdge["outcome"]; calls: number };
};

export type TGraphModel = {
  nodes: TGraphNode[];
  edges: TGraphEdge[];
  totalNodes: number;
  hiddenCount: number;
  /** layout cache key: changes only when the drawn structure changes */
  signature: string;
};

const SIZE: Record<TGraphNodeKind, { width: number; height: number }> = {
  human: { width: 232, height: 104 },
  agent: { width: 232, height: 104 },
  attester: { width: 232, height: 104 },
  unregistered: { width: 232, height: 104 },
  tool: { width: 150, height: 92 },
  resource: { width: 150, height: 92 },
  hidden: { width: 196, height: 84 },
};

export const principalNodeId = (id: string) => `p:${encodeURIComponent(id)}`;
export const resourceNodeId = (uri: string) => `r:${encodeURIComponent(uri)}`;
export const grantEdgeId = (jti: string) => `g:${encodeURIComponent(jti)}`;
export const invokeEdgeId = (fromNodeId: string, resourceNodeId: string) => `i:${fromNodeId}>${resourceNodeId}`;

function emptySummary(): TFindingSummary {
  return { critical: 0, error: 0, warning: 0, codes: [], worst: null };
}

class FindingBag {
  private seen = new Set<string>();
  private list: TChainFinding[] = [];
  add(fs: readonly TChainFinding[]) {
    for (const f of fs) {
      const k = `${f.eventJti}\u0000${f.code}`;
      if (this.seen.has(k)) continue;
      this.seen.add(k);
      this.list.push(f);
    }
  }
  addBag(b: FindingBag) {
    this.add(b.list);
  }
  /** the worst finding's severity, without building a summary */
  worst(): TSeverity | null {
    return this.worstFinding()?.severity ?? null;
  }
  worstFinding(): TChainFinding | null {
    let w: TChainFinding | null = null;
    for (const f of this.list) if (w === null || SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[w.severity]) w = f;
    return w;
  }
  summary(): TFindingSummary {
    const s = emptySummary();
    for (const f of this.list) {
      s[f.severity] += 1;
      if (s.worst === null || SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[s.worst]) s.worst = f.severity;
    }
    s.codes = sortCodes(this.list.map((f) => f.code));
    return s;
  }
}

function scopeChangeOf(hop: THop): TScopeChange {
  if (hop.kind === "authorize") return { kind: "root", scopes: hop.scope };
  if (hop.scopeAdded.length > 0) return { kind: "escalation", added: hop.scopeAdded };
  if (hop.scopeRemoved.length > 0) return { kind: "attenuation", removed: hop.scopeRemoved.length };
  return { kind: "same" };
}

/**
 * `bag`: the findings the node shows, those of what the principal did itself (invocations,
 * completions, revocations); a grant's findings are drawn on its edge. `reach`: those plus the
 * findings of the grants it received, which decide what a drawing over budget keeps.
 */
type TFullNode = Omit<TGraphNode, "findings" | "width" | "height"> & { bag: FindingBag; reach: FindingBag };
type TFullEdge = Omit<TGraphEdge, "findings"> & { bag: FindingBag };

export type TBuildOptions = {
  /** the node the view is centred on when the chain is over budget (a React Flow node id) */
  focusNodeId?: string | null;
  budget?: number;
  /** parents whose whole fan-out the reader asked to see (React Flow node ids) */
  expanded?: ReadonlySet<string>;
  /** draw every node, whatever the budget */
  showAll?: boolean;
};

export function buildGraph(detail: TChainDetail, options: TBuildOptions = {}): TGraphModel {
  if (detail.observed) return buildObservedGraph(detail);
  const budget = Math.max(8, options.budget ?? NODE_BUDGET);
  const nodes = new Map<string, TFullNode>();
  const edges: TFullEdge[] = [];
  const attestEdges: TFullEdge[] = [];
  const kindOf = new Map(detail.nodes.map((n) => [n.id, n] as const));
  const rootIss = detail.root?.iss ?? null;

  const ensurePrincipal = (pid: string) => {
    const id = principalNodeId(pid);
    let n = nodes.get(id);
    if (!n) {
      const known = kindOf.get(pid);
      const kind: TGraphNodeKind = known && known.kind !== "resource" ? known.kind : "unregistered";
      n = { id, kind, label: known?.name || pid, ref: pid, isRoot: pid === rootIss, bag: new FindingBag(), reach: new FindingBag() };
      nodes.set(id, n);
    }
    return n;
  };
  const ensureResource = (uri: string) => {
    const id = resourceNodeId(uri);
    let n = nodes.get(id);
    if (!n) {
      n = { id, kind: "resource", label: resourceLabel(uri), ref: uri, isRoot: false, bag: new FindingBag(), reach: new FindingBag() };
      nodes.set(id, n);
    }
    return n;
  };

  // Principals first, in the read model's order, so the human root leads.
  if (rootIss) ensurePrincipal(rootIss);
  for (const n of detail.nodes) if (n.kind !== "resource") ensurePrincipal(n.id);

  // Findings belong to what caused them. A grant's (an escalation, a broken audit trail) are drawn
  // on its edge, never on the human who authorized it or the agent that received it; what a
  // principal did itself (an invocation, a completion, a revocation) on the principal.
  const hopByJti = new Map(detail.hops.map((h) => [h.jti, h] as const));
  for (const e of detail.events) {
    if (e.findings.length === 0) continue;
    if (hopByJti.has(e.jti)) {
      if (e.aud) ensurePrincipal(e.aud).reach.add(e.findings);
      continue;
    }
    const n = ensurePrincipal(e.iss);
    n.bag.add(e.findings);
    n.reach.add(e.findings);
  }
  // A key revoked after it signed here: the node says so (the events stay valid at signing).
  for (const e of detail.events) {
    if (e.keyRevokedNow === null || e.keyRevokedNow === undefined) continue;
    const n = ensurePrincipal(e.iss);
    n.keyRevokedAt = n.keyRevokedAt == null ? e.keyRevokedNow : Math.min(n.keyRevokedAt, e.keyRevokedNow);
  }

  for (const hop of detail.hops) {
    const from = ensurePrincipal(hop.from);
    const to = ensurePrincipal(hop.to);
    const bag = new FindingBag();
    bag.add(hop.findings);
    to.reach.add(hop.findings);
    // How the grant ended, drawn at its target: each completion, or an expiry nobody reported on.
    const outcomes = (to.outcomes ??= []);
    for (const c of hop.completions)
      outcomes.push({ kind: "completion", jti: c.jti, grantJti: hop.jti, status: c.status, attestation: c.attestation, at: c.iat });
    if (hop.completions.length === 0 && hop.findings.some((f) => f.code === "missing_evidence"))
      outcomes.push({ kind: "expired", grantJti: hop.jti, at: hop.exp });
    // A third party that reported on the grant is linked to its target by a dotted "attested" line.
    for (const c of hop.completions) {
      if (c.attestation !== "third_party" || c.iss === hop.to) continue;
      const attester = ensurePrincipal(c.iss);
      attestEdges.push({
        id: `a:${encodeURIComponent(c.jti)}`,
        kind: "attest",
        source: attester.id,
        target: to.id,
        jtis: [c.jti],
        label: "attested",
        scopeChange: null,
        bag: new FindingBag(),
        isDashed: true,
        dashReason: "a third party's report on the grant, not a grant",
        isRevoked: false,
        hasEvidence: true,
      });
    }
    const parentPurpose = hop.parent ? hopByJti.get(hop.parent)?.purpose.code : undefined;
    const isPending = hop.status === "pending";
    const isInferred = hop.depth === null && !isPending;
    const isUnverified = !hop.signature.verified;
    edges.push({
      id: grantEdgeId(hop.jti),
      kind: "grant",
      source: from.id,
      target: to.id,
      jtis: [hop.jti],
      label: hop.purpose.code,
      shortLabel: purposeSuffix(hop.purpose.code, parentPurpose),
      scopeChange: scopeChangeOf(hop),
      bag,
      isDashed: isPending || isInferred || isUnverified,
      dashReason: isPending
        ? "pending: its parent has not arrived"
        : isInferred
          ? "ancestry incomplete"
          : isUnverified
            ? "unverified hop: delegator asserted, not signed"
            : null,
      isUnverified,
      isRevoked: hop.revokedAt !== null,
      hasEvidence: hop.completions.length > 0,
    });
    // AIP: an on-behalf-of principal asserted by the root block, as a dashed human behind the holder.
    const onBehalfOf = hop.aip?.role === "root" ? hop.aip.onBehalfOf : null;
    if (onBehalfOf && onBehalfOf !== hop.from) {
      const known = kindOf.get(onBehalfOf);
      const n = ensurePrincipal(onBehalfOf);
      if (!known) n.kind = "human";
      n.isAsserted = true;
      edges.push({
        id: `o:${encodeURIComponent(hop.jti)}`,
        kind: "grant",
        source: n.id,
        target: from.id,
        jtis: [hop.jti],
        label: "on behalf of",
        scopeChange: null,
        bag: new FindingBag(),
        isDashed: true,
        dashReason: "on-behalf-of principal asserted in block 0, not signed by that person",
        isUnverified: true,
        isRevoked: false,
        hasEvidence: false,
      });
    }
  }

  // Invocations: one edge per (actor, resource), whether under a grant or loose (ghost).
  const invokes: { iss: string; resource: string; jti: string; findings: TChainFinding[]; isPending: boolean; action: string }[] = [];
  const seenInvoke = new Set<string>();
  for (const hop of detail.hops)
    for (const inv of hop.invocations) {
      seenInvoke.add(inv.jti);
      invokes.push({ iss: inv.iss, resource: inv.resource, jti: inv.jti, findings: inv.findings, isPending: false, action: inv.action });
    }
  const eventsByJti = new Map<string, TChainEvent>(detail.events.map((e) => [e.jti, e]));
  for (const inv of invokes) inv.isPending = eventsByJti.get(inv.jti)?.status === "pending";
  for (const e of detail.events) {
    if (e.kind !== "invoke" || seenInvoke.has(e.jti) || e.claims.kind !== "invoke") continue;
    invokes.push({
      iss: e.iss,
      resource: e.claims.resource,
      jti: e.jti,
      findings: e.findings,
      isPending: e.status === "pending",
      action: e.claims.action,
    });
  }
  const invokeEdges = new Map<string, TFullEdge & { actions: Set<string> }>();
  for (const inv of invokes) {
    const from = ensurePrincipal(inv.iss);
    const res = ensureResource(inv.resource);
    res.bag.add(inv.findings);
    res.reach.add(inv.findings);
    const key = `${from.id}\u0000${res.id}`;
    let edge = invokeEdges.get(key);
    if (!edge) {
      edge = {
        id: invokeEdgeId(from.id, res.id),
        kind: "invoke",
        source: from.id,
        target: res.id,
        jtis: [],
        label: "",
        scopeChange: null,
        bag: new FindingBag(),
        isDashed: false,
        dashReason: null,
        isRevoked: false,
        hasEvidence: false,
        actions: new Set(),
      };
      invokeEdges.set(key, edge);
    }
    edge.jtis.push(inv.jti);
    edge.actions.add(inv.action);
    edge.bag.add(inv.findings);
    if (inv.isPending) {
      edge.isDashed = true;
      edge.dashReason = "pending: its grant has not arrived";
    }
  }
  for (const e of invokeEdges.values()) {
    const actions = [...e.actions];
    e.label = actions.length === 1 ? actions[0] : `${actions[0]} +${actions.length - 1}`;
    if (e.jtis.length > 1) e.label += ` ×${e.jtis.length}`;
    e.fullLabel = `${actions.join(", ")} on ${nodes.get(e.target)!.ref}`;
    // The edge that has a finding is named by it and the host it reached: "Scope drift → render.chartcloud.io".
    const worst = e.bag.worstFinding();
    if (worst) e.label = `${findingName(worst.code)} → ${resourceHost(nodes.get(e.target)!.ref)}`;
    edges.push(e);
  }
  edges.push(...attestEdges);

  const all = [...nodes.values()];
  const totalNodes = all.length;
  const rootId = rootIss ? principalNodeId(rootIss) : (all[0]?.id ?? null);
  let visible: Set<string>;
  if (options.showAll || totalNodes <= budget) visible = new Set(all.map((n) => n.id));
  else {
    const tree = graphTree(
      all.map((n) => n.id),
      edges,
      rootId,
    );
    const summaries = all.map((n) => ({ id: n.id, kind: n.kind, worst: n.reach.worst() }));
    visible = chooseVisible(summaries, tree, budget, options.focusNodeId ?? null, rootId, options.expanded ?? new Set());
  }

  const outNodes: TGraphNode[] = [];
  for (const n of all) {
    if (!visible.has(n.id)) continue;
    const { bag, reach, ...rest } = n;
    void reach;
    const lines = Math.min(MAX_OUTCOME_LINES, rest.outcomes?.length ?? 0) + (rest.keyRevokedAt != null ? 1 : 0);
    const size = SIZE[n.kind];
    outNodes.push({ ...rest, findings: bag.summary(), width: size.width, height: size.height + lines * NODE_LINE_HEIGHT });
  }
  const outEdges: TGraphEdge[] = [];
  for (const e of edges) {
    if (!visible.has(e.source) || !visible.has(e.target)) continue;
    const { bag, ...rest } = e;
    delete (rest as { actions?: unknown }).actions;
    outEdges.push({ ...rest, findings: bag.summary() });
  }

  let hiddenCount = 0;
  if (visible.size < totalNodes) {
    const placeholders = hiddenPlaceholders(detail, nodes, edges, visible);
    for (const p of placeholders) {
      hiddenCount += p.node.hidden?.count ?? 0;
      outNodes.push(p.node);
      outEdges.push(...p.edges);
    }
  }

  const signature = [
    outNodes.map((n) => `${n.id}/${n.width}x${n.height}`).join("|"),
    outEdges.map((e) => `${e.id}:${e.source}>${e.target}`).join("|"),
  ].join("#");
  return { nodes: outNodes, edges: outEdges, totalNodes, hiddenCount, signature };
}

/** The grant tree (then invocations) read breadth-first from the root: each node's first discoverer is its parent. */
export type TGraphTree = {
  /** children in the order the chain lists its hops, then its invocations */
  children: Map<string, string[]>;
  parent: Map<string, string | null>;
};

export function graphTree(
  ids: readonly string[],
  edges: readonly { source: string; target: string; kind: string }[],
  rootId: string | null,
): TGraphTree {
  const out = new Map<string, string[]>();
  const push = (a: string, b: string) => {
    const l = out.get(a);
    if (l) l.push(b);
    else out.set(a, [b]);
  };
  // Grants first so a principal's delegations lead, then what it acted on.
  for (const e of edges) if (e.kind === "grant") push(e.source, e.target);
  for (const e of edges) if (e.kind !== "grant") push(e.source, e.target);
  const parent = new Map<string, string | null>();
  const children = new Map<string, string[]>();
  const queue: string[] = [];
  const visit = (id: string, from: string | null) => {
    parent.set(id, from);
    if (from !== null) {
      const l = children.get(from);
      if (l) l.push(id);
      else children.set(from, [id]);
    }
    queue.push(id);
  };
  const starts = rootId ? [rootId, ...ids] : ids;
  for (const s of starts) {
    if (parent.has(s)) continue;
    visit(s, null);
    for (let i = queue.length - 1; i < queue.length; i++) {
      for (const nb of out.get(queue[i]) ?? []) if (!parent.has(nb)) visit(nb, queue[i]);
    }
  }
  return { children, parent };
}

/**
 * Which nodes the opening view draws, in priority order: the root; the focus, its path to the root
 * and its neighbourhood; every node carrying a finding with its path to the root (worst first, within
 * the budget); the fan-outs the reader expanded (forced, past the budget); then breadth-first from
 * the root until the budget is full, drawing at most FANOUT_LIMIT children of a parent (those
 * already drawn included) unless it was expanded. A leaf resource comes with its principal.
 */
export function chooseVisible(
  all: readonly { id: string; kind: TGraphNodeKind; worst: TSeverity | null }[],
  tree: TGraphTree,
  budget: number,
  focus: string | null,
  rootId: string | null,
  expanded: ReadonlySet<string> = new Set(),
): Set<string> {
  const kind = new Map(all.map((n) => [n.id, n.kind] as const));
  const visible = new Set<string>();
  const isLeafResource = (id: string) => kind.get(id) === "resource" && !(tree.children.get(id)?.length ?? 0);
  const takeOne = (id: string) => {
    if (!kind.has(id) || visible.has(id)) return;
    visible.add(id);
    // A principal comes with the resources only it acted on (at most a fan-out's worth unless expanded).
    let leaves = 0;
    const cap = expanded.has(id) ? Infinity : FANOUT_LIMIT;
    for (const c of tree.children.get(id) ?? []) {
      if (leaves >= cap) break;
      if (isLeafResource(c)) {
        visible.add(c);
        leaves += 1;
      }
    }
  };
  const takePath = (id: string) => {
    const path: string[] = [];
    for (let at: string | null | undefined = id; at != null && !visible.has(at) && path.length <= all.length; at = tree.parent.get(at)) path.push(at);
    for (let i = path.length - 1; i >= 0; i--) takeOne(path[i]);
  };

  const root = rootId && kind.has(rootId) ? rootId : (all[0]?.id ?? null);
  if (root) takeOne(root);
  const f = focus && kind.has(focus) ? focus : null;
  if (f) {
    takePath(f);
    const p = tree.parent.get(f);
    if (p) takeOne(p);
    let n = 0;
    for (const c of tree.children.get(f) ?? []) {
      if (n++ >= (expanded.has(f) ? Infinity : FANOUT_LIMIT)) break;
      takeOne(c);
    }
  }
  const withFindings = all.filter((n) => n.worst !== null).sort((a, b) => SEVERITY_ORDER[a.worst!] - SEVERITY_ORDER[b.worst!]);
  for (const n of withFindings) {
    if (visible.size >= budget) break;
    takePath(n.id);
  }
  for (const id of expanded) {
    if (!kind.has(id)) continue;
    takePath(id);
    for (const c of tree.children.get(id) ?? []) takeOne(c);
  }
  if (!root) return visible;
  const queue = [root];
  const queued = new Set(queue);
  for (let i = 0; i < queue.length && visible.size < budget; i++) {
    const id = queue[i];
    const cap = expanded.has(id) ? Infinity : FANOUT_LIMIT;
    const kids = tree.children.get(id) ?? [];
    // Children already drawn (the focus, a finding's path) count toward the parent's 15.
    let shown = 0;
    for (const c of kids) if (visible.has(c) && !isLeafResource(c)) shown += 1;
    for (const c of kids) {
      if (isLeafResource(c) && visible.has(c)) continue;
      if (!visible.has(c)) {
        if (shown >= cap || visible.size >= budget) continue;
        shown += 1;
        takeOne(c);
      }
      if (!queued.has(c)) {
        queued.add(c);
        queue.push(c);
      }
    }
  }
  // Whatever the tree missed (another root's component) gets its turn if room is left.
  for (const n of all) {
    if (visible.size >= budget) break;
    if (tree.parent.get(n.id) === null) takeOne(n.id);
  }
  return visible;
}

/**
 * Hidden nodes grouped into placeholders: connected hidden parts that touch the same visible nodes
 * (in the same directions) share one placeholder, so a root with 600 hidden children gets one
 * "600 hidden" node, not 600.
 */
function hiddenPlaceholders(
  detail: TChainDetail,
  nodes: Map<string, TFullNode>,
  edges: readonly TFullEdge[],
  visible: Set<string>,
): { node: TGraphNode; edges: TGraphEdge[] }[] {
  const hiddenIds = [...nodes.keys()].filter((id) => !visible.has(id));
  const parent = new Map<string, string>(hiddenIds.map((id) => [id, id]));
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    let c = x;
    while (parent.get(c) !== r) {
      const next = parent.get(c)!;
      parent.set(c, r);
      c = next;
    }
    return r;
  };
  for (const e of edges) {
    if (!visible.has(e.source) && !visible.has(e.target)) {
      const a = find(e.source);
      const b = find(e.target);
      if (a !== b) parent.set(a, b);
    }
  }
  const links = new Map<string, Set<string>>();
  const addLink = (comp: string, link: string) => {
    const s = links.get(comp);
    if (s) s.add(link);
    else links.set(comp, new Set([link]));
  };
  for (const e of edges) {
    const sv = visible.has(e.source);
    const tv = visible.has(e.target);
    if (sv && !tv) addLink(find(e.target), `in:${e.source}`);
    else if (!sv && tv) addLink(find(e.source), `out:${e.target}`);
  }
  const groups = new Map<string, { members: string[]; links: string[] }>();
  for (const id of hiddenIds) {
    const comp = find(id);
    const ls = [...(links.get(comp) ?? [])].sort();
    const key = ls.join("|") || `isolated:${comp}`;
    const g = groups.get(key);
    if (g) g.members.push(id);
    else groups.set(key, { members: [id], links: ls });
  }

  const hopsInto = new Map<string, THop[]>();
  for (const h of detail.hops) {
    const k = principalNodeId(h.to);
    const l = hopsInto.get(k);
    if (l) l.push(h);
    else hopsInto.set(k, [h]);
  }
  const invokeJtiInto = new Map<string, string>();
  for (const e of edges) if (e.kind === "invoke" && !invokeJtiInto.has(e.target)) invokeJtiInto.set(e.target, e.jtis[0]);

  // Past a handful of placeholders the picture stops helping: keep the groups with the worst
  // findings (then the biggest) and fold the rest into one "hidden elsewhere" node.
  let groupList = [...groups.values()];
  if (groupList.length > MAX_PLACEHOLDERS) {
    const rank = (g: { members: string[] }) => {
      let worst = 3;
      for (const id of g.members) {
        const w = nodes.get(id)!.reach.worst();
        if (w) worst = Math.min(worst, SEVERITY_ORDER[w]);
      }
      return worst;
    };
    groupList = groupList
      .map((g) => ({ g, r: rank(g) }))
      .sort((a, b) => a.r - b.r || b.g.members.length - a.g.members.length)
      .map((x) => x.g);
    const kept = groupList.slice(0, MAX_PLACEHOLDERS - 1);
    const rest = groupList.slice(MAX_PLACEHOLDERS - 1);
    kept.push({ members: rest.flatMap((g) => g.members), links: [], isElsewhere: true } as (typeof kept)[number]);
    groupList = kept;
  }

  const out: { node: TGraphNode; edges: TGraphEdge[] }[] = [];
  let n = 0;
  for (const g of groupList as { members: string[]; links: string[]; isElsewhere?: boolean }[]) {
    const bag = new FindingBag();
    let jumpTo: string | null = null;
    let principals = 0;
    const members = new Set(g.members);
    for (const id of g.members) {
      const node = nodes.get(id)!;
      bag.addBag(node.reach);
      if (node.kind !== "resource") principals += 1;
      if (jumpTo === null) jumpTo = hopsInto.get(id)?.[0]?.jti ?? invokeJtiInto.get(id) ?? null;
    }
    // "Show" selects the worst hidden finding's own event, not merely a hop near it.
    jumpTo = bag.worstFinding()?.eventJti ?? (g.isElsewhere ? null : jumpTo);
    const resources = g.members.length - principals;
    const id = `h:${n++}`;
    // A group hanging from one drawn parent is the rest of its fan-out: a stub that expands it.
    const parentId = g.links.length === 1 && g.links[0].startsWith("in:") ? g.links[0].slice(3) : null;
    let delegations = 0;
    let acted = 0;
    if (parentId)
      for (const e of edges) {
        if (e.source !== parentId || !members.has(e.target)) continue;
        if (e.kind === "grant") delegations += 1;
        else acted += 1;
      }
    const what =
      [
        principals ? `${principals} principal${principals === 1 ? "" : "s"}` : "",
        resources ? `${resources} resource${resources === 1 ? "" : "s"}` : "",
      ]
        .filter(Boolean)
        .join(", ") + (g.isElsewhere ? " in other branches" : "");
    const label =
      parentId && delegations > 0
        ? `${delegations.toLocaleString("en-US")} more delegation${delegations === 1 ? "" : "s"} ▸`
        : parentId && acted > 0
          ? `${acted.toLocaleString("en-US")} more resource${acted === 1 ? "" : "s"} ▸`
          : `${g.members.length.toLocaleString("en-US")} hidden`;
    const findings = bag.summary();
    out.push({
      node: {
        id,
        kind: "hidden",
        label,
        ref: `${g.members.length.toLocaleString("en-US")} hidden: ${what}`,
        isRoot: false,
        findings,
        ...SIZE.hidden,
        hidden: { count: g.members.length, jumpTo, expand: parentId && delegations + acted > 0 ? parentId : null },
      },
      edges: g.links.map((l) => {
        const isIn = l.startsWith("in:");
        const other = l.slice(isIn ? 3 : 4);
        return {
          id: `x:${id}:${l}`,
          kind: "hidden" as const,
          source: isIn ? other : id,
          target: isIn ? id : other,
          jtis: [],
          label: "",
          scopeChange: null,
          findings: emptySummary(),
          isDashed: true,
          dashReason: "stands in for hidden grants",
          isRevoked: false,
          hasEvidence: false,
        };
      }),
    });
  }
  return out;
}

/**
 * A purpose code as the graph labels it: relative to its parent's ("….charts" under
 * "finance.reporting.revenue.q1"), so hops that share a long prefix read apart; the full code is
 * in the tooltip. A code that does not extend its parent's is shown whole.
 */
export function purposeSuffix(code: string, parentCode: string | undefined): string {
  if (!parentCode || code === parentCode || !code.startsWith(parentCode + ".")) return code;
  return `…${code.slice(parentCode.length)}`;
}

/**
 * A resource as the graph labels it: its host ("render.chartcloud.io") and the last segment of its
 * path, without the query; the whole URI is in the tooltip and the inspector.
 */
export function resourceLabel(uri: string): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/i.exec(uri);
  if (!m) return uri;
  const host = m[2] || m[1];
  const segs = m[3].split("/").filter(Boolean);
  const last = segs.length ? segs[segs.length - 1] : "";
  const tail = segs.length > 1 ? `/…/${last}` : last ? `/${last}` : "";
  return `${host}${tail}`;
}

/** The host a resource URI names ("render.chartcloud.io"), or the URI when it names none. */
export function resourceHost(uri: string): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]+)/i.exec(uri);
  return m ? m[2] : uri;
}
