// Observed chains: the delegation teams already run, mapped from the OpenTelemetry, MCP and A2A
// traffic their instrumentation exports. The pure core: decoding, classification, assembly. No
// database, no HTTP, no React (the store, the route, the dashboard and the exports build on it).
//
// Receiving (POST /api/otel/v1/traces, an exporter configured with endpoint `http://<host>/api/otel`):
//
//   const r = decodeExportRequest(body, req.headers.get("content-type"), req.headers.get("content-encoding"),
//     { keepContent: env.DELEGRAPH_KEEP_CONTENT, receivedAtMs: Date.now() });
//   if (!r.ok) → respond r.status (400 | 413) with encodeErrorStatus(r, r.encoding) (or the house envelope)
//   else       → store r.spans; respond 200 with encodeExportResponse(r, r.encoding)
//
// - decodeExportRequest(body, contentType, contentEncoding, options?) → TDecodeResult. Synchronous,
//   never throws. `application/x-protobuf` or `application/json` (anything else: 400 "wrong content
//   type"), gzip or identity. Bounds (DEFAULT_OTLP_LIMITS, each overridable): body 8 MiB and 16 MiB
//   inflated (413), 10 000 spans (413), 1 000 000 values (413), 4096 attributes per list, 1024
//   events and links per span, 65 536 array items, value depth 16, keys of 1024 characters (400);
//   strings are cut at 65 536 characters. A span with unusable ids or times is refused alone and
//   counted in `rejectedSpans` / `errorMessage` (the partial_success of the answer).
// - encodeExportResponse({rejectedSpans, errorMessage}, encoding) → {body, contentType}: an
//   ExportTraceServiceResponse, with partial_success when spans were refused.
// - encodeErrorStatus({status, reason}, encoding) → {body, contentType}: the google.rpc.Status an
//   OTLP client expects with a 4xx.
// - Content (gen_ai.input.messages, gen_ai.output.messages, gen_ai.system_instructions, tool call
//   arguments and results, input.value / output.value, …: lib/observed/content.ts) is replaced by
//   `sha256:<hex>` while decoding, unless keepContent; span.redactedKeys lists what was replaced.
//
// Classifying (lib/observed/classify.ts, data not branches):
// - CLASSIFICATION_RULES: priority-ordered rules (first match wins) from attributes to a TRole:
//   agent_invoke_client, agent_invoke_internal, agent_create, workflow, tool_execute, handoff,
//   mcp_request, a2a_message, llm_call, other. FACT_ALIASES: where each fact is read, with aliases.
// - classifySpan(span) → {span, role, producer, ruleId, facts}.
//
// Assembling (lib/observed/assemble.ts):
// - assembleObserved(spans, {now, quietPeriodMs = 30 000, keepContent = false, maxCallsPerEdge = 50})
//   → {chains, ignoredTraceIds, settlingTraceIds}. Pure and order-independent: pass every stored span
//   of the traces concerned (re-sent spans are de-duplicated). Each chain: id `obs:<smallest trace
//   id>`, status "observed", the traces it stitches and why (span links, traceparent attribute,
//   conversation, session, A2A task/context), its principal (asserted user, "asserted by
//   <service>", or the unknown principal, never inferred), nodes (human, unknown_principal, agent,
//   workflow, tool, resource), dashed edges (root, agent_call, handoff, tool_call,
//   resource_access) with every call's outcome (completed, failed, pending) and content digests,
//   and whether a trace is still settling (a span arrived within the quiet period). Traces with no
//   agent, tool or resource activity make no chain (ignoredTraceIds).
//
// Benchmark: benchObservedIngest({spans, spansPerRequest, gzip}) → spans per second of decode +
// classify + assemble, for protobuf and JSON bodies of one synthetic workload (lib/observed/bench.ts).
// Decisions where the sources are silent: docs/observed.md.
export { assembleObserved, DEFAULT_MAX_CALLS_PER_EDGE, DEFAULT_QUIET_PERIOD_MS, type TAssembleOptions } from "./assemble";
export { benchObservedIngest, type TObservedBenchFigure, type TObservedBenchOptions } from "./bench";
export { CLASSIFICATION_RULES, classifySpan, extractFacts, FACT_ALIASES, matchRule, type TClassificationRule } from "./classify";
export { canonicalJson, contentDigest, isContentKey } from "./content";
export { decodeExportRequest, encodingOf, type TDecodeFailure, type TDecodeOptions, type TDecodeResult, type TDecodeSuccess } from "./otlp/decode";
export { DEFAULT_OTLP_LIMITS, type TOtlpFailure, type TOtlpLimits } from "./otlp/limits";
export { encodeErrorStatus, encodeExportResponse, type TOtlpResponse } from "./otlp/response";
export { OTLP_TRACE_SCHEMA } from "./otlp/schema";
export * from "./types";
