// Streaming CSV responses: a pull-based ReadableStream over pages of CSV text (lib/reports/queries.ts
// chainEventCsv, filteredEventCsv), so the server holds one page at a time and a slow client slows
// the database reads instead of filling memory.
import { EVENT_CSV_HEADER, attachmentHeader, type TCsvTimes } from "./csv";

/** `bom`: a UTF-8 byte order mark first; `times`: ISO 8601 or Excel's plain UTC date-times. */
export type TCsvOptions = { bom?: boolean; times?: TCsvTimes };

/**
 * Lets the event loop run before the next page. A page is read synchronously (better-sqlite3) and a
 * fast client takes each chunk at once, so without it a whole export ran as one chain of promises
 * and held every other request: 13.8–20.4 s of a stalled server per 545k-row export after the smoke
 * soak (docs/benchmarks.md, "An export held the server for its whole length").
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A page's rows encoded into one buffer as each is written, instead of a page string joined from the
 * row strings and encoded after: in the server every byte of the V8 heap an export allocates is paid
 * again in garbage collection, and the page string was a tenth of it (docs/benchmarks.md, "CSV export VI").
 */
export class CsvPageBytes {
  private bytes: Buffer;
  private at = 0;

  /** `capacity`: the page's expected size in bytes; it grows when a row does not fit. */
  constructor(capacity: number) {
    this.bytes = Buffer.allocUnsafe(Math.max(capacity, 1024));
  }

  add(row: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit: a row is never written in part.
    const most = row.length * 3;
    if (this.bytes.length - this.at < most) {
      const bigger = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.at + most));
      this.bytes.copy(bigger, 0, 0, this.at);
      this.bytes = bigger;
    }
    this.at += this.bytes.write(row, this.at);
  }

  get size(): number {
    return this.at;
  }

  /** The page's bytes (a view: this writer is done with them). */
  done(): Uint8Array {
    return this.bytes.subarray(0, this.at);
  }
}

/** The header, then each page's rows as one chunk (a page is ~1,000 rows, ~0.5 MB; text is encoded as UTF-8). */
export function eventCsvStream(pages: AsyncIterator<string | Uint8Array>, options: TCsvOptions = {}): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(Buffer.from((options.bom ? "\uFEFF" : "") + EVENT_CSV_HEADER, "utf8"));
      },
      async pull(controller) {
        try {
          await nextTurn();
          const next = await pages.next();
          if (next.done) {
            controller.close();
            return;
          }
          controller.enqueue(typeof next.value === "string" ? Buffer.from(next.value, "utf8") : next.value);
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

/** Pages read ahead while an export's audit entry syncs, at most (~0.5 MB each). */
export const READ_AHEAD_PAGES = 2;

/**
 * The export's pages, read ahead (up to READ_AHEAD_PAGES, a turn of the event loop between them)
 * while `audited` (the export's audit entry: its COMMIT's fdatasync on the thread pool, or
 * PostgreSQL's round trip) is under way, instead of after it: the entry's sync kept every export
 * waiting before its first page, ~1 ms typically and tens of ms when the disk is busy
 * (docs/benchmarks.md, "CSV export IX"). The sync is three steps on the thread pool (open,
 * fdatasync, close), each started by the main thread when the last ends: the first page is read
 * beside the open, the second beside the fdatasync. No more: pages read ahead reach the client in
 * one burst, and a client that parses what it receives waits meanwhile instead of working beside
 * the server (with four, the many-chain export was not faster, and slower in the bench). Nothing
 * is answered before the entry is durable: this resolves only when `audited` does, and when it
 * rejects the export is dropped (no page read ahead is sent) and its error thrown, as an awaited
 * entry threw before. A page that fails while read ahead fails the stream when the stream reaches
 * it, after the pages before it, as it did.
 */
export async function readWhileAudited<T>(pages: AsyncIterator<T>, audited: Promise<unknown>): Promise<AsyncIterator<T>> {
  const ahead: ({ result: IteratorResult<T> } | { error: unknown })[] = [];
  let waiting = true;
  const reading = (async () => {
    while (waiting && ahead.length < READ_AHEAD_PAGES) {
      try {
        const result = await pages.next();
        ahead.push({ result });
        if (result.done) return;
      } catch (error) {
        ahead.push({ error });
        return;
      }
      await nextTurn();
    }
  })();
  try {
    await audited;
  } catch (error) {
    waiting = false;
    void reading.then(() => pages.return?.(undefined)).catch(() => undefined);
    throw error;
  }
  waiting = false;
  await reading;
  return {
    next: async () => {
      const page = ahead.shift();
      if (page === undefined) return pages.next();
      if ("error" in page) throw page.error;
      return page.result;
    },
    return: async (value?: unknown) => (await pages.return?.(value)) ?? { done: true, value: undefined },
  };
}

export function eventCsvResponse(pages: AsyncIterator<string | Uint8Array>, baseName: string, options: TCsvOptions = {}): Response {
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
