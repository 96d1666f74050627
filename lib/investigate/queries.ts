// Investigations: who touched a resource, and everything a principal signed or received since T
// (the blast radius of a compromised key).
import { stores } from "@/lib/db";
import { nowSeconds, toChainSummary } from "@/lib/chains/queries";
import type { TFindingBrief, TPrincipalInvestigation, TResourceInvestigation } from "@/lib/contracts/investigate";
import type { TClaims, TEventKind, TFindingCode, TSeverity } from "@/lib/protocol/types";

const INVESTIGATION_LIMIT = 500;

async function findingsFor(jtis: string[]): Promise<Map<string, TFindingBrief[]>> {
  const rows = await (await stores()).insights.findingBriefs(jtis);
  const out = new Map<string, TFindingBrief[]>();
  for (const r of rows) out.set(r.eventJti, [...(out.get(r.eventJti) ?? []), { code: r.code as TFindingCode, severity: r.severity as TSeverity }]);
  return out;
}

/** Every invoke whose resource contains the text (case-insensitive), newest first. */
export async function whoTouchedResource(resource: string): Promise<TResourceInvestigation> {
  const rows = await (await stores()).insights.invokesMentioning(resource, INVESTIGATION_LIMIT * 4);
  const needle = resource.toLowerCase();
  const hits = rows
    .map((r) => ({ ...r, parsed: JSON.parse(r.claims) as TClaims }))
    .filter((r) => r.parsed.kind === "invoke" && r.parsed.resource.toLowerCase().includes(needle))
    .slice(0, INVESTIGATION_LIMIT);
  const findings = await findingsFor(hits.map((h) => h.jti));
  return {
    items: hits.map((h) => {
      const c = h.parsed as Extract<TClaims, { kind: "invoke" }>;
      return {
        jti: h.jti,
        chainId: h.chainId,
        iss: h.iss,
        action: c.action,
        resource: c.resource,
        iat: h.iat,
        status: h.status,
        findings: findings.get(h.jti) ?? [],
      };
    }),
    truncated: hits.length === INVESTIGATION_LIMIT,
  };
}

/** Blast radius: everything a principal signed or received since time T, and the chains involved. */
export async function principalActivity(principal: string, since: number, now = nowSeconds()): Promise<TPrincipalInvestigation> {
  const store = (await stores()).insights;
  const rows = await store.eventsOfPrincipal(principal, since, INVESTIGATION_LIMIT + 1);
  const events = rows.slice(0, INVESTIGATION_LIMIT);
  const findings = await findingsFor(events.map((e) => e.jti));
  const chains = await store.chainRows([...new Set(events.map((e) => e.chainId))]);
  return {
    events: events.map((e) => ({ ...e, kind: e.kind as TEventKind, findings: findings.get(e.jti) ?? [] })),
    chains: chains.map((c) => toChainSummary(c, now)),
    truncated: rows.length > INVESTIGATION_LIMIT,
  };
}
