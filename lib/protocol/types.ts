// Types of the Delegation Event Protocol v1 (docs/protocol.md).
// Pure data: imported by the verifier, ingest, read models, reports, the SDK and the UI.
import type { TDriftFact } from "./drift";

export const EVENT_KINDS = ["authorize", "delegate", "invoke", "complete", "revoke"] as const;
export type TEventKind = (typeof EVENT_KINDS)[number];
export const GRANT_KINDS: readonly TEventKind[] = ["authorize", "delegate"];

export const PRINCIPAL_KINDS = ["human", "agent", "tool", "attester"] as const;
export type TPrincipalKind = (typeof PRINCIPAL_KINDS)[number];

export const ALLOWED_ALGS = ["EdDSA", "Ed25519", "ES256"] as const;
export type TAllowedAlg = (typeof ALLOWED_ALGS)[number];

/** Ingest reject codes (docs/protocol.md §4), in the order the checks run. */
export const REJECT_CODES = [
  "malformed",
  "alg_not_allowed",
  "unknown_principal",
  "unknown_key",
  "key_revoked",
  "signature_invalid",
  "iat_in_future",
  "replay",
] as const;
export type TRejectCode = (typeof REJECT_CODES)[number];

export type TSeverity = "critical" | "error" | "warning";

/** Chain finding codes (docs/protocol.md §5) and their fixed severities. */
export const FINDING_SEVERITY = {
  orphan: "warning",
  unrooted: "critical",
  principal_mismatch: "error",
  scope_escalation: "critical",
  no_attenuation: "warning",
  constraint_escalation: "critical",
  purpose_mismatch: "error",
  depth_exceeded: "error",
  lifetime_escalation: "error",
  parent_expired: "error",
  parent_revoked: "error",
  ghost_permission: "critical",
  scope_drift: "critical",
  expired_grant: "error",
  revoked_grant: "error",
  late_after_revocation: "warning",
  missing_evidence: "warning",
  // Observed chains only (docs/observed.md): an observed agent or tool call no signed grant covers.
  unauthorized_activity: "warning",
  // An invoke unlike its principal's own history under the same purpose, judged at receipt
  // (lib/protocol/drift.ts, docs/least-privilege.md#behavioural-drift).
  behavior_drift: "warning",
} as const satisfies Record<string, TSeverity>;
export type TFindingCode = keyof typeof FINDING_SEVERITY;
export const FINDING_CODES = Object.keys(FINDING_SEVERITY) as TFindingCode[];

export type TFinding = { code: TFindingCode; severity: TSeverity; message: string };

/** "observed": an otel/capture chain (docs/observed.md), never verified and never any signed status. */
export type TChainStatus = "verified" | "warning" | "pending" | "violation" | "observed";
export type TEventStatus = "accepted" | "pending";
export type TAttestation = "self_reported" | "delegator_verified" | "third_party";

export type TPurpose = { code: string; text: string };
export type TConstraints = { data?: string[]; egress?: string[] };

/** traceparent: the W3C trace context of the step (optional; links the event to observed spans, docs/observed.md) */
type TCommon = { v: 1; jti: string; iss: string; iat: number; chain: string; traceparent?: string };

export type TAuthorizeClaims = TCommon & {
  kind: "authorize";
  aud: string;
  scope: string[];
  purpose: TPurpose;
  exp: number;
  max_depth?: number;
  constraints?: TConstraints;
  instruction_hash?: string;
};
export type TDelegateClaims = TCommon & {
  kind: "delegate";
  parent: string;
  aud: string;
  scope: string[];
  purpose: TPurpose;
  exp: number;
  max_depth?: number;
  constraints?: TConstraints;
};
export type TInvokeClaims = TCommon & {
  kind: "invoke";
  grant?: string;
  action: string;
  resource: string;
  purpose?: string;
  data?: string[];
};
export type TCompleteClaims = TCommon & {
  kind: "complete";
  grant: string;
  status: "completed" | "failed" | "partial";
  result_hash: string;
  evidence?: { summary?: string; artifacts?: { name: string; hash: string; uri?: string }[] };
};
export type TRevokeClaims = TCommon & { kind: "revoke"; target: string; reason?: string };

export type TClaims = TAuthorizeClaims | TDelegateClaims | TInvokeClaims | TCompleteClaims | TRevokeClaims;
export type TGrantClaims = TAuthorizeClaims | TDelegateClaims;

export type THeader = { alg: string; typ: "dep+jwt"; kid: string };

// ---------------------------------------------------------------------------------------------
// Verifier inputs and outputs (lib/protocol/envelope.ts and lib/protocol/chain.ts).

/** One public key of a registered principal, as the ingest looks it up. */
export type TRegistryKey = { kid: string; jwk: object; revokedAt: number | null; thumbprint: string };
export type TRegistryPrincipal = { id: string; kind: TPrincipalKind; keys: TRegistryKey[] };

export type TDecodeFailure = { ok: false; code: "malformed" | "alg_not_allowed"; message: string; jti: string | null };
export type TDecoded = { ok: true; header: THeader; claims: TClaims; signingInput: string; signature: Buffer };
export type TDecodeResult = TDecoded | TDecodeFailure;

export type TEnvelopeFailure = { ok: false; code: TRejectCode; message: string; jti: string | null };
export type TEnvelopeResult = { ok: true; header: THeader; claims: TClaims; principal: TRegistryPrincipal; key: TRegistryKey } | TEnvelopeFailure;

export type TReplayClass = "new" | "duplicate" | "replay";

/**
 * A stored event of one chain, in ledger order, with the facts of its receipt the checks use:
 * `keyRevokedAt`, the revocation time its signing key had in the registry when it was received
 * (null when not revoked then), and `receivedAt`, the server's clock at receipt (NumericDate).
 */
export type TCheckEvent = {
  jti: string;
  seq: number;
  claims: TClaims;
  keyRevokedAt?: number | null;
  receivedAt?: number | null;
  /** invokes: the behavioural drift judged at receipt against the signer's baseline (lib/protocol/drift.ts), null when none */
  drift?: TDriftFact | null;
};

export type TChainInput = {
  chainId: string;
  /** every stored event whose `chain` claim is chainId, in ledger order */
  events: TCheckEvent[];
  /** events referenced by this chain's events that live in OTHER chains */
  external: Map<string, { chain: string; kind: TEventKind }>;
  principalKinds: Map<string, TPrincipalKind>;
};

export type TEventVerdict = {
  status: TEventStatus;
  findings: TFinding[];
  /** grants: root = 0; null while the ancestry does not reach the chain's authorize */
  depth: number | null;
  /** grants: effective revocation time, including ancestors' revocations */
  revokedAt: number | null;
  /** complete: the signer's attestation level, null when the signer is not allowed */
  attestation: TAttestation | null;
  /** complete: the grant jti it closes, when its signer is allowed */
  closes: string | null;
  /** grants: the intersection of its own and its ancestors' lists ({} = unconstrained) */
  effectiveConstraints: TConstraints | null;
};

export type TChainAnalysis = {
  events: Map<string, TEventVerdict>;
  /** from stored findings only; read-time findings (missing_evidence) come from readTimeFindings */
  status: TChainStatus;
  hasPending: boolean;
  /** grants with no complete from an allowed signer */
  openGrants: { jti: string; exp: number }[];
};
