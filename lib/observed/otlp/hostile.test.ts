// Hostile OTLP bodies: each one a structured 400 or 413, quickly, never an exception or a hang.
// The time bounds are generous hang guards, not benchmarks.
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { captureExports } from "../testing/exporters";
import { genaiCurrent } from "../testing/producers";
import { decodeExportRequest, type TDecodeResult } from "./decode";
import { DEFAULT_OTLP_LIMITS } from "./limits";
import { ExportTraceServiceRequest } from "./schema";
import { scanExportRequest } from "./wire-scan";

const PROTO = "application/x-protobuf";
const JSON_TYPE = "application/json";
const HANG_GUARD_MS = 5_000;

function timed(run: () => TDecodeResult): { result: TDecodeResult; ms: number } {
  const t0 = performance.now();
  const result = run();
  return { result, ms: performance.now() - t0 };
}

function refused(result: TDecodeResult, status: 400 | 413, reason: RegExp) {
  if (result.ok) throw new Error("expected a refusal, got success");
  expect(result.status).toBe(status);
  expect(result.reason).toMatch(reason);
}

// --- protobuf by hand --------------------------------------------------------------------------
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const field = (no: number, payload: Buffer) => Buffer.concat([Buffer.from(varint(no * 8 + 2)), Buffer.from(varint(payload.length)), payload]);
const str = (no: number, s: string) => field(no, Buffer.from(s));

/** A request with one span whose attribute list is `attributes` (encoded KeyValues). */
function requestWithAttributes(attributes: Buffer[]): Buffer {
  const spanBytes = Buffer.concat([
    field(1, Buffer.alloc(16, 1)),
    field(2, Buffer.alloc(8, 2)),
    str(5, "s"),
    ...attributes.map((kv) => field(9, kv)),
  ]);
  return field(1, field(2, field(2, spanBytes)));
}

/** An AnyValue nested `depth` levels deep through array values. */
function nestedAnyValue(depth: number): Buffer {
  let value = str(1, "leaf"); // AnyValue{string_value}
  for (let i = 1; i < depth; i++) value = field(5, field(1, value)); // AnyValue{array_value: ArrayValue{values: [value]}}
  return value;
}

let realBody: Buffer;
beforeAll(async () => {
  const requests = await captureExports({ encoding: "protobuf", gzip: false }, genaiCurrent.run);
  realBody = requests.reduce((a, b) => (b.body.length > a.body.length ? b : a)).body;
});

describe("wrong content type, encoding or size", () => {
  it.each([["text/plain"], [""], ["application/protobuf"], ["application/jsonx"], ["multipart/form-data; boundary=x"]])(
    "%j → 400, answered in JSON",
    (type) => {
      const result = decodeExportRequest(Buffer.from("{}"), type, null);
      refused(result, 400, /^wrong content type .*: send application\/x-protobuf or application\/json$/);
      expect(result.ok ? null : result.encoding).toBe("json");
    },
  );

  it("a missing content type → 400", () => refused(decodeExportRequest(Buffer.from("{}"), null, null), 400, /wrong content type/));

  it("an unsupported content encoding → 400", () =>
    refused(decodeExportRequest(Buffer.from("{}"), JSON_TYPE, "br"), 400, /unsupported content encoding "br"/));

  it("a body that is not gzip → 400", () => refused(decodeExportRequest(Buffer.from("not gzip at all"), PROTO, "gzip"), 400, /not valid gzip/));

  it("a truncated gzip stream → 400", () => {
    const gz = gzipSync(realBody);
    refused(decodeExportRequest(gz.subarray(0, gz.length - 12), PROTO, "gzip"), 400, /not valid gzip/);
  });

  it("a body over the size limit → 413", () => {
    refused(decodeExportRequest(Buffer.alloc(2000), PROTO, null, { limits: { maxBodyBytes: 1000 } }), 413, /larger than 1000 bytes/);
  });

  it("a gzip bomb (64 MiB of zeros in 64 KiB) stops at the inflated limit → 413, fast", () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100_000);
    for (const type of [PROTO, JSON_TYPE]) {
      const { result, ms } = timed(() => decodeExportRequest(bomb, type, "gzip"));
      refused(result, 413, /inflates to more than 16777216 bytes/);
      expect(ms).toBeLessThan(HANG_GUARD_MS);
    }
  });
});

describe("malformed protobuf", () => {
  it("a real exporter body cut in half → 400", () => {
    refused(decodeExportRequest(realBody.subarray(0, Math.floor(realBody.length / 2)), PROTO, null), 400, /^malformed protobuf: truncated/);
  });

  it("every prefix of a real body is a success or a 400, never an exception", () => {
    let refusedCount = 0;
    for (let n = 0; n < realBody.length; n++) {
      const result = decodeExportRequest(realBody.subarray(0, n), PROTO, null);
      if (!result.ok) {
        expect(result.status).toBe(400);
        refusedCount++;
      }
    }
    expect(refusedCount).toBeGreaterThan(realBody.length / 2);
  });

  it("random byte corruption is a success or a 400/413, never an exception", () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 300; i++) {
      const body = Buffer.from(realBody);
      for (let j = 0; j < 4; j++) body[Math.floor(rand() * body.length)] = Math.floor(rand() * 256);
      const result = decodeExportRequest(body, PROTO, null);
      if (!result.ok) expect([400, 413]).toContain(result.status);
    }
  });

  it("a field with the wrong wire type → 400", () => {
    const spanBytes = Buffer.from([0x48, 0x05]); // field 9 (attributes) as a varint
    refused(decodeExportRequest(field(1, field(2, field(2, spanBytes))), PROTO, null), 400, /field 9 of Span has wire type 0, not 2/);
  });

  it("a group (wire type 3) → 400", () => {
    refused(decodeExportRequest(Buffer.from([0x0b]), PROTO, null), 400, /wire type 3/);
  });

  it("a length beyond the body → 400", () => {
    refused(decodeExportRequest(Buffer.from([0x0a, 0x7f, 0x00]), PROTO, null), 400, /truncated ResourceSpans/);
  });

  it("the wire scan counts what protobufjs then decodes", () => {
    const scan = scanExportRequest(realBody, DEFAULT_OTLP_LIMITS);
    const decoded = decodeExportRequest(realBody, PROTO, null);
    expect(scan.ok && decoded.ok && scan.counts.spans).toBe(decoded.ok ? decoded.spans.length : -1);
  });

  it("an empty body is an empty request", () => {
    const result = decodeExportRequest(Buffer.alloc(0), PROTO, null);
    expect(result).toMatchObject({ ok: true, spans: [], rejectedSpans: 0 });
  });
});

describe("deep nesting", () => {
  it("an AnyValue 10 000 levels deep (protobuf) → 400 before protobufjs recurses", () => {
    const body = requestWithAttributes([Buffer.concat([str(1, "deep"), field(2, nestedAnyValue(10_000))])]);
    const { result, ms } = timed(() => decodeExportRequest(body, PROTO, null));
    refused(result, 400, /nests deeper than 16 levels/);
    expect(ms).toBeLessThan(HANG_GUARD_MS);
  });

  it("the depth bound is exact: 16 levels pass, 17 do not", () => {
    const at = (depth: number) =>
      decodeExportRequest(requestWithAttributes([Buffer.concat([str(1, "k"), field(2, nestedAnyValue(depth))])]), PROTO, null);
    const ok = at(16);
    expect(ok.ok).toBe(true);
    expect(ok.ok && ok.rejectedSpans).toBe(1); // the hand-made span has no times: refused alone
    refused(at(17), 400, /nests deeper than 16 levels/);
  });

  it("an AnyValue 100 000 levels deep (JSON) → 400", () => {
    const depth = 100_000;
    const value = '{"arrayValue":{"values":['.repeat(depth) + '{"stringValue":"x"}' + "]}}".repeat(depth);
    const body = Buffer.from(
      `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${"1".repeat(32)}","spanId":"${"2".repeat(16)}","attributes":[{"key":"k","value":${value}}]}]}]}]}`,
    );
    const { result, ms } = timed(() => decodeExportRequest(body, JSON_TYPE, null));
    refused(result, 400, /nests deeper than 16 levels/);
    expect(ms).toBeLessThan(HANG_GUARD_MS);
  });

  it("JSON nested 1 000 000 levels outside any attribute → 400", () => {
    const body = Buffer.from("[".repeat(1_000_000) + "]".repeat(1_000_000));
    refused(decodeExportRequest(body, JSON_TYPE, null), 400, /ExportTraceServiceRequest object/);
  });
});

describe("100 000 attributes", () => {
  const count = 100_000;
  it("protobuf → 400 from the wire scan, before protobufjs allocates, fast", () => {
    const kvs = Array.from({ length: count }, (_, i) => Buffer.concat([str(1, `a${i}`), field(2, str(1, "v"))]));
    const body = requestWithAttributes(kvs);
    expect(scanExportRequest(body, DEFAULT_OTLP_LIMITS)).toEqual({ ok: false, status: 400, reason: "a span holds more than 4096 attributes" });
    const { result, ms } = timed(() => decodeExportRequest(body, PROTO, null));
    refused(result, 400, /^a span holds more than 4096 attributes$/);
    expect(ms).toBeLessThan(HANG_GUARD_MS);
  });

  it("JSON → 400", () => {
    const attributes = Array.from({ length: count }, (_, i) => ({ key: `a${i}`, value: { stringValue: "v" } }));
    const body = Buffer.from(
      JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: "1".repeat(32), spanId: "2".repeat(16), attributes }] }] }] }),
    );
    const { result, ms } = timed(() => decodeExportRequest(body, JSON_TYPE, null));
    refused(result, 400, /^a span holds more than 4096 attributes$/);
    expect(ms).toBeLessThan(HANG_GUARD_MS);
  });

  it("on a resource, a scope, an event, a link or inside a kvlist value too", () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ key: `a${i}`, value: { intValue: i } }));
    const limits = { maxAttributes: 4 };
    const base = { traceId: "1".repeat(32), spanId: "2".repeat(16), startTimeUnixNano: "1", endTimeUnixNano: "2" };
    const cases: [unknown, RegExp][] = [
      [{ resourceSpans: [{ resource: { attributes: many }, scopeSpans: [] }] }, /a resource holds more than 4/],
      [{ resourceSpans: [{ scopeSpans: [{ scope: { attributes: many }, spans: [] }] }] }, /an instrumentation scope holds more than 4/],
      [{ resourceSpans: [{ scopeSpans: [{ spans: [{ ...base, events: [{ name: "e", attributes: many }] }] }] }] }, /a span event holds more than 4/],
      [{ resourceSpans: [{ scopeSpans: [{ spans: [{ ...base, links: [{ ...base, attributes: many }] }] }] }] }, /a span link holds more than 4/],
      [
        { resourceSpans: [{ scopeSpans: [{ spans: [{ ...base, attributes: [{ key: "kv", value: { kvlistValue: { values: many } } }] }] }] }] },
        /a key-value list value holds more than 4/,
      ],
    ];
    for (const [doc, reason] of cases) {
      refused(decodeExportRequest(Buffer.from(JSON.stringify(doc)), JSON_TYPE, null, { limits }), 400, reason);
      const proto = Buffer.from(
        ExportTraceServiceRequest.encode(
          ExportTraceServiceRequest.fromObject(
            JSON.parse(JSON.stringify(doc), (k, v) => (k === "traceId" || k === "spanId" ? Buffer.from(v, "hex") : v)),
          ),
        ).finish(),
      );
      refused(decodeExportRequest(proto, PROTO, null, { limits }), 400, reason);
    }
  });
});

describe("other bounds", () => {
  const oneSpan = { traceId: "1".repeat(32), spanId: "2".repeat(16), startTimeUnixNano: "1", endTimeUnixNano: "2" };
  const doc = (spans: unknown[]) => Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }));

  it("too many spans → 413, in both encodings", () => {
    const body = doc(Array.from({ length: 6 }, () => oneSpan));
    refused(decodeExportRequest(body, JSON_TYPE, null, { limits: { maxSpans: 5 } }), 413, /more than 5 spans/);
    const proto = Buffer.concat(Array.from({ length: 6 }, () => field(1, field(2, field(2, field(1, Buffer.alloc(16, 1)))))));
    refused(decodeExportRequest(proto, PROTO, null, { limits: { maxSpans: 5 } }), 413, /more than 5 spans/);
  });

  it("too many values in the request → 413", () => {
    const attributes = Array.from({ length: 20 }, (_, i) => ({ key: `a${i}`, value: { intValue: i } }));
    refused(
      decodeExportRequest(doc([{ ...oneSpan, attributes }]), JSON_TYPE, null, { limits: { maxValues: 30 } }),
      413,
      /more than 30 attribute values/,
    );
  });

  it("an overlong key, too many events or links, a huge array → 400", () => {
    refused(
      decodeExportRequest(doc([{ ...oneSpan, attributes: [{ key: "k".repeat(2000), value: {} }] }]), JSON_TYPE, null),
      400,
      /key is longer than 1024/,
    );
    refused(
      decodeExportRequest(doc([{ ...oneSpan, events: [{}, {}, {}] }]), JSON_TYPE, null, { limits: { maxEventsPerSpan: 2 } }),
      400,
      /more than 2 events/,
    );
    refused(
      decodeExportRequest(doc([{ ...oneSpan, links: [{}, {}, {}] }]), JSON_TYPE, null, { limits: { maxLinksPerSpan: 2 } }),
      400,
      /more than 2 links/,
    );
    const arr = { arrayValue: { values: [{ intValue: 1 }, { intValue: 2 }, { intValue: 3 }] } };
    refused(
      decodeExportRequest(doc([{ ...oneSpan, attributes: [{ key: "a", value: arr }] }]), JSON_TYPE, null, { limits: { maxArrayItems: 2 } }),
      400,
      /more than 2 items/,
    );
  });
});

describe("malformed JSON", () => {
  const refusedJson = (body: string | Buffer, reason: RegExp) => refused(decodeExportRequest(Buffer.from(body), JSON_TYPE, null), 400, reason);

  it("syntax errors and invalid UTF-8 → 400", () => {
    refusedJson('{"resourceSpans": [', /^malformed JSON/);
    refusedJson(Buffer.from([0x7b, 0xff, 0x7d]), /^malformed JSON/);
  });

  it("a document that is not a request object → 400", () => {
    for (const body of ["null", "[]", "42", '"x"']) refusedJson(body, /must be an ExportTraceServiceRequest object/);
  });

  it("values of the wrong type → 400 naming the path", () => {
    const span = { traceId: "1".repeat(32), spanId: "2".repeat(16) };
    const cases: [unknown, RegExp][] = [
      [{ resourceSpans: 5 }, /request\.resourceSpans must be an array/],
      [{ resourceSpans: [{ scopeSpans: [{ spans: "x" }] }] }, /resourceSpans\[0\]\.scopeSpans\[0\]\.spans must be an array/],
      [{ resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, attributes: [1] }] }] }] }, /spans\[0\]\.attributes\[0\] must be a KeyValue object/],
      [{ resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, attributes: [{ key: 5, value: {} }] }] }] }] }, /attributes\[0\]\.key must be a string/],
      [
        { resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, attributes: [{ key: "b", value: { boolValue: "yes" } }] }] }] }] },
        /boolValue must be a boolean/,
      ],
      [{ resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, startTimeUnixNano: "soon" }] }] }] }, /startTimeUnixNano must be a decimal integer/],
      [{ resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, traceId: 12 }] }] }] }, /traceId must be a hex string/],
      [{ resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, kind: "SIDEWAYS" }] }] }] }, /kind: unknown value "SIDEWAYS"/],
      [
        { resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, attributes: [{ key: "b", value: { bytesValue: "not base64!" } }] }] }] }] },
        /bytesValue must be base64/,
      ],
    ];
    for (const [doc, reason] of cases) refusedJson(JSON.stringify(doc), reason);
  });
});
