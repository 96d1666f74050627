// GET /api/v1/stream (docs/review.md#the-siem-stream): stored events and findings after a cursor as
// NDJSON, for SIEMs that pull. The cursor is "<event seq>.<finding id>", both positions only grow:
// events by ledger position, findings by id. A re-check rewrites a chain's findings with new ids,
// so a re-checked finding comes again (with its chain and event, so a receiver can replace it).
import type { TStreamQuery } from "@/lib/contracts/review";
import { stores } from "@/lib/db";
import { AppError } from "@/lib/http";

export type TStreamCursor = { seq: number; finding: number };

export function parseStreamCursor(raw: string | undefined): TStreamCursor {
  if (raw === undefined) return { seq: 0, finding: 0 };
  const m = /^(\d{1,10})\.(\d{1,10})$/.exec(raw);
  if (!m)
    throw new AppError("invalid_request", 'since must be a cursor "<seq>.<finding id>" from a previous answer, or absent to start at the beginning.');
  return { seq: Number(m[1]), finding: Number(m[2]) };
}

export const formatStreamCursor = (c: TStreamCursor) => `${c.seq}.${c.finding}`;

/** The lines of one answer: events, then findings, then `{type: "cursor", next, more}`. */
export async function streamLines(q: TStreamQuery): Promise<string[]> {
  const since = parseStreamCursor(q.since);
  const s = (await stores()).review;
  const [events, findings] = await Promise.all([s.streamEvents(since.seq, q.limit + 1), s.streamFindings(since.finding, q.limit + 1)]);
  const ev = events.slice(0, q.limit);
  const fi = findings.slice(0, q.limit);
  const lines: string[] = [];
  for (const e of ev) {
    lines.push(
      JSON.stringify({
        type: "event",
        seq: e.seq,
        jti: e.jti,
        chain: e.chainId,
        kind: e.kind,
        iss: e.iss,
        aud: e.aud,
        ref: e.ref,
        iat: e.iat,
        status: e.status,
        hash: e.hash,
        receivedAt: e.receivedAt.toISOString(),
      }),
    );
  }
  for (const f of fi) {
    lines.push(
      JSON.stringify({ type: "finding", id: f.id, chain: f.chainId, event: f.eventJti, code: f.code, severity: f.severity, message: f.message }),
    );
  }
  const next = { seq: ev.length ? ev[ev.length - 1].seq : since.seq, finding: fi.length ? fi[fi.length - 1].id : since.finding };
  lines.push(JSON.stringify({ type: "cursor", next: formatStreamCursor(next), more: events.length > q.limit || findings.length > q.limit }));
  return lines;
}
