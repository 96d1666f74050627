// The per-chain summary row and its index rows, derived from a chain's events and their verdicts.
// Pure: ingest writes what this returns.
import type { TChainAnalysis } from "@/lib/protocol/chain";
import { isAipClaims } from "@/lib/protocol/any-chain";
import type { TClaims, TFinding } from "@/lib/protocol/types";
import { storableText } from "@/lib/text";
import type { TChainSummaryRow } from "@/lib/db/rows";

export type TSummaryEvent = { jti: string; seq: number; claims: TClaims };

const SEARCH_TEXT_LIMIT = 200_000;

export function summariseChain(
  chainId: string,
  events: TSummaryEvent[],
  analysis: TChainAnalysis,
): { row: TChainSummaryRow; scopes: string[]; principals: string[]; purposes: string[]; findings: (TFinding & { eventJti: string })[] } {
  const root = events.find((e) => e.claims.kind === "authorize" && e.jti === chainId)?.claims;
  const scopes = new Set<string>();
  const principals = new Set<string>();
  const purposes = new Set<string>();
  const words = new Set<string>([chainId]);
  let hopCount = 0;
  let minIat = Infinity;
  for (const { claims: c } of events) {
    minIat = Math.min(minIat, c.iat);
    principals.add(c.iss);
    words.add(c.jti).add(c.iss);
    if (c.kind === "authorize" || c.kind === "delegate") {
      hopCount++;
      principals.add(c.aud);
      purposes.add(c.purpose.code);
      for (const s of c.scope) scopes.add(s);
      words.add(c.aud).add(c.purpose.code).add(c.purpose.text);
      for (const s of c.scope) words.add(s);
    } else if (c.kind === "invoke") {
      scopes.add(c.action);
      words.add(c.action).add(c.resource);
      if (c.purpose) words.add(c.purpose);
    }
  }
  const findings: (TFinding & { eventJti: string })[] = [];
  for (const [jti, verdict] of analysis.events) {
    for (const f of verdict.findings) findings.push({ ...f, message: storableText(f.message), eventJti: jti });
  }
  const bySeverity = (s: string) => findings.filter((f) => f.severity === s).length;
  const openExps = analysis.openGrants.map((g) => g.exp).sort((a, b) => a - b);
  let searchText = storableText([...words].join("\n").toLowerCase());
  if (searchText.length > SEARCH_TEXT_LIMIT) searchText = searchText.slice(0, SEARCH_TEXT_LIMIT);
  return {
    row: {
      id: chainId,
      status: analysis.status,
      source: events.some((e) => isAipClaims(e.claims)) ? "aip" : "dep",
      rootJti: root ? root.jti : null,
      rootIss: root ? root.iss : null,
      rootAud: root && root.kind === "authorize" ? root.aud : null,
      purposeCode: root && root.kind === "authorize" ? root.purpose.code : null,
      purposeText: root && root.kind === "authorize" ? storableText(root.purpose.text) : null,
      startedAt: root ? root.iat : Number.isFinite(minIat) ? minIat : 0,
      hopCount,
      eventCount: events.length,
      criticalCount: bySeverity("critical"),
      errorCount: bySeverity("error"),
      warningCount: bySeverity("warning"),
      findingCodes: [...new Set(findings.map((f) => f.code))].sort().join(","),
      evidenceDue: openExps.length ? openExps[0] : null,
      openGrantExps: JSON.stringify(openExps),
      searchText,
    },
    scopes: [...scopes],
    principals: [...principals],
    purposes: [...purposes],
    findings,
  };
}
