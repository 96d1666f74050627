// The read model of a chain, as GET /api/v1/chains/{id} returns it and as the UI, the PDF/CSV
// reports and the evidence bundle consume it. Plain JSON: no Dates, no Prisma types.
import type { TChainReviewStatus } from "./review";
import type {
  TAttestation,
  TChainStatus,
  TClaims,
  TConstraints,
  TEventKind,
  TEventStatus,
  TFindingCode,
  TPrincipalKind,
  TPurpose,
  TSeverity,
} from "@/lib/protocol/types";
import type { TDriftFact } from "@/lib/protocol/drift";
import type { TChainSource } from "@/lib/protocol/grammar";
import type { TObservedChain } from "@/lib/observed/types";
import type { TSignedMatch } from "@/lib/observed/stored";

export type { TObservedChain, TObservedEdge, TObservedNode, TObservedCall } from "@/lib/observed/types";
export type { TSignedMatch } from "@/lib/observed/stored";

export type TChainFinding = {
  code: TFindingCode;
  severity: TSeverity;
  message: string;
  eventJti: string;
  /** true for findings computed at read time from the clock (missing_evidence). */
  isReadTime: boolean;
};

export type TChainEvent = {
  seq: number;
  jti: string;
  kind: TEventKind;
  iss: string;
  aud: string | null;
  /** parent (delegate), grant (invoke, complete) or target (revoke) */
  ref: string | null;
  iat: number;
  exp: number | null;
  status: TEventStatus;
  receivedAt: string; // ISO 8601
  alg: string;
  kid: string;
  /** the signing key's revokedAt in the registry when the event was received; null when not revoked then */
  keyRevokedAt: number | null;
  /** invokes: the behavioural drift judged at receipt against the signer's own history (behavior_drift), null when none */
  drift: TDriftFact | null;
  /** the signing key's revokedAt in the registry now: set and later than the event when the key was revoked after it was accepted */
  keyRevokedNow: number | null;
  /** RFC 7638 thumbprint of the key that verified the signature */
  keyThumbprint: string | null;
  token: string;
  tokenSha256: string;
  claims: TClaims;
  prevHash: string;
  hash: string;
  findings: TChainFinding[];
};

/** One stored event with its raw token: GET /api/v1/events/{jti} (investigators and admins). */
export type TRawEvent = {
  jti: string;
  chainId: string;
  seq: number;
  kind: TEventKind;
  alg: string;
  kid: string;
  /** the token exactly as received: a compact JWS, or an AIP chained token (Biscuit) */
  token: string;
  tokenSha256: string;
  prevHash: string;
  hash: string;
  receivedAt: string; // ISO 8601
};

export type TChainNode = {
  /** principal id, or the resource URI for kind "resource" */
  id: string;
  kind: TPrincipalKind | "resource" | "unregistered";
  name: string | null;
  /** worst severity among findings on events this node issued or received */
  worstSeverity: TSeverity | null;
  findingCodes: TFindingCode[];
};

export type TCompletion = {
  jti: string;
  iss: string;
  iat: number;
  status: "completed" | "failed" | "partial";
  resultHash: string;
  attestation: TAttestation | null; // null when the signer is not allowed (principal_mismatch)
  evidence: { summary?: string; artifacts?: { name: string; hash: string; uri?: string }[] } | null;
};

export type TInvocation = {
  jti: string;
  iss: string;
  iat: number;
  action: string;
  resource: string;
  purpose: string | null;
  data: string[];
  findings: TChainFinding[];
};

export type THop = {
  jti: string;
  kind: "authorize" | "delegate";
  parent: string | null;
  from: string; // iss
  to: string; // aud
  iat: number;
  /** an AIP grant that no time check bounds carries null here at run time (docs/aip.md, known limits) */
  exp: number;
  scope: string[];
  /** parent scopes this hop did not pass on whole (attenuation) */
  scopeRemoved: string[];
  /** scopes not covered by the parent (escalation) */
  scopeAdded: string[];
  purpose: TPurpose;
  constraints: TConstraints | null;
  effectiveConstraints: TConstraints;
  maxDepth: number | null;
  /** root = 0; null while the hop's ancestry is incomplete */
  depth: number | null;
  status: TEventStatus;
  revokedAt: number | null;
  /** verified false: an AIP block signed with an ephemeral key (its delegator is asserted, not proven) */
  signature: { alg: string; kid: string; thumbprint: string | null; verified: boolean };
  /** hops that came from AIP tokens (chain source "aip") */
  aip?: THopAip;
  findings: TChainFinding[];
  invocations: TInvocation[];
  completions: TCompletion[];
};

/** What an AIP hop carries beyond a DEP hop (shared/spec/aip-import.md §4–§6). */
export type THopAip = {
  mode: "compact" | "chained";
  role: "compact" | "root" | "delegation" | "completion" | "counter_signature";
  /** the block index of a chained token */
  block: number | null;
  /** compact: the typ header as sent */
  typ: string | null;
  /** why the hop is drawn dashed; null when signed by a key of the issuer's own identity */
  unverified: string | null;
  /** the on-behalf-of principal the block asserts (principal("…")) */
  onBehalfOf: string | null;
  budget: { cents?: number | null; usd?: number | null } | null;
  /** the block's Datalog as the engine prints it */
  datalog: string | null;
  verifiedBy: string | null;
  /** chained blocks carry no time: iat is when Delegraph received the block */
  iatIsReceipt: boolean;
  /** what AIP's own verifier answered for the token that brought this hop, at its receipt */
  reference: { verdict: "valid" | "invalid"; error: string | null; message: string } | null;
};

export type TChainDetail = {
  id: string;
  status: TChainStatus;
  source: TChainSource;
  root: { jti: string; iss: string; aud: string; purpose: TPurpose; scope: string[]; iat: number; exp: number } | null;
  startedAt: number;
  hopCount: number;
  eventCount: number;
  counts: { critical: number; error: number; warning: number };
  nodes: TChainNode[];
  hops: THop[];
  /** invokes with no usable grant (ghost permissions), revokes and anything not under a hop */
  looseEvents: string[];
  events: TChainEvent[];
  findings: TChainFinding[];
  ledgerHead: { seq: number; hash: string };
  generatedAt: string;
  /**
   * Observed chains (source otel or capture, status "observed"; docs/observed.md): the assembled
   * chain, whose edges are all dashed and never verified. hops, events and root are empty for them.
   */
  observed?: TObservedChain;
  /** observed chains: signed events whose traceparent names an observed call, drawn beside its edge (never merged) */
  observedSigned?: TSignedMatch[];
};

export type TChainSummary = {
  id: string;
  status: TChainStatus;
  source: TChainSource;
  rootIss: string | null;
  rootAud: string | null;
  /** display names of rootIss and rootAud, where registered with one (lists show names, ids on hover) */
  rootName: string | null;
  rootAudName: string | null;
  purposeCode: string | null;
  purposeText: string | null;
  startedAt: number;
  hopCount: number;
  eventCount: number;
  counts: { critical: number; error: number; warning: number };
  findingCodes: TFindingCode[];
  lastEventAt: string;
  /** the chain's review (docs/review.md) */
  review: TChainReviewStatus;
};

/**
 * `total`: how many chains match the filters, on every page, counted up to 10,000 (docs/api.md):
 * exact when `isTotalExact`, else a lower bound (at least that many match; the UI says "10,000+").
 */
export type TChainList = { items: TChainSummary[]; nextCursor: string | null; total: number; isTotalExact: boolean };

/** A refused submission that names the chain (GET /api/v1/chains/{id}/refused); raw bytes stay in the quarantine. */
export type TChainRefusal = { id: number; receivedAt: string; jti: string | null; code: string; message: string };
/** The newest refusals (at most 50) and how many there are. */
export type TChainRefusals = { items: TChainRefusal[]; total: number };
