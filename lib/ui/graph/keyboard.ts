// Keyboard order on the graph: the story as it is told, from the human root, each grant before the
// principal it reaches ("human, grant, agent, grant, agent, …"), depth first, an agent's
// invocations after its grants and an attester right after the principal it reported on. Arrow
// keys follow edges: → from a node to its first outgoing edge and from an edge to its target, ←
// back to the incoming edge or the source, ↑ ↓ to the previous or next sibling. Pure and linear in
// the drawing: it is rebuilt when the drawing changes, never per frame.

type TNavNode = { id: string; isRoot: boolean };
type TNavEdge = { id: string; source: string; target: string; kind: string };

/** One step out of a node: the edge taken (null for a stub's dashed link, not focusable) and the node it reaches. */
type TStep = { edge: string | null; node: string };

export type TGraphNav = {
  /** every focusable node and edge id, in story order */
  order: string[];
  /** the step after or before `id` in story order, or null at either end */
  step: (id: string, by: 1 | -1) => string | null;
  /** where an arrow key leads from `id`, or null */
  arrow: (id: string, key: "ArrowRight" | "ArrowLeft" | "ArrowUp" | "ArrowDown") => string | null;
};

const KIND_RANK: Record<string, number> = { grant: 0, invoke: 1, hidden: 2 };

export function graphNav(nodes: readonly TNavNode[], edges: readonly TNavEdge[]): TGraphNav {
  const nodeIds = new Set(nodes.map((n) => n.id));
  const edgeById = new Map<string, TNavEdge>();
  const steps = new Map<string, TStep[]>();
  const incoming = new Map<string, string[]>();
  const push = <T>(m: Map<string, T[]>, k: string, v: T) => {
    const l = m.get(k);
    if (l) l.push(v);
    else m.set(k, [v]);
  };
  const sorted = edges
    .filter((e) => nodeIds.has(e.source) && nodeIds.has(e.target))
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (KIND_RANK[a.e.kind] ?? 3) - (KIND_RANK[b.e.kind] ?? 3) || a.i - b.i)
    .map((x) => x.e);
  for (const e of sorted) {
    const focusable = e.kind !== "hidden";
    if (focusable) edgeById.set(e.id, e);
    // An attester's dotted line is told from the principal it reported on.
    if (e.kind === "attest") push(steps, e.target, { edge: e.id, node: e.source });
    else push(steps, e.source, { edge: focusable ? e.id : null, node: e.target });
    if (focusable && e.kind !== "attest") push(incoming, e.target, e.id);
  }

  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (start: string) => {
    seen.add(start);
    order.push(start);
    const stack: { id: string; i: number }[] = [{ id: start, i: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const list = steps.get(top.id) ?? [];
      if (top.i >= list.length) {
        stack.pop();
        continue;
      }
      const s = list[top.i++];
      if (s.edge && !seen.has(s.edge)) {
        seen.add(s.edge);
        order.push(s.edge);
      }
      if (!seen.has(s.node)) {
        seen.add(s.node);
        order.push(s.node);
        stack.push({ id: s.node, i: 0 });
      }
    }
  };
  const root = nodes.find((n) => n.isRoot);
  if (root) visit(root.id);
  for (const n of nodes) if (!seen.has(n.id)) visit(n.id);
  const at = new Map(order.map((id, i) => [id, i] as const));

  const siblings = (list: string[], id: string, by: number) => {
    const i = list.indexOf(id);
    return i < 0 ? null : (list[i + by] ?? null);
  };
  return {
    order,
    step: (id, by) => {
      const i = at.get(id);
      return i === undefined ? null : (order[i + by] ?? null);
    },
    arrow: (id, key) => {
      const e = edgeById.get(id);
      if (e) {
        const [from, to] = e.kind === "attest" ? [e.target, e.source] : [e.source, e.target];
        if (key === "ArrowRight") return to;
        if (key === "ArrowLeft") return from;
        const outs = (steps.get(from) ?? []).map((s) => s.edge).filter((x): x is string => x !== null);
        return siblings(outs, id, key === "ArrowDown" ? 1 : -1);
      }
      if (!nodeIds.has(id)) return null;
      if (key === "ArrowRight") {
        const first = (steps.get(id) ?? [])[0];
        return first ? (first.edge ?? first.node) : null;
      }
      const into = incoming.get(id)?.[0] ?? null;
      if (key === "ArrowLeft") return into;
      // Siblings: the other principals the same parent reaches.
      const parent = into ? edgeById.get(into)!.source : null;
      if (!parent) return null;
      const kids = (steps.get(parent) ?? []).map((s) => s.node);
      return siblings(kids, id, key === "ArrowDown" ? 1 : -1);
    },
  };
}
