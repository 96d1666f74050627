// Which public keys the protocol accepts at all. Decoding 32 bytes per coordinate is not enough:
// the Ed25519 identity point is 32 bytes, and with it a signature made with no private key at all
// (R = identity, S = 0) verifies over any message, so an `authorize` for `*:*` went through. The
// same goes for every point of small order, and a P-256 point off the curve verifies nothing (or,
// with a careless library, leaks). One check here, used by registration, the verifier's key import
// and the offline evidence verifier, so the three cannot disagree.
import { createPublicKey } from "node:crypto";

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k"] as const;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;

function modPow(base: bigint, exponent: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
  }
  return result;
}

const bigEndian = (bytes: Buffer) => BigInt(`0x${bytes.toString("hex") || "0"}`);
const littleEndian = (bytes: Buffer) => bigEndian(Buffer.from(bytes).reverse());

/** The 32 bytes of an unpadded base64url coordinate, or why not. Only the canonical spelling counts. */
function coordinate(jwk: Record<string, unknown>, name: string): Buffer | string {
  const v = jwk[name];
  if (typeof v !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(v)) return `"${name}" must be 43 characters of unpadded base64url (32 bytes)`;
  const bytes = Buffer.from(v, "base64url");
  // 43 characters carry 258 bits: the last 2 must be zero, else two spellings name one key.
  if (bytes.toString("base64url") !== v) return `"${name}" is not canonical base64url (non-zero trailing bits)`;
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Ed25519 (RFC 8032): -x² + y² = 1 + d·x²·y² over GF(2^255 - 19).

const ED_P = 2n ** 255n - 19n;
const ED_D = mod(-121665n * modPow(121666n, ED_P - 2n, ED_P), ED_P);
const ED_SQRT_M1 = modPow(2n, (ED_P - 1n) / 4n, ED_P);

type TEdPoint = { x: bigint; y: bigint };

const ED_LOW_255 = (1n << 255n) - 1n;

/**
 * x mod p for 0 ≤ x < 2^510 (a product of two reduced field elements) without a division: 2^255 ≡ 19
 * (mod p), so the bits from 255 up fold down times 19, twice, leaving less than 2p.
 */
function edReduce(x: bigint): bigint {
  x = (x & ED_LOW_255) + 19n * (x >> 255n);
  x = (x & ED_LOW_255) + 19n * (x >> 255n);
  return x >= ED_P ? x - ED_P : x;
}

const edSquareTimes = (x: bigint, n: number) => {
  for (let i = 0; i < n; i++) x = edReduce(x * x);
  return x;
};

/**
 * z^((p − 5) / 8) = z^(2^252 − 3) for 0 ≤ z < p, by the addition chain of ref10's fe_pow22523: 252
 * squarings and 11 multiplications, against ~250 of each for modPow's square-and-multiply over an
 * exponent of all ones, each without a division. The square root in decoding is a key's first-sight
 * cost at the verifier (~0.4 → ~0.15 ms a key).
 */
function edPow22523(z: bigint): bigint {
  const z2 = edReduce(z * z);
  const z9 = edReduce(z * edSquareTimes(z2, 2));
  const z11 = edReduce(z2 * z9);
  const z5_0 = edReduce(z9 * edReduce(z11 * z11)); // z^(2^5 − 1)
  const z10_0 = edReduce(edSquareTimes(z5_0, 5) * z5_0);
  const z20_0 = edReduce(edSquareTimes(z10_0, 10) * z10_0);
  const z40_0 = edReduce(edSquareTimes(z20_0, 20) * z20_0);
  const z50_0 = edReduce(edSquareTimes(z40_0, 10) * z10_0);
  const z100_0 = edReduce(edSquareTimes(z50_0, 50) * z50_0);
  const z200_0 = edReduce(edSquareTimes(z100_0, 100) * z100_0);
  const z250_0 = edReduce(edSquareTimes(z200_0, 50) * z50_0);
  return edReduce(edSquareTimes(z250_0, 2) * z);
}

/** RFC 8032 §5.1.3, step by step; a string says which step refused the encoding. */
function decodeEd25519(bytes: Buffer): TEdPoint | string {
  const sign = bytes[31] >> 7;
  const yBytes = Buffer.from(bytes);
  yBytes[31] &= 0x7f;
  const y = littleEndian(yBytes);
  if (y >= ED_P) return "its y coordinate is not below p = 2^255 - 19 (a non-canonical encoding)";
  const u = mod(y * y - 1n, ED_P);
  const v = mod(ED_D * y * y + 1n, ED_P);
  const v3 = (v * v * v) % ED_P;
  let x = (u * v3 * edPow22523((u * v3 * v3 * v) % ED_P)) % ED_P;
  const vx2 = (v * x * x) % ED_P;
  if (vx2 === mod(-u, ED_P)) x = (x * ED_SQRT_M1) % ED_P;
  else if (vx2 !== u) return "it is not a point of the curve (x² has no square root)";
  if (x === 0n && sign === 1) return "it encodes x = 0 with the sign bit set (a non-canonical encoding)";
  if (Number(x & 1n) !== sign) x = ED_P - x;
  return { x, y };
}

/**
 * A point in projective coordinates (X : Y : Z), x = X/Z and y = Y/Z: doubling needs no inversion
 * (an inversion is a modPow over the whole field, and three of them made a key ~3 ms to validate).
 */
type TEdProjective = { X: bigint; Y: bigint; Z: bigint };

/**
 * [2]P on the curve with a = -1 ("dbl-2008-bbjlp", Bernstein–Birkner–Joye–Lange–Peters). Z stays
 * non-zero for every point of the curve: F = 1 + d·x²·y² and J = d·x²·y² − 1 (times Z²) would
 * vanish only if d or −d were a square, and neither is.
 */
function edDouble({ X, Y, Z }: TEdProjective): TEdProjective {
  const B = ((X + Y) * (X + Y)) % ED_P;
  const C = (X * X) % ED_P;
  const D = (Y * Y) % ED_P;
  const E = ED_P - C;
  const F = (E + D) % ED_P;
  const H = (Z * Z) % ED_P;
  const J = mod(F - 2n * H, ED_P);
  return { X: mod((B - C - D) * J, ED_P), Y: mod(F * (E - D), ED_P), Z: (F * J) % ED_P };
}

function ed25519Problem(x: Buffer): string | null {
  const point = decodeEd25519(x);
  if (typeof point === "string") return point;
  // The curve's cofactor is 8: P has small order exactly when [8]P is the identity (0, 1). The
  // identity itself and the other 7 such points let a signature verify without the private key.
  let q: TEdProjective = { X: point.x, Y: point.y, Z: 1n };
  for (let i = 0; i < 3; i++) q = edDouble(q);
  if (q.X === 0n && q.Y === q.Z) return "it is a point of small order (such as the identity), for which signatures can be forged";
  return null;
}

// ---------------------------------------------------------------------------------------------
// P-256 (SEC 2): y² = x³ - 3x + b over GF(p).

const P256_P = 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n;
const P256_B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

function p256Problem(xBytes: Buffer, yBytes: Buffer): string | null {
  const x = bigEndian(xBytes);
  const y = bigEndian(yBytes);
  if (x >= P256_P || y >= P256_P) return "a coordinate is not below the field prime p";
  const lhs = (y * y) % P256_P;
  const rhs = mod(x * x * x - 3n * x + P256_B, P256_P);
  if (lhs !== rhs) return "the point (x, y) is not on the P-256 curve";
  return null;
}

/**
 * Why this JWK is not a public key the protocol can verify with, or null when it is one: an
 * Ed25519 (OKP) key that decodes canonically to a point not of small order, or a P-256 (EC) point
 * on the curve; no private members; and node:crypto imports it.
 */
export function validatePublicJwk(jwk: unknown): string | null {
  if (!isPlainObject(jwk) || typeof jwk.kty !== "string") return "it is not a JWK object with a kty";
  const secret = PRIVATE_MEMBERS.find((m) => m in jwk);
  if (secret) return `it contains private key material ("${secret}"); send only the public JWK`;
  let problem: string | null;
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519") {
    const x = coordinate(jwk, "x");
    problem = typeof x === "string" ? x : ed25519Problem(x);
  } else if (jwk.kty === "EC" && jwk.crv === "P-256") {
    const x = coordinate(jwk, "x");
    const y = coordinate(jwk, "y");
    problem = typeof x === "string" ? x : typeof y === "string" ? y : p256Problem(x, y);
  } else {
    return "it must be an Ed25519 (OKP) or P-256 (EC) public key";
  }
  if (problem !== null) return `not a valid ${jwk.kty === "OKP" ? "Ed25519" : "P-256"} public key: ${problem}`;
  try {
    const members = jwk.kty === "OKP" ? { kty: "OKP", crv: "Ed25519", x: jwk.x } : { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y };
    createPublicKey({ key: members as Record<string, string>, format: "jwk" });
  } catch {
    return "node:crypto cannot import it as a public key";
  }
  return null;
}

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410) and of a P-256 one (RFC 5480, uncompressed point). */
const SPKI_ED25519 = "302a300506032b6570032100";
const SPKI_P256 = "3059301306072a8648ce3d020106082a8648ce3d030107034200";

/**
 * A public key's JWK members (kty, crv, x, and y for P-256) read from its SubjectPublicKeyInfo DER
 * (`key.export({ type: "spki", format: "der" })`), or null for any other key. Use it instead of
 * `export({ format: "jwk" })` wherever keys are generated in the process: on Node 20 a JWK export
 * can deadlock with the garbage collection of an earlier key generation's job (seen in the bench's
 * registration of 8,617 generated keys; reproduced in under a minute by a loop of
 * generateKeyPairSync and JWK export; the DER export ran 200,000 rounds of the same loop without it).
 */
export function publicJwkFromSpki(
  der: Uint8Array,
): { kty: "OKP"; crv: "Ed25519"; x: string } | { kty: "EC"; crv: "P-256"; x: string; y: string } | null {
  const bytes = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  const prefix = (hex: string) =>
    bytes.length === hex.length / 2 + (hex === SPKI_ED25519 ? 32 : 65) && bytes.subarray(0, hex.length / 2).toString("hex") === hex;
  if (prefix(SPKI_ED25519)) return { kty: "OKP", crv: "Ed25519", x: bytes.subarray(12).toString("base64url") };
  if (prefix(SPKI_P256) && bytes[26] === 0x04) {
    return { kty: "EC", crv: "P-256", x: bytes.subarray(27, 59).toString("base64url"), y: bytes.subarray(59, 91).toString("base64url") };
  }
  return null;
}
