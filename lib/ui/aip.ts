// Words for an AIP hop in the inspector: what AIP's own verifier said of the token, what Delegraph
// says of the hop, and why they differ (shared/spec/aip-import.md §1, docs/aip.md). Pure.
import type { THop } from "@/lib/contracts/chains";
import type { TFindingCode } from "@/lib/protocol/types";
import { findingName } from "./findings";

/** Why the reference misses what a finding reports: one sentence per finding code. */
const REFERENCE_MISSES: Partial<Record<TFindingCode, string>> = {
  principal_mismatch:
    "the reference never checks that a block's delegator is the previous block's delegate, and reads only the first delegate or principal fact of a block, so a swapped delegator or an injected second fact passes",
  scope_escalation: "the reference reads only the first tool check of a block, so a second check that widens the scope passes",
  lifetime_escalation: "the reference does not compare a block's time check with its parent's",
  unrooted: "AIP has no notion of a human root: an on-behalf-of principal is asserted in block 0, not signed by that person",
  no_attenuation: "the reference lets a block pass on everything its parent holds",
  constraint_escalation: "the reference compares only the first budget fact of a block",
  purpose_mismatch: "the reference reads only the first context fact",
  depth_exceeded: "the reference counts depth from block 0's max_depth fact only when present",
  expired_grant: "the reference judges a token only at its receipt",
  missing_evidence: "the reference does not follow a grant after it was issued",
};

const REFERENCE_STRICTER: Record<string, string> = {
  token_expired:
    "AIP refuses a token past its exp at receipt; Delegraph keeps the grant, because the audit must keep history (expired_grant when it is used late).",
  token_malformed:
    "AIP's verifier refuses the token's shape (an iat ahead of the clock with no leeway, an aud claim, a blank or missing context); Delegraph accepts it and reports what it finds as findings.",
  depth_exceeded:
    "AIP counts every appended block against max_depth, completion and counter-signature blocks included; Delegraph counts only delegations.",
  SignatureInvalid: "AIP checks a document's signature under its first key only; Delegraph accepts any of the document's own keys.",
  scope_insufficient: "AIP refused the token for the tool it was presented for (or its time check has passed); a presentation is not an invocation.",
  identity_unresolvable: "AIP could not resolve a key valid now for the issuer.",
};

export type TVerdictPair = {
  reference: string;
  ours: string;
  /** the difference in words; null when both say the same */
  difference: string | null;
  agree: boolean;
};

export function aipVerdictPair(hop: THop): TVerdictPair | null {
  const ref = hop.aip?.reference;
  if (!hop.aip || !ref) return null;
  const serious = hop.findings.filter((f) => f.severity === "critical" || f.severity === "error");
  const codes = [...new Set(hop.findings.map((f) => f.code))];
  const reference = ref.verdict === "valid" ? "valid" : `invalid (${ref.error ?? "error"})`;
  const ours =
    hop.findings.length === 0
      ? "accepted, no findings"
      : `accepted with ${codes.map((c) => `${findingName(c)} (${c})`).join(", ")}${hop.signature.verified ? "" : "; unverified hop"}`;
  if (ref.verdict === "valid" && serious.length === 0)
    return {
      reference,
      ours,
      agree: true,
      difference: hop.signature.verified
        ? null
        : "Both accept it, but the hop is not proven: its block is signed with an ephemeral key, so the delegator is asserted, not signed.",
    };
  if (ref.verdict === "valid") {
    const why = [...new Set(serious.map((f) => f.code))].map((c) => REFERENCE_MISSES[c] ?? `the reference does not check ${c}`);
    return {
      reference,
      ours,
      agree: false,
      difference: `AIP's verifier accepts this token; Delegraph does not trust it because ${why.join("; and ")}.`,
    };
  }
  return {
    reference,
    ours,
    agree: false,
    difference:
      REFERENCE_STRICTER[ref.error ?? ""] ?? `AIP's verifier refuses it (${ref.message}); Delegraph's rules accept the hop and report what it finds.`,
  };
}
