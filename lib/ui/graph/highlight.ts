// Which nodes and edges light up for a selection: the authority path from the human root down to
// the selected grant, plus the selected action when an invoke is selected.
import type { TChainIndex, TSelection } from "../chain-selection";
import { authorityPath } from "../chain-selection";
import { grantEdgeId, invokeEdgeId, principalNodeId, resourceNodeId } from "./build-graph";

export type THighlight = {
  nodes: Set<string>;
  edges: Set<string>;
  selectedNode: string | null;
  selectedEdge: string | null;
};

export const NO_HIGHLIGHT: THighlight = { nodes: new Set(), edges: new Set(), selectedNode: null, selectedEdge: null };

export function highlightFor(index: TChainIndex, selection: TSelection | null): THighlight {
  if (!selection) return NO_HIGHLIGHT;
  const nodes = new Set<string>();
  const edges = new Set<string>();
  for (const h of authorityPath(index, selection.hop)) {
    nodes.add(principalNodeId(h.from));
    nodes.add(principalNodeId(h.to));
    edges.add(grantEdgeId(h.jti));
  }
  const ev = selection.event;
  let selectedNode: string | null = selection.hop ? principalNodeId(selection.hop.to) : null;
  let selectedEdge: string | null = selection.hop ? grantEdgeId(selection.hop.jti) : null;
  if (ev && ev.claims.kind === "invoke") {
    const from = principalNodeId(ev.iss);
    const res = resourceNodeId(ev.claims.resource);
    nodes.add(from);
    nodes.add(res);
    selectedEdge = invokeEdgeId(from, res);
    edges.add(selectedEdge);
    selectedNode = res;
  } else if (ev && !selection.hop) {
    selectedNode = principalNodeId(ev.iss);
    nodes.add(selectedNode);
  }
  return { nodes, edges, selectedNode, selectedEdge };
}
