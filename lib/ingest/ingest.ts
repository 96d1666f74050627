// Accept a batch of event tokens: verify each (docs/protocol.md §4), store what passes in one transaction,
// append it to the ledger (§7), re-check every chain the batch touches (§5) and quarantine the rest.
//
// Batch-shaped on purpose: signatures are verified first (CPU, parallel across instances); then
// (lib/ingest/steps.ts) each step is one query for the whole batch, never one per event per check,
// and the chain checks run before the ledger is locked, which is held only to validate and write.
// The ingest store (lib/db/stores/ingest.ts) runs the steps: on SQLite synchronously on the direct
// connection, on PostgreSQL through Prisma with the ledger head locked for the write.
import { stores } from "@/lib/db";
import { checkEnvelopeAsync } from "@/lib/protocol/envelope";
import type { TRegistryPrincipal } from "@/lib/protocol/types";
import { PRINCIPAL_ID_PATTERN } from "@/lib/protocol/grammar";
import { ingestSteps, type TCandidate } from "@/lib/ingest/steps";
import type { TIngestResult } from "@/lib/contracts/events";
import { checkpointAfterIngest } from "@/lib/ledger/checkpoints";
import { enforceQuarantineQuota } from "@/lib/ingest/quarantine";
import { aipTokenHint } from "@/lib/protocol/aip";
import type { TDriftSettings } from "@/lib/protocol/drift";
import { env, type TEnv } from "@/lib/env";

export type { TIngestResult } from "@/lib/contracts/events";

/** Reads `iss` without validating anything, so the registry can be loaded once for the batch. */
function peekIssuer(token: string): string | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const iss = (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { iss?: unknown } | null)?.iss;
    // Only a well-formed principal id can name a registered principal; anything else is left to
    // the verifier to reject as malformed.
    return typeof iss === "string" && PRINCIPAL_ID_PATTERN.test(iss) ? iss : null;
  } catch {
    return null;
  }
}

/**
 * Every entry through §4's envelope checks. The signatures are verified on libuv's thread pool, all
 * of a batch at once: verification is most of an ingest's CPU, and this way it runs on every core
 * while the main thread parses, stores and answers other requests.
 */
function verifyAll(entries: unknown[], registry: Map<string, TRegistryPrincipal>, now: number): Promise<TCandidate[]> {
  return Promise.all(
    entries.map(async (entry, index): Promise<TCandidate> => {
      if (typeof entry !== "string") {
        return {
          index,
          kind: "rejected",
          rawEntry: entry,
          jti: null,
          code: "malformed",
          message: "Each entry of events must be a compact JWS string.",
        };
      }
      // This route stays DEP-only (shared/spec/aip-import.md §2): an AIP token is pointed elsewhere.
      const hint = aipTokenHint(entry);
      if (hint !== null) return { index, kind: "rejected", rawEntry: entry, jti: null, code: "malformed", message: hint };
      const result = await checkEnvelopeAsync(entry, { now, principals: (iss) => registry.get(iss) });
      if (!result.ok) return { index, kind: "rejected", rawEntry: entry, jti: result.jti, code: result.code, message: result.message };
      return {
        index,
        kind: "verified",
        raw: entry,
        claims: result.claims,
        alg: result.header.alg,
        kid: result.header.kid,
        keyRevokedAt: result.key.revokedAt,
      };
    }),
  );
}

/** The batch through docs/protocol.md §4's checks but `replay`, against the registry as it is now. */
export async function verifyBatch(entries: unknown[], options: { now?: number } = {}): Promise<TCandidate[]> {
  const now = options.now ?? Date.now() / 1000;
  const issuers = new Set<string>();
  for (const e of entries) if (typeof e === "string") issuers.add(peekIssuer(e) ?? "");
  issuers.delete("");
  const registry = await (await stores()).ingest.registry([...issuers]);
  return verifyAll(entries, registry, now);
}

/** The drift settings (lib/protocol/drift.ts) as configured (lib/env.ts). */
export function driftSettings(config: TEnv = env()): TDriftSettings {
  return {
    baselineSeconds: Math.round(config.DELEGRAPH_DRIFT_WINDOW_DAYS * 24 * 3600),
    minBaselineEvents: config.DELEGRAPH_DRIFT_MIN_EVENTS,
    bucketSeconds: config.DELEGRAPH_DRIFT_BUCKET_SECONDS,
    rateFactor: config.DELEGRAPH_DRIFT_RATE_FACTOR,
    minRateEvents: config.DELEGRAPH_DRIFT_MIN_RATE_EVENTS,
    noveltyShare: config.DELEGRAPH_DRIFT_NOVELTY_SHARE,
  };
}

/** `source`: who sent the batch ("token:<id>"), for the quarantine quota of its rejected entries. */
export async function ingestBatch(entries: unknown[], options: { now?: number; source?: string } = {}): Promise<TIngestResult[]> {
  const candidates = await verifyBatch(entries, options);
  const source = options.source ?? null;
  const results = await (await stores()).ingest.run(ingestSteps(candidates, new Date(), source, driftSettings()));
  // After the commit, never inside it: usually no query at all, now and then one signed insert.
  await checkpointAfterIngest(results.reduce((n, r) => (r.status === "accepted" || r.status === "pending" ? n + 1 : n), 0));
  if (source !== null && results.some((r) => r.status === "rejected")) await enforceQuarantineQuota(source);
  return results;
}
