// Byte and text encodings AIP needs, strict for Delegraph and, where the `aip` parity verdict
// needs it, Python's lenient decoders reproduced exactly (CPython binascii.a2b_base64 in its
// default, non-strict mode, which PyJWT and aip_core call).
import { base58 } from "@scure/base";

/** Strict standard base64 with padding (RFC 4648 §4), canonical trailing bits; else null. */
export function b64StdStrict(s: string): Uint8Array | null {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) return null;
  const bytes = Buffer.from(s, "base64");
  return bytes.toString("base64") === s ? new Uint8Array(bytes) : null;
}

/** Strict URL-safe base64 without padding (RFC 4648 §5), canonical trailing bits; else null. */
export function b64UrlStrict(s: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return null;
  const bytes = Buffer.from(s, "base64url");
  return bytes.toString("base64url") === s ? new Uint8Array(bytes) : null;
}

/** Strict lowercase hex; else null. */
export function hexLowerStrict(s: string): Uint8Array | null {
  if (!/^(?:[0-9a-f]{2})*$/.test(s)) return null;
  return new Uint8Array(Buffer.from(s, "hex"));
}

const B64_INDEX = (() => {
  const table = new Int16Array(128).fill(-1);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
})();

/**
 * Python's `base64.b64decode(s)` (validate=False): characters outside the alphabet are skipped,
 * decoding stops at a complete pad sequence, and a leftover of one character or missing padding is
 * an error (null). `urlsafe` first maps "-" and "_" to "+" and "/", as urlsafe_b64decode does.
 */
export function pyB64Decode(s: string, urlsafe = false): Uint8Array | null {
  if (!/^[\x00-\x7F]*$/.test(s)) return null;
  const text = urlsafe ? s.replace(/-/g, "+").replace(/_/g, "/") : s;
  const out: number[] = [];
  let quad = 0;
  let left = 0;
  let pads = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 61) {
      if (quad >= 2 && quad + ++pads >= 4) return new Uint8Array(out);
      continue;
    }
    const v = B64_INDEX[ch];
    if (v === undefined || v < 0) continue;
    pads = 0;
    switch (quad) {
      case 0:
        quad = 1;
        left = v;
        break;
      case 1:
        quad = 2;
        out.push(((left << 2) | (v >> 4)) & 0xff);
        left = v & 0x0f;
        break;
      case 2:
        quad = 3;
        out.push(((left << 4) | (v >> 2)) & 0xff);
        left = v & 0x03;
        break;
      default:
        quad = 0;
        out.push(((left << 6) | v) & 0xff);
        left = 0;
    }
  }
  return quad === 0 ? new Uint8Array(out) : null;
}

/** PyJWT's base64url_decode: pad to a multiple of 4 with "=", then urlsafe_b64decode. */
export function pyJwtB64Decode(segment: string): Uint8Array | null {
  const rem = segment.length % 4;
  return pyB64Decode(rem > 0 ? segment + "=".repeat(4 - rem) : segment, true);
}

/** `z` + base58btc (multibase), exactly; null when it is not. */
export function decodeMultibase(s: string): Uint8Array | null {
  if (typeof s !== "string" || !s.startsWith("z") || s.length < 2 || s.length > 200) return null;
  try {
    return base58.decode(s.slice(1));
  } catch {
    return null;
  }
}

export function encodeMultibase(bytes: Uint8Array): string {
  return `z${base58.encode(bytes)}`;
}

// ---------------------------------------------------------------------------------------------
// Ed25519 public keys: canonical encoding of a curve point that is not of small order.
// TODO(h-protocol): replace with the shared key validation of lib/protocol/envelope.ts once it lands.

const P = 2n ** 255n - 19n;
const D = (-121665n * inv(121666n)) % P;
const SQRT_M1 = pow(2n, (P - 1n) / 4n);

function mod(a: bigint): bigint {
  const r = a % P;
  return r >= 0n ? r : r + P;
}
function pow(b: bigint, e: bigint): bigint {
  let result = 1n;
  let base = mod(b);
  let exp = e;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % P;
    base = (base * base) % P;
    exp >>= 1n;
  }
  return result;
}
function inv(a: bigint): bigint {
  return pow(a, P - 2n);
}

type TPoint = [bigint, bigint, bigint, bigint]; // extended coordinates X, Y, Z, T

function double(p: TPoint): TPoint {
  const [X1, Y1, Z1] = p;
  const A = mod(X1 * X1);
  const B = mod(Y1 * Y1);
  const C = mod(2n * Z1 * Z1);
  const Dd = mod(-A);
  const E = mod((X1 + Y1) * (X1 + Y1) - A - B);
  const G = mod(Dd + B);
  const F = mod(G - C);
  const H = mod(Dd - B);
  return [mod(E * F), mod(G * H), mod(F * G), mod(E * H)];
}

/** RFC 8032 §5.1.3 decoding (y < p, x recoverable, no "-0"), and [8]P ≠ identity. */
export function isValidEd25519PublicKey(bytes: Uint8Array): boolean {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) return false;
  const copy = Uint8Array.from(bytes);
  const sign = (copy[31] & 0x80) !== 0;
  copy[31] &= 0x7f;
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(copy[i]);
  if (y >= P) return false;
  const y2 = mod(y * y);
  const u = mod(y2 - 1n);
  const v = mod(D * y2 + 1n);
  let x = mod(u * pow(v, 3n) * pow(u * pow(v, 7n), (P - 5n) / 8n));
  const vx2 = mod(v * x * x);
  if (vx2 !== u) {
    if (vx2 === mod(-u)) x = mod(x * SQRT_M1);
    else return false;
  }
  if (x === 0n && sign) return false;
  if ((x & 1n) !== (sign ? 1n : 0n)) x = mod(-x);
  let p: TPoint = [x, y, 1n, mod(x * y)];
  for (let i = 0; i < 3; i++) p = double(p);
  return !(p[0] === 0n && mod(p[1] - p[2]) === 0n);
}
