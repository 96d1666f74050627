// Signing and building Delegation Event Protocol v1 events (docs/protocol.md).
//
// The builders refuse to mint what the verifier would flag, judged from what a producer holds: the
// parent grant's claims. Checks that need the whole chain (ancestors' constraints, depth limits set
// higher up, revocations) stay with the verifier. `force: true` mints anyway: demos and tests use it
// to show violations, and an agent that already acted out of bounds must still be able to record it.
import { createHash, randomUUID } from "node:crypto";
import { CompactSign } from "jose";
import {
  egressEntryCovers,
  egressHost,
  hostMatches,
  isValidScope,
  purposeCovers,
  scopeDiff,
  scopeSetsEquivalent,
  scopesWithin,
} from "../../../lib/protocol/scope";
import {
  JTI_PATTERN,
  JTI_RULE,
  PRINCIPAL_ID_PATTERN,
  PRINCIPAL_ID_RULE,
  PURPOSE_CODE_PATTERN,
  SHA256_REF_PATTERN,
} from "../../../lib/protocol/grammar";
import type {
  TAuthorizeClaims,
  TClaims,
  TCompleteClaims,
  TConstraints,
  TDelegateClaims,
  TFindingCode,
  TGrantClaims,
  THeader,
  TInvokeClaims,
  TPurpose,
  TRevokeClaims,
} from "../../../lib/protocol/types";
import type { TSigningKey } from "./keys";

export const EVENT_TYP = "dep+jwt";
export const DEFAULT_GRANT_TTL_SECONDS = 3600;

const ID_RE = JTI_PATTERN;
const PURPOSE_CODE_RE = PURPOSE_CODE_PATTERN;
const SHA256_RE = SHA256_REF_PATTERN;

type TDistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Claims as a producer writes them: `v` and `iat` are filled in when absent. */
export type TUnsignedClaims = TDistributiveOmit<TClaims, "v" | "iat"> & { v?: 1; iat?: number };

/** A principal id and the key it signs with. */
export type TSigner = { id: string; key: TSigningKey };

export type TSignedEvent<C extends TClaims = TClaims> = { token: string; claims: C };

export type TRefusal = { code: TFindingCode; message: string };

/** A builder declined to mint an event the verifier would flag. `reasons` name the findings. */
export class RefusedEventError extends Error {
  readonly reasons: TRefusal[];
  constructor(what: string, reasons: TRefusal[]) {
    super(`${what}: ${reasons.map((r) => `${r.code}: ${r.message}`).join("; ")} (pass { force: true } to mint it anyway)`);
    this.name = "RefusedEventError";
    this.reasons = reasons;
  }
}

/** A delegation that is not strictly narrower than its parent. */
export class AttenuationError extends RefusedEventError {
  constructor(reasons: TRefusal[]) {
    super("refusing to delegate", reasons);
    this.name = "AttenuationError";
  }
}

/** An invocation its grant does not allow. */
export class UnauthorizedActionError extends RefusedEventError {
  constructor(reasons: TRefusal[]) {
    super("refusing to invoke", reasons);
    this.name = "UnauthorizedActionError";
  }
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * A short unique event id: the 122 random bits of a UUIDv4 in base 36 (25 chars), behind a
 * readable prefix. Only `[A-Za-z0-9._:-]`, as jti and chain ids require.
 */
export function newEventId(prefix = "evt"): string {
  if (!/^[A-Za-z0-9._:-]{0,100}$/.test(prefix)) throw new TypeError(`invalid id prefix: ${prefix}`);
  const random = BigInt(`0x${randomUUID().replaceAll("-", "")}`)
    .toString(36)
    .padStart(25, "0");
  return prefix ? `${prefix}_${random}` : random;
}

/** `sha256:<hex>` of a result, instruction or artifact (strings are hashed as UTF-8). */
export function sha256Digest(data: string | Uint8Array): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** Sign claims as a compact JWS with header `{alg, typ: "dep+jwt", kid}`. */
export async function signEvent(claims: TUnsignedClaims, key: TSigningKey): Promise<string> {
  const full = { v: 1, ...claims, iat: claims.iat ?? nowSeconds() };
  const header: THeader = { alg: key.alg, typ: EVENT_TYP, kid: key.kid };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(full))).setProtectedHeader(header).sign(key.privateKey);
}

async function mint<C extends TClaims>(claims: C, signer: TSigner): Promise<TSignedEvent<C>> {
  const clean = dropUndefined(claims);
  return { token: await signEvent(clean, signer.key), claims: clean };
}

// JSON drops undefined members; dropping them here too keeps the returned claims equal to the
// signed payload.
function dropUndefined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

function assertId(what: string, value: string): void {
  if (!ID_RE.test(value)) throw new TypeError(`${what} must be ${JTI_RULE}, got ${JSON.stringify(value)}`);
}

function assertPrincipalId(what: string, value: string): void {
  if (!PRINCIPAL_ID_PATTERN.test(value)) throw new TypeError(`${what} must be ${PRINCIPAL_ID_RULE}`);
}

function assertScopes(scope: string[]): void {
  if (scope.length === 0) throw new TypeError("scope must list at least one scope");
  for (const s of scope) if (!isValidScope(s)) throw new TypeError(`invalid scope ${JSON.stringify(s)} (expected <resource>:<action>)`);
}

function assertPurpose(purpose: TPurpose): void {
  if (!PURPOSE_CODE_RE.test(purpose.code)) throw new TypeError(`invalid purpose code ${JSON.stringify(purpose.code)}`);
  if (purpose.text.trim() === "") throw new TypeError("purpose text must not be empty");
}

function assertTime(what: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`${what} must be a NumericDate (seconds)`);
}

type TCommonInput = {
  /** Issued-at, seconds; defaults to now. */
  iat?: number;
  /** Event id; defaults to `newEventId()`. */
  jti?: string;
  /**
   * The W3C traceparent of the step this event describes (the span you are in when you sign):
   * Delegraph then draws it beside the observed spans of that step (docs/observed.md).
   */
  traceparent?: string;
};

type TGrantInput = TCommonInput & {
  aud: string;
  scope: string[];
  /** Absolute expiry, seconds. */
  exp?: number;
  /** Lifetime from `iat` when `exp` is not given. */
  ttl?: number;
  max_depth?: number;
  constraints?: TConstraints;
};

function commonClaims(signer: TSigner, input: TCommonInput, prefix: string) {
  assertPrincipalId("iss", signer.id);
  const jti = input.jti ?? newEventId(prefix);
  assertId("jti", jti);
  const iat = input.iat ?? nowSeconds();
  assertTime("iat", iat);
  const traceparent = input.traceparent;
  if (traceparent !== undefined && !/^[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/.test(traceparent)) {
    throw new TypeError(`traceparent must be a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>), got ${JSON.stringify(traceparent)}`);
  }
  return { jti, iat, traceparent };
}

function grantExp(input: TGrantInput, iat: number, fallback: number): number {
  const exp = input.exp ?? (input.ttl !== undefined ? iat + input.ttl : fallback);
  assertTime("exp", exp);
  return exp;
}

function assertGrantInput(input: TGrantInput, purpose: TPurpose): void {
  assertPrincipalId("aud", input.aud);
  assertScopes(input.scope);
  assertPurpose(purpose);
  if (input.max_depth !== undefined && !(Number.isInteger(input.max_depth) && input.max_depth >= 0)) {
    throw new TypeError("max_depth must be an integer >= 0");
  }
}

/** The human decision at the root of a chain. Its chain id is its own jti. */
export async function authorize(
  signer: TSigner,
  input: TGrantInput & {
    purpose: TPurpose;
    /** The human's instruction in their own words; only its hash is signed. */
    instruction?: string;
    instruction_hash?: string;
  },
): Promise<TSignedEvent<TAuthorizeClaims>> {
  assertGrantInput(input, input.purpose);
  const { jti, iat, traceparent } = commonClaims(signer, input, "auth");
  const instruction_hash = input.instruction_hash ?? (input.instruction !== undefined ? sha256Digest(input.instruction) : undefined);
  if (instruction_hash !== undefined && !SHA256_RE.test(instruction_hash)) {
    throw new TypeError("instruction_hash must be sha256:<64 hex>");
  }
  return mint<TAuthorizeClaims>(
    {
      v: 1,
      kind: "authorize",
      jti,
      iss: signer.id,
      iat,
      traceparent,
      chain: jti,
      aud: input.aud,
      scope: input.scope,
      purpose: input.purpose,
      exp: grantExp(input, iat, iat + DEFAULT_GRANT_TTL_SECONDS),
      max_depth: input.max_depth,
      constraints: input.constraints,
      instruction_hash,
    },
    signer,
  );
}

/**
 * Pass part of a grant on. The signer must be the parent's `aud`. Refuses (AttenuationError)
 * unless the new hop is strictly narrower: scope within the parent's and not equivalent to it,
 * purpose derived from the parent's, no later expiry, no constraint entries outside the parent's.
 * `purpose` and `exp` default to the parent's.
 */
export async function delegate(
  parent: TGrantClaims,
  signer: TSigner,
  input: TGrantInput & { purpose?: TPurpose },
  opts: { force?: boolean } = {},
): Promise<TSignedEvent<TDelegateClaims>> {
  const purpose = input.purpose ?? parent.purpose;
  assertGrantInput(input, purpose);
  const { jti, iat, traceparent } = commonClaims(signer, input, "dlg");
  const exp = grantExp(input, iat, parent.exp);

  if (!opts.force) {
    const reasons: TRefusal[] = [];
    if (signer.id !== parent.aud) {
      reasons.push({ code: "principal_mismatch", message: `${signer.id} is not the parent's audience ${parent.aud}` });
    }
    if (!scopesWithin(input.scope, parent.scope)) {
      const { added: outside } = scopeDiff(input.scope, parent.scope);
      reasons.push({ code: "scope_escalation", message: `scope ${outside.join(", ")} is not within the parent's ${parent.scope.join(", ")}` });
    } else if (scopeSetsEquivalent(input.scope, parent.scope)) {
      reasons.push({ code: "no_attenuation", message: "scope is equivalent to the parent's: nothing was narrowed" });
    }
    if (!purposeCovers(parent.purpose.code, purpose.code)) {
      reasons.push({ code: "purpose_mismatch", message: `purpose ${purpose.code} does not derive from the parent's ${parent.purpose.code}` });
    }
    if (exp > parent.exp) {
      reasons.push({ code: "lifetime_escalation", message: `exp ${exp} is later than the parent's ${parent.exp}` });
    }
    if (iat > parent.exp) {
      reasons.push({ code: "parent_expired", message: `issued at ${iat}, after the parent expired at ${parent.exp}` });
    }
    if (parent.max_depth === 0) {
      reasons.push({ code: "depth_exceeded", message: "the parent allows no further delegation (max_depth 0)" });
    }
    const widened = constraintsOutside(input.constraints, parent.constraints);
    if (widened.length > 0) {
      reasons.push({ code: "constraint_escalation", message: `constraints outside the parent's: ${widened.join(", ")}` });
    }
    if (reasons.length > 0) throw new AttenuationError(reasons);
  }

  return mint<TDelegateClaims>(
    {
      v: 1,
      kind: "delegate",
      jti,
      iss: signer.id,
      iat,
      traceparent,
      chain: parent.chain,
      parent: parent.jti,
      aud: input.aud,
      scope: input.scope,
      purpose,
      exp,
      max_depth: input.max_depth,
      constraints: input.constraints,
    },
    signer,
  );
}

/**
 * Record an action taken under a grant (`grant: null` records one taken under none, which is
 * always a ghost permission and so needs `force` plus an explicit `chain`). Refuses
 * (UnauthorizedActionError) what the grant visibly does not allow.
 */
export async function invoke(
  grant: TGrantClaims | null,
  signer: TSigner,
  input: TCommonInput & {
    action: string;
    resource: string;
    purpose?: string;
    data?: string[];
    /** Required when `grant` is null. */
    chain?: string;
  },
  opts: { force?: boolean } = {},
): Promise<TSignedEvent<TInvokeClaims>> {
  if (!isValidScope(input.action)) throw new TypeError(`invalid action ${JSON.stringify(input.action)} (expected <resource>:<action>)`);
  if (input.resource === "") throw new TypeError("resource must not be empty");
  if (input.purpose !== undefined && !PURPOSE_CODE_RE.test(input.purpose)) {
    throw new TypeError(`invalid purpose code ${JSON.stringify(input.purpose)}`);
  }
  const chain = input.chain ?? grant?.chain;
  if (chain === undefined) throw new TypeError("an invoke without a grant needs an explicit chain");
  assertId("chain", chain);
  const { jti, iat, traceparent } = commonClaims(signer, input, "inv");

  if (!opts.force) {
    const reasons: TRefusal[] = [];
    if (grant === null) {
      reasons.push({ code: "ghost_permission", message: "no grant" });
    } else {
      if (signer.id !== grant.aud) {
        reasons.push({ code: "ghost_permission", message: `${signer.id} is not the grant's audience ${grant.aud}` });
      }
      if (!scopesWithin([input.action], grant.scope)) {
        reasons.push({ code: "ghost_permission", message: `${input.action} is not covered by ${grant.scope.join(", ")}` });
      }
      if (iat > grant.exp) {
        reasons.push({ code: "expired_grant", message: `issued at ${iat}, after the grant expired at ${grant.exp}` });
      }
      if (input.purpose !== undefined && !purposeCovers(grant.purpose.code, input.purpose)) {
        reasons.push({ code: "purpose_mismatch", message: `purpose ${input.purpose} does not derive from ${grant.purpose.code}` });
      }
      const drift = driftOutside(input, grant.constraints);
      if (drift.length > 0) reasons.push({ code: "scope_drift", message: drift.join("; ") });
    }
    if (reasons.length > 0) throw new UnauthorizedActionError(reasons);
  }

  return mint<TInvokeClaims>(
    {
      v: 1,
      kind: "invoke",
      jti,
      iss: signer.id,
      iat,
      traceparent,
      chain,
      grant: grant?.jti,
      action: input.action,
      resource: input.resource,
      purpose: input.purpose,
      data: input.data,
    },
    signer,
  );
}

/**
 * Close a grant with evidence. Who signs decides the attestation level: the grant's `aud`
 * (self-reported), its `iss` (delegator-verified) or an attester (third party).
 * Give the raw `result` to have it hashed, or a ready `result_hash`.
 */
export async function complete(
  grant: TGrantClaims,
  signer: TSigner,
  input: TCommonInput & {
    status?: TCompleteClaims["status"];
    result?: string | Uint8Array;
    result_hash?: string;
    evidence?: TCompleteClaims["evidence"];
  },
): Promise<TSignedEvent<TCompleteClaims>> {
  const result_hash = input.result_hash ?? (input.result !== undefined ? sha256Digest(input.result) : undefined);
  if (result_hash === undefined || !SHA256_RE.test(result_hash)) {
    throw new TypeError("complete needs a result or a result_hash of the form sha256:<64 hex>");
  }
  if (input.evidence?.summary !== undefined && input.evidence.summary.length > 2000) {
    throw new TypeError("evidence summary is limited to 2000 characters");
  }
  const { jti, iat, traceparent } = commonClaims(signer, input, "cmp");
  return mint<TCompleteClaims>(
    {
      v: 1,
      kind: "complete",
      jti,
      iss: signer.id,
      iat,
      traceparent,
      chain: grant.chain,
      grant: grant.jti,
      status: input.status ?? "completed",
      result_hash,
      evidence: input.evidence,
    },
    signer,
  );
}

/** Withdraw a grant and everything below it. The signer must have issued it or an ancestor. */
export async function revoke(
  target: TGrantClaims,
  signer: TSigner,
  input: TCommonInput & { reason?: string } = {},
): Promise<TSignedEvent<TRevokeClaims>> {
  const { jti, iat, traceparent } = commonClaims(signer, input, "rvk");
  return mint<TRevokeClaims>(
    { v: 1, kind: "revoke", jti, iss: signer.id, iat, traceparent, chain: target.chain, target: target.jti, reason: input.reason },
    signer,
  );
}

// Constraint entries the child lists that the parent's own lists do not allow. Only the direct
// parent's lists are known here; a narrower list further up is the verifier's to see.
function constraintsOutside(child: TConstraints | undefined, parent: TConstraints | undefined): string[] {
  const out: string[] = [];
  if (child?.data && parent?.data) {
    for (const d of child.data) if (!parent.data.includes(d)) out.push(`data ${d}`);
  }
  if (child?.egress && parent?.egress) {
    for (const h of child.egress) if (!parent.egress.some((p) => egressEntryCovers(p, h))) out.push(`egress ${h}`);
  }
  return out;
}

function driftOutside(input: { resource: string; data?: string[] }, constraints: TConstraints | undefined): string[] {
  const out: string[] = [];
  const host = egressHost(input.resource);
  if (host !== null && constraints?.egress && !constraints.egress.some((p) => hostMatches(p, host))) {
    out.push(`host ${host} is outside egress ${constraints.egress.join(", ") || "(none)"}`);
  }
  if (input.data && constraints?.data) {
    const outside = input.data.filter((d) => !constraints.data!.includes(d));
    if (outside.length > 0) out.push(`data ${outside.join(", ")} outside ${constraints.data.join(", ") || "(none)"}`);
  }
  return out;
}
