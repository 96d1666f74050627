// The graph of an observed chain (docs/observed.md): the same model the signed chains draw, built
// from the assembled chain instead of hops. Every edge is dashed and carries `observed` (its
// source, kind, outcome and call count), so the edge renderer labels it with where it was seen;
// nothing here is ever drawn solid or called verified. Observed chains are small (one per
// conversation): no node budget applies.
import type { TChainDetail, TObservedChain, TObservedEdge } from "@/lib/contracts/chains";
import type { TChainSource } from "@/lib/protocol/grammar";
import { SOURCE_LABEL } from "../sources";
import {
  principalNodeId,
  resourceNodeId,
  type TFindingSummary,
  type TGraphEdge,
  type TGraphModel,
  type TGraphNode,
  type TGraphNodeKind,
} from "./build-graph";

const SIZE = { principal: { width: 232, height: 76 }, small: { width: 150, height: 92 } };

const EDGE_WORD: Record<TObservedEdge["kind"], string> = {
  root: "started",
  agent_call: "agent call",
  handoff: "handoff",
  tool_call: "tool call",
  resource_access: "resource",
};

const noFindings = (): TFindingSummary => ({ critical: 0, error: 0, warning: 0, codes: [], worst: null });
const oneWarning = (): TFindingSummary => ({ critical: 0, error: 0, warning: 1, codes: ["unauthorized_activity"], worst: "warning" });

export function observedNodeId(chain: TObservedChain, id: string): string {
  const n = chain.nodes.find((x) => x.id === id);
  return n && (n.kind === "tool" || n.kind === "resource") ? resourceNodeId(id) : principalNodeId(id);
}

/** The observed edge's label on the graph: what it is, how often, and how the latest call ended. */
export function observedEdgeLabel(e: TObservedEdge): string {
  const word = e.kind === "handoff" && e.mode ? `handoff (${e.mode})` : EDGE_WORD[e.kind];
  const via = e.via ? ` · ${e.via.toUpperCase()}` : "";
  const times = e.calls > 1 ? ` ×${e.calls}` : "";
  return `${word}${via}${times}`;
}

export function buildObservedGraph(detail: TChainDetail): TGraphModel {
  const chain = detail.observed!;
  const source: TChainSource = detail.source;
  const flagged = new Set(detail.findings.map((f) => f.eventJti));
  const warnedFrom = new Set(chain.edges.filter((e) => flagged.has(e.id)).map((e) => e.from));
  const nodes: TGraphNode[] = chain.nodes.map((n) => {
    const kind: TGraphNodeKind =
      n.kind === "unknown_principal" ? "unregistered" : n.kind === "workflow" ? "agent" : n.kind === "human" ? "human" : n.kind;
    const small = kind === "tool" || kind === "resource";
    return {
      id: observedNodeId(chain, n.id),
      kind,
      label: n.kind === "human" && n.note ? `${n.label} (${n.note})` : n.label,
      ref: n.kind === "unknown_principal" ? "unknown principal: no producer asserted a user" : n.label,
      isRoot: n.kind === "human" || n.kind === "unknown_principal",
      findings: warnedFrom.has(n.id) ? oneWarning() : noFindings(),
      ...(small ? SIZE.small : SIZE.principal),
    };
  });
  const edges: TGraphEdge[] = chain.edges.map((e) => ({
    id: `o:${encodeURIComponent(e.id)}`,
    kind: e.kind === "tool_call" || e.kind === "resource_access" ? "invoke" : "grant",
    source: observedNodeId(chain, e.from),
    target: observedNodeId(chain, e.to),
    jtis: [e.id],
    label: observedEdgeLabel(e),
    scopeChange: null,
    findings: flagged.has(e.id) ? oneWarning() : noFindings(),
    isDashed: true,
    dashReason: `observed from ${SOURCE_LABEL[source].word}, not signed`,
    isRevoked: false,
    hasEvidence: false,
    observed: { source, kind: e.kind, outcome: e.outcome, calls: e.calls },
  }));
  // Signed events of the same steps: solid, beside the dashed observed edge (never merged with it).
  const byEdge = new Map(chain.edges.map((e) => [e.id, e] as const));
  for (const m of detail.observedSigned ?? []) {
    const e = byEdge.get(m.edgeId);
    if (!e) continue;
    edges.push({
      id: `s:${encodeURIComponent(m.jti)}`,
      kind: e.kind === "tool_call" || e.kind === "resource_access" ? "invoke" : "grant",
      source: observedNodeId(chain, e.from),
      target: observedNodeId(chain, e.to),
      jtis: [e.id],
      // An invoke a presented AIP token became (docs/observed.md "AIP tokens in captures") says so.
      label: m.jti.startsWith("aipcall-") ? `signed ${m.kind} · AIP token` : `signed ${m.kind}`,
      scopeChange: null,
      findings: noFindings(),
      isDashed: false,
      dashReason: null,
      isRevoked: false,
      hasEvidence: false,
    });
  }
  const signature = [
    nodes.map((n) => `${n.id}/${n.width}x${n.height}`).join("|"),
    edges.map((e) => `${e.id}:${e.source}>${e.target}`).join("|"),
  ].join("#");
  return { nodes, edges, totalNodes: nodes.length, hiddenCount: 0, signature };
}
