// One observed chain's detail (GET /api/v1/chains/{id} for a chain whose source is otel or
// capture): the stored assembly, as the same TChainDetail the signed chains use, with its hops,
// events and root empty and the assembled chain in `observed`. Nothing in it is verified: status
// "observed", every edge dashed, and each acting edge an `unauthorized_activity` warning.
import type { TChainDetail, TChainFinding, TChainNode } from "@/lib/contracts/chains";
import { unauthorizedFindings } from "@/lib/observed/stored";
import type { TObservedChain, TObservedNode } from "@/lib/observed/types";
import type { TChainSource } from "@/lib/protocol/grammar";

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
): { detail: TChainDetail; validUntil: number } {
  const settling = stored.settlingUntilMs !== null && nowMs < stored.settlingUntilMs;
  const chain: TObservedChain = settling ? stored.chain : { ...stored.chain, settling: false, settlingTraceIds: [] };
  const findings: TChainFinding[] = unauthorizedFindings(chain).map((f) => ({ ...f, isReadTime: false }));
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
  };
  return { detail, validUntil: settling ? stored.settlingUntilMs! / 1000 : Infinity };
}
