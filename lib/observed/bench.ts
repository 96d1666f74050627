// A pure benchmark of observed-chain ingest: decode + classify + assemble, in spans per second,
// for OTLP protobuf and OTLP/JSON bodies of the same synthetic spans. No server, no database:
// scripts/bench.ts calls it and prints the figures beside the HTTP ones.
//
// The workload is a mix of producer styles (current GenAI spans with a transfer and a remote
// invoke_agent, MCP client/server pairs, OpenInference agents and tools, an LLM call with message
// content), one conversation per trace pair, so stitching and content digests are exercised too.
import { gzipSync } from "node:zlib";
import { assembleObserved } from "./assemble";
import { decodeExportRequest } from "./otlp/decode";
import { ExportTraceServiceRequest } from "./otlp/schema";
import type { TObservedSpan, TOtlpEncoding } from "./types";

export type TObservedBenchOptions = {
  /** spans in the workload (rounded up to whole traces of 10 spans; default 20 000) */
  spans?: number;
  /** spans per request body, as an exporter batches them (default 512) */
  spansPerRequest?: number;
  /** gzip the bodies, as an exporter with compression on would (default false) */
  gzip?: boolean;
};

export type TObservedBenchFigure = {
  encoding: TOtlpEncoding;
  gzip: boolean;
  spans: number;
  requests: number;
  bodyBytes: number;
  decodeMs: number;
  assembleMs: number;
  chains: number;
  /** spans / (decode + assemble) */
  spansPerSec: number;
};

type TJsonKv = { key: string; value: Record<string, unknown> };
const kv = (key: string, value: string | number): TJsonKv =>
  typeof value === "number" ? { key, value: { intValue: value } } : { key, value: { stringValue: value } };

const hex = (n: number, bytes: number) =>
  n
    .toString(16)
    .padStart(bytes * 2, "0")
    .replace(/^0/, "c");
const BASE_NS = 1_768_471_200_000_000_000n; // 2026-01-15T10:00:00Z
const CONTENT = JSON.stringify([{ role: "user", parts: [{ type: "text", content: "x".repeat(800) }] }]);

type TSynthSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: TJsonKv[];
  status?: { code: number; message?: string };
};

/** One trace of ten spans; every pair of traces shares a conversation. */
function synthTrace(t: number, nextSpan: () => string, tag = ""): TSynthSpan[] {
  const traceId = tag + hex(t + 1, 16).slice(tag.length);
  const at = (ms: number) => (BASE_NS + BigInt(t) * 1_000_000_000n + BigInt(ms) * 1_000_000n).toString();
  const spans: TSynthSpan[] = [];
  const add = (name: string, parent: string | undefined, from: number, to: number, kind: number, attributes: TJsonKv[], error = false) => {
    const spanId = nextSpan();
    spans.push({
      traceId,
      spanId,
      ...(parent ? { parentSpanId: parent } : {}),
      name,
      kind,
      startTimeUnixNano: at(from),
      endTimeUnixNano: at(to),
      attributes,
      ...(error ? { status: { code: 2, message: "failed" } } : {}),
    });
    return spanId;
  };
  const agent = `agent-${t % 50}`;
  const root = add(`invoke_agent ${agent}`, undefined, 0, 900, 1, [
    kv("gen_ai.operation.name", "invoke_agent"),
    kv("gen_ai.agent.name", agent),
    kv("gen_ai.agent.id", `asst_${t % 50}`),
    kv("gen_ai.conversation.id", `conv-${tag}${Math.floor(t / 2)}`),
    kv("user.id", `user-${t % 200}`),
  ]);
  add("chat gpt-4.1", root, 10, 200, 3, [
    kv("gen_ai.operation.name", "chat"),
    kv("gen_ai.request.model", "gpt-4.1"),
    kv("gen_ai.input.messages", CONTENT),
    kv("gen_ai.usage.input_tokens", 812),
  ]);
  add("execute_tool lookup", root, 210, 260, 1, [
    kv("gen_ai.operation.name", "execute_tool"),
    kv("gen_ai.tool.name", "lookup"),
    kv("gen_ai.tool.call.arguments", '{"id":42}'),
    kv("gen_ai.agent.name", agent),
  ]);
  const transfer = add("execute_tool transfer", root, 270, 600, 1, [
    kv("gen_ai.operation.name", "execute_tool"),
    kv("gen_ai.tool.name", "transfer_to_specialist"),
    kv("gen_ai.agent.name", agent),
    kv("gen_ai.transfer.mode", "return_to_caller"),
    kv("gen_ai.transfer.target.name", `specialist-${t % 7}`),
  ]);
  const specialist = add(`specialist-${t % 7}`, transfer, 280, 590, 1, [
    kv("openinference.span.kind", "AGENT"),
    kv("agent.name", `specialist-${t % 7}`),
    kv("graph.node.id", `specialist-${t % 7}`),
  ]);
  add(
    "web_search",
    specialist,
    290,
    400,
    1,
    [kv("openinference.span.kind", "TOOL"), kv("tool.name", "web_search"), kv("input.value", '{"q":"otlp"}')],
    t % 10 === 0,
  );
  const mcpCall = add("tools/call create_ticket", specialist, 410, 500, 3, [
    kv("mcp.method.name", "tools/call"),
    kv("gen_ai.tool.name", "create_ticket"),
    kv("gen_ai.operation.name", "execute_tool"),
    kv("server.address", "tickets.internal"),
  ]);
  add("tools/call create_ticket", mcpCall, 420, 490, 2, [kv("mcp.method.name", "tools/call"), kv("gen_ai.tool.name", "create_ticket")]);
  const remote = add("invoke_agent billing", root, 610, 800, 3, [
    kv("gen_ai.operation.name", "invoke_agent"),
    kv("gen_ai.agent.name", "billing"),
    kv("gen_ai.caller.name", agent),
    kv("gen_ai.caller.type", "agent"),
  ]);
  add("invoke_agent billing", remote, 620, 790, 1, [kv("gen_ai.operation.name", "invoke_agent"), kv("gen_ai.agent.name", "billing")]);
  return spans;
}

/** The synthetic spans as OTLP/JSON request documents, spansPerRequest spans each. */
/** `tag` (hex, a few characters) makes one workload's trace and conversation ids its own, for runs against one store. */
export function synthesizeRequests(spanCount: number, spansPerRequest: number, tag = ""): object[] {
  let spanSeq = 0;
  const nextSpan = () => hex(++spanSeq, 8);
  const all: TSynthSpan[] = [];
  for (let t = 0; all.length < spanCount; t++) all.push(...synthTrace(t, nextSpan, tag));
  const requests: object[] = [];
  for (let i = 0; i < all.length; i += spansPerRequest) {
    requests.push({
      resourceSpans: [
        {
          resource: { attributes: [kv("service.name", "bench-app")] },
          scopeSpans: [{ scope: { name: "bench", version: "1.0.0" }, spans: all.slice(i, i + spansPerRequest) }],
        },
      ],
    });
  }
  return requests;
}

/** The same document as protobuf bytes: hex ids become bytes, everything else converts as is. */
export function toProtobuf(doc: object): Buffer {
  const withBytes = JSON.parse(JSON.stringify(doc), (key, value: unknown) =>
    (key === "traceId" || key === "spanId" || key === "parentSpanId") && typeof value === "string" ? Buffer.from(value, "hex") : value,
  ) as Record<string, unknown>;
  return Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(withBytes)).finish());
}

function measure(encoding: TOtlpEncoding, bodies: Buffer[], gzip: boolean): TObservedBenchFigure {
  const contentType = encoding === "protobuf" ? "application/x-protobuf" : "application/json";
  const t0 = performance.now();
  const spans: TObservedSpan[] = [];
  for (const body of bodies) {
    const result = decodeExportRequest(body, contentType, gzip ? "gzip" : null, { receivedAtMs: 0 });
    if (!result.ok) throw new Error(`benchmark body refused: ${result.reason}`);
    for (const s of result.spans) spans.push(s);
  }
  const t1 = performance.now();
  const assembly = assembleObserved(spans, { now: Date.UTC(2026, 0, 16) });
  const t2 = performance.now();
  return {
    encoding,
    gzip,
    spans: spans.length,
    requests: bodies.length,
    bodyBytes: bodies.reduce((n, b) => n + b.length, 0),
    decodeMs: Math.round((t1 - t0) * 10) / 10,
    assembleMs: Math.round((t2 - t1) * 10) / 10,
    chains: assembly.chains.length,
    spansPerSec: Math.round(spans.length / ((t2 - t0) / 1000)),
  };
}

export function benchObservedIngest(options: TObservedBenchOptions = {}): { protobuf: TObservedBenchFigure; json: TObservedBenchFigure } {
  const spanCount = options.spans ?? 20_000;
  const perRequest = options.spansPerRequest ?? 512;
  const gzip = options.gzip ?? false;
  const docs = synthesizeRequests(spanCount, perRequest);
  const pack = (b: Buffer) => (gzip ? gzipSync(b) : b);
  const protobufBodies = docs.map((d) => pack(toProtobuf(d)));
  const jsonBodies = docs.map((d) => pack(Buffer.from(JSON.stringify(d))));
  // Warm up the generated decoders and the JIT on a slice, then measure the whole workload.
  measure("protobuf", protobufBodies.slice(0, 1), gzip);
  measure("json", jsonBodies.slice(0, 1), gzip);
  return { protobuf: measure("protobuf", protobufBodies, gzip), json: measure("json", jsonBodies, gzip) };
}
