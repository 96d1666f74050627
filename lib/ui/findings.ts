// Findings in the words our users use, with a plain explanation. The protocol code is always shown
// beside the name (in monospace) so nothing is lost in translation. Names come from the protocol's
// FINDING_TITLES (shared with the reports), except that both escalations read "Escalation", the
// word our users use; the code beside it tells them apart.
import { FINDING_TITLES } from "@/lib/protocol/findings";
import { FINDING_SEVERITY, type TFindingCode, type TSeverity } from "@/lib/protocol/types";
import { SEVERITIES, severityRank } from "@/lib/protocol/grammar";

type TFindingInfo = { name: string; explain: string };

const NAME_OVERRIDES: Partial<Record<TFindingCode, string>> = { scope_escalation: "Escalation", constraint_escalation: "Escalation" };

const EXPLAIN: Record<TFindingCode, TFindingInfo> = {
  ghost_permission: {
    name: "Ghost permission",
    explain:
      "An action was taken without a grant that allows it: no grant at all, a grant given to someone else, or an action outside the granted scope.",
  },
  scope_drift: {
    name: "Scope drift",
    explain:
      "The action was inside the granted scope but broke the chain's constraints: data leaving to a host not allowed, or data classes the human did not allow.",
  },
  late_after_revocation: {
    name: "Arrived after its key was revoked",
    explain:
      "The event claims to be signed before its key was revoked, but reached us only after the revocation. Whoever still holds a revoked key can back-date what they sign: check that it is genuine.",
  },
  missing_evidence: {
    name: "Broken audit trail",
    explain: "The grant expired and nobody reported back: there is no completion evidence for it.",
  },
  scope_escalation: {
    name: "Escalation",
    explain: "This grant passes on scopes its parent never had. Authority must only narrow along a chain.",
  },
  constraint_escalation: {
    name: "Escalation",
    explain: "This grant allows data classes or outbound hosts that its parent's constraints did not allow.",
  },
  orphan: {
    name: "Waiting for parent",
    explain: "The grant this event refers to has not arrived yet. The event is pending and will be re-checked when it does.",
  },
  unrooted: {
    name: "No human root",
    explain: "The authority here does not start with a human decision: the root was not signed by a human, or the links are broken or circular.",
  },
  principal_mismatch: {
    name: "Wrong signer",
    explain: "The event was signed by a principal who had no right to sign it (for example, delegating authority it never received).",
  },
  no_attenuation: {
    name: "Not narrowed",
    explain: "The same authority was passed on unchanged. Each hop should receive only what it needs.",
  },
  purpose_mismatch: {
    name: "Purpose mismatch",
    explain: "The stated purpose is not part of the purpose it was granted for.",
  },
  depth_exceeded: {
    name: "Too deep",
    explain: "The chain was delegated further than an earlier hop allowed (max depth).",
  },
  lifetime_escalation: {
    name: "Outlives parent",
    explain: "This grant expires later than the grant it came from.",
  },
  parent_expired: {
    name: "Parent expired",
    explain: "Authority was delegated after the parent grant had already expired.",
  },
  parent_revoked: {
    name: "Parent revoked",
    explain: "Authority was delegated after the parent grant (or one above it) was revoked.",
  },
  expired_grant: {
    name: "Expired grant used",
    explain: "The action happened after the grant it relied on had expired.",
  },
  revoked_grant: {
    name: "Revoked grant used",
    explain: "The action happened after the grant it relied on (or one above it) was revoked.",
  },
  behavior_drift: {
    name: "Behaviour drift",
    explain:
      "This agent did something it had not done before under the same purpose: a new action, resource, data class or outside host, or far more actions in an hour than usual. It was allowed; it is unlike this agent's own history, which the message describes.",
  },
  unauthorized_activity: {
    name: "Unsigned activity",
    explain:
      "Telemetry shows an agent calling another agent, handing off, or using a tool or resource, and no signed delegation covers it: this is where signed delegation is missing.",
  },
};

export const FINDING_INFO = Object.fromEntries(
  (Object.keys(EXPLAIN) as TFindingCode[]).map((c) => [
    c,
    { name: NAME_OVERRIDES[c] ?? FINDING_TITLES[c] ?? EXPLAIN[c].name, explain: EXPLAIN[c].explain },
  ]),
) as Record<TFindingCode, TFindingInfo>;

export function findingName(code: string): string {
  return (FINDING_INFO as Record<string, TFindingInfo | undefined>)[code]?.name ?? code.replace(/_/g, " ");
}

export function findingExplain(code: string): string {
  return (FINDING_INFO as Record<string, TFindingInfo | undefined>)[code]?.explain ?? "";
}

export function findingSeverity(code: string): TSeverity {
  return (FINDING_SEVERITY as Record<string, TSeverity | undefined>)[code] ?? "warning";
}

/** 0 for the worst severity (lib/protocol/grammar.ts), for sorting. */
export const SEVERITY_ORDER = Object.fromEntries(SEVERITIES.map((s) => [s, severityRank(s)])) as Record<TSeverity, number>;

export { worstSeverity } from "@/lib/protocol/grammar";

/** Unique codes ordered worst first, then by name, for badge rows. */
export function sortCodes<T extends string>(codes: readonly T[]): T[] {
  return [...new Set(codes)].sort((a, b) => SEVERITY_ORDER[findingSeverity(a)] - SEVERITY_ORDER[findingSeverity(b)] || a.localeCompare(b));
}

export const ATTESTATION_LABEL: Record<string, { name: string; explain: string }> = {
  self_reported: { name: "Self-reported", explain: "signed by the agent that did the work" },
  delegator_verified: { name: "Delegator-verified", explain: "signed by the principal who delegated the work" },
  third_party: { name: "Third-party attested", explain: "signed by an independent attester" },
};
