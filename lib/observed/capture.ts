// Captures (POST /api/v1/captures, docs/observed.md): MCP request/response records and A2A task
// messages, as seen by a proxy or a gateway, turned into the spans an instrumented client would
// have exported, so they take the same road as OTLP spans (classification, assembly, storage).
//
// One capture becomes two spans in one trace:
// - the calling agent's span (invoke_agent, INTERNAL): the agent is the bearer token's actor
//   (`act.sub`), else its client (`azp`, `client_id`), else the capture's `client` name; the user
//   is the token's `sub` when an actor acts for it (or when the token names a client besides its
//   subject), asserted by the capture's service. Its span id depends only on the trace and the
//   agent, so every call of one agent in one session shares it.
// - the call itself, a child of it: an MCP `mcp.method.name` span (tools/call → the tool,
//   resources/read → the resource, prompts/get → the prompt) or an A2A `a2a.method.name` CLIENT span
//   to the remote agent (`server` names it), with the message, task and context ids.
// The trace is the `traceparent` header's when the caller propagated one, else one per MCP session
// (`Mcp-Session-Id`) or A2A context, else one per capture. Outcomes: HTTP status ≥ 400, a JSON-RPC
// error, `isError` (MCP tool results) or a failed A2A task state set `error.type`.
//
// Privacy: the raw bearer token is never kept, only the claims named above (decoded, not verified:
// they are observed context, like any span attribute). Tool arguments, results and message parts
// become SHA-256 digests unless keepContent.
import { createHash } from "node:crypto";
import { contentDigest } from "./content";
import type { TAttrValue, TAttributes, TObservedSpan } from "./types";

export type TCaptureRecord = {
  kind: "mcp" | "a2a";
  /** ms since the epoch (or an ISO 8601 string) */
  startedAt: number | string;
  endedAt?: number | string;
  /** the MCP server or A2A agent URL the request went to */
  server?: string;
  /** the name of the capturing proxy or gateway (resource service.name); default "delegraph-capture" */
  service?: string;
  /** a name for the caller when its token names none */
  client?: string;
  request: { headers?: Record<string, string | string[] | undefined>; body: unknown };
  response?: { status?: number; headers?: Record<string, string | string[] | undefined>; body?: unknown; isError?: boolean };
};

export type TCaptureContext = {
  sub?: string;
  azp?: string;
  aud?: string;
  scope?: string;
  actor?: string;
  /** the token's issuer, when it named one */
  iss?: string;
};

/** Call-span attributes the capture service sets (never taken from OTLP: stripAipAttributes). */
export const AIP_FROM = "delegraph.aip.from";
export const AIP_REJECTED = "delegraph.aip.rejected";

/** Removes the capture service's AIP attributes from spans a producer sent: only captures set them. */
export function stripAipAttributes(spans: TObservedSpan[]): void {
  for (const s of spans) {
    delete s.attributes[AIP_FROM];
    delete s.attributes[AIP_REJECTED];
  }
}

const MAX_STRING = 65_536;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

const hex = (text: string, length: number) => createHash("sha256").update(text, "utf8").digest("hex").slice(0, length);
const cut = (s: string) => (s.length > MAX_STRING ? s.slice(0, MAX_STRING) : s);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? cut(v) : typeof v === "number" ? String(v) : undefined);

function header(headers: TCaptureRecord["request"]["headers"], name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name) continue;
    const value = Array.isArray(v) ? v[0] : v;
    return typeof value === "string" ? value : undefined;
  }
  return undefined;
}

function timeMs(t: number | string | undefined): number | null {
  if (t === undefined) return null;
  const ms = typeof t === "number" ? t : Date.parse(t);
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

/** The claims of a bearer JWT worth keeping as observed context; the token itself is dropped here. */
export function bearerContext(authorization: string | undefined): TCaptureContext {
  const m = authorization ? /^Bearer\s+([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)\s*$/i.exec(authorization) : null;
  if (!m) return {};
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(m[2], "base64url").toString("utf8"));
  } catch {
    return {};
  }
  if (!isObject(claims)) return {};
  const aud = Array.isArray(claims.aud) ? claims.aud.filter((a) => typeof a === "string").join(" ") : str(claims.aud);
  const scope = str(claims.scope) ?? (Array.isArray(claims.scp) ? claims.scp.filter((s) => typeof s === "string").join(" ") : str(claims.scp));
  const actor = isObject(claims.act) ? str(claims.act.sub) : undefined;
  const out: TCaptureContext = {};
  if (str(claims.sub)) out.sub = str(claims.sub);
  const azp = str(claims.azp) ?? str(claims.client_id);
  if (azp) out.azp = azp;
  if (aud) out.aud = aud;
  if (scope) out.scope = scope;
  if (actor) out.actor = actor;
  if (str(claims.iss)) out.iss = str(claims.iss);
  return out;
}

/**
 * An AIP token presented with the call, and the call as the capture saw it: the service verifies
 * the token with the AIP import and, when it verifies, stores the call as an invoke under it
 * (lib/protocol/aip/presented.ts). The token itself is never put on a span.
 */
export type TCaptureAip = {
  token: string;
  /** where it was found: "X-AIP-Token", "params._meta.aip_token", "params.metadata.aip_token", "params.message.metadata.aip_token" */
  from: string;
  via: "mcp" | "a2a";
  /** the MCP tool, resource URI or prompt name; the A2A method */
  action: string;
  /** the MCP server or A2A agent */
  resource: string;
  /** ms */
  startMs: number;
  /** the call span's trace context: 00-<trace>-<span>-01 */
  traceparent: string;
  observedBy: string;
};

export type TCaptureResult = { ok: true; spans: TObservedSpan[]; aip?: TCaptureAip } | { ok: false; reason: string };

/** Where an AIP token travels with a call, first found first: the HTTP header, MCP's `_meta`, A2A metadata. */
export function aipTokenOf(record: Pick<TCaptureRecord, "request">): { token: string; from: string } | null {
  const fromHeader = header(record.request.headers, "x-aip-token")?.trim();
  if (fromHeader) return { token: fromHeader, from: "X-AIP-Token" };
  const body = record.request.body;
  const params = isObject(body) && isObject(body.params) ? body.params : {};
  const message = isObject(params.message) ? params.message : {};
  const places: [unknown, string][] = [
    [params._meta, "params._meta.aip_token"],
    [params.metadata, "params.metadata.aip_token"],
    [message.metadata, "params.message.metadata.aip_token"],
  ];
  for (const [holder, from] of places) {
    const t = isObject(holder) && typeof holder.aip_token === "string" ? holder.aip_token.trim() : "";
    if (t) return { token: t, from };
  }
  return null;
}

function jsonRpcError(body: unknown): string | undefined {
  if (!isObject(body) || !isObject(body.error)) return undefined;
  return `jsonrpc:${typeof body.error.code === "number" ? body.error.code : "error"}`;
}

const A2A_FAILED = new Set(["failed", "rejected", "canceled", "task_state_failed", "task_state_rejected", "task_state_canceled"]);

/** The spans one capture stands for, or why it cannot be read. */
export function captureToSpans(record: TCaptureRecord, options: { keepContent: boolean; receivedAtMs: number }): TCaptureResult {
  const body = record.request.body;
  if (!isObject(body) || typeof body.method !== "string" || body.method.length === 0) {
    return { ok: false, reason: "request.body is not a JSON-RPC request (an object with a string method)" };
  }
  const start = timeMs(record.startedAt);
  if (start === null) return { ok: false, reason: "startedAt is not a time" };
  const end = Math.max(start, timeMs(record.endedAt) ?? start);
  const method = cut(body.method);
  const params = isObject(body.params) ? body.params : {};
  const headers = record.request.headers;
  const context = bearerContext(header(headers, "authorization"));
  const service = str(record.service) ?? "delegraph-capture";
  let serverHost: string | undefined;
  try {
    serverHost = record.server ? new URL(record.server).host : undefined;
  } catch {
    serverHost = str(record.server);
  }

  const attrs = Object.create(null) as TAttributes;
  const redacted: string[] = [];
  const content = (key: string, value: unknown) => {
    if (value === undefined) return;
    const text = cut(typeof value === "string" ? value : JSON.stringify(value));
    if (options.keepContent) attrs[key] = text;
    else {
      attrs[key] = contentDigest(text);
      redacted.push(key);
    }
  };

  // Trace and parent: the caller's propagated context, else a session, else this capture alone.
  const tp = TRACEPARENT.exec((header(headers, "traceparent") ?? "").trim().toLowerCase());
  const session = header(headers, "mcp-session-id");
  const message = isObject(params.message) ? params.message : {};
  const contextId = str(message.contextId) ?? str(message.context_id);
  const rpcId = str(body.id) ?? "";
  const traceId =
    tp && !/^0+$/.test(tp[1]) ? tp[1] : hex(`capture-trace\u0000${session ?? contextId ?? `${start}\u0000${rpcId}\u0000${method}`}`, 32);
  const agent = context.actor ?? context.azp ?? str(record.client);
  const agentSpanId = hex(`capture-agent\u0000${traceId}\u0000${agent ?? ""}`, 16);
  const callSpanId = hex(`capture-call\u0000${traceId}\u0000${session ?? ""}\u0000${rpcId}\u0000${method}\u0000${start}`, 16);

  const response = record.response ?? {};
  let errorType: string | undefined;
  if (typeof response.status === "number" && response.status >= 400) errorType = `http.${response.status}`;
  errorType ??= jsonRpcError(response.body);
  const result = isObject(response.body) && isObject(response.body.result) ? response.body.result : undefined;

  if (record.kind === "mcp") {
    attrs["mcp.method.name"] = method;
    if (session) attrs["mcp.session.id"] = cut(session);
    const protocol = header(headers, "mcp-protocol-version");
    if (protocol) attrs["mcp.protocol.version"] = cut(protocol);
    if (method === "tools/call") {
      if (str(params.name)) attrs["gen_ai.tool.name"] = str(params.name)!;
      content("gen_ai.tool.call.arguments", params.arguments);
      content("gen_ai.tool.call.result", result);
      if (response.isError === true || result?.isError === true) errorType ??= "tool_error";
    } else if (method.startsWith("resources/") && str(params.uri)) {
      attrs["mcp.resource.uri"] = str(params.uri)!;
    } else if (method === "prompts/get" && str(params.name)) {
      attrs["gen_ai.prompt.name"] = str(params.name)!;
    }
  } else {
    attrs["a2a.method.name"] = method;
    if (str(message.messageId)) attrs["a2a.message.id"] = str(message.messageId)!;
    const taskId = str(message.taskId) ?? str(isObject(result) ? result.id : undefined);
    if (taskId) attrs["a2a.task.id"] = taskId;
    const resultContext = str(isObject(result) ? result.contextId : undefined);
    if (contextId ?? resultContext) attrs["gen_ai.conversation.id"] = (contextId ?? resultContext)!;
    const status = isObject(result) && isObject(result.status) ? str(result.status.state) : undefined;
    if (status) {
      attrs["a2a.task.state"] = status;
      if (A2A_FAILED.has(status.toLowerCase())) errorType ??= `a2a:${status.toLowerCase().replace(/^task_state_/, "")}`;
    }
    const remote = isObject(params.metadata) ? str(params.metadata.agent_name) : undefined;
    attrs["gen_ai.agent.name"] = remote ?? serverHost ?? "remote agent";
    content("gen_ai.input.messages", message.parts);
    content("gen_ai.output.messages", result);
  }
  if (serverHost) attrs["server.address"] = serverHost;
  if (errorType) attrs["error.type"] = errorType;
  if (context.scope) attrs["delegraph.capture.scope"] = context.scope;
  if (context.aud) attrs["delegraph.capture.aud"] = context.aud;

  const resource = Object.assign(Object.create(null) as TAttributes, { "service.name": service } as Record<string, TAttrValue>);
  const agentAttrs = Object.create(null) as TAttributes;
  agentAttrs["gen_ai.operation.name"] = "invoke_agent";
  agentAttrs["gen_ai.agent.name"] = agent ?? "unidentified client";
  // The token's subject is a user only when someone else (an actor or a named client) acts for it.
  if (context.sub && context.sub !== agent && (context.actor || context.azp)) agentAttrs["user.id"] = context.sub;

  const ns = (ms: number) => `${Math.round(ms)}000000`;
  const base = {
    traceState: "",
    startTimeUnixNano: ns(start),
    endTimeUnixNano: ns(end),
    startMs: start,
    endMs: end,
    events: [],
    links: [],
    resource,
    scope: { name: "delegraph.capture", version: "1" },
    dropped: { attributes: 0, events: 0, links: 0 },
    contentKept: options.keepContent,
    truncatedValues: 0,
    receivedAtMs: options.receivedAtMs,
  };
  const agentSpan: TObservedSpan = {
    ...base,
    traceId,
    spanId: agentSpanId,
    parentSpanId: tp ? tp[2] : null,
    name: `invoke_agent ${agent ?? "unidentified client"}`,
    kind: "internal",
    status: { code: "unset", message: "" },
    attributes: agentAttrs,
    redactedKeys: [],
  };
  const callSpan: TObservedSpan = {
    ...base,
    traceId,
    spanId: callSpanId,
    parentSpanId: agentSpanId,
    name: record.kind === "mcp" && typeof attrs["gen_ai.tool.name"] === "string" ? `${method} ${attrs["gen_ai.tool.name"]}` : method,
    kind: "client",
    status: errorType ? { code: "error", message: errorType } : { code: "unset", message: "" },
    attributes: attrs,
    redactedKeys: redacted,
  };
  const presented = aipTokenOf(record);
  if (!presented) return { ok: true, spans: [agentSpan, callSpan] };
  const action = record.kind === "mcp" ? (str(params.name) ?? str(params.uri) ?? method) : method;
  const aip: TCaptureAip = {
    ...presented,
    via: record.kind,
    action,
    resource: str(record.server) ?? (typeof attrs["gen_ai.agent.name"] === "string" ? attrs["gen_ai.agent.name"] : "unknown server"),
    startMs: start,
    traceparent: `00-${traceId}-${callSpanId}-01`,
    observedBy: service,
  };
  return { ok: true, spans: [agentSpan, callSpan], aip };
}
