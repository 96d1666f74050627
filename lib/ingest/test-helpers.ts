// Test helpers for the ingest steps: tokens as the verifier hands them on, for tests that drive
// ingestSteps through a store directly (no signature check, no HTTP).
import { decodeToken } from "@/lib/protocol/envelope";
import type { TCandidate } from "./steps";

/** Each token decoded into a verified candidate, as verifyBatch would pass it on (its key not revoked). */
export function verifiedCandidates(tokens: string[]): TCandidate[] {
  return tokens.map((raw, index) => {
    const d = decodeToken(raw);
    if (!d.ok) throw new Error(d.message);
    return { index, kind: "verified", raw, claims: d.claims, alg: d.header.alg, kid: d.header.kid, keyRevokedAt: null };
  });
}
