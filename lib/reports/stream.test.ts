import { describe, expect, it } from "vitest";
import { csvResponse } from "@/lib/review/exports";
import { EVENT_CSV_HEADER } from "./csv";
import { CsvPageBytes, eventCsvStream } from "./stream";

const PAGES = 40;

/** Pages that are ready at once, as a page read from better-sqlite3 is, counting how many were asked for. */
function readyPages() {
  const seen = { pages: 0 };
  async function* pages() {
    for (let i = 0; i < PAGES; i++) {
      seen.pages++;
      yield `row ${i}\r\n`;
    }
  }
  return { seen, pages: pages() };
}

/** Reads a body as fast as it comes, as a client on the same machine does. */
async function drain(body: ReadableStream<Uint8Array>): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    text += decoder.decode(value, { stream: true });
  }
}

describe("CSV streams let other work run between pages", () => {
  // Without a turn of the event loop between pages, an export ran as one chain of promises: a
  // request that arrived meanwhile (an ingest, a page of the dashboard) waited for the whole export.
  it("the event export: a callback queued when the download starts runs before its last page", async () => {
    const { seen, pages } = readyPages();
    let pagesWhenOtherWorkRan = -1;
    setImmediate(() => (pagesWhenOtherWorkRan = seen.pages));
    const text = await drain(eventCsvStream(pages));
    expect(text).toBe(EVENT_CSV_HEADER + Array.from({ length: PAGES }, (_, i) => `row ${i}\r\n`).join(""));
    expect(pagesWhenOtherWorkRan).toBeGreaterThanOrEqual(0);
    expect(pagesWhenOtherWorkRan).toBeLessThan(PAGES);
  });

  it("the findings and audit exports: the same", async () => {
    const { seen, pages } = readyPages();
    let pagesWhenOtherWorkRan = -1;
    setImmediate(() => (pagesWhenOtherWorkRan = seen.pages));
    const text = await drain(csvResponse(pages, "t").body!);
    expect(text).toBe(Array.from({ length: PAGES }, (_, i) => `row ${i}\r\n`).join(""));
    expect(pagesWhenOtherWorkRan).toBeGreaterThanOrEqual(0);
    expect(pagesWhenOtherWorkRan).toBeLessThan(PAGES);
  });
});

describe("CsvPageBytes", () => {
  // A page's rows are encoded into one buffer as they come: the bytes must be Buffer.from of the
  // joined page, whatever the buffer's first size and whatever the text (non-Latin, emoji, a lone
  // surrogate, which UTF-8 writes as U+FFFD).
  it("gives the page's UTF-8 bytes, growing as rows need", () => {
    const rows = ["a,b\r\n", "Квартальный отчёт, 李小龙\r\n", "😀".repeat(700) + "\r\n", "\ud800x\r\n", "", "z".repeat(5000) + "\r\n"];
    for (const capacity of [0, 10, 1024, 4096, 100_000]) {
      const bytes = new CsvPageBytes(capacity);
      for (const row of rows) bytes.add(row);
      const expected = Buffer.from(rows.join(""), "utf8");
      expect(bytes.size).toBe(expected.length);
      expect(Buffer.from(bytes.done()).equals(expected)).toBe(true);
    }
  });
});
