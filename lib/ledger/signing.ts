// The server's signatures, as an auditor checks them: Ed25519 over exactly specified bytes, keys as
// RFC 8037 OKP JWKs named by their RFC 7638 thumbprint. Used by the server to sign evidence bundles
// and ledger checkpoints, and by the offline verifier to check them (docs/exports.md says the same
// in words, with an openssl recipe). Pure, relative imports only: `npx delegraph verify` loads it.
import { createHash, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { jwkThumbprint } from "../protocol/envelope";
import { canonicalJson } from "./canonical-json";

export type TEd25519Jwk = { kty: "OKP"; crv: "Ed25519"; x: string };
/** What a checkpoint commits to: the ledger's last seq and its hash, at a time (ISO 8601, ms, UTC). */
export type TCheckpointClaim = { seq: number; hash: string; at: string };
export type TSignedCheckpoint = TCheckpointClaim & { kid: string; signature: string };

const B64URL_32 = /^[A-Za-z0-9_-]{43}$/;

/** A public Ed25519 JWK with nothing else in it, or null when `jwk` is not one. */
export function ed25519PublicJwk(jwk: unknown): TEd25519Jwk | null {
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) return null;
  const k = jwk as Record<string, unknown>;
  if (k.kty !== "OKP" || k.crv !== "Ed25519" || typeof k.x !== "string" || !B64URL_32.test(k.x) || "d" in k) return null;
  return { kty: "OKP", crv: "Ed25519", x: k.x };
}

export function ed25519Thumbprint(jwk: TEd25519Jwk): string {
  return jwkThumbprint(jwk);
}

/** "sha256:" + hex SHA-256 of the RFC 8785 canonical JSON of `value`. */
export function canonicalDigest(value: unknown): string {
  return `sha256:${createHash("sha256").update(canonicalJson(value), "utf8").digest("hex")}`;
}

/** The bytes a checkpoint's signature covers: the canonical JSON {"at":…,"hash":…,"seq":…}, UTF-8. */
export function checkpointMessage(c: TCheckpointClaim): string {
  return canonicalJson({ at: c.at, hash: c.hash, seq: c.seq });
}

/** Ed25519 signature of the UTF-8 bytes of `message`, base64url without padding. */
export function signMessage(privateKey: KeyObject, message: string): string {
  return sign(null, Buffer.from(message, "utf8"), privateKey).toString("base64url");
}

/** Whether `signature` (base64url) is `jwk`'s Ed25519 signature of the UTF-8 bytes of `message`. Never throws. */
export function verifyMessage(jwk: TEd25519Jwk, message: string, signature: string): boolean {
  if (!/^[A-Za-z0-9_-]{86}$/.test(signature)) return false;
  try {
    const key = createPublicKey({ key: jwk, format: "jwk" });
    return verify(null, Buffer.from(message, "utf8"), key, Buffer.from(signature, "base64url"));
  } catch {
    return false;
  }
}
