// Test helper: run the REAL OpenTelemetry JS SDK and its OTLP exporters (protobuf and JSON, gzip
// on and off) against a tiny local HTTP server, and capture the request bodies exactly as a
// producer would send them to `http://<host>/api/otel/v1/traces`. Dev dependencies only: nothing
// outside tests imports this file.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { context, ROOT_CONTEXT, trace, type Attributes, type Context, type Link, type Span, type SpanKind, type Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor, type IdGenerator } from "@opentelemetry/sdk-trace-base";
import { encodeExportResponse } from "../otlp/response";
import type { TOtlpEncoding } from "../types";

export type TExportFormat = { encoding: TOtlpEncoding; gzip: boolean };
export const EXPORT_FORMATS: readonly TExportFormat[] = [
  { encoding: "protobuf", gzip: false },
  { encoding: "protobuf", gzip: true },
  { encoding: "json", gzip: false },
  { encoding: "json", gzip: true },
];
export const formatName = (f: TExportFormat) => `${f.encoding}${f.gzip ? "+gzip" : ""}`;

export type TCapturedRequest = {
  path: string;
  contentType: string | null;
  contentEncoding: string | null;
  authorization: string | null;
  body: Buffer;
};

export const INGEST_TOKEN = "test-ingest-token";

type TExporterConfig = NonNullable<ConstructorParameters<typeof ProtoExporter>[0]>;

/**
 * Trace and span ids from counters: fixtures get the same ids on every run and in every format.
 * `prefix` (hex, up to 12 characters) makes the trace ids of one run distinct from another's, for
 * tests that send fixtures to a shared server.
 */
export function counterIds(prefix = ""): IdGenerator {
  let traces = 0;
  let spans = 0;
  return {
    generateTraceId: () => (prefix + (++traces).toString(16).padStart(32 - prefix.length, "0")).replace(/^0/, "a"),
    generateSpanId: () => (++spans).toString(16).padStart(16, "0").replace(/^0/, "b"),
  };
}

/** What a scenario gets: a tracer per service (each its own resource), sharing one id sequence. */
export type TProducerKit = {
  tracer: (serviceName: string, extraResource?: Attributes) => Tracer;
  /** start a span; times are ms offsets from the scenario's fixed base time */
  start: (tracer: Tracer, name: string, opts: TSpanOpts) => Span;
  /** end a span at an offset (ms) from the base time */
  end: (span: Span, atMs: number) => void;
  /** the context of a span as a remote service receives it (propagated across a process boundary) */
  remote: (span: Span) => Context;
};

export type TSpanOpts = {
  kind?: SpanKind;
  attributes?: Attributes;
  parent?: Span | Context;
  links?: Link[];
  atMs: number;
};

/** 2026-01-15T10:00:00Z: fixtures are in the past, so they are never within a quiet period. */
export const FIXTURE_BASE_MS = Date.UTC(2026, 0, 15, 10, 0, 0);

/** What the capture server answers; by default an empty ExportTraceServiceResponse (full success). */
export type TAnswer = (request: TCapturedRequest) => { status: number; body: Buffer; contentType: string };

const acceptAll: TAnswer = (request) => {
  const answer = encodeExportResponse({ rejectedSpans: 0, errorMessage: null }, request.contentType?.includes("json") ? "json" : "protobuf");
  return { status: 200, ...answer };
};

async function startCaptureServer(answerWith: TAnswer): Promise<{ url: string; requests: TCapturedRequest[]; close: () => Promise<void> }> {
  const requests: TCapturedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const header = (name: string) => (typeof req.headers[name] === "string" ? req.headers[name] : null);
      const request: TCapturedRequest = {
        path: req.url ?? "",
        contentType: header("content-type"),
        contentEncoding: header("content-encoding"),
        authorization: header("authorization"),
        body: Buffer.concat(chunks),
      };
      requests.push(request);
      const answer = answerWith(request);
      res.writeHead(answer.status, { "content-type": answer.contentType });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Runs `scenario` with real tracer providers whose exporters post to a local server configured as
 * a producer would configure Delegraph (endpoint `<base>/api/otel`, so traces go to
 * `/api/otel/v1/traces`, with `Authorization: Bearer <token>`), flushes, and returns the requests.
 */
export async function captureExports(
  format: TExportFormat,
  scenario: (kit: TProducerKit) => void,
  answer: TAnswer = acceptAll,
  ids: IdGenerator = counterIds(),
): Promise<TCapturedRequest[]> {
  const server = await startCaptureServer(answer);
  const providers = new Map<string, BasicTracerProvider>();
  const config: TExporterConfig = {
    url: `${server.url}/api/otel/v1/traces`,
    headers: { Authorization: `Bearer ${INGEST_TOKEN}` },
    compression: (format.gzip ? "gzip" : "none") as TExporterConfig["compression"],
  };
  const kit: TProducerKit = {
    tracer: (serviceName, extraResource = {}) => {
      let provider = providers.get(serviceName);
      if (!provider) {
        const exporter = format.encoding === "protobuf" ? new ProtoExporter(config) : new JsonExporter(config);
        provider = new BasicTracerProvider({
          resource: resourceFromAttributes({ "service.name": serviceName, ...extraResource }),
          idGenerator: ids,
          spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 60_000, maxExportBatchSize: 512 })],
        });
        providers.set(serviceName, provider);
      }
      return provider.getTracer(`delegraph-fixture/${serviceName}`, "1.0.0");
    },
    start: (tracer, name, opts) => {
      const parent =
        opts.parent === undefined ? ROOT_CONTEXT : "spanContext" in opts.parent ? trace.setSpan(context.active(), opts.parent) : opts.parent;
      return tracer.startSpan(
        name,
        { kind: opts.kind, attributes: opts.attributes, links: opts.links, startTime: FIXTURE_BASE_MS + opts.atMs },
        parent,
      );
    },
    end: (span, atMs) => span.end(FIXTURE_BASE_MS + atMs),
    remote: (span) => trace.setSpanContext(ROOT_CONTEXT, { ...span.spanContext(), isRemote: true }),
  };
  try {
    scenario(kit);
    for (const provider of providers.values()) await provider.forceFlush();
    for (const provider of providers.values()) await provider.shutdown();
  } finally {
    await server.close();
  }
  return server.requests;
}
