// Signing keys for producers: generate, save as a private JWK, reload.
// A key always carries its kid and alg so the public half can be registered as-is and the
// header of every event it signs names it (docs/protocol.md §1).
import { calculateJwkThumbprint, generateKeyPair, importJWK, type JWK } from "jose";

export type TSigningAlg = "EdDSA" | "ES256";

export type TPublicJwk = JWK & { kty: string; kid: string; alg: TSigningAlg; use: "sig" };
export type TPrivateJwk = TPublicJwk & { d: string };

export type TSigningKey = {
  kid: string;
  alg: TSigningAlg;
  privateKey: CryptoKey;
  publicJwk: TPublicJwk;
};

// Picks the public members only, so private material can never leak into a registration.
function toPublicJwk(jwk: JWK, kid: string, alg: TSigningAlg): TPublicJwk {
  const { kty, crv, x, y } = jwk;
  if (!kty || !crv || !x) throw new TypeError("JWK lacks kty, crv or x");
  const pub: TPublicJwk = { kty, crv, x, kid, alg, use: "sig" };
  if (y !== undefined) pub.y = y;
  return pub;
}

const P256_PKCS8_PREFIX = "308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420";
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

/**
 * The public JWK members of a freshly generated key, from its SubjectPublicKeyInfo bytes: the last
 * 32 (Ed25519, RFC 8410) or the uncompressed point's x and y (P-256). Not a JWK export: on Node 20
 * one can deadlock with the garbage collection of the key generation's job (the server's
 * lib/protocol/keys.ts, publicJwkFromSpki, reads the same layout).
 */
function publicJwkOfSpki(spki: Uint8Array, alg: TSigningAlg): JWK {
  if (alg === "EdDSA" && spki.length === 44) return { kty: "OKP", crv: "Ed25519", x: b64url(spki.subarray(12)) };
  if (alg === "ES256" && spki.length === 91 && spki[26] === 0x04) {
    return { kty: "EC", crv: "P-256", x: b64url(spki.subarray(27, 59)), y: b64url(spki.subarray(59, 91)) };
  }
  throw new TypeError(`unexpected ${alg} public key encoding (${spki.length} bytes)`);
}

function algOfJwk(jwk: JWK): TSigningAlg {
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519") return "EdDSA";
  if (jwk.kty === "EC" && jwk.crv === "P-256") return "ES256";
  throw new TypeError(`unsupported signing key: kty=${jwk.kty} crv=${jwk.crv} (use Ed25519 or P-256)`);
}

/**
 * A fresh key pair. The kid defaults to the RFC 7638 thumbprint of the public key, so it is
 * unique without coordination and stable across save/reload.
 */
export async function generateSigningKey(opts: { alg?: TSigningAlg; kid?: string } = {}): Promise<TSigningKey> {
  const alg = opts.alg ?? "EdDSA";
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = publicJwkOfSpki(new Uint8Array(await globalThis.crypto.subtle.exportKey("spki", publicKey)), alg);
  const kid = opts.kid ?? (await calculateJwkThumbprint(jwk));
  return { kid, alg, privateKey, publicJwk: toPublicJwk(jwk, kid, alg) };
}

/** The private JWK (with kid and alg) to store somewhere safe and reload with `importSigningKey`. */
export async function exportSigningKey(key: TSigningKey): Promise<TPrivateJwk> {
  if (!key.privateKey.extractable) throw new TypeError(`key ${key.kid} is not extractable`);
  // From PKCS #8, not a JWK export (see publicJwkOfSpki): an Ed25519 key's ends with its 32-byte
  // seed, a P-256 key's (RFC 5915 inside RFC 5208, as WebCrypto writes it) holds d at bytes 36–67.
  const pkcs8 = new Uint8Array(await globalThis.crypto.subtle.exportKey("pkcs8", key.privateKey));
  let d: Uint8Array;
  if (key.alg === "EdDSA" && pkcs8.length === 48) d = pkcs8.subarray(16);
  else if (key.alg === "ES256" && pkcs8.length >= 68 && hex(pkcs8.subarray(0, 36)) === P256_PKCS8_PREFIX) d = pkcs8.subarray(36, 68);
  else throw new TypeError(`key ${key.kid}: unexpected ${key.alg} private key encoding (${pkcs8.length} bytes)`);
  return { ...key.publicJwk, d: b64url(d) };
}

/** Reload a key saved by `exportSigningKey` (or any Ed25519/P-256 private JWK). */
export async function importSigningKey(privateJwk: JWK): Promise<TSigningKey> {
  if (typeof privateJwk.d !== "string") throw new TypeError("not a private JWK: it has no d");
  const alg = algOfJwk(privateJwk);
  if (privateJwk.alg !== undefined && privateJwk.alg !== alg && !(alg === "EdDSA" && privateJwk.alg === "Ed25519")) {
    throw new TypeError(`JWK alg ${privateJwk.alg} does not fit a ${privateJwk.crv} key`);
  }
  const kid = privateJwk.kid ?? (await calculateJwkThumbprint(toPublicJwk(privateJwk, "", alg)));
  const imported = await importJWK({ ...privateJwk, alg }, alg, { extractable: true });
  if (!(imported instanceof CryptoKey) || imported.type !== "private") {
    throw new TypeError("JWK did not import as a private key");
  }
  return { kid, alg, privateKey: imported, publicJwk: toPublicJwk(privateJwk, kid, alg) };
}
