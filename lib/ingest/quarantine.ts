// Rejected submissions, kept with their raw bytes and reason (docs/protocol.md §4: nothing sent is lost), up to
// a quota per sender: one ingest token flooding the quarantine with garbage must not fill the disk
// or push out what everyone else sent. Past DELEGRAPH_QUARANTINE_QUOTA_MB, the sender's OLDEST
// rows are dropped first (its latest submissions are the ones someone is debugging), and every
// drop is a row of the self-audit saying how many rows and bytes went, and up to which id.
import { stores } from "@/lib/db";
import { env } from "@/lib/env";
import { recordAudit } from "@/lib/audit";

export async function listQuarantine({ cursor, limit, code }: { cursor?: number; limit: number; code?: string }) {
  const rows = await (await stores()).quarantine.list({ before: cursor, code, take: limit + 1 });
  const items = rows.slice(0, limit).map((r) => ({
    id: r.id,
    receivedAt: r.receivedAt.toISOString(),
    jti: r.jti,
    code: r.code,
    message: r.message,
    raw: r.raw,
  }));
  return { items, nextCursor: rows.length > limit ? String(items[items.length - 1].id) : null };
}

const PAGE = 2000;

/**
 * Brings `source`'s share of the quarantine back under the quota, dropping its oldest rows, and
 * records the drop. Called after an ingest that quarantined something; a no-op (one indexed read)
 * while the sender is under its quota.
 */
export async function enforceQuarantineQuota(
  source: string,
  quotaBytes = env().DELEGRAPH_QUARANTINE_QUOTA_MB * 1024 * 1024,
): Promise<{ rows: number; bytes: number } | null> {
  const store = (await stores()).quarantine;
  const usage = await store.usage(source);
  if (!usage || usage.bytes <= quotaBytes) return null;
  // Newest first: keep rows while they fit; the first that does not is the newest to drop.
  let kept = 0;
  let cutoff: number | null = null;
  for (let before: number | undefined; cutoff === null;) {
    const page = await store.sizes(source, before, PAGE);
    for (const r of page) {
      if (kept + r.bytes > quotaBytes) {
        cutoff = r.id;
        break;
      }
      kept += r.bytes;
    }
    if (page.length < PAGE) break;
    before = page[page.length - 1].id;
  }
  if (cutoff === null) return null;
  const dropped = await store.dropUpTo(source, cutoff);
  if (dropped.rows > 0)
    await recordAudit("system", "quarantine.dropped", source, { rows: dropped.rows, bytes: dropped.bytes, upToId: cutoff, quotaBytes });
  return dropped;
}
