// The review's CSV exports (docs/review.md): the Findings list with its filters and review columns,
// and the self-audit with its filters. RFC 4180 with the event CSV's formula rule (lib/reports/csv.ts
// csvRow), streamed page by page so the server holds one page at a time.
import { listAudit } from "@/lib/audit";
import type { TAuditFilters } from "@/lib/contracts/audit";
import type { TFindingsQuery } from "@/lib/contracts/findings";
import { listFindings } from "@/lib/findings/queries";
import { attachmentHeader, csvRow, excelTime, isoSeconds, type TCsvTimes } from "@/lib/reports/csv";
import { nextTurn } from "@/lib/reports/stream";

const PAGE = 200;

/** The columns of the findings CSV, in order (docs/review.md describes each). */
export const FINDING_COLUMNS = [
  "id",
  "chain",
  "event",
  "event_kind",
  "iss",
  "iat",
  "code",
  "severity",
  "message",
  "read_time",
  "state",
  "assignee",
  "note",
  "accepted_until",
  "reopened",
  "updated_at",
  "updated_by",
] as const;

export const AUDIT_COLUMNS = ["id", "at", "actor", "action", "target", "ip", "detail"] as const;

/** ISO 8601 UTC without zero milliseconds, or for Excel its plain UTC date-time (the event CSV's rule). */
function timeCell(times: TCsvTimes) {
  return (t: string | number | null): string | null => {
    if (t === null) return null;
    const iso = typeof t === "number" ? isoSeconds(t) : t.replace(/\.000Z$/, "Z");
    return times === "excel" ? excelTime(iso) : iso;
  };
}

export async function* findingCsvLines(filters: Omit<TFindingsQuery, "cursor" | "limit">, times: TCsvTimes = "iso"): AsyncGenerator<string> {
  const time = timeCell(times);
  yield csvRow(FINDING_COLUMNS);
  let cursor: string | undefined;
  do {
    const page = await listFindings({ ...filters, cursor, limit: PAGE });
    yield page.items
      .map((f) =>
        csvRow([
          f.id,
          f.chainId,
          f.eventJti,
          f.eventKind,
          f.iss,
          time(f.iat),
          f.code,
          f.severity,
          f.message,
          f.isReadTime,
          f.review.state,
          f.review.assignee,
          f.review.note,
          time(f.review.acceptedUntil),
          f.review.reopened ? (f.review.reopened.kind === "expired" ? "accepted risk expired" : "finding changed") : null,
          time(f.review.updatedAt),
          f.review.updatedBy,
        ]),
      )
      .join("");
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

export async function* auditCsvLines(filters: TAuditFilters, times: TCsvTimes = "iso"): AsyncGenerator<string> {
  const time = timeCell(times);
  yield csvRow(AUDIT_COLUMNS);
  let cursor: number | undefined;
  do {
    const page = await listAudit({ ...filters, cursor, limit: PAGE });
    yield page.items
      .map((e) => csvRow([e.id, time(e.at), e.actor, e.action, e.target, e.ip, e.detail === null ? null : JSON.stringify(e.detail)]))
      .join("");
    cursor = page.nextCursor === null ? undefined : Number(page.nextCursor);
  } while (cursor);
}

const encoder = new TextEncoder();

export function csvResponse(lines: AsyncGenerator<string>, baseName: string, options: { bom?: boolean } = {}): Response {
  let first = true;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          await nextTurn();
          const next = await lines.next();
          if (next.done) return controller.close();
          controller.enqueue(encoder.encode((first && options.bom ? "\uFEFF" : "") + next.value));
          first = false;
        } catch (error) {
          // Headers are gone: fail the body so the download shows as failed, not as a short CSV.
          console.error("[delegraph] CSV export failed mid-stream", error);
          controller.error(error);
        }
      },
      async cancel() {
        await lines.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8; header=present",
      "content-disposition": attachmentHeader(baseName, "csv"),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
