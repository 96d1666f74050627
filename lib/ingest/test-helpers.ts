// Test helpers for the ingest steps: tokens as the verifier hands them on, for tests that drive
// ingestSteps through a store directly (no signature check, no HTTP).
import { decodeToken, jwkThumbprint } from "@/lib/protocol/envelope";
import type { TTestKey } from "@/lib/protocol/test-helpers";
import type { TRegistryStore } from "@/lib/db/stores/registry";
import type { TCandidate } from "./steps";

/** Each token decoded into a verified candidate, as verifyBatch would pass it on (its key not revoked). */
export function verifiedCandidates(tokens: string[]): TCandidate[] {
  return tokens.map((raw, index) => {
    const d = decodeToken(raw);
    if (!d.ok) throw new Error(d.message);
    return { index, kind: "verified", raw, claims: d.claims, alg: d.header.alg, kid: d.header.kid, keyRevokedAt: null };
  });
}

/** A test signer: a principal id ("user:…", "agent:…", "tool:…") and its one key. */
export type TTestSigner = { id: string; key: TTestKey };

/** Registers each signer with its one key; its kind is its id's prefix, "user:" being a human. */
export async function registerSigners(registry: TRegistryStore, signers: TTestSigner[]): Promise<void> {
  for (const { id, key } of signers) {
    const prefix = id.slice(0, id.indexOf(":"));
    await registry.create({
      id,
      kind: prefix === "user" ? "human" : prefix,
      name: null,
      keys: [{ kid: key.kid, jwk: JSON.stringify(key.publicJwk), thumbprint: jwkThumbprint(key.publicJwk) }],
    });
  }
}
