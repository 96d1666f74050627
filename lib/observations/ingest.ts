// Storing observed spans (docs/observed.md): the spans of one OTLP request or one capture batch are
// stored, and every observed chain they touch is re-assembled from all of its stored spans
// (lib/observed assembleObserved is pure and order-independent, so re-assembling is the whole
// update). Which stored traces a batch touches: those sharing a stitching key with it (a linked or
// traceparent trace, conversation, session, A2A task or context), the traces of the chains those
// belong to, and again from them, until nothing new joins (bounded).
//
// Writes of observed chains are serialised in this process (one at a time), so two requests that
// touch the same traces cannot each assemble without the other's spans. Several app instances
// writing the same traces at the same moment can leave a chain missing the other's spans until
// the next span of it arrives (docs/observed.md, "Decisions").
import { stores } from "@/lib/db";
import type { TObservedChainWrite } from "@/lib/db/stores/observed";
import { env } from "@/lib/env";
import { assembleObserved, DEFAULT_QUIET_PERIOD_MS } from "@/lib/observed/assemble";
import type { TStoredObservedChain } from "./detail";
import { observedSummary, parseStoredSpan, serializeSpan, signedMatches, stitchKeys, type TObservedSource } from "@/lib/observed/stored";
import type { TObservedSpan } from "@/lib/observed/types";

/** How many stored traces one batch may pull into its re-assembly. */
export const MAX_RELATED_TRACES = 2000;
const MAX_ROUNDS = 16;

export type TObservedIngestResult = { spans: number; chains: string[]; ignoredTraces: number; settling: boolean };

let queue: Promise<unknown> = Promise.resolve();
function serially<T>(f: () => Promise<T>): Promise<T> {
  const run = queue.then(f, f);
  queue = run.catch(() => undefined);
  return run;
}

const spanKey = (s: { traceId: string; spanId: string }) => `${s.traceId}/${s.spanId}`;

export function ingestObservedSpans(spans: TObservedSpan[], source: TObservedSource, now = Date.now()): Promise<TObservedIngestResult> {
  if (spans.length === 0) return Promise.resolve({ spans: 0, chains: [], ignoredTraces: 0, settling: false });
  return serially(() => ingestNow(spans, source, now));
}

async function ingestNow(spans: TObservedSpan[], source: TObservedSource, now: number): Promise<TObservedIngestResult> {
  const store = (await stores()).observed;

  // The batch, de-duplicated (the later end wins, as assembly would), with its keys.
  const incoming = new Map<string, TObservedSpan>();
  for (const s of spans) {
    const seen = incoming.get(spanKey(s));
    if (!seen || s.endMs >= seen.endMs) incoming.set(spanKey(s), s);
  }
  const keyRows = new Map<string, { key: string; traceId: string }>();
  for (const s of incoming.values()) for (const key of stitchKeys(s)) keyRows.set(`${s.traceId}\u0000${key}`, { key, traceId: s.traceId });

  // The stored traces the batch touches, to closure.
  const traces = new Set([...incoming.values()].map((s) => s.traceId));
  let frontierKeys = [...new Set([...keyRows.values()].map((k) => k.key))];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const found = new Set(await store.tracesWithKeys(frontierKeys));
    const reached = await store.spansOfTraces([...new Set([...traces, ...found])]);
    const chainIds = [...new Set(reached.map((r) => r.chainId).filter((c): c is string => c !== null))];
    for (const t of await store.traceIdsOfChains(chainIds)) found.add(t);
    const added = [...found].filter((t) => !traces.has(t));
    if (added.length === 0) break;
    for (const t of added) traces.add(t);
    if (traces.size > MAX_RELATED_TRACES) break;
    frontierKeys = [...new Set((await store.keysOfTraces(added)).map((k) => k.key))];
  }
  const stored = await store.spansOfTraces([...traces]);

  const sourceOf = new Map<string, string>();
  const all = new Map<string, TObservedSpan>();
  for (const row of stored) {
    const span = parseStoredSpan(row.data);
    span.receivedAtMs ??= row.receivedAt.getTime();
    all.set(spanKey(row), span);
    sourceOf.set(spanKey(row), row.source);
  }
  for (const [key, s] of incoming) {
    all.set(key, s);
    sourceOf.set(key, source);
  }
  const previousChains = new Set(stored.map((r) => r.chainId).filter((c): c is string => c !== null));

  const keepContent = env().DELEGRAPH_KEEP_CONTENT;
  const assembly = assembleObserved([...all.values()], { now, keepContent });
  // Signed events that describe an observed step (their traceparent claim): no finding for those.
  const signed = await store.signedEventsOfTraces(assembly.chains.flatMap((c) => c.traceIds));
  const chainOfTrace = new Map<string, string | null>();
  for (const t of assembly.ignoredTraceIds) chainOfTrace.set(t, null);
  const writes: TObservedChainWrite[] = assembly.chains.map((chain) => {
    for (const t of chain.traceIds) chainOfTrace.set(t, chain.id);
    const traceSet = new Set(chain.traceIds);
    // A chain is "capture" only when every span of it came from captures.
    const onlyCaptures = [...all.entries()].every(([key, s]) => !traceSet.has(s.traceId) || sourceOf.get(key) === "capture");
    const covered = new Set(signedMatches(chain, signed).map((m) => m.edgeId));
    const { findings, ...summary } = observedSummary(chain, onlyCaptures ? "capture" : "otel", covered);
    return {
      ...summary,
      findings: findings.map(({ eventJti, code, severity, message }) => ({ eventJti, code, severity, message })),
      traceIds: chain.traceIds,
      // A settling chain is shown as such until its quiet period ends, though nothing is written then.
      data: JSON.stringify({ chain, settlingUntilMs: chain.settling ? now + DEFAULT_QUIET_PERIOD_MS : null } satisfies TStoredObservedChain),
    };
  });
  const newIds = new Set(writes.map((w) => w.id));
  const { skipped } = await store.write({
    spans: [...incoming.values()].map((s) => ({ traceId: s.traceId, spanId: s.spanId, source, data: serializeSpan(s) })),
    keys: [...keyRows.values()],
    chains: writes,
    removeChainIds: [...previousChains].filter((id) => !newIds.has(id)),
    chainOfTrace: [...chainOfTrace.entries()].map(([traceId, chainId]) => ({ traceId, chainId })),
  });
  if (skipped.length > 0) console.warn(`[delegraph] observed chains not stored: a signed chain holds the id (${skipped.join(", ")})`);
  const incomingTraces = new Set([...incoming.values()].map((s) => s.traceId));
  return {
    spans: incoming.size,
    chains: assembly.chains.filter((c) => c.traceIds.some((t) => incomingTraces.has(t))).map((c) => c.id),
    ignoredTraces: assembly.ignoredTraceIds.filter((t) => incomingTraces.has(t)).length,
    settling: assembly.settlingTraceIds.some((t) => incomingTraces.has(t)),
  };
}
