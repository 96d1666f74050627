// A chain's detail, serialised, kept between reads. The chain page polls its chain every few
// seconds, and several people may look at the same incident: the answer only changes when an
// ingest writes the chain. When it has changed, the body is rebuilt from what the chain's last
// rebuild kept (detail-state.ts), not read whole again.
//
// When an entry is still current: every ingest that writes a chain's summary row bumps its
// `version` (the re-check of a chain always rewrites that row), principals are only ever added
// (their count changes when a node's kind or name could), and read-time findings appear only when
// a grant no complete has closed passes its exp (`validUntil`, from readChain). An entry answers
// only while all three hold; `generatedAt` and `ledgerHead` in it are those of the read that
// built it. The check costs one small query per request. Entries are bounded by total size, and
// a body is kept once in memory however many requests are sending it.
import { createHash } from "node:crypto";
import { stores } from "@/lib/db";
import { AppError, type TJsonBody } from "@/lib/http";
import { nowSeconds } from "./queries";
import { rebuildChainDetail } from "./detail-state";

/** What the cache may hold in all, in bytes of JSON. */
export const DETAIL_CACHE_BYTES = 32 * 1024 * 1024;

type TEntry = { stamp: string; validUntil: number; body: TJsonBody };

const entries = new Map<string, TEntry>(); // insertion order = least recently used first
const building = new Map<string, Promise<TEntry>>();

const sizeOf = (entry: TEntry) => entry.body.json.length;

function evict(): void {
  let total = 0;
  for (const e of entries.values()) total += sizeOf(e);
  for (const [key, e] of entries) {
    if (total <= DETAIL_CACHE_BYTES) break;
    total -= sizeOf(e);
    entries.delete(key);
  }
}

async function build(id: string, includeRaw: boolean, stamp: string): Promise<TEntry> {
  // The stamp is "version/principals/revoked keys": the registry's part tells the rebuild whether
  // the issuers' keys it kept may have changed.
  const registry = stamp.slice(stamp.indexOf("/") + 1);
  const { json, generatedAt, validUntil } = await rebuildChainDetail(id, { now: nowSeconds(), includeRaw, registry });
  const etag = `W/"${createHash("sha256").update(`${id}\u0000${includeRaw}\u0000${stamp}\u0000${generatedAt}`).digest("base64url").slice(0, 27)}"`;
  return { stamp, validUntil, body: { json, etag } };
}

/**
 * GET /api/v1/chains/{id}'s body: the cached one while it is current, else a fresh read (one read
 * at a time per chain and role; concurrent requests wait for it). 404 when there is no such chain.
 */
export async function readChainDetailBody(id: string, options: { includeRaw: boolean }): Promise<TJsonBody> {
  const stamp = await (await stores()).chains.stamp(id);
  if (stamp === null) throw new AppError("not_found", `No chain ${id}.`);
  const key = `${options.includeRaw ? "raw" : "lean"}\u0000${id}`;
  const now = nowSeconds();
  const cached = entries.get(key);
  if (cached && cached.stamp === stamp && now <= cached.validUntil) {
    entries.delete(key);
    entries.set(key, cached);
    return cached.body;
  }
  const buildKey = `${key}\u0000${stamp}`;
  let pending = building.get(buildKey);
  if (!pending) {
    pending = build(id, options.includeRaw, stamp).finally(() => building.delete(buildKey));
    building.set(buildKey, pending);
  }
  const entry = await pending;
  if (entry.body.json.length <= DETAIL_CACHE_BYTES / 4) {
    entries.delete(key);
    entries.set(key, entry);
    evict();
  }
  return entry.body;
}
