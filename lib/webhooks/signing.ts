// The delivery signature (docs/review.md#verifying-a-delivery), the scheme GitHub and Stripe use:
// `Delegraph-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the secret>`.
// Signing the timestamp with the body lets a receiver refuse replays of an old delivery; `v1` names
// the scheme so a later one can be added beside it while receivers move over.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** How far a receiver should let a delivery's `t` lie from its clock (what verifySignature allows). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** A webhook's secret: 32 random bytes, prefixed so it is recognisable in a secret store or a leak scan. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

export function signatureHex(secret: string, t: number, body: string): string {
  return createHmac("sha256", secret).update(`${t}.${body}`, "utf8").digest("hex");
}

/** The header value for `body` signed at `t` (unix seconds). */
export function signatureHeader(secret: string, t: number, body: string): string {
  return `t=${t},v1=${signatureHex(secret, t, body)}`;
}

/** `t` and every `v1` of a header; null when it has no `t` or no `v1`. */
export function parseSignatureHeader(header: string): { t: number; v1: string[] } | null {
  let t: number | null = null;
  const v1: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t" && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === "v1" && /^[0-9a-f]{64}$/.test(value)) v1.push(value);
  }
  return t === null || v1.length === 0 ? null : { t, v1 };
}

/**
 * What a receiver does (and the tests do): the header parses, `t` is within the tolerance of now,
 * and one `v1` equals the HMAC of "<t>.<raw body>", compared in constant time.
 */
export function verifySignature(
  secret: string,
  header: string | null | undefined,
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): { ok: true; t: number } | { ok: false; reason: "missing" | "malformed" | "stale" | "mismatch" } {
  if (!header) return { ok: false, reason: "missing" };
  const parsed = parseSignatureHeader(header);
  if (!parsed) return { ok: false, reason: "malformed" };
  if (Math.abs(nowSeconds - parsed.t) > toleranceSeconds) return { ok: false, reason: "stale" };
  const expected = Buffer.from(signatureHex(secret, parsed.t, body), "hex");
  const ok = parsed.v1.some((v) => timingSafeEqual(Buffer.from(v, "hex"), expected));
  return ok ? { ok: true, t: parsed.t } : { ok: false, reason: "mismatch" };
}
