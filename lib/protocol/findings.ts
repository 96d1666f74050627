// Findings as compliance officers read them: a fixed severity per code (docs/protocol.md §5), a short title in
// users' words, and messages that name the scopes and principals involved.
import { FINDING_CODES, FINDING_SEVERITY, type TChainStatus, type TFinding, type TFindingCode } from "./types";

/** Short names for the UI, the reports and the docs. */
export const FINDING_TITLES: Record<TFindingCode, string> = {
  orphan: "Waiting for an earlier event",
  unrooted: "Not rooted in a human decision",
  principal_mismatch: "Signed by the wrong principal",
  scope_escalation: "Escalation",
  no_attenuation: "Authority passed on unchanged",
  constraint_escalation: "Escalation",
  purpose_mismatch: "Purpose mismatch",
  depth_exceeded: "Delegated too deep",
  lifetime_escalation: "Outlives its parent",
  parent_expired: "Delegated after the parent expired",
  parent_revoked: "Delegated after revocation",
  ghost_permission: "Ghost permission",
  scope_drift: "Scope drift",
  expired_grant: "Acted on an expired grant",
  revoked_grant: "Acted on a revoked grant",
  late_after_revocation: "Arrived after its key was revoked",
  missing_evidence: "Broken audit trail",
  unauthorized_activity: "Unsigned activity",
  behavior_drift: "Behaviour drift",
};

/** A finding as one line for people: its title in users' words, then what happened. */
export function findingMessage(f: Pick<TFinding, "code" | "message">): string {
  return f.message ? `${FINDING_TITLES[f.code]}: ${f.message}` : FINDING_TITLES[f.code];
}

/** One finding per code per event (docs/protocol.md §8): several reasons are joined into one message. */
export function makeFinding(code: TFindingCode, reasons: string | string[]): TFinding {
  const list = (Array.isArray(reasons) ? reasons : [reasons]).filter((r) => r.length > 0);
  return { code, severity: FINDING_SEVERITY[code], message: list.join("; ") };
}

/** Findings in the fixed order of FINDING_CODES, so verdicts compare equal whatever the input order. */
export function sortFindings(findings: TFinding[]): TFinding[] {
  const rank = (c: TFindingCode) => FINDING_CODES.indexOf(c);
  return [...findings].sort((a, b) => rank(a.code) - rank(b.code));
}

/** Spec §5 and §8: violation > pending > warning > verified. */
export function chainStatus(findings: TFinding[], hasPending: boolean): TChainStatus {
  if (findings.some((f) => f.severity === "critical" || f.severity === "error")) return "violation";
  if (hasPending) return "pending";
  if (findings.some((f) => f.severity === "warning")) return "warning";
  return "verified";
}

/** `1700000000 (2023-11-14T22:13:20Z)`: the NumericDate as signed, and a date a person can read. */
export function formatTime(t: number): string {
  const ms = t * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return String(t);
  return `${t} (${new Date(ms).toISOString().replace(".000Z", "Z")})`;
}

export function quoteList(items: string[]): string {
  return items.map((i) => `"${i}"`).join(", ");
}
