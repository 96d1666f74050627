// One walk from a decoded ExportTraceServiceRequest to TObservedSpan[], for both encodings:
// a protobufjs message tree ("protobuf") or the parsed OTLP/JSON document ("json"). The two differ
// only in their leaves, and the OTLP/JSON rules are applied here:
// - trace and span ids are hex strings (not base64), compared lowercase;
// - 64-bit integers (times, intValue) may be strings or numbers;
// - enums (span kind, status code) may be integers or their names;
// - bytesValue is base64; field names are lowerCamelCase, and the proto names are accepted too;
// - unknown fields are ignored.
// A JSON value of the wrong type is a 400 naming its path. A span whose ids or times are unusable
// is rejected alone and counted for `partial_success`; the rest of the request goes on.
//
// Every bound of TOtlpLimits is enforced here for both encodings (the protobuf wire scan enforces
// the same counts before allocation). Strings lose NUL characters and lone surrogates (both stores
// must be able to keep them) and are cut at maxStringLength. Content attributes become digests
// here, before anything is stored, unless keepContent (lib/observed/content.ts).
import { contentDigest, isContentKey } from "../content";
import { SPAN_KINDS, STATUS_CODES, type TAttrValue, type TAttributes, type TObservedEvent, type TObservedLink, type TObservedSpan } from "../types";
import { badRequest, limitMessages, OtlpLimitError, tooLarge, type TOtlpLimits } from "./limits";

export type TFlavour = "protobuf" | "json";

export type TNormalizeOptions = { limits: TOtlpLimits; keepContent: boolean; receivedAtMs: number | null };
export type TNormalized = { spans: TObservedSpan[]; rejectedSpans: number; rejectionReasons: string[] };

type TObj = Record<string, unknown>;
type TCtx = TNormalizeOptions & { flavour: TFlavour; values: number; spans: number; truncated: number };

const HEX = /^[0-9a-fA-F]*$/;
const DIGITS = /^[0-9]+$/;
const SIGNED_DIGITS = /^-?[0-9]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const ANY_VALUE_FIELDS = ["stringValue", "boolValue", "intValue", "doubleValue", "arrayValue", "kvlistValue", "bytesValue"] as const;
const SNAKE: Record<string, string> = {
  stringValue: "string_value",
  boolValue: "bool_value",
  intValue: "int_value",
  doubleValue: "double_value",
  arrayValue: "array_value",
  kvlistValue: "kvlist_value",
  bytesValue: "bytes_value",
};
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const NS_PER_MS = 1_000_000n;

const fail = (reason: string): never => {
  throw new OtlpLimitError(badRequest(reason));
};

function snakeOf(camel: string): string {
  let snake = SNAKE[camel];
  if (snake === undefined) {
    snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    SNAKE[camel] = snake; // field names are the schema's, a small fixed set
  }
  return snake;
}

/** A field of a message: camelCase, or (JSON only) the proto field name. */
function field(ctx: TCtx, obj: TObj, camel: string): unknown {
  const v = obj[camel];
  if (v !== undefined || ctx.flavour === "protobuf") return v;
  return obj[snakeOf(camel)];
}

function isObject(v: unknown): v is TObj {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function list(ctx: TCtx, obj: TObj, camel: string, path: string): unknown[] {
  const v = field(ctx, obj, camel);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return fail(`${path}.${camel} must be an array`);
  return v;
}

function message(ctx: TCtx, obj: TObj, camel: string, path: string): TObj | null {
  const v = field(ctx, obj, camel);
  if (v === undefined || v === null) return null;
  if (!isObject(v)) return fail(`${path}.${camel} must be an object`);
  return v;
}

/** Removes what neither store can keep: NUL and lone UTF-16 surrogates (both become U+FFFD). */
function clean(s: string): string {
  const noNul = s.includes("\u0000") ? s.replaceAll("\u0000", "\uFFFD") : s;
  return noNul.isWellFormed() ? noNul : noNul.toWellFormed();
}

function text(ctx: TCtx, v: unknown, path: string, cut = true): string {
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") return fail(`${path} must be a string`);
  const s = clean(v);
  if (!cut || s.length <= ctx.limits.maxStringLength) return s;
  ctx.truncated++;
  return s.slice(0, ctx.limits.maxStringLength).toWellFormed();
}

function hexId(ctx: TCtx, v: unknown, path: string): string {
  if (v === undefined || v === null) return "";
  if (ctx.flavour === "protobuf") return Buffer.from(v as Uint8Array).toString("hex");
  if (typeof v !== "string") return fail(`${path} must be a hex string`);
  if (!HEX.test(v)) return `!${v.length}`; // not hex: rejected by the span check with its length
  return v.toLowerCase();
}

type TLongLike = { low: number; high: number; unsigned?: boolean };
function isLongLike(v: unknown): v is TLongLike {
  return typeof v === "object" && v !== null && typeof (v as TLongLike).low === "number" && typeof (v as TLongLike).high === "number";
}

/** A 64-bit integer from any of its decoded forms; null when absent. */
function int64(v: unknown, signed: boolean, path: string): bigint | null {
  if (v === undefined || v === null) return null;
  if (typeof v === "bigint") return v;
  if (typeof v === "number") {
    if (!Number.isInteger(v) || (!signed && v < 0)) return fail(`${path} must be ${signed ? "an" : "a non-negative"} integer`);
    return BigInt(v);
  }
  if (typeof v === "string") {
    if (!(signed ? SIGNED_DIGITS : DIGITS).test(v) || v.length > 20) return fail(`${path} must be a decimal integer`);
    const n = BigInt(v);
    return signed ? BigInt.asIntN(64, n) : BigInt.asUintN(64, n);
  }
  if (isLongLike(v)) {
    const bits = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
    return signed && !v.unsigned ? BigInt.asIntN(64, bits) : bits;
  }
  return fail(`${path} must be an integer`);
}

function uint32(v: unknown, path: string): number {
  const n = int64(v, false, path);
  return n === null ? 0 : Number(BigInt.asUintN(32, n));
}

function enumIndex(v: unknown, names: readonly string[], path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === "number") return Number.isInteger(v) ? v : fail(`${path} must be an integer or an enum name`);
  if (typeof v === "string") {
    const i = names.indexOf(v);
    return i >= 0 ? i : fail(`${path}: unknown value ${JSON.stringify(v.slice(0, 64))}`);
  }
  return fail(`${path} must be an integer or an enum name`);
}

const KIND_NAMES = [
  "SPAN_KIND_UNSPECIFIED",
  "SPAN_KIND_INTERNAL",
  "SPAN_KIND_SERVER",
  "SPAN_KIND_CLIENT",
  "SPAN_KIND_PRODUCER",
  "SPAN_KIND_CONSUMER",
];
const STATUS_NAMES = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"];

function countValue(ctx: TCtx) {
  if (++ctx.values > ctx.limits.maxValues) throw new OtlpLimitError(tooLarge(limitMessages.values(ctx.limits.maxValues)));
}

/** The set member of an AnyValue, or null for an empty one. */
function anyValueMember(ctx: TCtx, av: TObj): [string, unknown] | null {
  if (ctx.flavour === "protobuf") {
    const name = av.value;
    return typeof name === "string" ? [name, av[name]] : null;
  }
  for (const name of ANY_VALUE_FIELDS) {
    const v = av[name] !== undefined ? av[name] : av[SNAKE[name]];
    if (v !== undefined && v !== null) return [name, v];
  }
  return null;
}

function anyValue(ctx: TCtx, av: unknown, depth: number, path: string, cut: boolean): TAttrValue {
  if (av === undefined || av === null) return null;
  if (!isObject(av)) return fail(`${path} must be an AnyValue object`);
  if (depth > ctx.limits.maxValueDepth) fail(limitMessages.depth(ctx.limits.maxValueDepth));
  countValue(ctx);
  const member = anyValueMember(ctx, av);
  if (member === null) return null;
  const [name, v] = member;
  switch (name) {
    case "stringValue":
      return text(ctx, v, `${path}.stringValue`, cut);
    case "boolValue":
      if (typeof v !== "boolean") return fail(`${path}.boolValue must be a boolean`);
      return v;
    case "intValue": {
      const n = int64(v, true, `${path}.intValue`) ?? 0n;
      return n <= MAX_SAFE && n >= -MAX_SAFE ? Number(n) : n.toString();
    }
    case "doubleValue": {
      // ProtoJSON writes the non-finite doubles as strings; they stay strings so JSON storage keeps them.
      if (typeof v === "string" && (v === "NaN" || v === "Infinity" || v === "-Infinity")) return v;
      if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
      if (typeof v !== "number") return fail(`${path}.doubleValue must be a number`);
      return Number.isFinite(v) ? v : String(v);
    }
    case "bytesValue":
      if (ctx.flavour === "protobuf") return Buffer.from(v as Uint8Array).toString("base64");
      if (typeof v !== "string" || !BASE64.test(v.replace(/\s/g, ""))) return fail(`${path}.bytesValue must be base64`);
      return Buffer.from(v, "base64").toString("base64");
    case "arrayValue": {
      if (!isObject(v)) return fail(`${path}.arrayValue must be an object`);
      const items = list(ctx, v, "values", `${path}.arrayValue`);
      if (items.length > ctx.limits.maxArrayItems) fail(limitMessages.arrayItems(ctx.limits.maxArrayItems));
      return items.map((item, i) => anyValue(ctx, item, depth + 1, `${path}.arrayValue.values[${i}]`, cut));
    }
    case "kvlistValue": {
      if (!isObject(v)) return fail(`${path}.kvlistValue must be an object`);
      return keyValues(ctx, list(ctx, v, "values", `${path}.kvlistValue`), "a key-value list value", `${path}.kvlistValue`, depth + 1, cut, null);
    }
    default:
      return null;
  }
}

type TRedact = { prefix: string; eventName?: string; redacted: string[] };

/** A KeyValue list as a null-prototype map; the first occurrence of a key wins. */
function keyValues(ctx: TCtx, entries: unknown[], owner: string, path: string, depth: number, cut: boolean, redact: TRedact | null): TAttributes {
  if (entries.length > ctx.limits.maxAttributes) fail(limitMessages.attributes(owner, ctx.limits.maxAttributes));
  const out = Object.create(null) as TAttributes;
  for (let i = 0; i < entries.length; i++) {
    const kv = entries[i];
    if (!isObject(kv)) return fail(`${path}[${i}] must be a KeyValue object`);
    countValue(ctx);
    const rawKey = field(ctx, kv, "key");
    if (typeof rawKey !== "string" && rawKey !== undefined && rawKey !== null) fail(`${path}[${i}].key must be a string`);
    const key = clean((rawKey as string | undefined) ?? "");
    if (key.length > ctx.limits.maxKeyLength) fail(limitMessages.key(ctx.limits.maxKeyLength));
    const valuePath = `${path}[${i}].value`;
    if (redact !== null && isContentKey(key, redact.eventName)) {
      // Digest the whole value, before any cut, so the digest is the content's own.
      const whole = anyValue(ctx, field(ctx, kv, "value"), depth + 1, valuePath, false);
      if (key in out) continue;
      if (ctx.keepContent) out[key] = cutValue(ctx, whole);
      else {
        out[key] = contentDigest(whole);
        redact.redacted.push(redact.prefix + key);
      }
      continue;
    }
    const value = anyValue(ctx, field(ctx, kv, "value"), depth + 1, valuePath, cut);
    if (!(key in out)) out[key] = value;
  }
  return out;
}

function cutValue(ctx: TCtx, v: TAttrValue): TAttrValue {
  if (typeof v === "string") {
    if (v.length <= ctx.limits.maxStringLength) return v;
    ctx.truncated++;
    return v.slice(0, ctx.limits.maxStringLength).toWellFormed();
  }
  if (Array.isArray(v)) return v.map((x) => cutValue(ctx, x));
  if (v !== null && typeof v === "object") {
    const out = Object.create(null) as TAttributes;
    for (const k of Object.keys(v)) out[k] = cutValue(ctx, v[k]);
    return out;
  }
  return v;
}

const isZero = (hex: string) => /^0*$/.test(hex);

function checkId(hex: string, bytes: number, name: string): string | null {
  if (hex.startsWith("!")) return `${name} is not a hex string`;
  if (hex.length !== bytes * 2) return `${name} must be ${bytes} bytes (${bytes * 2} hex digits), got ${hex.length / 2}`;
  if (isZero(hex)) return `${name} is all zeros`;
  return null;
}

function span(ctx: TCtx, s: TObj, path: string, resource: TAttributes, scope: { name: string; version: string }): TObservedSpan | string {
  const traceId = hexId(ctx, field(ctx, s, "traceId"), `${path}.traceId`);
  const spanId = hexId(ctx, field(ctx, s, "spanId"), `${path}.spanId`);
  const parentHex = hexId(ctx, field(ctx, s, "parentSpanId"), `${path}.parentSpanId`);
  const start = int64(field(ctx, s, "startTimeUnixNano"), false, `${path}.startTimeUnixNano`) ?? 0n;
  const end = int64(field(ctx, s, "endTimeUnixNano"), false, `${path}.endTimeUnixNano`) ?? 0n;
  const kindIndex = enumIndex(field(ctx, s, "kind"), KIND_NAMES, `${path}.kind`);
  const statusObj = message(ctx, s, "status", path);
  const statusIndex = statusObj ? enumIndex(field(ctx, statusObj, "code"), STATUS_NAMES, `${path}.status.code`) : 0;
  const statusMessage = statusObj ? text(ctx, field(ctx, statusObj, "message"), `${path}.status.message`) : "";
  const name = text(ctx, field(ctx, s, "name"), `${path}.name`);
  const traceState = text(ctx, field(ctx, s, "traceState"), `${path}.traceState`);

  const redacted: string[] = [];
  const attributes = keyValues(ctx, list(ctx, s, "attributes", path), "a span", `${path}.attributes`, 0, true, { prefix: "", redacted });

  const eventList = list(ctx, s, "events", path);
  if (eventList.length > ctx.limits.maxEventsPerSpan) fail(limitMessages.events(ctx.limits.maxEventsPerSpan));
  const events: TObservedEvent[] = eventList.map((e, i) => {
    const ep = `${path}.events[${i}]`;
    if (!isObject(e)) return fail(`${ep} must be an object`);
    const time = int64(field(ctx, e, "timeUnixNano"), false, `${ep}.timeUnixNano`) ?? 0n;
    const eventName = text(ctx, field(ctx, e, "name"), `${ep}.name`);
    const redact = { prefix: `event:${eventName}:`, eventName, redacted };
    const attrs = keyValues(ctx, list(ctx, e, "attributes", ep), "a span event", `${ep}.attributes`, 0, true, redact);
    return { timeUnixNano: time.toString(), timeMs: Number(time / NS_PER_MS), name: eventName, attributes: attrs };
  });

  const linkList = list(ctx, s, "links", path);
  if (linkList.length > ctx.limits.maxLinksPerSpan) fail(limitMessages.links(ctx.limits.maxLinksPerSpan));
  let badLinks = 0;
  const links: TObservedLink[] = [];
  linkList.forEach((l, i) => {
    const lp = `${path}.links[${i}]`;
    if (!isObject(l)) return fail(`${lp} must be an object`);
    const linkTrace = hexId(ctx, field(ctx, l, "traceId"), `${lp}.traceId`);
    const linkSpan = hexId(ctx, field(ctx, l, "spanId"), `${lp}.spanId`);
    const attrs = keyValues(ctx, list(ctx, l, "attributes", lp), "a span link", `${lp}.attributes`, 0, true, { prefix: "link:", redacted });
    const traceState = text(ctx, field(ctx, l, "traceState"), `${lp}.traceState`);
    // A link that cannot point anywhere is dropped and counted, as an SDK would count it.
    if (checkId(linkTrace, 16, "link traceId") || checkId(linkSpan, 8, "link spanId")) badLinks++;
    else links.push({ traceId: linkTrace, spanId: linkSpan, traceState, attributes: attrs });
  });

  const problem =
    checkId(traceId, 16, "traceId") ??
    checkId(spanId, 8, "spanId") ??
    (parentHex === "" || (!parentHex.startsWith("!") && isZero(parentHex)) ? null : checkId(parentHex, 8, "parentSpanId")) ??
    (start === 0n ? "startTimeUnixNano is missing" : null) ??
    (end < start ? "endTimeUnixNano is missing or before startTimeUnixNano" : null);
  if (problem !== null) return `span ${JSON.stringify(name.slice(0, 80))}: ${problem}`;

  return {
    traceId,
    spanId,
    parentSpanId: parentHex === "" || isZero(parentHex) ? null : parentHex,
    traceState,
    name,
    kind: SPAN_KINDS[kindIndex] ?? "unspecified",
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: end.toString(),
    startMs: Number(start / NS_PER_MS),
    endMs: Number(end / NS_PER_MS),
    status: { code: STATUS_CODES[statusIndex] ?? "unset", message: statusMessage },
    attributes,
    events,
    links,
    resource,
    scope,
    dropped: {
      attributes: uint32(field(ctx, s, "droppedAttributesCount"), `${path}.droppedAttributesCount`),
      events: uint32(field(ctx, s, "droppedEventsCount"), `${path}.droppedEventsCount`),
      links: uint32(field(ctx, s, "droppedLinksCount"), `${path}.droppedLinksCount`) + badLinks,
    },
    redactedKeys: redacted,
    contentKept: ctx.keepContent,
    truncatedValues: 0,
    receivedAtMs: ctx.receivedAtMs,
  };
}

/** Throws OtlpLimitError (caught by decodeExportRequest) for a body that breaks a rule or a bound. */
export function normalizeExportRequest(root: unknown, flavour: TFlavour, options: TNormalizeOptions): TNormalized {
  const ctx: TCtx = { ...options, flavour, values: 0, spans: 0, truncated: 0 };
  if (!isObject(root)) return fail("the request body must be an ExportTraceServiceRequest object");
  const out: TNormalized = { spans: [], rejectedSpans: 0, rejectionReasons: [] };
  list(ctx, root, "resourceSpans", "request").forEach((rs, i) => {
    const rp = `resourceSpans[${i}]`;
    if (!isObject(rs)) return fail(`${rp} must be an object`);
    const res = message(ctx, rs, "resource", rp);
    const resource = res
      ? keyValues(ctx, list(ctx, res, "attributes", `${rp}.resource`), "a resource", `${rp}.resource.attributes`, 0, true, null)
      : (Object.create(null) as TAttributes);
    list(ctx, rs, "scopeSpans", rp).forEach((ss, j) => {
      const sp = `${rp}.scopeSpans[${j}]`;
      if (!isObject(ss)) return fail(`${sp} must be an object`);
      const sc = message(ctx, ss, "scope", sp);
      if (sc) keyValues(ctx, list(ctx, sc, "attributes", `${sp}.scope`), "an instrumentation scope", `${sp}.scope.attributes`, 0, true, null);
      const scope = {
        name: sc ? text(ctx, field(ctx, sc, "name"), `${sp}.scope.name`) : "",
        version: sc ? text(ctx, field(ctx, sc, "version"), `${sp}.scope.version`) : "",
      };
      list(ctx, ss, "spans", sp).forEach((s, k) => {
        const path = `${sp}.spans[${k}]`;
        if (!isObject(s)) return fail(`${path} must be an object`);
        if (++ctx.spans > ctx.limits.maxSpans) throw new OtlpLimitError(tooLarge(limitMessages.spans(ctx.limits.maxSpans)));
        ctx.truncated = 0;
        const result = span(ctx, s, path, resource, scope);
        if (typeof result === "string") {
          out.rejectedSpans++;
          if (out.rejectionReasons.length < 5) out.rejectionReasons.push(result);
        } else {
          result.truncatedValues = ctx.truncated;
          out.spans.push(result);
        }
      });
    });
  });
  return out;
}
