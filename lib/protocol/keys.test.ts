import { createHash, createPublicKey, generateKeyPairSync, verify as cryptoVerify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkEnvelope, importPublicKey, jwkThumbprint, verifySignature } from "@/lib/protocol/envelope";
import { publicJwkFromSpki, validatePublicJwk } from "@/lib/protocol/keys";
import { ALICE, authorizeClaims, b64url, T0 } from "@/lib/protocol/test-helpers";

const ed = (hex: string) => ({ kty: "OKP", crv: "Ed25519", x: Buffer.from(hex, "hex").toString("base64url") });
const littleEndian = (n: bigint) => {
  const b = Buffer.alloc(32);
  for (let i = 0, v = n; i < 32; i++, v >>= 8n) b[i] = Number(v & 255n);
  return b.toString("hex");
};
const P = 2n ** 255n - 19n;

// Every Ed25519 point of small order, as the usual blocklists write them (libsodium, "Taming the
// many EdDSAs"): the identity, the point of order 2, two of order 4, four of order 8.
const SMALL_ORDER = {
  "identity (0, 1)": "0100000000000000000000000000000000000000000000000000000000000000",
  "order 2 (0, -1)": "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "order 4, x even": "0000000000000000000000000000000000000000000000000000000000000000",
  "order 4, x odd": "0000000000000000000000000000000000000000000000000000000000000080",
  "order 8 (a)": "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "order 8 (a, -x)": "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
  "order 8 (b)": "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "order 8 (b, -x)": "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
};

describe("validatePublicJwk", () => {
  it("accepts freshly generated Ed25519 and P-256 keys, with or without kid, use and alg", () => {
    for (let i = 0; i < 20; i++) {
      const e = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" });
      const p = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" });
      expect(validatePublicJwk(e)).toBeNull();
      expect(validatePublicJwk({ ...p, kid: "k", use: "sig", alg: "ES256" })).toBeNull();
    }
  });

  it.each(Object.entries(SMALL_ORDER))("refuses the Ed25519 point of small order: %s", (_, hex) => {
    expect(validatePublicJwk(ed(hex))).toMatch(/small order/);
  });

  it("node:crypto alone accepts the identity point, and a signature made without any private key verifies with it", () => {
    // Why the check exists: R = identity and S = 0 satisfy [S]B = R + [h]A for every message h when A is the identity.
    const key = createPublicKey({ key: ed(SMALL_ORDER["identity (0, 1)"]), format: "jwk" });
    const forged = Buffer.concat([Buffer.from(SMALL_ORDER["identity (0, 1)"], "hex"), Buffer.alloc(32)]);
    expect(cryptoVerify(null, Buffer.from("any message at all"), key, forged)).toBe(true);
  });

  it.each([
    ["y = p, the non-canonical spelling of y = 0", littleEndian(P)],
    ["y = p + 1, the non-canonical spelling of the identity", littleEndian(P + 1n)],
    ["y = 2^255 - 1", littleEndian(2n ** 255n - 1n)],
  ])("refuses a non-canonical Ed25519 encoding: %s", (_, hex) => {
    expect(validatePublicJwk(ed(hex))).toMatch(/not below p .*non-canonical/);
  });

  it("refuses x = 0 with the sign bit set, and a y with no point on the curve", () => {
    expect(validatePublicJwk(ed("0100000000000000000000000000000000000000000000000000000000000080"))).toMatch(/x = 0 with the sign bit/);
    expect(validatePublicJwk(ed(littleEndian(2n)))).toMatch(/not a point of the curve/);
    expect(validatePublicJwk(ed(littleEndian(3n)))).toBeNull(); // y = 3 is on the curve, of large order
  });

  it("refuses a coordinate spelled with non-zero trailing base64url bits (a second name for one key)", () => {
    const jwk = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" }) as { x: string };
    const last = jwk.x.at(-1)!;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const twin = jwk.x.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
    expect(Buffer.from(twin, "base64url").equals(Buffer.from(jwk.x, "base64url"))).toBe(true);
    expect(validatePublicJwk({ ...jwk, x: twin })).toMatch(/not canonical base64url/);
  });

  it("refuses a P-256 point off the curve and coordinates not below p, checked here rather than left to OpenSSL", () => {
    const good = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" }) as { x: string; y: string };
    const y = Buffer.from(good.y, "base64url");
    y[31] ^= 1;
    expect(validatePublicJwk({ ...good, y: y.toString("base64url") })).toMatch(/not on the P-256 curve/);
    expect(validatePublicJwk({ kty: "EC", crv: "P-256", x: b64url(Buffer.alloc(32, 0xff)), y: good.y })).toMatch(/not below the field prime/);
  });

  it("refuses other key types, missing or short coordinates, and private material", () => {
    const pair = generateKeyPairSync("ed25519");
    expect(validatePublicJwk({ kty: "RSA", n: "x", e: "AQAB" })).toMatch(/Ed25519 \(OKP\) or P-256/);
    expect(validatePublicJwk({ kty: "OKP", crv: "X25519", x: b64url(Buffer.alloc(32, 9)) })).toMatch(/Ed25519 \(OKP\) or P-256/);
    expect(validatePublicJwk({ kty: "OKP", crv: "Ed25519" })).toMatch(/"x" must be 43 characters/);
    expect(validatePublicJwk({ kty: "EC", crv: "P-256", x: b64url(Buffer.alloc(32, 1)) })).toMatch(/"y" must be 43 characters/);
    expect(validatePublicJwk(pair.privateKey.export({ format: "jwk" }))).toMatch(/private key material \("d"\)/);
    expect(validatePublicJwk(null)).not.toBeNull();
    expect(validatePublicJwk([])).not.toBeNull();
  });
});

describe("the Ed25519 decoding's square root (an addition chain without divisions)", () => {
  // Whether y names a point, by Euler's criterion on x² = (y² − 1) / (d·y² + 1) with plain modular
  // exponentiation: a formulation independent of RFC 8032's candidate root that keys.ts computes.
  const pow = (b: bigint, e: bigint) => {
    let r = 1n;
    for (b %= P; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) r = (r * b) % P;
    return r;
  };
  const D = (((-121665n * pow(121666n, P - 2n)) % P) + P) % P;
  const onCurve = (y: bigint) => {
    const x2 = (((((y * y - 1n) % P) + P) % P) * pow((D * y * y + 1n) % P, P - 2n)) % P;
    return x2 === 0n || pow(x2, (P - 1n) / 2n) === 1n;
  };

  it("accepts exactly the encodings of points, over 2,000 pseudo-random y below p", () => {
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      const bytes = createHash("sha256").update(`y ${i}`).digest();
      bytes[31] &= 0x7f; // a y below 2^255 (and below p but with probability 2^-250), sign bit 0
      const y = BigInt(`0x${Buffer.from(bytes).reverse().toString("hex")}`);
      const verdict = validatePublicJwk(ed(bytes.toString("hex")));
      expect(verdict === null, `y = ${y}: ${verdict}`).toBe(onCurve(y));
      if (verdict === null) accepted++;
    }
    expect(accepted).toBeGreaterThan(800); // about half of all y name a point
    expect(accepted).toBeLessThan(1200);
  });
});

describe("the verifier refuses weak keys too (a key registered before the check existed)", () => {
  const identity = { ...ed(SMALL_ORDER["identity (0, 1)"]), kid: "weak" };
  const claims = authorizeClaims({ scope: ["*:*"], iat: T0 });
  const header = { alg: "EdDSA", typ: "dep+jwt" as const, kid: "weak" };
  const signingInput = `${b64url(header)}.${b64url(claims)}`;
  const forged = `${signingInput}.${b64url(Buffer.concat([Buffer.from(SMALL_ORDER["identity (0, 1)"], "hex"), Buffer.alloc(32)]))}`;

  it("importPublicKey throws and verifySignature is false", () => {
    expect(() => importPublicKey(identity)).toThrow(/small order/);
    expect(verifySignature({ header, signingInput, signature: Buffer.from(forged.split(".")[2], "base64url") }, identity)).toBe(false);
  });

  it("an authorize for *:* signed with no private key is signature_invalid, saying why", () => {
    const r = checkEnvelope(forged, {
      now: T0 + 10,
      principals: (iss) =>
        iss === ALICE
          ? { id: ALICE, kind: "human", keys: [{ kid: "weak", jwk: identity, revokedAt: null, thumbprint: jwkThumbprint(identity) }] }
          : undefined,
    });
    expect(r).toMatchObject({ ok: false, code: "signature_invalid" });
    if (!r.ok) expect(r.message).toMatch(/registered key is unusable: .*small order/);
  });
});

describe("publicJwkFromSpki", () => {
  it("reads the JWK members a JWK export gives, for Ed25519 and P-256 keys", () => {
    for (let i = 0; i < 10; i++) {
      for (const { publicKey } of [generateKeyPairSync("ed25519"), generateKeyPairSync("ec", { namedCurve: "P-256" })]) {
        expect(publicJwkFromSpki(publicKey.export({ type: "spki", format: "der" }))).toEqual(publicKey.export({ format: "jwk" }));
      }
    }
  });

  it("answers null for other keys and for bytes that are not a whole SPKI of either", () => {
    const ed = generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "der" });
    expect(publicJwkFromSpki(generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey.export({ type: "spki", format: "der" }))).toBeNull();
    expect(publicJwkFromSpki(generateKeyPairSync("x25519").publicKey.export({ type: "spki", format: "der" }))).toBeNull();
    expect(publicJwkFromSpki(ed.subarray(0, 43))).toBeNull();
    expect(publicJwkFromSpki(Buffer.concat([ed, Buffer.from([0])]))).toBeNull();
  });
});
