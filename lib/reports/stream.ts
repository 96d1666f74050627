// Streaming CSV responses: a pull-based ReadableStream over pages of event records, so the server
// holds one page at a time and a slow client slows the database reads instead of filling memory.
import { EVENT_CSV_HEADER, attachmentHeader, eventCsvRow, type TEventRecord } from "./csv";

const encoder = new TextEncoder();

export function eventCsvStream(pages: AsyncIterator<TEventRecord[]>, options: { bom?: boolean } = {}): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode((options.bom ? "\uFEFF" : "") + EVENT_CSV_HEADER));
      },
      async pull(controller) {
        try {
          const next = await pages.next();
          if (next.done) {
            controller.close();
            return;
          }
          const page = next.value;
          const rows = new Array<string>(page.length);
          for (let i = 0; i < page.length; i++) rows[i] = eventCsvRow(page[i]);
          // One join: a flat string for the encoder, where += leaves a rope it must flatten first.
          controller.enqueue(encoder.encode(rows.join("")));
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

export function eventCsvResponse(pages: AsyncIterator<TEventRecord[]>, baseName: string, options: { bom?: boolean } = {}): Response {
  return new Response(eventCsvStream(pages, options), {
    headers: {
      "content-type": "text/csv; charset=utf-8; header=present",
      "content-disposition": attachmentHeader(baseName, "csv"),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

/** `?bom=1` (or true/yes): a UTF-8 byte order mark so Excel reads non-Latin text correctly. */
export function wantsBom(params: URLSearchParams): boolean {
  return ["1", "true", "yes"].includes((params.get("bom") ?? "").toLowerCase());
}
