// Observed spans and chains as the store keeps them, and what the chain list shows of a chain.
// Pure: the service (lib/observed-ingest) decides, the store (lib/db/stores/observed.ts) writes.
//
// - stitchKeys(span): the keys a span's trace shares with other traces (the same ones
//   assembleObserved stitches by). Each trace also states `t:<its own id>`, and a span that links
//   to (or names in a `traceparent` attribute) another trace states `t:<that id>`, so the two
//   traces find each other whichever arrives first.
// - serializeSpan / parseStoredSpan: a span to JSON text and back, attribute maps restored to
//   null-prototype objects (a hostile key such as `__proto__` stays an ordinary key).
// - observedSummary(chain, source): the Chain row of the list (status "observed", never a signed
//   status) and the chain's findings: one `unauthorized_activity` (warning) per observed agent call,
//   handoff, tool call or resource access that no signed event describes.
// - signedMatches(chain, signed events of its traces): the signed events whose `traceparent` claim
//   names one of an edge's calls; drawn beside the observed edge, never merged with it.
import { classifySpan } from "./classify";
import type { TAttributes, TObservedChain, TObservedEdge, TObservedSpan } from "./types";

export const OBSERVED_SOURCES = ["otel", "capture"] as const;
export type TObservedSource = (typeof OBSERVED_SOURCES)[number];

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/i;

export function stitchKeys(span: TObservedSpan): string[] {
  const keys = new Set<string>([`t:${span.traceId}`]);
  for (const link of span.links) keys.add(`t:${link.traceId}`);
  const { facts } = classifySpan(span);
  const tp = facts.traceparent ? TRACEPARENT.exec(facts.traceparent.trim()) : null;
  if (tp && !/^0+$/.test(tp[1])) keys.add(`t:${tp[1].toLowerCase()}`);
  if (facts.conversationId !== undefined) keys.add(`conversation:${facts.conversationId}`);
  if (facts.sessionId !== undefined) keys.add(`session:${facts.sessionId}`);
  if (facts.a2aContextId !== undefined) keys.add(`a2a_context:${facts.a2aContextId}`);
  if (facts.a2aTaskId !== undefined) keys.add(`a2a_task:${facts.a2aTaskId}`);
  for (const ref of facts.a2aReferenceTaskIds ?? []) keys.add(`a2a_task:${ref}`);
  // Keys are stored in an indexed text column: bounded, so a hostile value cannot bloat the index.
  return [...keys].map((k) => (k.length > 512 ? k.slice(0, 512) : k));
}

export function serializeSpan(span: TObservedSpan): string {
  return JSON.stringify(span);
}

const nullProto = (o: unknown): TAttributes => Object.assign(Object.create(null) as TAttributes, o as object);

export function parseStoredSpan(text: string): TObservedSpan {
  const s = JSON.parse(text) as TObservedSpan;
  s.attributes = nullProto(s.attributes);
  s.resource = nullProto(s.resource);
  for (const e of s.events) e.attributes = nullProto(e.attributes);
  for (const l of s.links) l.attributes = nullProto(l.attributes);
  return s;
}

/** A stored signed event whose traceparent claim names a trace of the chain (lib/db observed.signedEventsOfTraces). */
export type TSignedEventRow = { jti: string; chainId: string; kind: string; iss: string; aud: string | null; status: string; claims: string };

/** A signed event drawn beside the observed edge of the same step (never merged with it). */
export type TSignedMatch = {
  edgeId: string;
  jti: string;
  chainId: string;
  kind: string;
  iss: string;
  aud: string | null;
  status: string;
  traceparent: string;
};

/**
 * The signed events that describe an observed step: the event's `traceparent` claim names the
 * trace and span of one of the edge's calls. Such an edge is covered by a signed event, so it is
 * not `unauthorized_activity`; both are drawn, the signed one solid, the observed one dashed.
 */
export function signedMatches(chain: TObservedChain, signed: readonly TSignedEventRow[]): TSignedMatch[] {
  const bySpan = new Map<string, string>();
  for (const e of chain.edges) for (const c of e.spans) bySpan.set(`${c.traceId}/${c.spanId}`, e.id);
  const out: TSignedMatch[] = [];
  for (const ev of signed) {
    let traceparent: unknown;
    try {
      traceparent = (JSON.parse(ev.claims) as { traceparent?: unknown }).traceparent;
    } catch {
      continue;
    }
    if (typeof traceparent !== "string" || !TRACEPARENT.test(traceparent)) continue;
    const tp = traceparent.toLowerCase();
    const edgeId = bySpan.get(`${tp.slice(3, 35)}/${tp.slice(36, 52)}`);
    if (edgeId === undefined) continue;
    out.push({ edgeId, jti: ev.jti, chainId: ev.chainId, kind: ev.kind, iss: ev.iss, aud: ev.aud, status: ev.status, traceparent: tp });
  }
  return out;
}

export type TObservedFinding = { code: "unauthorized_activity"; severity: "warning"; eventJti: string; message: string };

export type TObservedSummary = {
  id: string;
  source: TObservedSource;
  status: "observed";
  rootIss: string;
  rootAud: string | null;
  purposeText: string | null;
  /** seconds, like signed chains */
  startedAt: number;
  lastEventAt: Date;
  hopCount: number;
  eventCount: number;
  warningCount: number;
  findingCodes: string;
  searchText: string;
  findings: TObservedFinding[];
};

const ACTIVITY: Record<TObservedEdge["kind"], string | null> = {
  root: null,
  agent_call: "called agent",
  handoff: "handed off to",
  tool_call: "called tool",
  resource_access: "accessed",
};

/** One finding per observed edge that acts, unless a signed event describes the same step (`covered`: edge ids). */
export function unauthorizedFindings(chain: TObservedChain, covered: ReadonlySet<string> = new Set()): TObservedFinding[] {
  const label = new Map(chain.nodes.map((n) => [n.id, n.label] as const));
  const out: TObservedFinding[] = [];
  for (const e of chain.edges) {
    const verb = ACTIVITY[e.kind];
    if (verb === null || covered.has(e.id)) continue;
    const via = e.via ? ` over ${e.via.toUpperCase()}` : "";
    const times = e.calls === 1 ? "once" : `${e.calls} times`;
    out.push({
      code: "unauthorized_activity",
      severity: "warning",
      eventJti: e.id,
      message: `Observed, not signed: "${label.get(e.from) ?? e.from}" ${verb} "${label.get(e.to) ?? e.to}"${via} ${times}; no signed grant covers it.`,
    });
  }
  return out;
}

export function observedSummary(chain: TObservedChain, source: TObservedSource, covered: ReadonlySet<string> = new Set()): TObservedSummary {
  const principal = chain.nodes.find((n) => n.kind === "human" || n.kind === "unknown_principal");
  const rootEdge = chain.edges.find((e) => e.kind === "root");
  const top = rootEdge ? chain.nodes.find((n) => n.id === rootEdge.to) : undefined;
  const findings = unauthorizedFindings(chain, covered);
  const words = new Set<string>([chain.id, ...chain.traceIds]);
  for (const n of chain.nodes) {
    words.add(n.label);
    if (n.agentId) words.add(n.agentId);
    for (const s of n.services) words.add(s);
  }
  const searchText = [...words].join(" ").toLowerCase().slice(0, 4000);
  return {
    id: chain.id,
    source,
    status: "observed",
    rootIss: principal?.label ?? "unknown principal",
    rootAud: top?.label ?? null,
    purposeText: chain.producers.length > 0 ? `observed (${chain.producers.join(", ")})` : "observed",
    startedAt: chain.startMs / 1000,
    lastEventAt: new Date(chain.endMs),
    hopCount: chain.edges.filter((e) => e.kind === "root" || e.kind === "agent_call" || e.kind === "handoff").length,
    eventCount: chain.spanCount,
    warningCount: findings.length,
    findingCodes: findings.length > 0 ? "unauthorized_activity" : "",
    searchText,
    findings,
  };
}
