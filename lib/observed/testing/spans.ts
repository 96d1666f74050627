// Test helper: TObservedSpan values built by hand, for classification and assembly tests that
// need a shape the real SDK cannot produce (cycles, missing parents, exotic attributes).
import type { TAttrValue, TAttributes, TObservedLink, TObservedSpan, TSpanKind, TStatusCode } from "../types";
import { mulberry32 } from "@/lib/protocol/test-helpers";

const BASE_MS = Date.UTC(2026, 0, 15, 10, 0, 0);

export const traceIdOf = (n: number) => n.toString(16).padStart(32, "0");
export const spanIdOf = (n: number) => n.toString(16).padStart(16, "0");

export type TSpanSpec = {
  trace: number;
  span: number;
  parent?: number | null;
  name?: string;
  kind?: TSpanKind;
  attributes?: Record<string, TAttrValue>;
  resource?: Record<string, TAttrValue>;
  status?: TStatusCode;
  statusMessage?: string;
  /** ms offsets from the base time */
  start?: number;
  end?: number;
  links?: { trace: number; span: number }[];
  receivedAtMs?: number | null;
};

const attrs = (o: Record<string, TAttrValue> = {}): TAttributes => Object.assign(Object.create(null) as TAttributes, o);

export function makeSpan(spec: TSpanSpec): TObservedSpan {
  const start = BASE_MS + (spec.start ?? spec.span);
  const end = BASE_MS + (spec.end ?? (spec.start ?? spec.span) + 1);
  const links: TObservedLink[] = (spec.links ?? []).map((l) => ({
    traceId: traceIdOf(l.trace),
    spanId: spanIdOf(l.span),
    traceState: "",
    attributes: attrs(),
  }));
  return {
    traceId: traceIdOf(spec.trace),
    spanId: spanIdOf(spec.span),
    parentSpanId: spec.parent === undefined || spec.parent === null ? null : spanIdOf(spec.parent),
    traceState: "",
    name: spec.name ?? `span ${spec.span}`,
    kind: spec.kind ?? "internal",
    startTimeUnixNano: (BigInt(start) * 1_000_000n).toString(),
    endTimeUnixNano: (BigInt(end) * 1_000_000n).toString(),
    startMs: start,
    endMs: end,
    status: { code: spec.status ?? "unset", message: spec.statusMessage ?? "" },
    attributes: attrs(spec.attributes),
    events: [],
    links,
    resource: attrs({ "service.name": "svc", ...spec.resource }),
    scope: { name: "test", version: "" },
    dropped: { attributes: 0, events: 0, links: 0 },
    redactedKeys: [],
    contentKept: false,
    truncatedValues: 0,
    receivedAtMs: spec.receivedAtMs ?? null,
  };
}

export const agentAttrs = (name: string, extra: Record<string, TAttrValue> = {}) => ({
  "gen_ai.operation.name": "invoke_agent",
  "gen_ai.agent.name": name,
  ...extra,
});
export const toolAttrs = (name: string, extra: Record<string, TAttrValue> = {}) => ({
  "gen_ai.operation.name": "execute_tool",
  "gen_ai.tool.name": name,
  ...extra,
});

/** A deterministic shuffle (mulberry32), so order-independence tests are reproducible. */
export function shuffledWith<T>(items: readonly T[], seed: number): T[] {
  const rand = mulberry32(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The chain as short lines, for readable expectations. */
export function summarize(chain: {
  nodes: { id: string; kind: string; note?: string }[];
  edges: { kind: string; from: string; to: string; outcome: string; calls: number }[];
}) {
  return {
    nodes: chain.nodes.map((n) => `${n.kind} ${n.id}${n.note ? ` (${n.note})` : ""}`),
    edges: chain.edges.map((e) => `${e.kind} ${e.from} -> ${e.to} ${e.outcome} x${e.calls}`),
  };
}
