// Streaming CSV responses: a pull-based ReadableStream over pages of CSV text (lib/reports/queries.ts
// chainEventCsv, filteredEventCsv), so the server holds one page at a time and a slow client slows
// the database reads instead of filling memory.
import { EVENT_CSV_HEADER, attachmentHeader, type TCsvTimes } from "./csv";

/** `bom`: a UTF-8 byte order mark first; `times`: ISO 8601 or Excel's plain UTC date-times. */
export type TCsvOptions = { bom?: boolean; times?: TCsvTimes };

/** The header, then each page's rows as one chunk (a page is ~1,000 rows, ~0.5 MB). */
export function eventCsvStream(pages: AsyncIterator<string>, options: TCsvOptions = {}): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(Buffer.from((options.bom ? "\uFEFF" : "") + EVENT_CSV_HEADER, "utf8"));
      },
      async pull(controller) {
        try {
          const next = await pages.next();
          if (next.done) {
            controller.close();
            return;
          }
          controller.enqueue(Buffer.from(next.value, "utf8"));
        } catch (error) {
          // Headers are gone already: abort the body so the client sees a failed download rather
          // than a CSV that silently stops.
          console.error("[delegraph] CSV export failed mid-stream", error);
          controller.error(error);
        }
      },
      async cancel() {
        await pages.return?.(undefined);
      },
    },
    { highWaterMark: 1 },
  );
}

export function eventCsvResponse(pages: AsyncIterator<string>, baseName: string, options: TCsvOptions = {}): Response {
  return new Response(eventCsvStream(pages, options), {
    headers: {
      "content-type": "text/csv; charset=utf-8; header=present",
      // The Excel flavour says so in its name: both may land in one Downloads folder.
      "content-disposition": attachmentHeader(options.times === "excel" ? `${baseName}-excel` : baseName, "csv"),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

const YES = ["1", "true", "yes"];

/** `?bom=1` (or true/yes): a UTF-8 byte order mark so Excel reads non-Latin text correctly. */
export function wantsBom(params: URLSearchParams): boolean {
  return YES.includes((params.get("bom") ?? "").toLowerCase());
}

/**
 * The CSV flavour a request asks for. `?excel=1` is "CSV for Excel": a byte order mark and times as
 * plain UTC date-times Excel reads as dates; `?bom=1` alone adds only the mark.
 */
export function csvOptions(params: URLSearchParams): TCsvOptions {
  const excel = YES.includes((params.get("excel") ?? "").toLowerCase());
  return excel ? { bom: true, times: "excel" } : { bom: wantsBom(params), times: "iso" };
}
