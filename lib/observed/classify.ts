// Classification as data: which role a span plays in a delegation, and what it says about who.
//
// CLASSIFICATION_RULES is priority-ordered; the first rule whose conditions all hold decides the
// role. A condition names a list of alias keys (the first one present is read) and either the
// values it must take (compared case-insensitively) or mere presence. FACT_ALIASES says where each
// fact (agent name, tool name, conversation id, …) is read from, first alias first.
//
// Attribute names are the producers' own, verbatim:
// - OpenTelemetry GenAI semantic conventions (open-telemetry/semantic-conventions-genai, registry
//   and spans): gen_ai.operation.name ∈ {invoke_agent (CLIENT and INTERNAL spans), create_agent,
//   invoke_workflow, execute_tool, chat, text_completion, generate_content, embeddings, retrieval};
//   gen_ai.agent.{id,name,version}, gen_ai.tool.{name,call.id}, gen_ai.workflow.name,
//   gen_ai.conversation.id, gen_ai.caller.{type,name} (the invoke_agent caller refinement),
//   gen_ai.transfer.{mode,target.name,target.id,target.type} (the execute_tool transfer refinement),
//   gen_ai.provider.name, gen_ai.request.model, error.type.
// - Older agent-handoff names still emitted in the field: gen_ai.agent.handoff.{source,target}.name,
//   gen_ai.agent.handoff.{target,from,to} and gen_ai.handoff.{from_agent,to_agent}[.name|.id]
//   (OpenAI Agents and Traceloop instrumentations); gen_ai.system.
// - MCP (semantic-conventions-genai model/mcp): mcp.method.name, mcp.resource.uri, mcp.session.id,
//   gen_ai.tool.name and gen_ai.prompt.name on tools/call and prompts/get.
// - A2A (model/a2a): a2a.method.name, a2a.task.id, a2a.task.state, a2a.message.id,
//   a2a.message.reference_task_ids; the A2A contextId is recorded as gen_ai.conversation.id.
// - OpenInference: openinference.span.kind ∈ {AGENT, TOOL, CHAIN, LLM, EMBEDDING, RETRIEVER,
//   RERANKER, …}, agent.name, tool.name, graph.node.{id,name,parent_id}, session.id, user.id.
// - OpenLLMetry (Traceloop): traceloop.span.kind ∈ {workflow, task, agent, tool},
//   traceloop.entity.name, traceloop.workflow.name, traceloop.association.properties.{user_id,session_id},
//   llm.request.type.
// - The human: user.id, or the deprecated enduser.id, when a producer asserts one.
import type { TAttrValue, TAttributes, TClassifiedSpan, TObservedSpan, TProducer, TRole, TSpanFacts, TSpanKind } from "./types";

type TCondition =
  { keys: readonly string[]; equals: readonly string[] } | { keys: readonly string[]; present: true } | { spanKind: readonly TSpanKind[] };

type TNameFacts = "agentName" | "toolName" | "workflowName";

export type TClassificationRule = {
  id: string;
  role: TRole;
  producer: TProducer;
  when: readonly TCondition[];
  /** extra places this rule's spans keep a name, read after the general aliases */
  names?: Partial<Record<TNameFacts, readonly string[]>>;
};

const OP = ["gen_ai.operation.name"] as const;
const OI_KIND = ["openinference.span.kind"] as const;
const TL_KIND = ["traceloop.span.kind"] as const;

export const CLASSIFICATION_RULES: readonly TClassificationRule[] = [
  // Handoffs first: a transfer is recorded on an execute_tool span, which must not count as a tool call.
  {
    id: "genai.transfer",
    role: "handoff",
    producer: "genai",
    when: [{ keys: ["gen_ai.transfer.target.name", "gen_ai.transfer.target.id"], present: true }],
  },
  {
    id: "legacy.agent_handoff",
    role: "handoff",
    producer: "genai_legacy",
    when: [{ keys: ["gen_ai.agent.handoff.target.name", "gen_ai.agent.handoff.target", "gen_ai.agent.handoff.to"], present: true }],
  },
  {
    id: "legacy.handoff_to_agent",
    role: "handoff",
    producer: "genai_legacy",
    when: [{ keys: ["gen_ai.handoff.to_agent", "gen_ai.handoff.to_agent.name", "gen_ai.handoff.to_agent.id"], present: true }],
  },
  // Protocol spans before generic operations: an MCP tools/call also says execute_tool.
  { id: "a2a", role: "a2a_message", producer: "a2a", when: [{ keys: ["a2a.method.name"], present: true }] },
  { id: "mcp", role: "mcp_request", producer: "mcp", when: [{ keys: ["mcp.method.name"], present: true }] },
  {
    id: "genai.invoke_agent.client",
    role: "agent_invoke_client",
    producer: "genai",
    when: [{ keys: OP, equals: ["invoke_agent"] }, { spanKind: ["client"] }],
  },
  { id: "genai.invoke_agent", role: "agent_invoke_internal", producer: "genai", when: [{ keys: OP, equals: ["invoke_agent"] }] },
  { id: "genai.create_agent", role: "agent_create", producer: "genai", when: [{ keys: OP, equals: ["create_agent"] }] },
  { id: "genai.invoke_workflow", role: "workflow", producer: "genai", when: [{ keys: OP, equals: ["invoke_workflow"] }] },
  { id: "genai.execute_tool", role: "tool_execute", producer: "genai", when: [{ keys: OP, equals: ["execute_tool"] }] },
  {
    id: "genai.inference",
    role: "llm_call",
    producer: "genai",
    when: [{ keys: OP, equals: ["chat", "text_completion", "generate_content", "embeddings", "retrieval"] }],
  },
  {
    id: "openinference.agent",
    role: "agent_invoke_internal",
    producer: "openinference",
    when: [{ keys: OI_KIND, equals: ["AGENT"] }],
    names: { agentName: ["graph.node.name"] },
  },
  { id: "openinference.tool", role: "tool_execute", producer: "openinference", when: [{ keys: OI_KIND, equals: ["TOOL"] }] },
  {
    id: "openinference.llm",
    role: "llm_call",
    producer: "openinference",
    when: [{ keys: OI_KIND, equals: ["LLM", "EMBEDDING", "RETRIEVER", "RERANKER"] }],
  },
  { id: "openinference.other", role: "other", producer: "openinference", when: [{ keys: OI_KIND, present: true }] },
  {
    id: "openllmetry.agent",
    role: "agent_invoke_internal",
    producer: "openllmetry",
    when: [{ keys: TL_KIND, equals: ["agent"] }],
    names: { agentName: ["traceloop.entity.name"] },
  },
  {
    id: "openllmetry.tool",
    role: "tool_execute",
    producer: "openllmetry",
    when: [{ keys: TL_KIND, equals: ["tool"] }],
    names: { toolName: ["traceloop.entity.name"] },
  },
  {
    id: "openllmetry.workflow",
    role: "workflow",
    producer: "openllmetry",
    when: [{ keys: TL_KIND, equals: ["workflow"] }],
    names: { workflowName: ["traceloop.entity.name"] },
  },
  { id: "openllmetry.other", role: "other", producer: "openllmetry", when: [{ keys: TL_KIND, present: true }] },
  { id: "openllmetry.llm", role: "llm_call", producer: "openllmetry", when: [{ keys: ["llm.request.type"], present: true }] },
  {
    id: "genai.legacy_llm",
    role: "llm_call",
    producer: "genai_legacy",
    when: [{ keys: ["gen_ai.system", "gen_ai.provider.name", "gen_ai.request.model"], present: true }],
  },
];

const FALLBACK: TClassificationRule = { id: "other", role: "other", producer: "unknown", when: [] };

type TStringFact = Exclude<keyof TSpanFacts, "a2aReferenceTaskIds" | "userIdKey">;

/** Where each fact is read from, first alias first (span attributes; `resource` facts fall back to the resource). */
export const FACT_ALIASES: Readonly<Record<TStringFact, readonly string[]>> = {
  operationName: ["gen_ai.operation.name"],
  agentId: ["gen_ai.agent.id"],
  agentName: ["gen_ai.agent.name", "agent.name"],
  agentVersion: ["gen_ai.agent.version"],
  toolName: ["gen_ai.tool.name", "tool.name", "tool_call.function.name"],
  toolCallId: ["gen_ai.tool.call.id", "tool_call.id"],
  workflowName: ["gen_ai.workflow.name", "traceloop.workflow.name"],
  conversationId: ["gen_ai.conversation.id"],
  sessionId: ["session.id", "traceloop.association.properties.session_id"],
  callerName: ["gen_ai.caller.name"],
  callerType: ["gen_ai.caller.type"],
  callerId: ["gen_ai.caller.id"],
  transferTargetName: [
    "gen_ai.transfer.target.name",
    "gen_ai.agent.handoff.target.name",
    "gen_ai.agent.handoff.target",
    "gen_ai.agent.handoff.to",
    "gen_ai.handoff.to_agent",
    "gen_ai.handoff.to_agent.name",
  ],
  transferTargetId: ["gen_ai.transfer.target.id", "gen_ai.handoff.to_agent.id"],
  transferTargetType: ["gen_ai.transfer.target.type"],
  transferMode: ["gen_ai.transfer.mode"],
  transferSourceName: [
    "gen_ai.agent.handoff.source.name",
    "gen_ai.agent.handoff.from",
    "gen_ai.handoff.from_agent",
    "gen_ai.handoff.from_agent.name",
  ],
  transferSourceId: ["gen_ai.handoff.from_agent.id"],
  userId: ["user.id", "enduser.id", "traceloop.association.properties.user_id"],
  mcpMethod: ["mcp.method.name"],
  mcpResourceUri: ["mcp.resource.uri"],
  mcpSessionId: ["mcp.session.id"],
  promptName: ["gen_ai.prompt.name"],
  a2aMethod: ["a2a.method.name"],
  a2aTaskId: ["a2a.task.id"],
  a2aTaskState: ["a2a.task.state"],
  a2aMessageId: ["a2a.message.id"],
  a2aContextId: ["a2a.context.id"],
  errorType: ["error.type"],
  graphNodeId: ["graph.node.id"],
  graphNodeParentId: ["graph.node.parent_id"],
  graphNodeName: ["graph.node.name"],
  traceparent: ["traceparent", "w3c.traceparent"],
  serverAddress: ["server.address"],
  serviceName: [],
};

/**
 * Facts a producer may assert on the resource instead of each span. Agent identity is not among
 * them: on a span it says which agent acts, and a process may host several.
 */
const RESOURCE_FALLBACK: ReadonlySet<TStringFact> = new Set(["userId"]);

/** Facts are identifiers and labels: a longer value is cut here, so a node id stays a reasonable key. */
export const MAX_FACT_LENGTH = 512;

function asText(v: TAttrValue | undefined): string | undefined {
  if (typeof v === "string") {
    const s = v.trim();
    return s === "" ? undefined : s.slice(0, MAX_FACT_LENGTH);
  }
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

function first(attrs: TAttributes, keys: readonly string[]): { key: string; value: string } | undefined {
  for (const key of keys) {
    const value = asText(attrs[key]);
    if (value !== undefined) return { key, value };
  }
  return undefined;
}

function holds(span: TObservedSpan, c: TCondition): boolean {
  if ("spanKind" in c) return c.spanKind.includes(span.kind);
  const found = first(span.attributes, c.keys);
  if (found === undefined) return false;
  if ("present" in c) return true;
  const value = found.value.toLowerCase();
  return c.equals.some((e) => e.toLowerCase() === value);
}

export function matchRule(span: TObservedSpan): TClassificationRule {
  return CLASSIFICATION_RULES.find((rule) => rule.when.every((c) => holds(span, c))) ?? FALLBACK;
}

/** Every alias key → the facts it can state and its rank among that fact's aliases (0 = first). */
const FACT_INDEX: ReadonlyMap<string, readonly { fact: TStringFact; rank: number }[]> = (() => {
  const index = new Map<string, { fact: TStringFact; rank: number }[]>();
  for (const fact of Object.keys(FACT_ALIASES) as TStringFact[]) {
    FACT_ALIASES[fact].forEach((key, rank) => {
      if (!index.has(key)) index.set(key, []);
      index.get(key)!.push({ fact, rank });
    });
  }
  return index;
})();

/**
 * One pass over the span's own attributes (usually a dozen) instead of one lookup per alias (about
 * seventy): for each fact the best-ranked alias present wins. A `traceparent` may also come as any
 * `<prefix>.traceparent`, ranked after the listed aliases.
 */
export function extractFacts(span: TObservedSpan, rule: TClassificationRule): TSpanFacts {
  const facts: TSpanFacts = {};
  const ranks: Partial<Record<TStringFact, number>> = {};
  const attrs = span.attributes;
  for (const key in attrs) {
    const entries = FACT_INDEX.get(key);
    if (entries === undefined) {
      if (key.endsWith(".traceparent") && ranks.traceparent === undefined) {
        const value = asText(attrs[key]);
        if (value !== undefined) {
          facts.traceparent = value;
          ranks.traceparent = Number.MAX_SAFE_INTEGER;
        }
      }
      continue;
    }
    const value = asText(attrs[key]);
    if (value === undefined) continue;
    for (const { fact, rank } of entries) {
      const held = ranks[fact];
      if (held !== undefined && held <= rank) continue;
      facts[fact] = value;
      ranks[fact] = rank;
      if (fact === "userId") facts.userIdKey = key;
    }
  }
  if (rule.names) {
    for (const fact of Object.keys(rule.names) as TNameFacts[]) {
      if (facts[fact] !== undefined) continue;
      const found = first(attrs, rule.names[fact]!);
      if (found !== undefined) facts[fact] = found.value;
    }
  }
  for (const fact of RESOURCE_FALLBACK) {
    if (facts[fact] !== undefined) continue;
    const found = first(span.resource, FACT_ALIASES[fact]);
    if (found === undefined) continue;
    facts[fact] = found.value;
    if (fact === "userId") facts.userIdKey = found.key;
  }
  const service = asText(span.resource["service.name"]);
  if (service !== undefined) facts.serviceName = service;
  const refs = attrs["a2a.message.reference_task_ids"];
  const refList = (Array.isArray(refs) ? refs : [refs]).map(asText).filter((x): x is string => x !== undefined);
  if (refList.length > 0) facts.a2aReferenceTaskIds = refList.slice(0, 64);
  // A2A records its contextId as gen_ai.conversation.id (model/a2a/common.yaml).
  if (facts.a2aContextId === undefined && rule.role === "a2a_message" && facts.conversationId !== undefined)
    facts.a2aContextId = facts.conversationId;
  return facts;
}

export function classifySpan(span: TObservedSpan): TClassifiedSpan {
  const rule = matchRule(span);
  return { span, role: rule.role, producer: rule.producer, ruleId: rule.id, facts: extractFacts(span, rule) };
}
