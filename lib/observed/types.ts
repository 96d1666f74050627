// Types of observed chains: spans decoded from OTLP, their classification, and the chains
// assembled from them. Pure data, shared by the decoder, the classifier, the assembler and (later)
// the store, the routes and the dashboard.

/** An attribute value after decoding: OTLP's AnyValue as plain, JSON-storable data. */
export type TAttrValue = string | number | boolean | null | TAttrValue[] | { [key: string]: TAttrValue };
/** Attribute maps have a null prototype: a hostile key such as `__proto__` is an ordinary key. */
export type TAttributes = Record<string, TAttrValue>;

export const SPAN_KINDS = ["unspecified", "internal", "server", "client", "producer", "consumer"] as const;
export type TSpanKind = (typeof SPAN_KINDS)[number];
export const STATUS_CODES = ["unset", "ok", "error"] as const;
export type TStatusCode = (typeof STATUS_CODES)[number];

export type TObservedEvent = { timeUnixNano: string; timeMs: number; name: string; attributes: TAttributes };
export type TObservedLink = { traceId: string; spanId: string; traceState: string; attributes: TAttributes };

/** One span as the decoder hands it on: ids as lowercase hex, times as exact nanosecond strings and ms. */
export type TObservedSpan = {
  traceId: string;
  spanId: string;
  /** null for a root span (empty or all-zero parent id on the wire) */
  parentSpanId: string | null;
  traceState: string;
  name: string;
  kind: TSpanKind;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  startMs: number;
  endMs: number;
  status: { code: TStatusCode; message: string };
  attributes: TAttributes;
  events: TObservedEvent[];
  links: TObservedLink[];
  resource: TAttributes;
  scope: { name: string; version: string };
  dropped: { attributes: number; events: number; links: number };
  /**
   * Content attributes replaced by `sha256:<hex>` digests (`event:<event name>:<key>` for an
   * event's, `link:<key>` for a link's). Empty when the content was kept or there was none.
   */
  redactedKeys: string[];
  /** true when decoded with keepContent: content attributes hold their values, not digests */
  contentKept: boolean;
  /** string values cut to the length limit */
  truncatedValues: number;
  /** when the receiver got the span (ms), for the quiet period; null when the caller did not say */
  receivedAtMs: number | null;
};

export type TOtlpEncoding = "protobuf" | "json";

// ---------------------------------------------------------------------------------------------
// Classification (lib/observed/classify.ts)

export const ROLES = [
  "agent_invoke_client",
  "agent_invoke_internal",
  "agent_create",
  "workflow",
  "tool_execute",
  "handoff",
  "mcp_request",
  "a2a_message",
  "llm_call",
  "other",
] as const;
export type TRole = (typeof ROLES)[number];

/** The instrumentation style a rule recognises. */
export const PRODUCERS = ["genai", "genai_legacy", "openinference", "openllmetry", "mcp", "a2a", "unknown"] as const;
export type TProducer = (typeof PRODUCERS)[number];

/** What the extractors read off one span (and its resource), every field optional. */
export type TSpanFacts = {
  operationName?: string;
  agentId?: string;
  agentName?: string;
  agentVersion?: string;
  toolName?: string;
  toolCallId?: string;
  workflowName?: string;
  conversationId?: string;
  sessionId?: string;
  callerName?: string;
  callerType?: string;
  callerId?: string;
  transferTargetName?: string;
  transferTargetId?: string;
  transferTargetType?: string;
  transferMode?: string;
  transferSourceName?: string;
  transferSourceId?: string;
  userId?: string;
  /** the attribute the user id came from (`user.id`, `enduser.id`, …) */
  userIdKey?: string;
  mcpMethod?: string;
  mcpResourceUri?: string;
  mcpSessionId?: string;
  promptName?: string;
  a2aMethod?: string;
  a2aTaskId?: string;
  a2aTaskState?: string;
  a2aMessageId?: string;
  a2aContextId?: string;
  a2aReferenceTaskIds?: string[];
  errorType?: string;
  graphNodeId?: string;
  graphNodeParentId?: string;
  graphNodeName?: string;
  traceparent?: string;
  serverAddress?: string;
  serviceName?: string;
};

export type TClassifiedSpan = {
  span: TObservedSpan;
  role: TRole;
  producer: TProducer;
  /** id of the rule that matched (lib/observed/classify.ts CLASSIFICATION_RULES) */
  ruleId: string;
  facts: TSpanFacts;
};

// ---------------------------------------------------------------------------------------------
// Observed chains (lib/observed/assemble.ts)

export type TOutcome = "completed" | "failed" | "pending";

export const OBSERVED_NODE_KINDS = ["human", "unknown_principal", "agent", "workflow", "tool", "resource"] as const;
export type TObservedNodeKind = (typeof OBSERVED_NODE_KINDS)[number];

export type TObservedNode = {
  id: string;
  kind: TObservedNodeKind;
  label: string;
  /** humans: the services (resource `service.name`) whose spans assert this user; shown as "asserted by …" */
  assertedBy?: string[];
  /** humans: "asserted by <service>[, <service>]"; the unknown principal: "no producer asserted a user" */
  note?: string;
  agentId?: string;
  agentName?: string;
  agentVersion?: string;
  /** agents: the node whose context created it (a create_agent span); creation draws no edge */
  createdBy?: string;
  /** services whose spans act as or on this node */
  services: string[];
  producers: TProducer[];
  /** spans whose target this node is */
  spanCount: number;
  /** LLM calls made in this node's context */
  llmCalls: number;
  firstMs: number;
};

export const OBSERVED_EDGE_KINDS = ["root", "agent_call", "handoff", "tool_call", "resource_access"] as const;
export type TObservedEdgeKind = (typeof OBSERVED_EDGE_KINDS)[number];

export type TObservedCall = {
  traceId: string;
  spanId: string;
  startMs: number;
  endMs: number;
  outcome: TOutcome;
  errorType: string | null;
  statusMessage: string | null;
  /** digests of the call's content attributes (arguments, results, messages) */
  contentDigests: Record<string, string>;
  /** the content itself, only when assembled with keepContent and the span kept it */
  content?: TAttributes;
  /**
   * captures only: an AIP token travelled with the call (`from` names where). `rejected` is why the
   * AIP import refused it (the call stays observed); null when it verified, and the invoke it became
   * is then a signed event whose traceparent names this call (TChainDetail.observedSigned).
   */
  aip?: { from: string; rejected: string | null };
};

export type TObservedEdge = {
  id: string;
  kind: TObservedEdgeKind;
  from: string;
  to: string;
  /** observed edges are never signed: the UI draws them dashed */
  dashed: true;
  /** handoffs: gen_ai.transfer.mode when the producer recorded it */
  mode?: string;
  /** the protocol the call went through, when it was MCP or A2A */
  via?: "mcp" | "a2a";
  /** outcome of the latest call */
  outcome: TOutcome;
  calls: number;
  failures: number;
  errorTypes: string[];
  firstMs: number;
  lastMs: number;
  /** the calls, oldest first, at most the assemble option maxCallsPerEdge */
  spans: TObservedCall[];
  /** calls beyond maxCallsPerEdge, counted and not listed */
  hiddenCalls: number;
};

export const STITCH_KINDS = ["link", "traceparent", "conversation", "session", "a2a_task", "a2a_context"] as const;
export type TStitchKind = (typeof STITCH_KINDS)[number];

export type TObservedChain = {
  /** `obs:<trace id>` of the smallest trace id in the stitched group */
  id: string;
  status: "observed";
  traceIds: string[];
  /** what joined the traces: one entry per distinct key that linked two or more traces */
  stitchedBy: { kind: TStitchKind; value: string }[];
  /** some trace still had spans arriving within the quiet period */
  settling: boolean;
  settlingTraceIds: string[];
  principal: { kind: "asserted"; userIds: string[]; assertedBy: string[] } | { kind: "unknown" };
  nodes: TObservedNode[];
  edges: TObservedEdge[];
  producers: TProducer[];
  spanCount: number;
  llmCalls: number;
  outcome: TOutcome;
  startMs: number;
  endMs: number;
};

export type TObservedAssembly = {
  chains: TObservedChain[];
  /** traces that hold no agent, tool or resource activity (plain service telemetry): no chain */
  ignoredTraceIds: string[];
  /** every trace still within its quiet period */
  settlingTraceIds: string[];
};
