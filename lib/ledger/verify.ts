// GET /api/v1/ledger/verify: re-walks the whole ledger in pages (constant memory), checks the stored
// head against it, and checks every signed checkpoint (checkpoints.ts) against the re-walked hashes:
// a ledger rewritten consistently from some seq on still links up, but no longer matches what was
// signed.
import { stores } from "@/lib/db";
import { checkLedgerRun, GENESIS_HASH } from "@/lib/protocol/ledger";
import { nextTurn } from "@/lib/reports/stream";
import { checkpointAuditor } from "./checkpoints";

const LEDGER_PAGE = 5000;

export async function verifyLedger() {
  const store = (await stores()).chains;
  const auditor = await checkpointAuditor();
  let cursor = { seq: 0, hash: GENESIS_HASH };
  let count = 0;
  for (;;) {
    const page = await store.ledgerPage(cursor.seq, LEDGER_PAGE);
    // The walk is synchronous per page and must not hold the server: yield between pages.
    await nextTurn();
    const run = checkLedgerRun(page, cursor);
    count += run.count;
    if (!run.ok) return { ok: false, count, head: run.head, brokenAt: run.brokenAt, reason: run.reason, checkpoints: auditor.summary() };
    if (page.length === 0) break;
    await auditor.check(page);
    cursor = { seq: page[page.length - 1].seq, hash: run.head };
    if (page.length < LEDGER_PAGE) break;
  }
  const { summary: checkpoints, firstBad } = await auditor.finish();
  const stored = await store.ledgerHead();
  if (!stored || stored.seq !== cursor.seq || stored.hash !== cursor.hash) {
    return {
      ok: false,
      count,
      head: cursor.hash,
      reason: "the stored ledger head does not match the last event (events were removed from the end)",
      checkpoints,
    };
  }
  if (firstBad) return { ok: false, count, head: cursor.hash, brokenAt: firstBad.seq, reason: firstBad.reason, checkpoints };
  return { ok: true, count, head: cursor.hash, checkpoints };
}
