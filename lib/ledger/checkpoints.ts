// Signed checkpoints of the ledger head, CloudTrail's signed digest files in small: every so often the
// server signs {seq, hash, at} of the head with its own key (lib/ledger/server-key.ts) and keeps the
// signature in LedgerCheckpoint and in its self-audit. Someone with database access can rewrite
// every event and recompute every hash after it, but cannot sign the rewritten hashes, so
// GET /api/v1/ledger/verify, which checks every checkpoint against the re-walked ledger, says so.
//
// When: at start-up when the head moved since the last checkpoint (scripts/start-steps.ts), and after an
// ingest commit once the head is DELEGRAPH_CHECKPOINT_EVENTS events past the last checkpoint or the
// last one is DELEGRAPH_CHECKPOINT_SECONDS old. Never inside the ingest transaction: a checkpoint is
// one small insert after it, and its failure is logged, never the ingest's.
import { recordAudit } from "@/lib/audit";
import { stores } from "@/lib/db";
import { env } from "@/lib/env";
import { serverKey, trustedServerKeys } from "./server-key";
import { checkpointMessage, verifyMessage, type TSignedCheckpoint } from "./signing";

type TCheckpointRow = { seq: number; hash: string; at: Date; kid: string; signature: string };
const toSigned = (r: TCheckpointRow): TSignedCheckpoint => ({ seq: r.seq, hash: r.hash, at: r.at.toISOString(), kid: r.kid, signature: r.signature });

export async function latestCheckpoint(): Promise<TSignedCheckpoint | null> {
  const row = await (await stores()).ledger.latestCheckpoint();
  return row ? toSigned(row) : null;
}

type THead = { seq: number; hash: string };
type TDue = (head: THead, last: TSignedCheckpoint | null) => boolean;

/**
 * Signs the ledger head when it moved past the latest checkpoint (and `isDue` agrees), stores the
 * checkpoint and audits it. Returns it, or null when nothing was signed. Instances racing to sign
 * the same head write one row: the seq key refuses the second, which is then no error.
 */
export async function checkpointHead(isDue: TDue = () => true): Promise<TSignedCheckpoint | null> {
  const store = (await stores()).ledger;
  const key = await serverKey();
  const [head, last] = await Promise.all([store.head(), latestCheckpoint()]);
  if (!head || head.seq === 0 || (last && last.seq >= head.seq) || !isDue(head, last)) return null;
  const claim = { seq: head.seq, hash: head.hash, at: new Date().toISOString() };
  const checkpoint: TSignedCheckpoint = { ...claim, kid: key.kid, signature: key.sign(checkpointMessage(claim)) };
  if (!(await store.addCheckpoint({ ...checkpoint, at: new Date(checkpoint.at) }))) return null;
  await recordAudit("system", "ledger.checkpoint", `seq ${checkpoint.seq}`, checkpoint);
  return checkpoint;
}

// What this process knows between ingests, so that most ingests decide without a query: events it
// stored since the last checkpoint it knows of, and that checkpoint's time. Other instances ingest
// and checkpoint too, so once this looks due, the database decides.
type TTrigger = { loaded: boolean; unsigned: number; lastAt: number; running: Promise<void> | null };
const globalForTrigger = globalThis as unknown as { delegraphCheckpointTrigger?: TTrigger };

function trigger(): TTrigger {
  return (globalForTrigger.delegraphCheckpointTrigger ??= { loaded: false, unsigned: 0, lastAt: 0, running: null });
}

/**
 * Called after an ingest commit with the number of events it appended. Signs the head when it is
 * due; one checkpoint at a time per process (a concurrent ingest does not wait for it). Never throws.
 */
export async function checkpointAfterIngest(appended: number): Promise<void> {
  if (appended <= 0) return;
  const t = trigger();
  t.unsigned += appended;
  if (t.running) return;
  const { DELEGRAPH_CHECKPOINT_EVENTS: everyEvents, DELEGRAPH_CHECKPOINT_SECONDS: everySeconds } = env();
  const due = (unsigned: number, lastAt: number) => unsigned > 0 && (unsigned >= everyEvents || Date.now() - lastAt >= everySeconds * 1000);
  if (t.loaded && !due(t.unsigned, t.lastAt)) return;
  t.running = (async () => {
    const made = await checkpointHead((head, last) => {
      t.loaded = true;
      t.unsigned = head.seq - (last?.seq ?? 0);
      t.lastAt = last ? Date.parse(last.at) : 0;
      return due(t.unsigned, t.lastAt);
    });
    if (made) {
      t.unsigned = 0;
      t.lastAt = Date.parse(made.at);
    }
  })()
    .catch((e) => console.error(`[delegraph] signing a ledger checkpoint failed (the ingest itself is stored): ${(e as Error).message}`))
    .finally(() => {
      t.running = null;
    });
  await t.running;
}

// ---------------------------------------------------------------------------------------------
// Verification, as GET /api/v1/ledger/verify walks the ledger.

export type TCheckpointSummary = { count: number; verified: number; lastSeq: number | null; lastAt: string | null };
const CHECKPOINT_PAGE = 1000;

/**
 * Checks every checkpoint against the ledger rows the caller walks in seq order: signed by a trusted
 * server key, and the ledger's hash at its seq is the hash it signed. `check` takes each page of
 * rows (already re-walked by the caller, so a row's hash is the recomputed one), `finish` the rest.
 */
export async function checkpointAuditor() {
  const store = (await stores()).ledger;
  const { trusted, known } = await trustedServerKeys();
  const summary: TCheckpointSummary = { count: 0, verified: 0, lastSeq: null, lastAt: null };
  let firstBad: { seq: number; reason: string } | null = null;
  let pending: TSignedCheckpoint[] = [];
  let after = -1;
  let exhausted = false;

  async function upTo(seq: number): Promise<TSignedCheckpoint[]> {
    const out: TSignedCheckpoint[] = [];
    for (;;) {
      while (pending.length && pending[0].seq <= seq) out.push(pending.shift()!);
      if (pending.length || exhausted) return out;
      const rows = await store.checkpoints(after, CHECKPOINT_PAGE);
      if (rows.length < CHECKPOINT_PAGE) exhausted = true;
      if (rows.length) after = rows[rows.length - 1].seq;
      pending = rows.map(toSigned);
    }
  }

  function judge(c: TSignedCheckpoint, ledgerHash: string | undefined): void {
    summary.count++;
    summary.lastSeq = c.seq;
    summary.lastAt = c.at;
    const key = trusted.get(c.kid);
    const named = `the checkpoint at seq ${c.seq} (signed ${c.at} by server key ${c.kid})`;
    let reason: string | null = null;
    if (!key)
      reason = known.has(c.kid)
        ? `${named} is signed by a key in the database that this server's key file does not vouch for: a key inserted to re-sign the ledger?`
        : `${named} is signed by a key this server does not know`;
    else if (!verifyMessage(key, checkpointMessage(c), c.signature)) reason = `${named} does not verify under that key: it was altered`;
    else if (ledgerHash === undefined) reason = `${named} is beyond the ledger's last event: events were removed`;
    else if (ledgerHash !== c.hash)
      reason = `${named} signed hash ${c.hash}, but the ledger's hash at seq ${c.seq} is ${ledgerHash}: the ledger was rewritten after it was checkpointed`;
    if (reason === null) summary.verified++;
    else firstBad ??= { seq: c.seq, reason };
  }

  return {
    /** The rows of one page of the walk, contiguous and in seq order. */
    async check(rows: readonly { seq: number; hash: string }[]): Promise<void> {
      if (rows.length === 0) return;
      const first = rows[0].seq;
      for (const c of await upTo(rows[rows.length - 1].seq)) judge(c, c.seq >= first ? rows[c.seq - first]?.hash : undefined);
    },
    /** Judges the checkpoints beyond the walked ledger (there should be none) and sums up. */
    async finish(): Promise<{ summary: TCheckpointSummary; firstBad: { seq: number; reason: string } | null }> {
      for (const c of await upTo(Number.MAX_SAFE_INTEGER)) judge(c, undefined);
      return { summary, firstBad };
    },
    summary: () => summary,
  };
}
