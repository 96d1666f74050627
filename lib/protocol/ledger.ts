// The hash-chained ledger of docs/protocol.md §7 and §8: hash = sha256(utf8(prev_hash_hex + "\n" + token)),
// lowercase hex; seq starts at 1; the head of an empty ledger is 64 zeros.
import { hash } from "node:crypto";

/** The head of an empty ledger and the prev_hash of seq 1. */
export const GENESIS_HASH = "0".repeat(64);

export function ledgerHash(prevHash: string, token: string): string {
  // One-shot: half the cost of createHash().update().digest(), once per event at ingest.
  return hash("sha256", `${prevHash}\n${token}`, "hex");
}

export type TLedgerEntry = { seq: number; token: string; prevHash: string; hash: string };
export type TLedgerRunResult =
  { ok: true; count: number; head: string } | { ok: false; count: number; head: string; brokenAt: number; reason: string };

/**
 * Re-walks a run of entries in seq order, from the start of the ledger or from a trusted
 * checkpoint (the last verified seq and hash). Any edit, deletion or reordering shows as a seq
 * gap, a prev_hash that is not the previous hash, or a hash that does not recompute; brokenAt is
 * the seq of the first entry that does not fit.
 */
export function checkLedgerRun(
  entries: Iterable<TLedgerEntry>,
  checkpoint: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH },
): TLedgerRunResult {
  let head = checkpoint.hash;
  let seq = checkpoint.seq;
  let count = 0;
  for (const e of entries) {
    const broken = (reason: string): TLedgerRunResult => ({ ok: false, count, head, brokenAt: e.seq, reason });
    if (e.seq !== seq + 1) return broken(`expected seq ${seq + 1}, found ${e.seq}`);
    if (e.prevHash !== head) return broken(`prev_hash of seq ${e.seq} is not the hash of seq ${seq}`);
    if (ledgerHash(head, e.token) !== e.hash) return broken(`hash of seq ${e.seq} does not match its token`);
    head = e.hash;
    seq = e.seq;
    count += 1;
  }
  return { ok: true, count, head };
}
