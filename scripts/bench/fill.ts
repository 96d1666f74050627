// Filling the store in-process, before the server starts: the same lib/ingest ingestBatch the
// HTTP route calls (every signature verified, every chain checked, every event on the ledger), minus
// HTTP. Principals are registered through the registry's own validation (ZCreatePrincipal), in bulk.
// process.env.DATABASE_URL must name the benchmark database before the first call (lib/env reads it
// once, lazily).
import { closeDatabase, stores } from "@/lib/db";
import { ingestBatch } from "@/lib/ingest/ingest";
import { jwkThumbprint } from "@/lib/protocol/envelope";
import { ZCreatePrincipal } from "@/lib/contracts/principals";
import type { TBenchPrincipal } from "./tokens";
import { slices } from "./workload";

/**
 * Opens the client ahead of the bench's long synchronous signing, with a model query so Prisma
 * also imports its query compiler: on PostgreSQL, a first import after that signing never
 * returned (under tsx, whose loader runs beside a blocked main thread).
 */
export async function openFillClient(): Promise<void> {
  await (await stores()).eventCount();
}

export async function registerPrincipals(principals: TBenchPrincipal[]): Promise<void> {
  const store = (await stores()).registry;
  for (const part of slices(principals, 500)) {
    const inputs = part.map((p) => ZCreatePrincipal.parse({ id: p.id, kind: p.kind, keys: [p.key.publicJwk] }));
    await store.createMany(
      inputs.map((p) => ({
        id: p.id,
        kind: p.kind,
        name: null,
        keys: p.keys.map((jwk) => ({ kid: jwk.kid, jwk: JSON.stringify(jwk), thumbprint: jwkThumbprint(jwk) })),
      })),
    );
  }
}

export type TFillResult = { events: number; seconds: number; perSec: number };

/** Ingests each batch the iterator yields; any rejection stops the fill (the data must be real). */
export async function ingestInProcess(
  batches: Iterable<string[]> | AsyncIterable<string[]>,
  onProgress?: (events: number) => void,
): Promise<TFillResult> {
  const started = performance.now();
  let events = 0;
  for await (const batch of batches) {
    const results = await ingestBatch(batch);
    const bad = results.find((r) => r.status === "rejected" || r.status === "duplicate");
    if (bad) throw new Error(`fill: event ${bad.jti} was ${bad.status}: ${bad.error?.message ?? ""}`);
    events += batch.length;
    onProgress?.(events);
    // A turn of the event loop per batch: see rawVerifyRate on blocking the loop for long.
    await new Promise((r) => setImmediate(r));
  }
  const seconds = (performance.now() - started) / 1000;
  return { events, seconds, perSec: Math.round(events / seconds) };
}

export async function closeFillClient(): Promise<void> {
  await closeDatabase();
}
