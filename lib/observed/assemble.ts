// assembleObserved: the delegation teams already run, as observed chains, from the spans their
// instrumentation exports. Pure: the clock is an argument, the spans are all the input.
//
// 1. Spans are de-duplicated by (trace id, span id): a re-sent span changes nothing.
// 2. Each span is classified (lib/observed/classify.ts): its role and the facts it states.
// 3. Traces are stitched into chains by span links, a `traceparent` attribute, the conversation
//    (gen_ai.conversation.id, which is also A2A's contextId), the session (session.id) and A2A task
//    ids. A chain's id is `obs:<smallest trace id of the group>`: re-sent and late spans of the same
//    traces land in the same chain; when a late span joins two chains, the merged chain keeps the
//    smaller id and its traceIds tell the caller which chain it replaces.
// 4. Within a chain every span gets a target (the agent, workflow, tool or resource it acts on)
//    and an owner (who acted): the owner a producer states (gen_ai.caller.* on an invoke_agent,
//    gen_ai.agent.* on an execute_tool or a transfer), else the graph parent an OpenInference span
//    names (graph.node.parent_id), else the context of its parent span: the parent in its trace,
//    else the span its `traceparent` attribute or a link points to, else (an A2A server span) the
//    A2A client span with the same message or task id. A span whose owner is its own target (the
//    server half of an MCP or A2A call, the remote half of an invoke_agent CLIENT span, the agent
//    run inside a transfer) adds no edge.
// 5. Edges: owner → target, dashed (observed, not signed), one per (kind, from, to) with every call
//    counted and its outcome (span status, error.type, A2A task state). A span with no owner hangs
//    off the principal: the user a producer asserts (user.id, enduser.id) on the span or its
//    ancestors, else the first one asserted in its trace, shown "asserted by <service.name>"; else
//    the "unknown principal". A user is never inferred.
// 6. A trace whose last span arrived less than quietPeriodMs ago is settling: its chain is still
//    assembled, and flagged, so the caller can hold it back or show it as incomplete.
import { AIP_FROM, AIP_REJECTED } from "./capture";
import { classifySpan } from "./classify";
import { digestContent, isContentKey } from "./content";
import type {
  TAttributes,
  TClassifiedSpan,
  TObservedAssembly,
  TObservedCall,
  TObservedChain,
  TObservedEdge,
  TObservedEdgeKind,
  TObservedNode,
  TObservedNodeKind,
  TObservedSpan,
  TOutcome,
  TProducer,
  TStitchKind,
} from "./types";

export type TAssembleOptions = {
  /** ms since the epoch */
  now: number;
  /** a trace is settling until this long after its last span arrived (default 30 s) */
  quietPeriodMs?: number;
  /** include kept content in each call (only spans decoded with keepContent have any) */
  keepContent?: boolean;
  /** calls listed per edge; the rest are counted in hiddenCalls (default 50) */
  maxCallsPerEdge?: number;
};

export const DEFAULT_QUIET_PERIOD_MS = 30_000;
export const DEFAULT_MAX_CALLS_PER_EDGE = 50;
/** Parent walks stop here: a deeper (or cyclic) ancestry is treated as reaching the principal. */
const MAX_ANCESTRY = 512;

const ROOT = "\u0000root";
const UNKNOWN_PRINCIPAL_ID = "principal:unknown";

/** A2A methods that hand work to another agent (A2A 1.0 names, and the JSON-RPC names of 0.x). */
const A2A_SEND_METHODS = new Set(["sendmessage", "sendstreamingmessage", "message/send", "message/stream", "tasks/send", "tasks/sendsubscribe"]);
const A2A_FAILED_STATES = new Set(["failed", "rejected", "canceled"]);
const A2A_PENDING_STATES = new Set(["submitted", "working", "input_required", "input-required", "auth_required", "auth-required"]);
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/i;

const keyOf = (traceId: string, spanId: string) => `${traceId}/${spanId}`;

// Loops, not Math.min(...xs): spreading a large array overflows the stack.
function minOf(xs: Iterable<number>, empty = 0): number {
  let m = Infinity;
  for (const x of xs) if (x < m) m = x;
  return m === Infinity ? empty : m;
}
function maxOf(xs: Iterable<number>, empty = 0): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  return m === -Infinity ? empty : m;
}

/** Compares decimal nanosecond strings without BigInt. */
function compareNs(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

function dedupe(spans: readonly TObservedSpan[]): TObservedSpan[] {
  const byKey = new Map<string, TObservedSpan>();
  for (const s of spans) {
    const key = keyOf(s.traceId, s.spanId);
    const seen = byKey.get(key);
    // A re-export of the same span keeps the later end (a span re-sent after more was known).
    if (!seen || compareNs(s.endTimeUnixNano, seen.endTimeUnixNano) > 0) byKey.set(key, s);
  }
  return [...byKey.values()];
}

function bySpanOrder(a: TClassifiedSpan, b: TClassifiedSpan): number {
  return (
    compareNs(a.span.startTimeUnixNano, b.span.startTimeUnixNano) ||
    (a.span.traceId < b.span.traceId ? -1 : a.span.traceId > b.span.traceId ? 1 : 0) ||
    (a.span.spanId < b.span.spanId ? -1 : a.span.spanId > b.span.spanId ? 1 : 0)
  );
}

class UnionFind {
  private parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    let cur = x;
    while (cur !== root) {
      const next = this.parent.get(cur)!;
      this.parent.set(cur, root);
      cur = next;
    }
    return root;
  }
  union(a: string, b: string) {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
}

function parseTraceparent(value: string | undefined): { traceId: string; spanId: string } | null {
  const m = value ? TRACEPARENT.exec(value.trim()) : null;
  if (!m || /^0+$/.test(m[2]) || /^0+$/.test(m[3])) return null;
  return { traceId: m[2].toLowerCase(), spanId: m[3].toLowerCase() };
}

function a2aState(state: string | undefined): string | undefined {
  return state?.toLowerCase().replace(/^task_state_/, "");
}

function outcomeOf(c: TClassifiedSpan, taskState: string | undefined): { outcome: TOutcome; errorType: string | null } {
  const state = a2aState(taskState ?? c.facts.a2aTaskState);
  if (c.span.status.code === "error" || c.facts.errorType !== undefined || (state !== undefined && A2A_FAILED_STATES.has(state))) {
    return { outcome: "failed", errorType: c.facts.errorType ?? (state && A2A_FAILED_STATES.has(state) ? `a2a:${state}` : null) };
  }
  if (state !== undefined && A2A_PENDING_STATES.has(state)) return { outcome: "pending", errorType: null };
  return { outcome: "completed", errorType: null };
}

type TNodeBuild = Omit<TObservedNode, "services" | "producers" | "assertedBy"> & {
  services: Set<string>;
  producers: Set<TProducer>;
  assertedBy?: Set<string>;
  principal: boolean;
};
type TEdgeBuild = { kind: TObservedEdgeKind; from: string; to: string; mode?: string; via?: "mcp" | "a2a"; calls: TObservedCall[] };
type TTarget = { id: string; edge: TObservedEdgeKind; via?: "mcp" | "a2a" };

/** Everything needed to turn one stitched group of traces into a chain. */
function buildChain(
  id: string,
  traceIds: string[],
  spans: TClassifiedSpan[],
  stitchedBy: { kind: TStitchKind; value: string }[],
  settlingTraceIds: string[],
  options: Required<TAssembleOptions>,
): TObservedChain | null {
  const byKey = new Map<string, TClassifiedSpan>();
  for (const c of spans) byKey.set(keyOf(c.span.traceId, c.span.spanId), c);

  // Agent identity: a name that maps to exactly one id within the chain is that agent.
  const idsByName = new Map<string, Set<string>>();
  const pair = (agentId: string | undefined, name: string | undefined) => {
    if (agentId === undefined || name === undefined) return;
    if (!idsByName.has(name)) idsByName.set(name, new Set());
    idsByName.get(name)!.add(agentId);
  };
  for (const { facts } of spans) {
    pair(facts.agentId, facts.agentName);
    pair(facts.transferTargetId, facts.transferTargetName);
    pair(facts.transferSourceId, facts.transferSourceName);
    pair(facts.callerId, facts.callerName);
  }

  const nodes = new Map<string, TNodeBuild>();
  const node = (nodeId: string, kind: TObservedNodeKind, label: string, at: number): TNodeBuild => {
    let n = nodes.get(nodeId);
    if (!n) {
      n = { id: nodeId, kind, label, services: new Set(), producers: new Set(), spanCount: 0, llmCalls: 0, firstMs: at, principal: false };
      nodes.set(nodeId, n);
    }
    n.firstMs = Math.min(n.firstMs, at);
    return n;
  };
  const agentNode = (c: TClassifiedSpan, agentId: string | undefined, name: string | undefined, fallback: string): string => {
    const ids = name !== undefined ? idsByName.get(name) : undefined;
    const resolvedId = agentId ?? (ids && ids.size === 1 ? [...ids][0] : undefined);
    const nodeId = resolvedId !== undefined ? `agent:id:${resolvedId}` : name !== undefined ? `agent:name:${name}` : `agent:unnamed:${fallback}`;
    const n = node(nodeId, "agent", name ?? resolvedId ?? `unnamed agent (${fallback})`, c.span.startMs);
    if (resolvedId !== undefined) n.agentId = resolvedId;
    if (name !== undefined && n.agentName === undefined) {
      n.agentName = name;
      n.label = name;
    }
    if (agentId !== undefined && c.facts.agentId === agentId && c.facts.agentVersion !== undefined) n.agentVersion = c.facts.agentVersion;
    return nodeId;
  };
  const workflowNode = (c: TClassifiedSpan, name: string) => node(`workflow:${name}`, "workflow", name, c.span.startMs).id;
  const humanNode = (c: TClassifiedSpan, userId: string, principal: boolean): string => {
    const n = node(`human:${userId}`, "human", userId, c.span.startMs);
    n.assertedBy ??= new Set();
    n.assertedBy.add(c.facts.serviceName ?? "an unnamed service");
    n.principal ||= principal;
    return n.id;
  };
  const unknownPrincipal = (at: number) => {
    const n = node(UNKNOWN_PRINCIPAL_ID, "unknown_principal", "unknown principal", at);
    n.note = "no producer asserted a user";
    n.principal = true;
    return n.id;
  };
  const serviceOf = (c: TClassifiedSpan) => c.facts.serviceName ?? "unnamed service";

  // --- targets and owners -------------------------------------------------------------------
  const targets = new Map<TClassifiedSpan, TTarget | null>();
  const targetOf = (c: TClassifiedSpan): TTarget | null => {
    if (targets.has(c)) return targets.get(c)!;
    const f = c.facts;
    let t: TTarget | null = null;
    switch (c.role) {
      case "agent_invoke_client":
      case "agent_invoke_internal":
        t = { id: agentNode(c, f.agentId, f.agentName, f.serverAddress ?? serviceOf(c)), edge: "agent_call" };
        break;
      case "workflow":
        t = { id: workflowNode(c, f.workflowName ?? c.span.name), edge: "agent_call" };
        break;
      case "tool_execute":
        t = { id: node(`tool:${f.toolName ?? c.span.name}`, "tool", f.toolName ?? c.span.name, c.span.startMs).id, edge: "tool_call" };
        break;
      case "handoff": {
        const name = f.transferTargetName ?? f.transferTargetId ?? "unnamed target";
        const type = f.transferTargetType?.toLowerCase();
        const to =
          type === "human"
            ? humanNode(c, name, false)
            : type === "workflow"
              ? workflowNode(c, name)
              : agentNode(c, f.transferTargetId, f.transferTargetName, name);
        t = { id: to, edge: "handoff" };
        break;
      }
      case "mcp_request": {
        const method = f.mcpMethod ?? "";
        if (method === "tools/call") {
          const name = f.toolName ?? (c.span.name.replace(/^tools\/call\s*/, "") || c.span.name);
          t = { id: node(`tool:${name}`, "tool", name, c.span.startMs).id, edge: "tool_call", via: "mcp" };
        } else if (method.startsWith("resources/") && f.mcpResourceUri !== undefined) {
          t = { id: node(`resource:${f.mcpResourceUri}`, "resource", f.mcpResourceUri, c.span.startMs).id, edge: "resource_access", via: "mcp" };
        } else if (method === "prompts/get" && f.promptName !== undefined) {
          t = {
            id: node(`resource:prompt:${f.promptName}`, "resource", `prompt ${f.promptName}`, c.span.startMs).id,
            edge: "resource_access",
            via: "mcp",
          };
        }
        break;
      }
      case "a2a_message":
        if (A2A_SEND_METHODS.has((f.a2aMethod ?? "").toLowerCase())) {
          const fallback = c.span.kind === "client" ? (f.serverAddress ?? serviceOf(c)) : serviceOf(c);
          t = { id: agentNode(c, f.agentId, f.agentName, fallback), edge: "agent_call", via: "a2a" };
        }
        break;
      default:
        break;
    }
    targets.set(c, t);
    return t;
  };

  const explicitOwner = (c: TClassifiedSpan): string | null => {
    const f = c.facts;
    switch (c.role) {
      case "agent_invoke_client":
      case "agent_invoke_internal":
        if (f.callerName === undefined && f.callerId === undefined) return null;
        if (f.callerType?.toLowerCase() === "workflow") return workflowNode(c, f.callerName ?? f.callerId!);
        return agentNode(c, f.callerId, f.callerName, f.callerId ?? "caller");
      case "tool_execute":
        return f.agentId !== undefined || f.agentName !== undefined ? agentNode(c, f.agentId, f.agentName, serviceOf(c)) : null;
      case "handoff":
        if (f.agentId !== undefined || f.agentName !== undefined) return agentNode(c, f.agentId, f.agentName, serviceOf(c));
        if (f.transferSourceId !== undefined || f.transferSourceName !== undefined)
          return agentNode(c, f.transferSourceId, f.transferSourceName, serviceOf(c));
        return null;
      default:
        return null;
    }
  };

  // A2A server spans whose client did not propagate its context: matched by message, then task id.
  const a2aClients = new Map<string, TClassifiedSpan>();
  for (const c of spans) {
    if (c.role !== "a2a_message" || c.span.kind !== "client") continue;
    for (const k of [c.facts.a2aMessageId && `m:${c.facts.a2aMessageId}`, c.facts.a2aTaskId && `t:${c.facts.a2aTaskId}`]) {
      if (k && !a2aClients.has(k)) a2aClients.set(k, c);
    }
  }
  const graphNodes = new Map<string, TClassifiedSpan[]>();
  for (const c of spans) {
    if (c.facts.graphNodeId === undefined) continue;
    const k = `${c.span.traceId}|${c.facts.graphNodeId}`;
    if (!graphNodes.has(k)) graphNodes.set(k, []);
    graphNodes.get(k)!.push(c);
  }

  const parents = new Map<TClassifiedSpan, TClassifiedSpan | null>();
  const parentOf = (c: TClassifiedSpan): TClassifiedSpan | null => {
    if (parents.has(c)) return parents.get(c)!;
    const s = c.span;
    let p: TClassifiedSpan | null = null;
    if (s.parentSpanId !== null) p = byKey.get(keyOf(s.traceId, s.parentSpanId)) ?? null;
    if (p === null) {
      const tp = parseTraceparent(c.facts.traceparent);
      if (tp) p = byKey.get(keyOf(tp.traceId, tp.spanId)) ?? null;
    }
    for (let i = 0; p === null && i < s.links.length; i++) p = byKey.get(keyOf(s.links[i].traceId, s.links[i].spanId)) ?? null;
    if (p === null && c.role === "a2a_message" && c.span.kind === "server") {
      p =
        (c.facts.a2aMessageId && a2aClients.get(`m:${c.facts.a2aMessageId}`)) ||
        (c.facts.a2aTaskId && a2aClients.get(`t:${c.facts.a2aTaskId}`)) ||
        null;
    }
    if (p === c) p = null;
    parents.set(c, p);
    return p;
  };
  const graphParentOf = (c: TClassifiedSpan): TClassifiedSpan | null => {
    if (c.facts.graphNodeParentId === undefined) return null;
    const candidates = (graphNodes.get(`${c.span.traceId}|${c.facts.graphNodeParentId}`) ?? []).filter((g) => g !== c);
    if (candidates.length === 0) return null;
    const before = candidates.filter((g) => compareNs(g.span.startTimeUnixNano, c.span.startTimeUnixNano) <= 0);
    return before.length > 0 ? before[before.length - 1] : candidates[0];
  };

  const contexts = new Map<TClassifiedSpan, string>();
  const owners = new Map<TClassifiedSpan, string>();
  const visiting = new Set<TClassifiedSpan>();
  const ownerOf = (c: TClassifiedSpan, depth: number): string => {
    if (owners.has(c)) return owners.get(c)!;
    let owner = explicitOwner(c);
    if (owner === null) {
      const up = graphParentOf(c) ?? parentOf(c);
      owner = up === null ? ROOT : contextOf(up, depth + 1);
    }
    owners.set(c, owner);
    return owner;
  };
  const contextOf = (c: TClassifiedSpan, depth: number): string => {
    if (contexts.has(c)) return contexts.get(c)!;
    if (visiting.has(c) || depth > MAX_ANCESTRY) return ROOT;
    visiting.add(c);
    const ctx = targetOf(c)?.id ?? ownerOf(c, depth);
    visiting.delete(c);
    contexts.set(c, ctx);
    return ctx;
  };

  // --- principals ---------------------------------------------------------------------------
  const firstUserInTrace = new Map<string, TClassifiedSpan>();
  for (const c of spans) if (c.facts.userId !== undefined && !firstUserInTrace.has(c.span.traceId)) firstUserInTrace.set(c.span.traceId, c);
  for (const c of spans) if (c.facts.userId !== undefined) humanNode(c, c.facts.userId, true);
  const principalOf = (c: TClassifiedSpan): string => {
    let cur: TClassifiedSpan | null = c;
    for (let i = 0; cur !== null && i < MAX_ANCESTRY; i++, cur = parentOf(cur)) {
      if (cur.facts.userId !== undefined) return humanNode(cur, cur.facts.userId, true);
    }
    const asserted = firstUserInTrace.get(c.span.traceId);
    return asserted ? humanNode(asserted, asserted.facts.userId!, true) : unknownPrincipal(c.span.startMs);
  };

  // --- edges --------------------------------------------------------------------------------
  const taskStates = new Map<string, { state: string; end: string }>();
  for (const c of spans) {
    const { a2aTaskId, a2aTaskState } = c.facts;
    if (a2aTaskId === undefined || a2aTaskState === undefined) continue;
    const seen = taskStates.get(a2aTaskId);
    if (!seen || compareNs(c.span.endTimeUnixNano, seen.end) >= 0) taskStates.set(a2aTaskId, { state: a2aTaskState, end: c.span.endTimeUnixNano });
  }

  const edges = new Map<string, TEdgeBuild>();
  const addCall = (kind: TObservedEdgeKind, from: string, to: string, c: TClassifiedSpan | null, extra: { mode?: string; via?: "mcp" | "a2a" }) => {
    const edgeId = `${kind}:${from}->${to}`;
    let e = edges.get(edgeId);
    if (!e) {
      e = { kind, from, to, calls: [] };
      edges.set(edgeId, e);
    }
    if (extra.mode !== undefined) e.mode ??= extra.mode;
    if (extra.via !== undefined) e.via ??= extra.via;
    if (c === null) return;
    const s = c.span;
    const { outcome, errorType } = outcomeOf(c, c.facts.a2aTaskId !== undefined ? taskStates.get(c.facts.a2aTaskId)?.state : undefined);
    const redacted = new Set(s.redactedKeys);
    const contentDigests = digestContent(s.attributes, redacted);
    for (const ev of s.events) Object.assign(contentDigests, digestContent(ev.attributes, redacted, `event:${ev.name}:`, ev.name));
    const call: TObservedCall = {
      traceId: s.traceId,
      spanId: s.spanId,
      startMs: s.startMs,
      endMs: s.endMs,
      outcome,
      errorType,
      statusMessage: s.status.message === "" ? null : s.status.message,
      contentDigests,
    };
    const aipFrom = s.attributes[AIP_FROM];
    if (typeof aipFrom === "string") {
      const rejected = s.attributes[AIP_REJECTED];
      call.aip = { from: aipFrom, rejected: typeof rejected === "string" ? rejected : null };
    }
    if (options.keepContent && s.contentKept) {
      const content = Object.create(null) as TAttributes;
      for (const key of Object.keys(s.attributes)) if (isContentKey(key)) content[key] = s.attributes[key];
      if (Object.keys(content).length > 0) call.content = content;
    }
    e.calls.push(call);
  };

  let llmCalls = 0;
  const producers = new Set<TProducer>();
  for (const c of spans) {
    if (c.producer !== "unknown") producers.add(c.producer);
    if (c.role === "llm_call") {
      llmCalls++;
      const ctx = contextOf(c, 0);
      if (ctx !== ROOT) nodes.get(ctx)!.llmCalls++;
      continue;
    }
    if (c.role === "agent_create") {
      // Creating an agent hands it nothing yet: a node, and who created it, but no edge.
      const created = nodes.get(agentNode(c, c.facts.agentId, c.facts.agentName, serviceOf(c)))!;
      created.producers.add(c.producer);
      created.services.add(serviceOf(c));
      const creator = ownerOf(c, 0);
      created.createdBy ??= creator === ROOT ? principalOf(c) : creator;
      continue;
    }
    const target = targetOf(c);
    if (target === null) continue;
    const n = nodes.get(target.id)!;
    n.spanCount++;
    n.producers.add(c.producer);
    n.services.add(serviceOf(c));
    const owner = ownerOf(c, 0);
    if (owner === target.id) continue;
    const from = owner === ROOT ? principalOf(c) : owner;
    const kind = owner === ROOT && target.edge === "agent_call" ? "root" : target.edge;
    addCall(kind, from, target.id, c, { mode: c.role === "handoff" ? c.facts.transferMode : undefined, via: target.via });
  }

  // An agent reached by a handoff or a call is not a root; an agent seen only as the actor of its
  // tool calls (no span of its own) still hangs off its principal, with no call of its own.
  const incoming = new Set<string>();
  for (const e of edges.values()) if (e.kind !== "root") incoming.add(e.to);
  for (const [edgeId, e] of edges) if (e.kind === "root" && incoming.has(e.to)) edges.delete(edgeId);
  for (const e of edges.values()) incoming.add(e.to);
  for (const n of nodes.values()) {
    if ((n.kind !== "agent" && n.kind !== "workflow") || incoming.has(n.id)) continue;
    const actor = spans.find((c) => owners.get(c) === n.id || targets.get(c)?.id === n.id);
    if (actor === undefined && n.createdBy !== undefined) continue;
    const from = actor ? principalOf(actor) : unknownPrincipal(n.firstMs);
    addCall("root", from, n.id, null, {});
  }

  const activity = [...nodes.values()].some((n) => !n.principal);
  if (!activity) return null;
  if (![...nodes.values()].some((n) => n.principal)) unknownPrincipal(minOf(spans.map((c) => c.span.startMs)));

  const finishedEdges: TObservedEdge[] = [...edges.entries()].map(([edgeId, e]) => {
    const calls = [...e.calls].sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs || (a.spanId < b.spanId ? -1 : 1));
    const latest = calls.reduce<TObservedCall | null>((l, call) => (l === null || call.endMs >= l.endMs ? call : l), null);
    const shown = calls.slice(Math.max(0, calls.length - options.maxCallsPerEdge));
    // An edge with no call of its own (a root to an agent seen only acting) takes its outcome and
    // times from what that agent did.
    const outgoing = calls.length > 0 ? [] : [...edges.values()].filter((o) => o.from === e.to).flatMap((o) => o.calls);
    const outcome: TOutcome =
      latest?.outcome ??
      (outgoing.some((o) => o.outcome === "failed") ? "failed" : outgoing.some((o) => o.outcome === "pending") ? "pending" : "completed");
    const times = calls.length > 0 ? calls : outgoing;
    return {
      id: edgeId,
      kind: e.kind,
      from: e.from,
      to: e.to,
      dashed: true as const,
      ...(e.mode !== undefined ? { mode: e.mode } : {}),
      ...(e.via !== undefined ? { via: e.via } : {}),
      outcome,
      calls: calls.length,
      failures: calls.filter((call) => call.outcome === "failed").length,
      errorTypes: [...new Set(calls.map((call) => call.errorType).filter((x): x is string => x !== null))].sort(),
      firstMs: minOf(
        times.map((t) => t.startMs),
        nodes.get(e.to)!.firstMs,
      ),
      lastMs: maxOf(
        times.map((t) => t.endMs),
        nodes.get(e.to)!.firstMs,
      ),
      spans: shown,
      hiddenCalls: calls.length - shown.length,
    };
  });
  finishedEdges.sort((a, b) => a.firstMs - b.firstMs || (a.id < b.id ? -1 : 1));

  const rank = (n: TNodeBuild) => (n.principal ? (n.kind === "human" ? 0 : 1) : 2);
  const finishedNodes: TObservedNode[] = [...nodes.values()]
    .sort((a, b) => rank(a) - rank(b) || a.firstMs - b.firstMs || (a.id < b.id ? -1 : 1))
    .map(({ services, producers: p, assertedBy, principal: _principal, ...rest }) => {
      const out: TObservedNode = { ...rest, services: [...services].sort(), producers: [...p].sort() };
      if (assertedBy) {
        out.assertedBy = [...assertedBy].sort();
        out.note = `asserted by ${out.assertedBy.join(", ")}`;
      }
      return out;
    });

  const humans = finishedNodes.filter((n) => n.kind === "human" && nodes.get(n.id)!.principal);
  const worst = finishedEdges.some((e) => e.outcome === "failed")
    ? "failed"
    : finishedEdges.some((e) => e.outcome === "pending")
      ? "pending"
      : "completed";
  return {
    id,
    status: "observed",
    traceIds,
    stitchedBy,
    settling: settlingTraceIds.length > 0,
    settlingTraceIds,
    principal:
      humans.length > 0
        ? { kind: "asserted", userIds: humans.map((h) => h.label).sort(), assertedBy: [...new Set(humans.flatMap((h) => h.assertedBy ?? []))].sort() }
        : { kind: "unknown" },
    nodes: finishedNodes,
    edges: finishedEdges,
    producers: [...producers].sort(),
    spanCount: spans.length,
    llmCalls,
    outcome: worst,
    startMs: minOf(spans.map((c) => c.span.startMs)),
    endMs: maxOf(spans.map((c) => c.span.endMs)),
  };
}

export function assembleObserved(spans: readonly TObservedSpan[], options: TAssembleOptions): TObservedAssembly {
  const opts: Required<TAssembleOptions> = {
    now: options.now,
    quietPeriodMs: options.quietPeriodMs ?? DEFAULT_QUIET_PERIOD_MS,
    keepContent: options.keepContent ?? false,
    maxCallsPerEdge: options.maxCallsPerEdge ?? DEFAULT_MAX_CALLS_PER_EDGE,
  };
  const classified = dedupe(spans).map(classifySpan).sort(bySpanOrder);
  const traces = new Map<string, TClassifiedSpan[]>();
  for (const c of classified) {
    if (!traces.has(c.span.traceId)) traces.set(c.span.traceId, []);
    traces.get(c.span.traceId)!.push(c);
  }

  // Stitching: every key a span states joins its trace to the other traces stating it.
  const groups = new UnionFind();
  const keyTraces = new Map<string, { kind: TStitchKind; value: string; traces: Set<string> }>();
  const state = (kind: TStitchKind, value: string | undefined, traceId: string) => {
    if (value === undefined) return;
    const k = `${kind}\u0000${value}`;
    let entry = keyTraces.get(k);
    if (!entry) {
      entry = { kind, value, traces: new Set() };
      keyTraces.set(k, entry);
    }
    entry.traces.add(traceId);
  };
  for (const c of classified) {
    const { traceId } = c.span;
    groups.find(traceId);
    for (const link of c.span.links) {
      if (link.traceId !== traceId && traces.has(link.traceId)) {
        state("link", [traceId, link.traceId].sort().join("~"), traceId);
        state("link", [traceId, link.traceId].sort().join("~"), link.traceId);
      }
    }
    const tp = parseTraceparent(c.facts.traceparent);
    if (tp && tp.traceId !== traceId && traces.has(tp.traceId)) {
      state("traceparent", [traceId, tp.traceId].sort().join("~"), traceId);
      state("traceparent", [traceId, tp.traceId].sort().join("~"), tp.traceId);
    }
    state("conversation", c.facts.conversationId, traceId);
    state("session", c.facts.sessionId, traceId);
    if (c.facts.a2aContextId !== c.facts.conversationId) state("a2a_context", c.facts.a2aContextId, traceId);
    state("a2a_task", c.facts.a2aTaskId, traceId);
    for (const ref of c.facts.a2aReferenceTaskIds ?? []) state("a2a_task", ref, traceId);
  }
  for (const entry of keyTraces.values()) {
    const [firstTrace, ...rest] = [...entry.traces];
    for (const t of rest) groups.union(firstTrace, t);
  }
  const stitchesByGroup = new Map<string, { kind: TStitchKind; value: string }[]>();
  for (const entry of keyTraces.values()) {
    if (entry.traces.size < 2) continue;
    const root = groups.find(entry.traces.values().next().value!);
    if (!stitchesByGroup.has(root)) stitchesByGroup.set(root, []);
    stitchesByGroup.get(root)!.push({ kind: entry.kind, value: entry.value });
  }

  const members = new Map<string, string[]>();
  for (const traceId of traces.keys()) {
    const root = groups.find(traceId);
    if (!members.has(root)) members.set(root, []);
    members.get(root)!.push(traceId);
  }

  const lastActivity = (traceId: string) => maxOf(traces.get(traceId)!.map((c) => c.span.receivedAtMs ?? c.span.endMs));
  const settlingAll = [...traces.keys()].filter((t) => opts.now - lastActivity(t) < opts.quietPeriodMs).sort();
  const settlingSet = new Set(settlingAll);

  const chains: TObservedChain[] = [];
  const ignoredTraceIds: string[] = [];
  for (const [root, traceIdsUnsorted] of members) {
    const traceIds = [...traceIdsUnsorted].sort();
    const spansOfGroup = traceIds.flatMap((t) => traces.get(t)!).sort(bySpanOrder);
    const stitchedBy = (stitchesByGroup.get(root) ?? []).sort((a, b) =>
      a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0,
    );
    const chain = buildChain(
      `obs:${traceIds[0]}`,
      traceIds,
      spansOfGroup,
      stitchedBy,
      traceIds.filter((t) => settlingSet.has(t)),
      opts,
    );
    if (chain === null) ignoredTraceIds.push(...traceIds);
    else chains.push(chain);
  }
  chains.sort((a, b) => a.startMs - b.startMs || (a.id < b.id ? -1 : 1));
  return { chains, ignoredTraceIds: ignoredTraceIds.sort(), settlingTraceIds: settlingAll };
}
