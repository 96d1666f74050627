// Signing for the benchmarks: compact JWS exactly as lib/sdk's signEvent produces them
// (header {alg, typ: "dep+jwt", kid}, payload {v: 1, ...claims}), but with node:crypto's synchronous
// Ed25519 signer, because a full run signs a million events and jose's async WebCrypto path would
// make the preparation, not the measurement, the slow part. Signing is never inside a timed section.
import { generateKeyPairSync, sign as cryptoSign, type KeyObject } from "node:crypto";
import { publicJwkFromSpki } from "@/lib/protocol/keys";
import type { TClaims, TPrincipalKind } from "@/lib/protocol/types";

export type TBenchKey = { kid: string; privateKey: KeyObject; publicKey: KeyObject; publicJwk: Record<string, string>; headerSegment: string };
export type TBenchPrincipal = { id: string; kind: TPrincipalKind; key: TBenchKey };

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64url");

export function makeKey(kid: string): TBenchKey {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  // Not export({ format: "jwk" }): it deadlocked a quick run on Node 20 (publicJwkFromSpki).
  const jwk = publicJwkFromSpki(publicKey.export({ type: "spki", format: "der" }))!;
  return {
    kid,
    privateKey,
    publicKey,
    publicJwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid, alg: "EdDSA", use: "sig" },
    headerSegment: b64(JSON.stringify({ alg: "EdDSA", typ: "dep+jwt", kid })),
  };
}

export function principal(id: string, kind: TPrincipalKind): TBenchPrincipal {
  return { id, kind, key: makeKey(`k1`) };
}

/** Claims without `v` (added here, first, as the SDK does). */
export type TBenchClaims = TClaims extends infer C ? (C extends TClaims ? Omit<C, "v"> : never) : never;

export function sign(claims: TBenchClaims, signer: TBenchPrincipal): string {
  const input = `${signer.key.headerSegment}.${b64(JSON.stringify({ v: 1, ...claims }))}`;
  return `${input}.${cryptoSign(null, Buffer.from(input, "utf8"), signer.key.privateKey).toString("base64url")}`;
}

/** The part of a token the signature covers, and the signature: what a raw verification needs. */
export function splitSigned(token: string): { data: Buffer; signature: Buffer } {
  const last = token.lastIndexOf(".");
  return { data: Buffer.from(token.slice(0, last), "utf8"), signature: Buffer.from(token.slice(last + 1), "base64url") };
}
