import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { contentDigest } from "../content";
import { decodeExportRequest, encodingOf, type TDecodeSuccess } from "./decode";
import { encodeErrorStatus, encodeExportResponse } from "./response";
import { ExportTraceServiceRequest, ExportTraceServiceResponse, RpcStatus } from "./schema";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const SPAN = "b7ad6b7169203331";
const PARENT = "00f067aa0ba902b7";
const sha = (s: string) => `sha256:${createHash("sha256").update(s, "utf8").digest("hex")}`;

type TDoc = Record<string, unknown>;

/** An OTLP/JSON request with one resource, one scope and the given spans. */
function request(spans: TDoc[], resource: TDoc[] = [{ key: "service.name", value: { stringValue: "svc" } }]): TDoc {
  return { resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ scope: { name: "lib", version: "1.2" }, spans }] }] };
}
function span(extra: TDoc = {}): TDoc {
  return {
    traceId: TRACE,
    spanId: SPAN,
    name: "op",
    kind: 1,
    startTimeUnixNano: "1768471200000000000",
    endTimeUnixNano: "1768471200250000000",
    ...extra,
  };
}
const json = (doc: unknown) => Buffer.from(JSON.stringify(doc));

/** The same document as protobuf: hex ids become bytes, the rest converts as protobufjs does. */
function protobuf(doc: TDoc): Buffer {
  const withBytes = JSON.parse(JSON.stringify(doc), (k, v) =>
    (k === "traceId" || k === "spanId" || k === "parentSpanId") && typeof v === "string" ? Buffer.from(v, "hex") : v,
  );
  return Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(withBytes)).finish());
}

function ok(result: ReturnType<typeof decodeExportRequest>): TDecodeSuccess {
  if (!result.ok) throw new Error(`expected success, got ${result.status} ${result.reason}`);
  return result;
}
const decodeJson = (doc: unknown, options = {}) => ok(decodeExportRequest(json(doc), "application/json", null, options));
const decodeProto = (doc: TDoc, options = {}) => ok(decodeExportRequest(protobuf(doc), "application/x-protobuf", null, options));

describe("encodingOf", () => {
  it("names OTLP's two content types, with parameters and in any case, and nothing else", () => {
    expect(encodingOf("application/x-protobuf")).toBe("protobuf");
    expect(encodingOf("Application/JSON; charset=utf-8")).toBe("json");
    expect(encodingOf("application/protobuf")).toBeNull();
    expect(encodingOf("text/plain")).toBeNull();
    expect(encodingOf(null)).toBeNull();
  });
});

describe("decodeExportRequest: one span, both encodings", () => {
  const doc = request([
    span({
      parentSpanId: PARENT,
      traceState: "vendor=1",
      kind: 3,
      status: { code: 2, message: "boom" },
      attributes: [
        { key: "s", value: { stringValue: "text" } },
        { key: "b", value: { boolValue: true } },
        { key: "i", value: { intValue: "42" } },
        { key: "big", value: { intValue: "9007199254740993" } },
        { key: "neg", value: { intValue: "-5" } },
        { key: "d", value: { doubleValue: 1.5 } },
        { key: "bytes", value: { bytesValue: "AAEC" } },
        { key: "arr", value: { arrayValue: { values: [{ stringValue: "a" }, { intValue: 1 }] } } },
        { key: "kv", value: { kvlistValue: { values: [{ key: "inner", value: { boolValue: false } }] } } },
        { key: "empty", value: {} },
      ],
      events: [{ timeUnixNano: "1768471200100000000", name: "exception", attributes: [{ key: "exception.type", value: { stringValue: "Boom" } }] }],
      links: [{ traceId: "1".repeat(32), spanId: "2".repeat(16), traceState: "", attributes: [] }],
      droppedAttributesCount: 3,
    }),
  ]);

  it.each([
    ["json", () => decodeJson(doc, { receivedAtMs: 123 })],
    ["protobuf", () => decodeProto(doc, { receivedAtMs: 123 })],
  ])("%s", (_name, decode) => {
    const { spans, rejectedSpans, errorMessage, encoding } = decode();
    expect(rejectedSpans).toBe(0);
    expect(errorMessage).toBeNull();
    expect(encoding).toBe(_name);
    expect(spans).toHaveLength(1);
    const s = spans[0];
    expect(s).toMatchObject({
      traceId: TRACE,
      spanId: SPAN,
      parentSpanId: PARENT,
      traceState: "vendor=1",
      name: "op",
      kind: "client",
      startTimeUnixNano: "1768471200000000000",
      endTimeUnixNano: "1768471200250000000",
      startMs: 1768471200000,
      endMs: 1768471200250,
      status: { code: "error", message: "boom" },
      scope: { name: "lib", version: "1.2" },
      dropped: { attributes: 3, events: 0, links: 0 },
      receivedAtMs: 123,
      contentKept: false,
    });
    expect({ ...s.attributes }).toEqual({
      s: "text",
      b: true,
      i: 42,
      big: "9007199254740993",
      neg: -5,
      d: 1.5,
      bytes: "AAEC",
      arr: ["a", 1],
      kv: { inner: false },
      empty: null,
    });
    expect({ ...s.resource }).toEqual({ "service.name": "svc" });
    expect(s.events).toEqual([{ timeUnixNano: "1768471200100000000", timeMs: 1768471200100, name: "exception", attributes: expect.anything() }]);
    expect({ ...s.events[0].attributes }).toEqual({ "exception.type": "Boom" });
    expect(s.links.map(({ traceId, spanId }) => ({ traceId, spanId }))).toEqual([{ traceId: "1".repeat(32), spanId: "2".repeat(16) }]);
  });

  it("decodes protobuf and JSON of the same request to equal spans", () => {
    expect(decodeProto(doc).spans).toEqual(decodeJson(doc).spans);
  });
});

describe("the OTLP/JSON rules", () => {
  it("takes hex ids in any case and answers them lowercase", () => {
    const s = decodeJson(request([span({ traceId: TRACE.toUpperCase(), spanId: SPAN.toUpperCase() })])).spans[0];
    expect([s.traceId, s.spanId]).toEqual([TRACE, SPAN]);
  });

  it("takes enums as integers or names", () => {
    const byName = decodeJson(request([span({ kind: "SPAN_KIND_SERVER", status: { code: "STATUS_CODE_OK" } })])).spans[0];
    const byNumber = decodeJson(request([span({ kind: 2, status: { code: 1 } })])).spans[0];
    expect([byName.kind, byName.status.code]).toEqual(["server", "ok"]);
    expect([byNumber.kind, byNumber.status.code]).toEqual(["server", "ok"]);
  });

  it("takes 64-bit integers as strings or numbers", () => {
    const s = decodeJson(
      request([
        span({
          startTimeUnixNano: 1768471200000000000,
          attributes: [
            { key: "n", value: { intValue: 7 } },
            { key: "m", value: { intValue: "7" } },
          ],
        }),
      ]),
    ).spans[0];
    expect(s.startMs).toBe(1768471200000);
    expect([s.attributes.n, s.attributes.m]).toEqual([7, 7]);
  });

  it("accepts the proto field names too, and ignores unknown fields", () => {
    const doc = {
      resource_spans: [
        {
          scope_spans: [
            {
              spans: [
                {
                  trace_id: TRACE,
                  span_id: SPAN,
                  parent_span_id: PARENT,
                  name: "snake",
                  start_time_unix_nano: "1768471200000000000",
                  end_time_unix_nano: "1768471200000000001",
                  attributes: [{ key: "k", value: { string_value: "v" } }],
                  somethingNew: { nested: true },
                },
              ],
            },
          ],
        },
      ],
      futureField: 1,
    };
    const s = decodeJson(doc).spans[0];
    expect([s.name, s.parentSpanId, s.attributes.k]).toEqual(["snake", PARENT, "v"]);
  });

  it("keeps ProtoJSON's non-finite doubles as their strings", () => {
    const s = decodeJson(
      request([
        span({
          attributes: [
            { key: "x", value: { doubleValue: "NaN" } },
            { key: "y", value: { doubleValue: "-Infinity" } },
          ],
        }),
      ]),
    ).spans[0];
    expect([s.attributes.x, s.attributes.y]).toEqual(["NaN", "-Infinity"]);
  });

  it("treats an empty or all-zero parent id as a root", () => {
    expect(decodeJson(request([span({ parentSpanId: "" })])).spans[0].parentSpanId).toBeNull();
    expect(decodeJson(request([span({ parentSpanId: "0000000000000000" })])).spans[0].parentSpanId).toBeNull();
  });
});

describe("attribute maps", () => {
  it("keep a hostile __proto__ key as an ordinary key, and the first of duplicate keys", () => {
    const s = decodeJson(
      request([
        span({
          attributes: [
            { key: "__proto__", value: { stringValue: "x" } },
            { key: "dup", value: { stringValue: "first" } },
            { key: "dup", value: { stringValue: "second" } },
          ],
        }),
      ]),
    ).spans[0];
    expect(Object.getPrototypeOf(s.attributes)).toBeNull();
    expect(s.attributes["__proto__"]).toBe("x");
    expect(s.attributes.dup).toBe("first");
  });

  it("replace NUL and lone surrogates, which neither store can keep", () => {
    const s = decodeJson(request([span({ name: "a\u0000b", attributes: [{ key: "k\ud800", value: { stringValue: "v\udc00w" } }] })])).spans[0];
    expect(s.name).toBe("a\uFFFDb");
    expect({ ...s.attributes }).toEqual({ "k\uFFFD": "v\uFFFDw" });
  });

  it("cut strings longer than the limit and count them", () => {
    const s = decodeJson(
      request([
        span({
          attributes: [
            { key: "long", value: { stringValue: "x".repeat(50) } },
            { key: "short", value: { stringValue: "y" } },
          ],
        }),
      ]),
      {
        limits: { maxStringLength: 10 },
      },
    ).spans[0];
    expect(s.attributes.long).toBe("x".repeat(10));
    expect(s.attributes.short).toBe("y");
    expect(s.truncatedValues).toBe(1);
  });
});

describe("content is dropped at decode time unless kept", () => {
  const messages = '[{"role":"user","parts":[{"type":"text","content":"my card number is 4111"}]}]';
  const doc = request([
    span({
      attributes: [
        { key: "gen_ai.input.messages", value: { stringValue: messages } },
        {
          key: "gen_ai.tool.call.arguments",
          value: {
            kvlistValue: {
              values: [
                { key: "b", value: { intValue: 2 } },
                { key: "a", value: { stringValue: "x" } },
              ],
            },
          },
        },
        { key: "gen_ai.prompt.name", value: { stringValue: "greeting" } },
        { key: "llm.input_messages.0.message.content", value: { stringValue: "hello" } },
        { key: "gen_ai.agent.name", value: { stringValue: "support" } },
      ],
      events: [
        { timeUnixNano: "1768471200000000001", name: "gen_ai.user.message", attributes: [{ key: "content", value: { stringValue: "hello" } }] },
      ],
    }),
  ]);

  it.each([["json"], ["protobuf"]])("%s: content attributes become sha256 digests of their text", (encoding) => {
    const s = (encoding === "json" ? decodeJson(doc) : decodeProto(doc)).spans[0];
    expect(s.attributes["gen_ai.input.messages"]).toBe(sha(messages));
    // A structured value digests as canonical JSON, keys sorted.
    expect(s.attributes["gen_ai.tool.call.arguments"]).toBe(sha('{"a":"x","b":2}'));
    expect(s.attributes["llm.input_messages.0.message.content"]).toBe(sha("hello"));
    expect(s.events[0].attributes.content).toBe(sha("hello"));
    // Names are not content.
    expect(s.attributes["gen_ai.prompt.name"]).toBe("greeting");
    expect(s.attributes["gen_ai.agent.name"]).toBe("support");
    expect([...s.redactedKeys].sort()).toEqual([
      "event:gen_ai.user.message:content",
      "gen_ai.input.messages",
      "gen_ai.tool.call.arguments",
      "llm.input_messages.0.message.content",
    ]);
    expect(s.contentKept).toBe(false);
    expect(JSON.stringify(s)).not.toContain("4111");
  });

  it("keeps the content with keepContent (DELEGRAPH_KEEP_CONTENT=1)", () => {
    const s = decodeJson(doc, { keepContent: true }).spans[0];
    expect(s.attributes["gen_ai.input.messages"]).toBe(messages);
    expect({ ...(s.attributes["gen_ai.tool.call.arguments"] as object) }).toEqual({ a: "x", b: 2 });
    expect(s.redactedKeys).toEqual([]);
    expect(s.contentKept).toBe(true);
  });

  it("digests the whole content even when a kept copy would be cut", () => {
    const long = "z".repeat(100);
    const d = decodeJson(request([span({ attributes: [{ key: "input.value", value: { stringValue: long } }] })]), { limits: { maxStringLength: 10 } })
      .spans[0];
    expect(d.attributes["input.value"]).toBe(contentDigest(long));
    const kept = decodeJson(request([span({ attributes: [{ key: "input.value", value: { stringValue: long } }] })]), {
      limits: { maxStringLength: 10 },
      keepContent: true,
    }).spans[0];
    expect(kept.attributes["input.value"]).toBe("z".repeat(10));
  });
});

describe("spans refused one by one (partial success)", () => {
  it("refuses spans with unusable ids or times, keeps the others, and says why", () => {
    const result = decodeJson(
      request([
        span({ name: "good" }),
        span({ name: "short trace", traceId: "abcd" }),
        span({ name: "zero span", spanId: "0000000000000000" }),
        span({ name: "not hex", traceId: "z".repeat(32) }),
        span({ name: "bad parent", parentSpanId: "abc" }),
        span({ name: "no start", startTimeUnixNano: "0" }),
        span({ name: "backwards", endTimeUnixNano: "1" }),
      ]),
    );
    expect(result.spans.map((s) => s.name)).toEqual(["good"]);
    expect(result.rejectedSpans).toBe(6);
    expect(result.errorMessage).toMatch(/^6 spans rejected: span "short trace": traceId must be 16 bytes/);
    expect(result.errorMessage).toContain('span "zero span": spanId is all zeros');
    expect(result.errorMessage).toContain('span "not hex": traceId is not a hex string');
  });

  it("drops a link that points nowhere and counts it as dropped", () => {
    const s = decodeJson(
      request([
        span({
          links: [
            { traceId: "abc", spanId: SPAN },
            { traceId: "1".repeat(32), spanId: "2".repeat(16) },
          ],
        }),
      ]),
    ).spans[0];
    expect(s.links).toHaveLength(1);
    expect(s.dropped.links).toBe(1);
  });
});

describe("gzip", () => {
  it("decodes gzipped bodies of either encoding", () => {
    const doc = request([span()]);
    expect(ok(decodeExportRequest(gzipSync(json(doc)), "application/json", "gzip")).spans).toHaveLength(1);
    expect(ok(decodeExportRequest(gzipSync(protobuf(doc)), "application/x-protobuf", "GZIP")).spans).toHaveLength(1);
  });
});

describe("responses", () => {
  it("answers a full success with an empty ExportTraceServiceResponse", () => {
    const proto = encodeExportResponse({ rejectedSpans: 0, errorMessage: null }, "protobuf");
    expect(proto).toEqual({ body: Buffer.alloc(0), contentType: "application/x-protobuf" });
    const j = encodeExportResponse({ rejectedSpans: 0, errorMessage: null }, "json");
    expect(JSON.parse(j.body.toString())).toEqual({});
    expect(j.contentType).toBe("application/json");
  });

  it("answers refused spans with partial_success in the request's encoding", () => {
    const proto = encodeExportResponse({ rejectedSpans: 2, errorMessage: "2 spans rejected" }, "protobuf");
    const decoded = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(proto.body), { longs: Number });
    expect(decoded).toEqual({ partialSuccess: { rejectedSpans: 2, errorMessage: "2 spans rejected" } });
    const j = encodeExportResponse({ rejectedSpans: 2, errorMessage: "2 spans rejected" }, "json");
    expect(JSON.parse(j.body.toString())).toEqual({ partialSuccess: { rejectedSpans: "2", errorMessage: "2 spans rejected" } });
  });

  it("answers a refused request with a google.rpc.Status", () => {
    const proto = encodeErrorStatus({ status: 413, reason: "too big" }, "protobuf");
    expect(RpcStatus.toObject(RpcStatus.decode(proto.body))).toEqual({ code: 8, message: "too big" });
    expect(JSON.parse(encodeErrorStatus({ status: 400, reason: "bad" }, "json").body.toString())).toEqual({ code: 3, message: "bad" });
  });
});
