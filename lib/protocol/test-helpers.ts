// Real keys and real compact JWS for the protocol's tests: node:crypto keys, no mocks. Also used to
// build chain fixtures whose claims went through the same decoder the ingest uses.
import type { TDriftFact } from "./drift";
import { generateKeyPairSync, sign as cryptoSign, type KeyObject } from "node:crypto";
import { decodeToken, jwkThumbprint } from "./envelope";
import { publicJwkFromSpki } from "./keys";
import type { TChainInput, TCheckEvent, TClaims, TEventKind, TPrincipalKind, TRegistryKey, TRegistryPrincipal } from "./types";

export const T0 = 1_700_000_000;

export type TTestKey = {
  kid: string;
  type: "Ed25519" | "P-256";
  privateKey: KeyObject;
  publicJwk: { kty: string; crv: string; x: string; y?: string; kid: string };
};

export function makeKey(type: "Ed25519" | "P-256" = "Ed25519", kid = `${type.toLowerCase()}-${Math.random().toString(36).slice(2, 10)}`): TTestKey {
  const { privateKey, publicKey } = type === "Ed25519" ? generateKeyPairSync("ed25519") : generateKeyPairSync("ec", { namedCurve: "P-256" });
  // Not export({ format: "jwk" }): it can deadlock on Node 20 in a process that generates keys (publicJwkFromSpki).
  const jwk = publicJwkFromSpki(publicKey.export({ type: "spki", format: "der" }))!;
  return { kid, type, privateKey, publicJwk: { ...jwk, kid } };
}

export function b64url(value: string | Buffer | object): string {
  if (Buffer.isBuffer(value)) return value.toString("base64url");
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value), "utf8").toString("base64url");
}

/** A compact JWS from arbitrary header and payload values and an optional raw signature segment. */
export function rawToken(header: unknown, payload: unknown, signatureSegment = ""): string {
  return `${b64url(header as object)}.${b64url(payload as object)}.${signatureSegment}`;
}

export function signBytes(key: TTestKey, data: string): Buffer {
  const bytes = Buffer.from(data, "utf8");
  return key.type === "Ed25519"
    ? cryptoSign(null, bytes, key.privateKey)
    : cryptoSign("sha256", bytes, { key: key.privateKey, dsaEncoding: "ieee-p1363" });
}

/**
 * Signs claims with a key. The header defaults to the key's natural alg (EdDSA or ES256) and kid;
 * `header` overrides or adds members (an `undefined` value removes one).
 */
export function signToken(key: TTestKey, claims: object, header: Record<string, unknown> = {}): string {
  const h = { alg: key.type === "Ed25519" ? "EdDSA" : "ES256", typ: "dep+jwt", kid: key.kid, ...header };
  const signingInput = `${b64url(h)}.${b64url(claims)}`;
  return `${signingInput}.${b64url(signBytes(key, signingInput))}`;
}

export function registryKey(key: TTestKey, revokedAt: number | null = null): TRegistryKey {
  return { kid: key.kid, jwk: key.publicJwk, revokedAt, thumbprint: jwkThumbprint(key.publicJwk) };
}

export function registryPrincipal(id: string, kind: TPrincipalKind, keys: TRegistryKey[]): TRegistryPrincipal {
  return { id, kind, keys };
}

// ---------------------------------------------------------------------------------------------
// Claims with sensible defaults. Overrides win; an `undefined` override removes a claim.

export const ALICE = "user:alice@bank.example";
export const PLANNER = "agent:planner";
export const ANALYST = "agent:analyst";
export const FETCHER = "tool:fetcher";
export const AUDITOR = "attester:auditor";
export const MALLORY = "agent:mallory";

export const PRINCIPAL_KINDS_FIXTURE = new Map<string, TPrincipalKind>([
  [ALICE, "human"],
  [PLANNER, "agent"],
  [ANALYST, "agent"],
  [FETCHER, "tool"],
  [AUDITOR, "attester"],
  [MALLORY, "agent"],
]);

export const HASH_A = `sha256:${"a".repeat(64)}`;

type TOver = Record<string, unknown>;

export function authorizeClaims(over: TOver = {}): TOver {
  const jti = (over.jti as string | undefined) ?? "a1";
  return {
    v: 1,
    kind: "authorize",
    jti,
    chain: jti,
    iss: ALICE,
    iat: T0,
    aud: PLANNER,
    scope: ["finance/*:read"],
    purpose: { code: "finance.reporting", text: "Prepare the Q1 liquidity report" },
    exp: T0 + 3600,
    ...over,
  };
}

export function delegateClaims(over: TOver = {}): TOver {
  return {
    v: 1,
    kind: "delegate",
    jti: "d1",
    chain: "a1",
    iss: PLANNER,
    iat: T0 + 10,
    parent: "a1",
    aud: ANALYST,
    scope: ["finance/q1/*:read"],
    purpose: { code: "finance.reporting.liquidity", text: "Compute Q1 liquidity" },
    exp: T0 + 1800,
    ...over,
  };
}

export function invokeClaims(over: TOver = {}): TOver {
  return {
    v: 1,
    kind: "invoke",
    jti: "i1",
    chain: "a1",
    iss: ANALYST,
    iat: T0 + 20,
    grant: "d1",
    action: "finance/q1/revenue:read",
    resource: "https://ledger.bank.example/q1/revenue",
    ...over,
  };
}

export function completeClaims(over: TOver = {}): TOver {
  return {
    v: 1,
    kind: "complete",
    jti: "c1",
    chain: "a1",
    iss: ANALYST,
    iat: T0 + 30,
    grant: "d1",
    status: "completed",
    result_hash: HASH_A,
    ...over,
  };
}

export function revokeClaims(over: TOver = {}): TOver {
  return {
    v: 1,
    kind: "revoke",
    jti: "r1",
    chain: "a1",
    iss: ALICE,
    iat: T0 + 40,
    target: "a1",
    ...over,
  };
}

const BUILDERS: Record<TEventKind, (over: TOver) => TOver> = {
  authorize: authorizeClaims,
  delegate: delegateClaims,
  invoke: invokeClaims,
  complete: completeClaims,
  revoke: revokeClaims,
};

// One signing key for fixtures: chain checks do not look at signatures, but the claims go through
// a real token and the real decoder so they have exactly the shape the ingest stores.
let fixtureKey: TTestKey | null = null;

/** Claims of a kind, signed and decoded: throws if the decoder would not accept them. */
export function claimsOf(kind: TEventKind, over: TOver = {}): TClaims {
  fixtureKey ??= makeKey("Ed25519", "fixture");
  const decoded = decodeToken(signToken(fixtureKey, BUILDERS[kind](over)));
  if (!decoded.ok) throw new Error(`fixture ${kind} ${JSON.stringify(over)} is ${decoded.code}: ${decoded.message}`);
  return decoded.claims;
}

export function toEvents(claims: TClaims[]): TCheckEvent[] {
  return claims.map((c, i) => ({ jti: c.jti, seq: i + 1, claims: c }));
}

export function chainInput(
  claims: TClaims[],
  opts: {
    chainId?: string;
    external?: [string, { chain: string; kind: TEventKind }][];
    kinds?: Map<string, TPrincipalKind>;
    /** receipt facts by jti: the signing key's revocation time at receipt, the receipt time, the drift judged then */
    receipts?: Record<string, { keyRevokedAt?: number | null; receivedAt?: number; drift?: TDriftFact | null }>;
  } = {},
): TChainInput {
  return {
    chainId: opts.chainId ?? "a1",
    events: toEvents(claims).map((e) => (opts.receipts?.[e.jti] ? { ...e, ...opts.receipts[e.jti] } : e)),
    external: new Map(opts.external ?? []),
    principalKinds: opts.kinds ?? PRINCIPAL_KINDS_FIXTURE,
  };
}

/** A small deterministic generator (mulberry32): numbers in [0, 1) from a seed, so runs replay. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A deterministic shuffle (mulberry32), so a failing permutation can be replayed from its seed. */
export function shuffled<T>(items: T[], seed: number): T[] {
  const rand = mulberry32(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Signature malleability: the same signed part, another valid signature segment.

const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** An ES256 token with S replaced by n − S: a different signature over the same signed part that still verifies. */
export function withOtherS(token: string): string {
  const [h, p, sig] = token.split(".");
  const bytes = Buffer.from(sig, "base64url");
  const s = BigInt(`0x${bytes.subarray(32).toString("hex")}`);
  const other = Buffer.from((P256_ORDER - s).toString(16).padStart(64, "0"), "hex");
  return `${h}.${p}.${Buffer.concat([bytes.subarray(0, 32), other]).toString("base64url")}`;
}

/** The token with its signature's last base64url character spelling non-zero unused bits: the same bytes. */
export function withNonCanonicalTail(token: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const last = token.at(-1)!;
  // 64 bytes are 86 characters, the last holding 2 data bits and 4 unused ones.
  return token.slice(0, -1) + alphabet[alphabet.indexOf(last) | 1];
}
