import { describe, expect, it } from "vitest";
import { csvResponse } from "@/lib/review/exports";
import { EVENT_CSV_HEADER } from "./csv";
import { CsvPageBytes, READ_AHEAD_PAGES, eventCsvStream, readWhileAudited } from "./stream";

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

describe("readWhileAudited", () => {
  /** A promise and its resolvers, settled by the test. */
  function deferred() {
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  }

  // Pages are read ahead while the audit entry syncs, but nothing is answered before it is
  // durable: the export's response exists only once the entry's promise has resolved.
  it("reads pages ahead (a bounded number) and answers only after the entry is durable", async () => {
    const { seen, pages } = readyPages();
    const audited = deferred();
    let answered = false;
    const answer = readWhileAudited(pages, audited.promise).then((p) => ((answered = true), p));
    await new Promise((r) => setTimeout(r, 20));
    expect(seen.pages).toBe(READ_AHEAD_PAGES);
    expect(answered).toBe(false);
    audited.resolve();
    const text = await drain(eventCsvStream(await answer));
    expect(text).toBe(EVENT_CSV_HEADER + Array.from({ length: PAGES }, (_, i) => `row ${i}\r\n`).join(""));
    expect(seen.pages).toBe(PAGES);
  });

  it("stops reading ahead once the entry is durable", async () => {
    const { seen, pages } = readyPages();
    const body = eventCsvStream(await readWhileAudited(pages, Promise.resolve()));
    expect(seen.pages).toBeLessThanOrEqual(1);
    const text = await drain(body);
    expect(text).toBe(EVENT_CSV_HEADER + Array.from({ length: PAGES }, (_, i) => `row ${i}\r\n`).join(""));
  });

  it("a page that fails while read ahead fails the stream after the pages before it", async () => {
    async function* pages(): AsyncGenerator<string> {
      yield "row 0\r\n";
      throw new Error("read failed");
    }
    const audited = deferred();
    const answer = readWhileAudited(pages(), audited.promise);
    await new Promise((r) => setTimeout(r, 10));
    audited.resolve();
    const reader = eventCsvStream(await answer).getReader();
    const logged = console.error;
    console.error = () => undefined;
    try {
      expect(new TextDecoder().decode((await reader.read()).value)).toBe(EVENT_CSV_HEADER);
      expect(new TextDecoder().decode((await reader.read()).value)).toBe("row 0\r\n");
      await expect(reader.read()).rejects.toThrow("read failed");
    } finally {
      console.error = logged;
    }
  });

  it("throws the entry's error, drops the export, and answers nothing", async () => {
    let closed = false;
    async function* pages() {
      try {
        yield "row 0\r\n";
        yield "row 1\r\n";
      } finally {
        closed = true;
      }
    }
    const audited = deferred();
    const answer = readWhileAudited(pages(), audited.promise);
    audited.reject(new Error("disk full"));
    await expect(answer).rejects.toThrow("disk full");
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(true);
  });

  it("a first page that fails fails the stream, as it did when read after the entry", async () => {
    // eslint-disable-next-line require-yield
    async function* pages(): AsyncGenerator<string> {
      throw new Error("read failed");
    }
    const errors: unknown[] = [];
    const logged = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      const body = eventCsvStream(await readWhileAudited(pages(), Promise.resolve()));
      await expect(drain(body)).rejects.toThrow("read failed");
    } finally {
      console.error = logged;
    }
    expect(errors.length).toBe(1);
  });
});
