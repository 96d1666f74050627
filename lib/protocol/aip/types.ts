// Shapes shared by the AIP import (shared/spec/aip-import.md). Pure data.
import type { TFinding, TPrincipalKind, TRejectCode } from "../types";

/** What the Python reference's verifier would answer (spec §6), with its own error names. */
export type TAipVerdict = { verdict: "valid" | "invalid"; error: string | null; message: string };

export const aipValid = (message = "the reference accepts it"): TAipVerdict => ({ verdict: "valid", error: null, message });
export const aipInvalid = (error: string, message: string): TAipVerdict => ({ verdict: "invalid", error, message });

/** One Ed25519 key of an AIP identity, as the registry keeps it. Times are NumericDate seconds. */
export type TAipKey = {
  kid: string;
  /** the raw 32-byte public key */
  publicKey: Uint8Array;
  /** inclusive window from the identity document; null = open */
  validFrom: number | null;
  validUntil: number | null;
  /** set when a rotation dropped the key or an admin revoked it */
  revokedAt: number | null;
};

export type TAipIdentity = { id: string; kind: TPrincipalKind; keys: TAipKey[] };

/** A key holds at `t` when t is inside its inclusive window and it was not revoked at or before t. */
export function keyHoldsAt(k: TAipKey, t: number): boolean {
  if (k.validFrom !== null && t < k.validFrom) return false;
  if (k.validUntil !== null && t > k.validUntil) return false;
  return k.revokedAt === null || t < k.revokedAt;
}

export type TAipMode = "compact" | "chained";
export type TAipBlockRole = "compact" | "root" | "delegation" | "completion" | "counter_signature";

/** The `aip` member of a stored event's claims: everything the DEP claims cannot carry. */
export type TAipMeta = {
  mode: TAipMode;
  role: TAipBlockRole;
  /** the block index of a chained token; null for compact */
  block: number | null;
  /** the event id of block i−1 (chained, i ≥ 1) */
  prev: string | null;
  /** the engine's printed Datalog of the block, as the reference reads it */
  source: string | null;
  /** every fact and check, read exactly (datalog.ts readBlock) */
  reading: import("./datalog").TBlockReading | null;
  /** on-behalf-of principal asserted by the block (`principal("…")`), first one */
  principal: string | null;
  /** budget: integer cents for chained (budget_ceiling), USD for compact (budget_usd) */
  budget: { cents?: number | null; usd?: number | null } | null;
  /** why the hop is drawn dashed; null = signed by the issuer's own key (solid) */
  unverified: string | null;
  /** compact only: the `typ` header as sent (aip+jwt, JWT or absent) */
  typ: string | null;
  /** chained blocks carry no time: iat is the receipt time */
  iatIsReceipt: boolean;
  /** which key verified: "<identity>#<kid>" */
  verifiedBy: string | null;
  /**
   * What the reference's verifier answered for the token that first brought this event, at its
   * receipt (set by the import service before storing; the inspector shows it beside our verdict)
   */
  reference?: TAipVerdict;
};

export type TAipGrantClaims = {
  v: 1;
  kind: "authorize" | "delegate";
  jti: string;
  chain: string;
  iss: string;
  aud: string;
  iat: number;
  /** null when no time check bounds the grant */
  exp: number | null;
  scope: string[];
  purpose: { code: "aip"; text: string };
  max_depth?: number;
  parent?: string;
  aip: TAipMeta;
};

export type TAipCompleteClaims = {
  v: 1;
  kind: "complete";
  jti: string;
  chain: string;
  iss: string;
  iat: number;
  grant: string;
  status: string;
  result_hash: string;
  attestation_claimed: "self_reported" | "delegator_verified";
  aip: TAipMeta;
};

export type TAipClaims = TAipGrantClaims | TAipCompleteClaims;

/** One event to store: its claims and the raw token it came from (the whole token for every block). */
export type TAipEvent = { jti: string; chain: string; token: string; claims: TAipClaims };

export type TAipReject = { code: TRejectCode; message: string };

/** One entry of `POST /api/v1/aip/tokens` (spec §2). */
export type TAipTokenResult = {
  id: string;
  mode: TAipMode;
  status: "accepted" | "duplicate" | "rejected";
  chain?: string;
  events: string[];
  findings: TFinding[];
  error?: TAipReject;
  aip: TAipVerdict;
};
