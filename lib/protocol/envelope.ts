// The envelope of docs/protocol.md §1 and the ordered ingest checks of docs/protocol.md §4 (all but `replay`'s storage
// lookup, which the ingest does with classifyReplay). Verification is synchronous node:crypto:
// it is the hot path of every batch.
import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { z } from "zod";
import { validatePublicJwk } from "./keys";
import { JTI_PATTERN, JTI_RULE, PRINCIPAL_ID_PATTERN, PRINCIPAL_ID_RULE, SHA256_REF_PATTERN } from "./grammar";
import { isValidEgressEntry, isValidPurposeCode, isValidScope, isHttpResource, egressHost } from "./scope";
import {
  ALLOWED_ALGS,
  EVENT_KINDS,
  type TAuthorizeClaims,
  type TCompleteClaims,
  type TDecodeFailure,
  type TDecodeResult,
  type TDelegateClaims,
  type TEnvelopeResult,
  type THeader,
  type TInvokeClaims,
  type TRegistryPrincipal,
  type TReplayClass,
  type TRevokeClaims,
} from "./types";

export type {
  TDecodeResult,
  TDecoded,
  TDecodeFailure,
  TEnvelopeResult,
  TEnvelopeFailure,
  TRegistryKey,
  TRegistryPrincipal,
  TReplayClass,
} from "./types";

/** Spec §4: an `iat` up to this many seconds ahead of the server's clock is tolerated. */
export const MAX_CLOCK_SKEW_SECONDS = 300;
export const MAX_EVIDENCE_SUMMARY_CHARS = 2000;
/** Spec §8: at most this many entries in a `scope`, `data` or `egress` list; longer is `malformed`. */
export const MAX_LIST_ENTRIES = 256;
/** Our choice, where the spec is silent (docs/protocol.md): `evidence.artifacts` is bounded alike. */
export const MAX_EVIDENCE_ARTIFACTS = 256;

// ---------------------------------------------------------------------------------------------
// Claim schemas. Optional claims accept `null` as "absent" and the parsed claims carry no key for
// them (docs/protocol.md §8); unknown extra claims are dropped, so stored claims are exactly the protocol's.

const JTI = JTI_PATTERN;
const PRINCIPAL_ID = PRINCIPAL_ID_PATTERN;
const SHA256 = SHA256_REF_PATTERN;
// Control characters never belong in a URI; anything else is the producer's naming.
const CONTROL = /[\x00-\x1F\x7F]/;

type TIssueLike = { input?: unknown };
/** A schema-level message that still says "is required" / "must not be null" when that is the problem. */
const expect = (what: string) => (iss: TIssueLike) => (iss.input === undefined ? "is required" : iss.input === null ? `${what} (got null)` : what);

const opt = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);
const atMost = (n: number, what: string) => ({ error: `must list at most ${n} ${what}` });

const ZJti = z.string({ error: expect("must be a string") }).regex(JTI, {
  error: `must be ${JTI_RULE}`,
});
const ZPrincipalId = z.string({ error: expect("must be a string") }).regex(PRINCIPAL_ID, {
  error: `must be a principal id of ${PRINCIPAL_ID_RULE}`,
});
const ZNumericDate = z.number({ error: expect("must be a NumericDate: a finite number of seconds") }).min(0, { error: "must be a NumericDate ≥ 0" });
const ZScope = z.string({ error: expect("must be a scope string") }).superRefine((s, ctx) => {
  if (!isValidScope(s))
    ctx.addIssue({
      code: "custom",
      message: `"${s}" is not a scope: expected <resource>:<action>, resource segments of [a-z0-9_.-] separated by "/" with an optional final "*", action of [a-z0-9_.-] or "*"`,
    });
});
const ZPurposeCode = z.string({ error: expect("must be a purpose code string") }).superRefine((s, ctx) => {
  const code: string = s;
  if (!isValidPurposeCode(code))
    ctx.addIssue({ code: "custom", message: `"${s}" is not a purpose code: expected a dot-separated lowercase path such as "finance.reporting"` });
});
const ZSha256 = z.string({ error: expect("must be a string") }).regex(SHA256, {
  error: 'must be "sha256:" followed by 64 hex digits',
});
const ZMaxDepth = z
  .number({ error: expect("must be an integer ≥ 0") })
  .int({ error: "must be an integer ≥ 0" })
  .min(0, { error: "must be an integer ≥ 0" });

export const ZPurpose = z.object(
  {
    code: ZPurposeCode,
    text: z.string({ error: expect("must be a string") }).refine((t) => t.trim().length > 0, { error: "must not be empty" }),
  },
  { error: expect("must be an object {code, text}") },
);

const ZDataList = z
  .array(z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }), {
    error: "must be an array of data class strings",
  })
  .max(MAX_LIST_ENTRIES, atMost(MAX_LIST_ENTRIES, "data classes"));

export const ZConstraints = z.object(
  {
    data: opt(ZDataList),
    egress: opt(
      z
        .array(
          z.string({ error: "must be a string" }).refine(isValidEgressEntry, {
            error: 'must be a host name or "*." followed by a host name',
          }),
          { error: "must be an array of host names" },
        )
        .max(MAX_LIST_ENTRIES, atMost(MAX_LIST_ENTRIES, "hosts")),
    ),
  },
  { error: expect("must be an object {data?, egress?}") },
);

const ZResource = z
  .string({ error: expect("must be a URI string") })
  .min(1, { error: "must not be empty" })
  .superRefine((r, ctx) => {
    if (CONTROL.test(r)) ctx.addIssue({ code: "custom", message: "must not contain control characters" });
    else if (isHttpResource(r) && egressHost(r) === null)
      ctx.addIssue({ code: "custom", message: `"${r}" is an http(s) resource without a valid URL host` });
  });

const ZScopeList = z
  .array(ZScope, { error: expect("must be an array of scope strings") })
  .min(1, { error: "must list at least one scope" })
  .max(MAX_LIST_ENTRIES, atMost(MAX_LIST_ENTRIES, "scopes"));

/** W3C trace context of the step the event describes (docs/observed.md: signed beside observed). */
const ZTraceparent = z
  .string({ error: expect("must be a string") })
  .regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, { error: "must be a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>, lowercase)" })
  .refine((t) => !/^..-0{32}-/.test(t) && !/-0{16}-..$/.test(t), { error: "must not have an all-zero trace or span id" });

const common = {
  v: z.literal(1, { error: expect("must be 1") }),
  jti: ZJti,
  iss: ZPrincipalId,
  iat: ZNumericDate,
  chain: ZJti,
  traceparent: opt(ZTraceparent),
};

/** Whether dropUndefined would drop anything: a key whose value is undefined, at any depth. */
function holdsUndefined(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(holdsUndefined);
  if (value === null || typeof value !== "object") return false;
  for (const v of Object.values(value)) if (v === undefined || holdsUndefined(v)) return true;
  return false;
}

/**
 * Drops keys whose value is undefined (normalised nulls), at every depth of plain objects. Claims
 * with none (most: producers omit what they do not set) are returned as they are, not copied: the
 * schema's output is already a new object of the schema's keys, in the schema's order.
 */
function dropUndefined<T>(value: T): T {
  return holdsUndefined(value) ? copyWithoutUndefined(value) : value;
}

function copyWithoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyWithoutUndefined) as T;
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = copyWithoutUndefined(v);
  return out as T;
}

const ZAuthorizeObject = z
  .object({
    ...common,
    kind: z.literal("authorize"),
    aud: ZPrincipalId,
    scope: ZScopeList,
    purpose: ZPurpose,
    exp: ZNumericDate,
    max_depth: opt(ZMaxDepth),
    constraints: opt(ZConstraints),
    instruction_hash: opt(ZSha256),
  })
  .refine((c) => c.chain === c.jti, {
    path: ["chain"],
    error: "must equal the authorize event's own jti",
  });

const ZDelegateObject = z.object({
  ...common,
  kind: z.literal("delegate"),
  parent: ZJti,
  aud: ZPrincipalId,
  scope: ZScopeList,
  purpose: ZPurpose,
  exp: ZNumericDate,
  max_depth: opt(ZMaxDepth),
  constraints: opt(ZConstraints),
});

const ZInvokeObject = z.object({
  ...common,
  kind: z.literal("invoke"),
  grant: opt(ZJti),
  action: ZScope,
  resource: ZResource,
  purpose: opt(ZPurposeCode),
  data: opt(ZDataList),
});

const ZArtifact = z.object(
  {
    name: z.string({ error: expect("must be a string") }),
    hash: z.string({ error: expect("must be a string") }),
    uri: opt(z.string({ error: "must be a string" })),
  },
  { error: expect("must be an object {name, hash, uri?}") },
);

const ZCompleteObject = z.object({
  ...common,
  kind: z.literal("complete"),
  grant: ZJti,
  status: z.enum(["completed", "failed", "partial"], { error: expect('must be "completed", "failed" or "partial"') }),
  result_hash: ZSha256,
  evidence: opt(
    z.object(
      {
        summary: opt(
          z.string({ error: "must be a string" }).refine((s) => Array.from(s).length <= MAX_EVIDENCE_SUMMARY_CHARS, {
            error: `must be at most ${MAX_EVIDENCE_SUMMARY_CHARS} characters`,
          }),
        ),
        artifacts: opt(
          z.array(ZArtifact, { error: "must be an array of artifacts" }).max(MAX_EVIDENCE_ARTIFACTS, atMost(MAX_EVIDENCE_ARTIFACTS, "artifacts")),
        ),
      },
      { error: "must be an object {summary?, artifacts?}" },
    ),
  ),
});

const ZRevokeObject = z.object({
  ...common,
  kind: z.literal("revoke"),
  target: ZJti,
  reason: opt(z.string({ error: "must be a string" })),
});

export const ZAuthorizeClaims = ZAuthorizeObject.transform((c) => dropUndefined(c) as TAuthorizeClaims);
export const ZDelegateClaims = ZDelegateObject.transform((c) => dropUndefined(c) as TDelegateClaims);
export const ZInvokeClaims = ZInvokeObject.transform((c) => dropUndefined(c) as TInvokeClaims);
export const ZCompleteClaims = ZCompleteObject.transform((c) => dropUndefined(c) as TCompleteClaims);
export const ZRevokeClaims = ZRevokeObject.transform((c) => dropUndefined(c) as TRevokeClaims);

export const ZClaims = z.discriminatedUnion("kind", [ZAuthorizeClaims, ZDelegateClaims, ZInvokeClaims, ZCompleteClaims, ZRevokeClaims]);

const CLAIM_SCHEMAS = {
  authorize: ZAuthorizeClaims,
  delegate: ZDelegateClaims,
  invoke: ZInvokeClaims,
  complete: ZCompleteClaims,
  revoke: ZRevokeClaims,
} as const;

export const ZHeader = z.object({
  alg: z.string({ error: expect("must be a string") }),
  typ: z.literal("dep+jwt", { error: expect('must be exactly "dep+jwt"') }),
  kid: z.string({ error: expect("must be a string") }),
});

// ---------------------------------------------------------------------------------------------
// Decoding.

const B64URL = /^[A-Za-z0-9_-]*$/;
const UTF8 = new TextDecoder("utf-8", { fatal: true });

function decodeSegment(segment: string): Buffer | null {
  if (!B64URL.test(segment) || segment.length % 4 === 1) return null;
  return Buffer.from(segment, "base64url");
}

function decodeJsonObject(segment: string): Record<string, unknown> | string {
  const bytes = decodeSegment(segment);
  if (bytes === null || segment.length === 0) return "is not base64url (unpadded, RFC 4648 §5)";
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return "is not UTF-8";
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "is not JSON";
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "is not a JSON object";
  return value as Record<string, unknown>;
}

function formatPath(path: PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  return out;
}

function formatIssues(what: "header" | "claim", issues: z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 3).map((i) => `${what} "${formatPath(i.path)}": ${i.message}`);
  const more = issues.length > shown.length ? ` (and ${issues.length - shown.length} more)` : "";
  return shown.join("; ") + more;
}

function malformed(message: string, jti: string | null): TDecodeFailure {
  return { ok: false, code: "malformed", message, jti };
}

/**
 * The chain a submission claims to belong to, read from its payload without verifying anything:
 * a refused event is kept in the quarantine under the chain it names, so the chain's page can say
 * that something naming it was refused. Null unless the payload is a JSON object whose `chain` has
 * the jti charset. Never a reason to trust the claim: it only files the refusal.
 */
export function claimedChain(token: unknown): string | null {
  if (typeof token !== "string") return null;
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const payload = decodeJsonObject(parts[1]);
  if (typeof payload !== "object") return null;
  const chain = payload.chain;
  return typeof chain === "string" && JTI.test(chain) ? chain : null;
}

/** Structure, header and claims (`malformed`), then `alg_not_allowed`: the first two steps of §4. */
export function decodeToken(token: string): TDecodeResult {
  if (typeof token !== "string") return malformed("the token must be a string", null);
  const parts = token.split(".");
  if (parts.length !== 3) return malformed(`not a compact JWS: expected 3 dot-separated segments, found ${parts.length}`, null);
  const [headerSeg, payloadSeg, signatureSeg] = parts;

  const payload = decodeJsonObject(payloadSeg);
  const jti = typeof payload === "object" && typeof payload.jti === "string" ? payload.jti : null;

  const header = decodeJsonObject(headerSeg);
  if (typeof header === "string") return malformed(`the JWS header ${header}`, jti);
  const parsedHeader = ZHeader.safeParse(header);
  if (!parsedHeader.success) return malformed(formatIssues("header", parsedHeader.error.issues), jti);

  if (typeof payload === "string") return malformed(`the JWS payload ${payload}`, jti);
  const signature = decodeSegment(signatureSeg);
  if (signature === null) return malformed("the JWS signature segment is not base64url", jti);

  const kind = payload.kind;
  if (typeof kind !== "string" || !(EVENT_KINDS as readonly string[]).includes(kind)) {
    const got = kind === undefined ? "is required" : `${JSON.stringify(kind)} is not a kind`;
    return malformed(`claim "kind": ${got}; expected one of ${EVENT_KINDS.join(", ")}`, jti);
  }
  const parsedClaims = CLAIM_SCHEMAS[kind as keyof typeof CLAIM_SCHEMAS].safeParse(payload);
  if (!parsedClaims.success) return malformed(formatIssues("claim", parsedClaims.error.issues), jti);

  const headerValue: THeader = parsedHeader.data;
  if (!(ALLOWED_ALGS as readonly string[]).includes(headerValue.alg))
    return {
      ok: false,
      code: "alg_not_allowed",
      message: `alg "${headerValue.alg}" is not allowed: use ${ALLOWED_ALGS.join(", ")}`,
      jti,
    };

  return {
    ok: true,
    header: { alg: headerValue.alg, typ: headerValue.typ, kid: headerValue.kid },
    claims: parsedClaims.data,
    signingInput: `${headerSeg}.${payloadSeg}`,
    signature,
  };
}

// ---------------------------------------------------------------------------------------------
// Keys.

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k"] as const;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function is32ByteCoordinate(v: unknown): boolean {
  if (typeof v !== "string" || v.length !== 43) return false;
  const bytes = decodeSegment(v);
  return bytes !== null && bytes.length === 32;
}

/** The key types the protocol verifies: Ed25519 (OKP) for EdDSA/Ed25519, P-256 (EC) for ES256. */
export function keyType(jwk: object): "Ed25519" | "P-256" | null {
  if (!isPlainObject(jwk)) return null;
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519" && is32ByteCoordinate(jwk.x)) return "Ed25519";
  if (jwk.kty === "EC" && jwk.crv === "P-256" && is32ByteCoordinate(jwk.x) && is32ByteCoordinate(jwk.y)) return "P-256";
  return null;
}

/**
 * A JWK object with a `kty` and no private key material at all (`d`, `p`, `q`, `dp`, `dq`, `qi`,
 * `k`). Whether the protocol can verify with it is keyType's question.
 */
export function isPublicJwk(jwk: unknown): boolean {
  if (!isPlainObject(jwk) || typeof jwk.kty !== "string") return false;
  return !PRIVATE_MEMBERS.some((m) => m in jwk);
}

/** RFC 7638 required members, in lexicographic order: the canonical form of a public key. */
function thumbprintInput(jwk: object): string {
  const k = jwk as Record<string, unknown>;
  const str = (name: string) => {
    if (typeof k[name] !== "string") throw new Error(`JWK member "${name}" is missing or not a string`);
    return k[name];
  };
  switch (k.kty) {
    case "OKP":
      return JSON.stringify({ crv: str("crv"), kty: "OKP", x: str("x") });
    case "EC":
      return JSON.stringify({ crv: str("crv"), kty: "EC", x: str("x"), y: str("y") });
    case "RSA":
      return JSON.stringify({ e: str("e"), kty: "RSA", n: str("n") });
    default:
      throw new Error(`unsupported JWK kty ${JSON.stringify(k.kty)}`);
  }
}

/** RFC 7638 JWK thumbprint: base64url(SHA-256(canonical required members)). */
export function jwkThumbprint(jwk: object): string {
  return createHash("sha256").update(thumbprintInput(jwk), "utf8").digest("base64url");
}

// Imported once per distinct key; bounded so a registry churn cannot grow it without limit.
const KEY_CACHE = new Map<string, KeyObject>();
const KEY_CACHE_MAX = 10_000;

/**
 * The public KeyObject of an Ed25519 or P-256 JWK; private members are ignored. Throws on a bad key,
 * including one validatePublicJwk refuses (a small-order or off-curve point registered before that
 * check existed verifies nothing).
 */
export function importPublicKey(jwk: object): KeyObject {
  const type = keyType(jwk);
  if (type === null) throw new Error("unsupported JWK: expected an Ed25519 (OKP) or P-256 (EC) public key");
  const canonical = thumbprintInput(jwk);
  const cached = KEY_CACHE.get(canonical);
  if (cached) return cached;
  const problem = validatePublicJwk(JSON.parse(canonical));
  if (problem !== null) throw new Error(problem);
  const key = createPublicKey({ key: JSON.parse(canonical) as Record<string, string>, format: "jwk" });
  if (KEY_CACHE.size >= KEY_CACHE_MAX) KEY_CACHE.delete(KEY_CACHE.keys().next().value as string);
  KEY_CACHE.set(canonical, key);
  return key;
}

const ALG_KEY_TYPE: Record<string, "Ed25519" | "P-256"> = { EdDSA: "Ed25519", Ed25519: "Ed25519", ES256: "P-256" };

/** Whether the header's alg can be verified with a key of this JWK's type. */
export function algFitsKey(alg: string, jwk: object): boolean {
  const needed = ALG_KEY_TYPE[alg];
  return needed !== undefined && keyType(jwk) === needed;
}

type TSignatureInput = { header: THeader; signingInput: string; signature: Buffer };
type TSignatureCall = { algorithm: string | null; data: Buffer; key: KeyObject | { key: KeyObject; dsaEncoding: "ieee-p1363" }; signature: Buffer };

/** A registry key object's type and imported key (null: importPublicKey refuses it), with the members they came from. */
type TKnownKey = { kty: unknown; crv: unknown; x: unknown; y: unknown; type: "Ed25519" | "P-256" | null; key: KeyObject | null };
const KNOWN_KEYS = new WeakMap<object, TKnownKey>();

/**
 * keyType and importPublicKey of a key object, worked out once per object: a batch verifies each
 * signer's events with the same registry object (its type, canonical form and cache look-up cost
 * ~4 µs an event). An object whose members changed since is worked out again.
 */
function knownKey(jwk: object): TKnownKey {
  const k = jwk as Record<string, unknown>;
  const known = KNOWN_KEYS.get(jwk);
  if (known && known.kty === k.kty && known.crv === k.crv && known.x === k.x && known.y === k.y) return known;
  const type = keyType(jwk);
  let key: KeyObject | null = null;
  if (type !== null)
    try {
      key = importPublicKey(jwk);
    } catch {
      key = null;
    }
  const fresh: TKnownKey = { kty: k.kty, crv: k.crv, x: k.x, y: k.y, type, key };
  KNOWN_KEYS.set(jwk, fresh);
  return fresh;
}

/** The node:crypto call that decides the signature, or null when it is false without one. Throws on a bad key. */
function signatureCall(decoded: TSignatureInput, jwk: object): TSignatureCall | null {
  if (!isPlainObject(jwk)) return null;
  const known = knownKey(jwk);
  // algFitsKey, from the known type
  if (known.type === null || ALG_KEY_TYPE[decoded.header.alg] !== known.type) return null;
  if (decoded.signature.length !== 64) return null;
  const key = known.key;
  if (key === null) throw new Error("unusable key");
  const data = Buffer.from(decoded.signingInput, "utf8");
  if (decoded.header.alg === "ES256") return { algorithm: "sha256", data, key: { key, dsaEncoding: "ieee-p1363" }, signature: decoded.signature };
  return { algorithm: null, data, key, signature: decoded.signature };
}

/** Never throws: a bad key, a wrong-length signature or an alg that does not fit the key is false. */
export function verifySignature(decoded: TSignatureInput, jwk: object): boolean {
  try {
    const call = signatureCall(decoded, jwk);
    return call !== null && cryptoVerify(call.algorithm, call.data, call.key, call.signature);
  } catch {
    return false;
  }
}

/**
 * verifySignature on libuv's thread pool (node:crypto's callback form): the same answer, never
 * rejects. A server verifying a batch this way uses every core, and its main thread serves other
 * requests meanwhile.
 */
export function verifySignatureAsync(decoded: TSignatureInput, jwk: object): Promise<boolean> {
  let call: TSignatureCall | null;
  try {
    call = signatureCall(decoded, jwk);
  } catch {
    return Promise.resolve(false);
  }
  if (call === null) return Promise.resolve(false);
  const { algorithm, data, key, signature } = call;
  return new Promise((resolve) => {
    try {
      cryptoVerify(algorithm, data, key, signature, (error, valid) => resolve(!error && valid));
    } catch {
      resolve(false);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The ordered ingest checks.

export type TEnvelopeContext = {
  /** the server's clock at receipt, NumericDate seconds */
  now: number;
  principals: (iss: string) => TRegistryPrincipal | undefined;
};

type TFailure = Exclude<TEnvelopeResult, { ok: true }>;
/** Every step of checkEnvelope before the signature's, then `finish` with the signature's verdict. */
type TBeforeSignature = { decoded: TSignatureInput; jwk: object; finish: (signatureValid: boolean) => TEnvelopeResult };

function checkUntilSignature(decoded: TDecodeResult, ctx: TEnvelopeContext): TFailure | TBeforeSignature {
  if (!decoded.ok) return decoded;
  const { header, claims } = decoded;
  const jti = claims.jti;
  const fail = (code: TFailure["code"], message: string): TFailure => ({ ok: false, code, message, jti });

  const principal = ctx.principals(claims.iss);
  if (!principal) return fail("unknown_principal", `issuer "${claims.iss}" is not a registered principal`);
  const key = principal.keys.find((k) => k.kid === header.kid);
  if (!key) return fail("unknown_key", `kid "${header.kid}" is not one of the keys of "${claims.iss}"`);
  if (key.revokedAt !== null && key.revokedAt <= claims.iat)
    return fail("key_revoked", `key "${header.kid}" of "${claims.iss}" was revoked at ${key.revokedAt}, at or before the token's iat ${claims.iat}`);
  const finish = (signatureValid: boolean): TEnvelopeResult => {
    if (!signatureValid) {
      const type = keyType(key.jwk);
      const keyProblem = type === null ? null : validatePublicJwk(key.jwk);
      const why = !algFitsKey(header.alg, key.jwk)
        ? `alg "${header.alg}" does not fit key type ${type ?? "unsupported"}`
        : keyProblem !== null
          ? `the registered key is unusable: ${keyProblem}`
          : "the signature does not match the signed content";
      return fail("signature_invalid", `signature does not verify with key "${header.kid}" of "${claims.iss}": ${why}`);
    }
    if (claims.iat > ctx.now + MAX_CLOCK_SKEW_SECONDS)
      return fail("iat_in_future", `iat ${claims.iat} is more than ${MAX_CLOCK_SKEW_SECONDS} s after the server's clock (${ctx.now})`);
    return { ok: true, header, claims, principal, key };
  };
  return { decoded, jwk: key.jwk, finish };
}

/** Spec §4 in order, stopping at the first failure: everything but `replay`. */
export function checkEnvelope(token: string, ctx: TEnvelopeContext): TEnvelopeResult {
  const step = checkUntilSignature(decodeToken(token), ctx);
  return "finish" in step ? step.finish(verifySignature(step.decoded, step.jwk)) : step;
}

/** checkEnvelope with the signature verified on the thread pool (verifySignatureAsync): the same result. */
export function checkEnvelopeAsync(token: string, ctx: TEnvelopeContext): Promise<TEnvelopeResult> {
  return checkDecodedAsync(decodeToken(token), ctx);
}

/**
 * checkEnvelopeAsync for a token already through decodeToken: a batch decodes each token once and
 * reads the issuers it needs from the claims, instead of peeking at every payload first.
 */
export async function checkDecodedAsync(decoded: TDecodeResult, ctx: TEnvelopeContext): Promise<TEnvelopeResult> {
  const step = checkUntilSignature(decoded, ctx);
  return "finish" in step ? step.finish(await verifySignatureAsync(step.decoded, step.jwk)) : step;
}

/** The part of a compact JWS its signature covers: the header and payload segments. */
export function signedPart(token: string): string {
  const last = token.lastIndexOf(".");
  return last < 0 ? token : token.slice(0, last);
}

/**
 * Spec §4 last step and §8, for a token whose signature verified: unseen is new; seen with the same
 * signed part is a duplicate; else replay. Not the whole token: signatures are malleable (ES256's
 * other S, n − s; non-zero trailing bits in the last base64url character), so a third party could
 * re-encode a producer's token, send it first, and get the producer's own copy refused as replay.
 */
export function classifyReplay(token: string, storedToken: string | undefined): TReplayClass {
  if (storedToken === undefined) return "new";
  return signedPart(storedToken) === signedPart(token) ? "duplicate" : "replay";
}
