// Accept a batch of event tokens: verify each (docs/protocol.md §4), store what passes in one transaction,
// append it to the ledger (§7), re-check every chain the batch touches (§5) and quarantine the rest.
//
// Batch-shaped on purpose: signatures are verified first (CPU, parallel across instances); then
// (lib/ingest/steps.ts) each step is one query for the whole batch, never one per event per check,
// and the chain checks run before the ledger is locked, which is held only to validate and write.
// The ingest store (lib/db/stores/ingest.ts) runs the steps: on SQLite synchronously on the direct
// connection, on PostgreSQL as plain SQL on the pool, the ledger head locked for the re-reads and
// the write (two round trips on a pipelined connection).
import { stores } from "@/lib/db";
import { checkDecodedAsync, decodeToken, type TDecodeResult } from "@/lib/protocol/envelope";
import type { TRegistryPrincipal } from "@/lib/protocol/types";
import { ingestSteps, type TCandidate } from "@/lib/ingest/steps";
import type { TIngestResult } from "@/lib/contracts/events";
import { checkpointAfterIngest } from "@/lib/ledger/checkpoints";
import { enforceQuarantineQuota } from "@/lib/ingest/quarantine";
import { aipTokenHint } from "@/lib/protocol/aip";
import type { TDriftSettings } from "@/lib/protocol/drift";
import { env, type TEnv } from "@/lib/env";

export type { TIngestResult } from "@/lib/contracts/events";

/** An entry as far as the batch takes it before the registry is read. */
type TDecodedEntry = { kind: "refused"; candidate: TCandidate } | { kind: "decoded"; entry: string; decoded: TDecodeResult };

/**
 * Refuses what is not a token (and points an AIP token elsewhere), and decodes the rest once: the
 * decoded claims name the issuers whose keys the batch needs, and the checks continue from them.
 */
function decodeEntry(entry: unknown, index: number): TDecodedEntry {
  if (typeof entry !== "string") {
    const message = "Each entry of events must be a compact JWS string.";
    return { kind: "refused", candidate: { index, kind: "rejected", rawEntry: entry, jti: null, code: "malformed", message } };
  }
  const decoded = decodeToken(entry);
  // This route stays DEP-only (shared/spec/aip-import.md §2): an AIP token is pointed elsewhere.
  // Only a token that failed to decode can be one (a decoded header's typ is exactly "dep+jwt"), so
  // the header is not parsed a second time for every good token.
  const hint = decoded.ok ? null : aipTokenHint(entry);
  if (hint !== null) return { kind: "refused", candidate: { index, kind: "rejected", rawEntry: entry, jti: null, code: "malformed", message: hint } };
  return { kind: "decoded", entry, decoded };
}

/**
 * Every entry through §4's envelope checks. The signatures are verified on libuv's thread pool, all
 * of a batch at once: verification is most of an ingest's CPU, and this way it runs on every core
 * while the main thread parses, stores and answers other requests.
 */
function verifyAll(entries: TDecodedEntry[], registry: Map<string, TRegistryPrincipal>, now: number): Promise<TCandidate[]> {
  return Promise.all(
    entries.map(async (e, index): Promise<TCandidate> => {
      if (e.kind === "refused") return e.candidate;
      const result = await checkDecodedAsync(e.decoded, { now, principals: (iss) => registry.get(iss) });
      if (!result.ok) return { index, kind: "rejected", rawEntry: e.entry, jti: result.jti, code: result.code, message: result.message };
      return {
        index,
        kind: "verified",
        raw: e.entry,
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
  const decoded = entries.map(decodeEntry);
  // A token that does not decode fails before any key is needed: only decoded issuers are read.
  const issuers = new Set<string>();
  for (const e of decoded) if (e.kind === "decoded" && e.decoded.ok) issuers.add(e.decoded.claims.iss);
  const registry = await (await stores()).ingest.registry([...issuers]);
  return verifyAll(decoded, registry, now);
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
  // Nothing to verify, store or append: no need to wait for the write lock behind other batches.
  if (entries.length === 0) return [];
  const candidates = await verifyBatch(entries, options);
  const source = options.source ?? null;
  const results = await (await stores()).ingest.run(ingestSteps(candidates, new Date(), source, driftSettings()));
  // After the commit, never inside it: usually no query at all, now and then one signed insert.
  await checkpointAfterIngest(results.reduce((n, r) => (r.status === "accepted" || r.status === "pending" ? n + 1 : n), 0));
  if (source !== null && results.some((r) => r.status === "rejected")) await enforceQuarantineQuota(source);
  return results;
}
