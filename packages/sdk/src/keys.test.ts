import { exportJWK } from "jose";
import { describe, expect, it } from "vitest";
import { signEvent } from "./events";
import { exportSigningKey, generateSigningKey, importSigningKey } from "./keys";
import { verifyWithNodeCrypto } from "../test/helpers";

const CLAIMS = {
  kind: "revoke",
  jti: "rvk_1",
  iss: "user:alice@bank.example",
  chain: "auth_1",
  target: "auth_1",
} as const;

describe("signing keys", () => {
  it.each(["EdDSA", "ES256"] as const)("%s: a public JWK carrying kid, alg and use, without private material", async (alg) => {
    const key = await generateSigningKey({ alg });
    expect(key.alg).toBe(alg);
    expect(key.publicJwk).toMatchObject({ kid: key.kid, alg, use: "sig" });
    expect(key.publicJwk).not.toHaveProperty("d");
    expect(key.publicJwk.crv).toBe(alg === "EdDSA" ? "Ed25519" : "P-256");
  });

  it.each(["EdDSA", "ES256"] as const)(
    "%s: the public JWK and the saved d read from the key's DER bytes are the ones a JWK export gives",
    async (alg) => {
      for (let i = 0; i < 5; i++) {
        const key = await generateSigningKey({ alg });
        // The private key's JWK export: its x (and y) computed by the crypto library, not read from SPKI.
        const { kty, crv, x, y } = await exportJWK(key.privateKey);
        expect({ kty: key.publicJwk.kty, crv: key.publicJwk.crv, x: key.publicJwk.x, y: key.publicJwk.y }).toEqual({ kty, crv, x, y });
        // exportSigningKey reads d from PKCS #8 bytes: the same d.
        expect((await exportSigningKey(key)).d).toBe((await exportJWK(key.privateKey)).d);
      }
    },
  );

  it("defaults the kid to the key's thumbprint and honours a given one", async () => {
    const a = await generateSigningKey();
    const b = await generateSigningKey();
    expect(a.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.kid).not.toBe(b.kid);
    expect((await generateSigningKey({ kid: "planner-2025-06" })).kid).toBe("planner-2025-06");
  });

  it.each(["EdDSA", "ES256"] as const)("%s: a saved key reloads and signs for the same public key", async (alg) => {
    const key = await generateSigningKey({ alg, kid: "k1" });
    const saved = JSON.parse(JSON.stringify(await exportSigningKey(key)));
    expect(saved).toMatchObject({ kid: "k1", alg, d: expect.any(String) });

    const reloaded = await importSigningKey(saved);
    expect(reloaded.kid).toBe("k1");
    expect(reloaded.publicJwk).toEqual(key.publicJwk);
    const token = await signEvent(CLAIMS, reloaded);
    expect(verifyWithNodeCrypto(token, key.publicJwk)).toBe(true);
    // and it can be saved again
    expect(await exportSigningKey(reloaded)).toEqual(saved);
  });

  it("refuses a public JWK or a mismatched alg on import", async () => {
    const key = await generateSigningKey();
    await expect(importSigningKey(key.publicJwk)).rejects.toThrow(/no d/);
    const saved = await exportSigningKey(key);
    await expect(importSigningKey({ ...saved, alg: "ES256" })).rejects.toThrow(/does not fit/);
  });
});
