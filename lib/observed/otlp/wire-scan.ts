// A walk over the protobuf wire bytes of an ExportTraceServiceRequest that checks the structure
// and counts spans, attributes and value nesting BEFORE protobufjs builds any object.
//
// Why: protobufjs decodes a whole message at once. A few megabytes of two-byte KeyValue entries
// would become millions of objects before any bound could be checked, and a deeply nested
// AnyValue recurses until protobufjs's own limit. This walk allocates nothing, stops at the first
// violated bound, and also rejects truncated or mis-typed fields with a reason (which protobufjs
// would report as a bare RangeError, or not at all).
//
// The table below is the tree of message fields the receiver reads (numbers from
// lib/observed/otlp/schema.ts); every other field is skipped by its wire type.
import { badRequest, limitMessages, tooLarge, type TOtlpFailure, type TOtlpLimits } from "./limits";

type TMsg =
  | "request"
  | "resourceSpans"
  | "resource"
  | "scopeSpans"
  | "scope"
  | "span"
  | "status"
  | "event"
  | "link"
  | "keyValue"
  | "anyValue"
  | "arrayValue"
  | "kvList";

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

/** Submessage fields: field number → message. */
const CHILDREN: Record<TMsg, Record<number, TMsg>> = {
  request: { 1: "resourceSpans" },
  resourceSpans: { 1: "resource", 2: "scopeSpans" },
  resource: { 1: "keyValue" },
  scopeSpans: { 1: "scope", 2: "span" },
  scope: { 3: "keyValue" },
  span: { 9: "keyValue", 11: "event", 13: "link", 15: "status" },
  status: {},
  event: { 3: "keyValue" },
  link: { 4: "keyValue" },
  keyValue: { 2: "anyValue" },
  anyValue: { 5: "arrayValue", 6: "kvList" },
  arrayValue: { 1: "anyValue" },
  kvList: { 1: "keyValue" },
};

/** Scalar fields: field number → the wire type their declared type requires. */
const SCALARS: Record<TMsg, Record<number, number>> = {
  request: {},
  resourceSpans: { 3: LEN },
  resource: { 2: VARINT, 3: LEN },
  scopeSpans: { 3: LEN },
  scope: { 1: LEN, 2: LEN, 4: VARINT },
  span: { 1: LEN, 2: LEN, 3: LEN, 4: LEN, 5: LEN, 6: VARINT, 7: I64, 8: I64, 10: VARINT, 12: VARINT, 14: VARINT, 16: I32 },
  status: { 2: LEN, 3: VARINT },
  event: { 1: I64, 2: LEN, 4: VARINT },
  link: { 1: LEN, 2: LEN, 3: LEN, 5: VARINT, 6: I32 },
  keyValue: { 1: LEN },
  anyValue: { 1: LEN, 2: VARINT, 3: VARINT, 4: I64, 7: LEN },
  arrayValue: {},
  kvList: {},
};

const NAMES: Record<TMsg, string> = {
  request: "ExportTraceServiceRequest",
  resourceSpans: "ResourceSpans",
  resource: "Resource",
  scopeSpans: "ScopeSpans",
  scope: "InstrumentationScope",
  span: "Span",
  status: "Status",
  event: "Span.Event",
  link: "Span.Link",
  keyValue: "KeyValue",
  anyValue: "AnyValue",
  arrayValue: "ArrayValue",
  kvList: "KeyValueList",
};

const ATTRIBUTE_OWNERS: Partial<Record<TMsg, string>> = {
  resource: "a resource",
  scope: "an instrumentation scope",
  span: "a span",
  event: "a span event",
  link: "a span link",
  kvList: "a key-value list value",
};

class Stop extends Error {
  constructor(readonly failure: TOtlpFailure) {
    super(failure.reason);
  }
}

export type TWireCounts = { spans: number; values: number };

/** Checks the request bytes against the limits; the counts let the caller size what follows. */
export function scanExportRequest(bytes: Uint8Array, limits: TOtlpLimits): { ok: true; counts: TWireCounts } | TOtlpFailure {
  let pos = 0;
  const counts: TWireCounts = { spans: 0, values: 0 };
  const malformed = (what: string) => new Stop(badRequest(`malformed protobuf: ${what}`));

  const varint = (end: number): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw malformed("truncated varint");
      const b = bytes[pos++];
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
    throw malformed("varint longer than 10 bytes");
  };

  const skip = (wire: number, end: number, where: string) => {
    if (wire === VARINT) varint(end);
    else if (wire === I64) pos += 8;
    else if (wire === I32) pos += 4;
    else if (wire === LEN) {
      const length = varint(end); // read first: `pos += varint()` would add to the old pos
      pos += length;
    } else throw malformed(`wire type ${wire} in ${where}`);
    if (pos > end) throw malformed(`truncated field in ${where}`);
  };

  const walk = (msg: TMsg, end: number, valueDepth: number): void => {
    let attributes = 0;
    let events = 0;
    let links = 0;
    let items = 0;
    while (pos < end) {
      const tag = varint(end);
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      if (field === 0) throw malformed(`field number 0 in ${NAMES[msg]}`);
      const child = CHILDREN[msg][field];
      if (child === undefined) {
        const expected = SCALARS[msg][field];
        if (expected !== undefined && expected !== wire) throw malformed(`field ${field} of ${NAMES[msg]} has wire type ${wire}, not ${expected}`);
        skip(wire, end, NAMES[msg]);
        continue;
      }
      if (wire !== LEN) throw malformed(`field ${field} of ${NAMES[msg]} has wire type ${wire}, not ${LEN}`);
      const length = varint(end);
      const childEnd = pos + length;
      if (childEnd > end) throw malformed(`truncated ${NAMES[child]} in ${NAMES[msg]}`);

      let childDepth = valueDepth;
      if (child === "span" && ++counts.spans > limits.maxSpans) throw new Stop(tooLarge(limitMessages.spans(limits.maxSpans)));
      if (child === "keyValue" || child === "anyValue") {
        if (++counts.values > limits.maxValues) throw new Stop(tooLarge(limitMessages.values(limits.maxValues)));
      }
      if (child === "keyValue" && ++attributes > limits.maxAttributes) {
        throw new Stop(badRequest(limitMessages.attributes(ATTRIBUTE_OWNERS[msg] ?? NAMES[msg], limits.maxAttributes)));
      }
      if (child === "event" && ++events > limits.maxEventsPerSpan) throw new Stop(badRequest(limitMessages.events(limits.maxEventsPerSpan)));
      if (child === "link" && ++links > limits.maxLinksPerSpan) throw new Stop(badRequest(limitMessages.links(limits.maxLinksPerSpan)));
      if (msg === "arrayValue" && ++items > limits.maxArrayItems) throw new Stop(badRequest(limitMessages.arrayItems(limits.maxArrayItems)));
      if (child === "anyValue") {
        childDepth = valueDepth + 1;
        if (childDepth > limits.maxValueDepth) throw new Stop(badRequest(limitMessages.depth(limits.maxValueDepth)));
      }
      walk(child, childEnd, childDepth);
      pos = childEnd;
    }
    if (pos !== end) throw malformed(`truncated field in ${NAMES[msg]}`);
  };

  try {
    walk("request", bytes.length, 0);
    return { ok: true, counts };
  } catch (e) {
    if (e instanceof Stop) return e.failure;
    throw e;
  }
}
