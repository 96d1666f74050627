// "This principal in this chain": what a principal's node stands for, for the panel a click on it
// opens. Its findings come first, worst first, each tied to the event that caused it and to the
// principal's part in it (it signed the event, it received the grant, it delegated it), so the panel
// can never lead with a green check while the node carries a finding.
import type { TChainDetail, TChainEvent, TChainFinding, THop } from "@/lib/contracts/chains";
import { severityRank } from "@/lib/protocol/grammar";

export type TPrincipalRole = "signed" | "received" | "delegated";

export type TPrincipalFinding = TChainFinding & { role: TPrincipalRole; eventKind: TChainEvent["kind"] | null };

export type TPrincipalInChain = {
  principalId: string;
  /** worst first, then in ledger order */
  findings: TPrincipalFinding[];
  received: THop[];
  delegated: THop[];
  /** events it signed, in ledger order */
  signed: TChainEvent[];
  /** its invocations: what it did with the authority it held */
  actions: number;
};

export function principalInChain(detail: TChainDetail, principalId: string): TPrincipalInChain {
  const received = detail.hops.filter((h) => h.to === principalId);
  const delegated = detail.hops.filter((h) => h.from === principalId);
  const signed = detail.events.filter((e) => e.iss === principalId);
  const seqOf = new Map(detail.events.map((e) => [e.jti, e] as const));
  const findings: TPrincipalFinding[] = [];
  const seen = new Set<string>();
  const add = (f: TChainFinding, role: TPrincipalRole) => {
    const key = `${f.code}\u0000${f.eventJti}\u0000${f.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    findings.push({ ...f, role, eventKind: seqOf.get(f.eventJti)?.kind ?? null });
  };
  const signedJtis = new Set(signed.map((e) => e.jti));
  const receivedJtis = new Set(received.map((h) => h.jti));
  const delegatedJtis = new Set(delegated.map((h) => h.jti));
  for (const f of detail.findings) {
    if (signedJtis.has(f.eventJti)) add(f, "signed");
    else if (receivedJtis.has(f.eventJti)) add(f, "received");
    else if (delegatedJtis.has(f.eventJti)) add(f, "delegated");
  }
  const seq = (jti: string) => seqOf.get(jti)?.seq ?? Number.MAX_SAFE_INTEGER;
  findings.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || seq(a.eventJti) - seq(b.eventJti));
  return {
    principalId,
    findings,
    received,
    delegated,
    signed,
    actions: signed.filter((e) => e.kind === "invoke").length,
  };
}
