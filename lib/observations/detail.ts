// One observed chain's detail (GET /api/v1/chains/{id} for a chain whose source is otel or
// capture): the stored assembly, as the same TChainDetail the signed chains use, with its hops,
// events and root empty and the assembled chain in `observed`. Nothing in it is verified: status
// "observed", every edge dashed, and each acting edge an `unauthorized_activity` warning.
import type { TChainDetail, TChainFinding, TChainNode } from "@/lib/contracts/chains";
import { signedMatches, unauthorizedFindings, type TSignedEventRow } from "@/lib/observed/stored";
import type { TObservedChain, TObservedNode } from "@/lib/observed/types";
import type { TChainSource } from "@/lib/protocol/grammar";

/** How long (s) a cached observed detail is reused: signed events of its traces may arrive meanwhile. */
export const OBSERVED_FRESH_S = 5;

/** What ObservedChain.data holds: the assembly, and until when (ms) a trace of it is still settling. */
export type TStoredObservedChain = { chain: TObservedChain; settlingUntilMs: number | null };

const NODE_KIND: Record<TObservedNode["kind"], TChainNode["kind"]> = {
  human: "human",
  unknown_principal: "unregistered",
  agent: "agent",
  workflow: "agent",
  tool: "tool",
  resource: "resource",
};

/**
 * The detail at `nowMs`, and until when (seconds) it stays so without a write: a chain stops
 * settling when its quiet period ends.
 */
export function buildObservedDetail(
  stored: TStoredObservedChain,
  source: TChainSource,
  head: { seq: number; hash: string } | null,
  nowMs: number,
  signed: readonly TSignedEventRow[] = [],
): { detail: TChainDetail; validUntil: number } {
  const settling = stored.settlingUntilMs !== null && nowMs < stored.settlingUntilMs;
  const chain: TObservedChain = settling ? stored.chain : { ...stored.chain, settling: false, settlingTraceIds: [] };
  const matches = signedMatches(chain, signed);
  const findings: TChainFinding[] = unauthorizedFindings(chain, new Set(matches.map((m) => m.edgeId))).map((f) => ({ ...f, isReadTime: false }));
  const flagged = new Map<string, number>();
  for (const e of chain.edges) if (findings.some((f) => f.eventJti === e.id)) flagged.set(e.from, (flagged.get(e.from) ?? 0) + 1);
  const nodes: TChainNode[] = chain.nodes.map((n) => ({
    id: n.id,
    kind: NODE_KIND[n.kind],
    name: n.label,
    worstSeverity: flagged.has(n.id) ? "warning" : null,
    findingCodes: flagged.has(n.id) ? ["unauthorized_activity"] : [],
  }));
  const detail: TChainDetail = {
    id: chain.id,
    status: "observed",
    source,
    root: null,
    startedAt: chain.startMs / 1000,
    hopCount: chain.edges.filter((e) => e.kind === "root" || e.kind === "agent_call" || e.kind === "handoff").length,
    eventCount: chain.spanCount,
    counts: { critical: 0, error: 0, warning: findings.length },
    nodes,
    hops: [],
    looseEvents: [],
    events: [],
    findings,
    ledgerHead: head ?? { seq: 0, hash: "0".repeat(64) },
    generatedAt: new Date(nowMs).toISOString(),
    observed: chain,
    observedSigned: matches,
  };
  // A signed event naming these traces can arrive without a write of this chain: reads stay fresh
  // within OBSERVED_FRESH_S.
  const fresh = nowMs / 1000 + OBSERVED_FRESH_S;
  return { detail, validUntil: settling ? Math.min(stored.settlingUntilMs! / 1000, fresh) : fresh };
}
