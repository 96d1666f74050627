import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { newWebhookSecret, parseSignatureHeader, signatureHeader, verifySignature } from "./signing";

const SECRET = "whsec_test-secret";
const BODY = '{"id":"evt_1","type":"webhook.test","createdAt":"2026-12-03T09:00:00.000Z","data":{}}';
const T = 1_796_288_400;

describe("the Delegraph-Signature header", () => {
  it("is t=<seconds>,v1=<hex HMAC-SHA256 of '<t>.<body>'>, as any HMAC library computes it", () => {
    const expected = createHmac("sha256", SECRET).update(`${T}.${BODY}`).digest("hex");
    expect(signatureHeader(SECRET, T, BODY)).toBe(`t=${T},v1=${expected}`);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it("verifies with the secret, the raw body and a clock within five minutes", () => {
    const header = signatureHeader(SECRET, T, BODY);
    expect(verifySignature(SECRET, header, BODY, T)).toEqual({ ok: true, t: T });
    expect(verifySignature(SECRET, header, BODY, T + 300)).toEqual({ ok: true, t: T });
    expect(verifySignature(SECRET, header, BODY, T - 300)).toEqual({ ok: true, t: T });
  });

  it("refuses another secret, a changed body, a changed timestamp, an old or future delivery", () => {
    const header = signatureHeader(SECRET, T, BODY);
    expect(verifySignature("whsec_other", header, BODY, T)).toEqual({ ok: false, reason: "mismatch" });
    expect(verifySignature(SECRET, header, BODY.replace("webhook.test", "chain.signed_off"), T)).toEqual({ ok: false, reason: "mismatch" });
    // Re-pointing t at a fresh time breaks the HMAC, so a captured delivery cannot be replayed later.
    expect(verifySignature(SECRET, header.replace(`t=${T}`, `t=${T + 1000}`), BODY, T + 1000)).toEqual({ ok: false, reason: "mismatch" });
    expect(verifySignature(SECRET, header, BODY, T + 301)).toEqual({ ok: false, reason: "stale" });
    expect(verifySignature(SECRET, header, BODY, T - 301)).toEqual({ ok: false, reason: "stale" });
  });

  it("refuses a missing or malformed header", () => {
    expect(verifySignature(SECRET, undefined, BODY, T)).toEqual({ ok: false, reason: "missing" });
    expect(verifySignature(SECRET, "", BODY, T)).toEqual({ ok: false, reason: "missing" });
    expect(verifySignature(SECRET, "v1=abc", BODY, T)).toEqual({ ok: false, reason: "malformed" });
    expect(verifySignature(SECRET, `t=${T}`, BODY, T)).toEqual({ ok: false, reason: "malformed" });
    expect(verifySignature(SECRET, `t=soon,v1=${"0".repeat(64)}`, BODY, T)).toEqual({ ok: false, reason: "malformed" });
  });

  it("accepts any of several v1 values (a receiver rotating secrets sees the scheme stay the same)", () => {
    const good = signatureHeader(SECRET, T, BODY).split(",v1=")[1];
    const header = `t=${T},v1=${"0".repeat(64)},v1=${good}`;
    expect(parseSignatureHeader(header)).toEqual({ t: T, v1: ["0".repeat(64), good] });
    expect(verifySignature(SECRET, header, BODY, T).ok).toBe(true);
  });

  it("makes secrets that are recognisable and never repeat", () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(newWebhookSecret()).not.toBe(a);
  });
});
