import type { Edge, Node } from "@xyflow/react";
import type { TGraphEdge, TGraphNode } from "@/lib/ui/graph/build-graph";
import type { TPoint } from "@/lib/ui/graph/layout";

export type TNodeData = {
  node: TGraphNode;
  isSelected: boolean;
  isOnPath: boolean;
};
export type TFlowNode = Node<TNodeData, "principal" | "small" | "hidden">;

export type TEdgeData = {
  edge: TGraphEdge;
  points: TPoint[];
  labelAt: TPoint | null;
  isSelected: boolean;
  isOnPath: boolean;
  /** keyboard focus is on this edge: its label gets the focus outline */
  isFocused: boolean;
  onActivate: (edgeId: string) => void;
};
export type TFlowEdge = Edge<TEdgeData, "grant">;
