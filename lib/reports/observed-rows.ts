// The CSV rows of an observed chain (docs/exports.md, docs/observed.md): one per listed call of
// every observed edge (the newest `maxCallsPerEdge` of each; older ones are counted in the chain,
// not kept), oldest first. Pure: built from the chain read (TChainDetail with `observed`).
import type { TChainDetail } from "@/lib/contracts/chains";
import type { TObservedRecord } from "./csv";

export function observedRecords(detail: TChainDetail): TObservedRecord[] {
  const chain = detail.observed;
  if (!chain) return [];
  const label = new Map(chain.nodes.map((n) => [n.id, n.label] as const));
  const name = (id: string) => label.get(id) ?? id;
  const humanRoot =
    chain.principal.kind === "asserted"
      ? `${chain.principal.userIds.join(", ")} (asserted by ${chain.principal.assertedBy.join(", ")})`
      : "unknown principal";
  const signedOf = new Map<string, string>();
  for (const m of detail.observedSigned ?? []) signedOf.set(m.traceparent.slice(3, 52).replace("-", "/"), `${m.kind} ${m.jti} (chain ${m.chainId})`);
  const out: TObservedRecord[] = [];
  for (const e of chain.edges) {
    const findings = detail.findings.filter((f) => f.eventJti === e.id).map((f) => ({ code: f.code, severity: f.severity, message: f.message }));
    for (const c of e.spans) {
      const key = `${c.traceId}/${c.spanId}`;
      const signed = signedOf.get(key);
      let verification = "observed, not verified";
      if (signed) verification += `; signed beside it: ${signed}`;
      if (c.aip?.rejected) verification += `; AIP token (${c.aip.from}) refused: ${c.aip.rejected}`;
      out.push({
        observed: true,
        receivedAt: new Date(c.startMs).toISOString(),
        chain: chain.id,
        jti: `span:${key}`,
        kind: `observed_${e.kind}`,
        iss: name(e.from),
        aud: name(e.to),
        startMs: c.startMs,
        action: e.via ? `${e.kind} (${e.via.toUpperCase()})` : e.kind,
        resource: name(e.to),
        findings,
        outcome: c.outcome,
        errorType: c.errorType,
        humanRoot,
        source: detail.source,
        verification,
      });
    }
  }
  return out.sort((a, b) => a.startMs - b.startMs || (a.jti < b.jti ? -1 : 1));
}
