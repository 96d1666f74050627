// The PDF render thread (pool.ts): reports rendered on it are the same PDFs as on the main thread,
// with the embedded fonts; a thread that cannot start falls back to the main thread with one
// warning; reports past the bound are refused with 503 and Retry-After before their work runs.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AppError } from "@/lib/http";
import { observedChain, seedStoryChain, useFreshDatabase } from "../test-fixtures";
import type { TPdfJob } from "./job";
import { PDF_RETRY_AFTER_SECONDS, PdfRenderPool } from "./pool";

const dir = mkdtempSync(join(tmpdir(), "delegraph-pdf-pool-test-"));
const squash = (s: string) => s.replace(/\s+/g, "");
const text = (name: string, bytes: Buffer) => {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return squash(execFileSync("pdftotext", ["-raw", "-enc", "UTF-8", file, "-"], { encoding: "utf8" }));
};
/**
 * The PDF with its dates and its file ID (pdfkit derives it from the creation date) blanked: the
 * only bytes in which two renders of the same data differ.
 */
const undated = (pdf: Buffer) =>
  pdf
    .toString("latin1")
    .replace(/\(D:\d{14}Z\)/g, "(D:)")
    .replace(/\/ID \[<[0-9a-f]+> <[0-9a-f]+>\]/g, "/ID []");
const refuseInProcess = () => Promise.reject(new Error("rendered on the main thread, not the render thread"));

let story: Awaited<ReturnType<typeof seedStoryChain>>;
let render: typeof import("./render");
let chainJob: TPdfJob;
let summaryJob: TPdfJob;
const pools: PdfRenderPool[] = [];
const pool = (options: ConstructorParameters<typeof PdfRenderPool>[0]) => {
  const p = new PdfRenderPool(options);
  pools.push(p);
  return p;
};

beforeAll(async () => {
  await useFreshDatabase();
  const q = await import("../queries");
  render = await import("./render");
  story = await seedStoryChain();
  chainJob = { kind: "chain", data: await q.getChainReportData(story.chain), options: { paper: "A4", generatedBy: "pool.test" } };
  summaryJob = { kind: "summary", summary: await q.getPeriodSummary({}), options: { paper: "LETTER", generatedBy: "pool.test" } };
}, 120_000);

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe("the PDF render thread", () => {
  it("renders a chain report on the thread, byte for byte the PDF the main thread makes (dates aside), fonts embedded", async () => {
    const threaded = pool({ threads: 1, maxQueued: 4, inProcess: refuseInProcess });
    const pdf = await threaded.render(chainJob);
    expect(threaded.stats()).toMatchObject({ threads: 1, fallback: false });
    const local = await render.renderPdfJob(chainJob);
    expect(undated(pdf)).toBe(undated(local));
    const flat = text("story-thread.pdf", pdf);
    expect(flat).toContain(story.chain);
    // Non-Latin names print only with the embedded DejaVu and CJK fallback fonts.
    expect(flat).toContain("李小龙");
  });

  it("renders the other kinds on the thread too, one after another on one thread, the same PDFs as the main thread", async () => {
    const threaded = pool({ threads: 1, maxQueued: 4, inProcess: refuseInProcess });
    const lp: TPdfJob = {
      kind: "least-privilege",
      data: { since: 1_800_000_000, until: 1_800_086_400, purpose: null, principal: null, usages: [], truncated: false, generatedAt: 1_800_086_400 },
      options: { paper: "A4", generatedBy: "pool.test" },
    };
    const tools = ["tool_0", "tool_1", "tool_2"];
    const observed: TPdfJob = {
      kind: "observed",
      detail: observedChain({
        trace: 1,
        agent: "support",
        user: "alice@example.com",
        service: "support-app",
        tools,
        now: Date.UTC(2026, 0, 16),
      }).detail,
      options: { paper: "A4", generatedBy: "pool.test" },
    };
    const [summary, leastPrivilege, observedPdf] = await Promise.all([threaded.render(summaryJob), threaded.render(lp), threaded.render(observed)]);
    expect(undated(summary)).toBe(undated(await render.renderPdfJob(summaryJob)));
    expect(undated(leastPrivilege)).toBe(undated(await render.renderPdfJob(lp)));
    expect(undated(observedPdf)).toBe(undated(await render.renderPdfJob(observed)));
    expect(text("lp-thread.pdf", leastPrivilege)).toContain("LEASTPRIVILEGEREPORT");
    expect(text("observed-thread.pdf", observedPdf)).toContain("OBSERVED,NOTVERIFIED");
    expect(threaded.stats().threads).toBe(1);
  });

  it("renders the same PDFs from the bundled thread code (production's, without tsx) as the main thread", async () => {
    // Inside the repository, so its package imports resolve from node_modules as the server's do;
    // not in .next, which a build running beside the tests empties.
    const bundle = join(process.cwd(), "node_modules", ".cache", `delegraph-pool-test-${process.pid}.mjs`);
    const { bundlePdfWorker } = await import("@/scripts/pdf-worker-bundle");
    bundlePdfWorker(process.cwd(), bundle);
    try {
      const bundled = pool({ threads: 1, maxQueued: 4, bundle, inProcess: refuseInProcess });
      const [chain, summary] = [await bundled.render(chainJob), await bundled.render(summaryJob)];
      expect(bundled.stats()).toMatchObject({ threads: 1, fallback: false });
      expect(undated(chain)).toBe(undated(await render.renderPdfJob(chainJob)));
      expect(undated(summary)).toBe(undated(await render.renderPdfJob(summaryJob)));
      expect(text("story-bundled.pdf", chain)).toContain("李小龙");
    } finally {
      rmSync(bundle, { force: true });
    }
  });

  it("falls back to the main thread with one warning when the thread cannot start", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      const broken = pool({ threads: 1, maxQueued: 4, entry: join(dir, "no-such-worker.ts") });
      const [a, b] = await Promise.all([broken.render(summaryJob), broken.render(summaryJob)]);
      const c = await broken.render(summaryJob);
      for (const pdf of [a, b, c]) expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
      expect(broken.stats()).toMatchObject({ fallback: true, threads: 0 });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toContain("PDF reports render on the main thread");
    } finally {
      warn.mockRestore();
    }
  });

  it("refuses a report past the bound with 503 and Retry-After before its work runs, and admits again once one ends", async () => {
    const bounded = pool({ threads: 0, maxQueued: 1 });
    let finish!: () => void;
    const held = bounded.admit(() => new Promise<string>((resolve) => (finish = () => resolve("first"))));
    const work = vi.fn(async () => "second");
    const refused = await bounded.admit(work).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: "service_unavailable", status: 503, retryAfterSeconds: PDF_RETRY_AFTER_SECONDS });
    expect(work).not.toHaveBeenCalled();
    finish();
    await expect(held).resolves.toBe("first");
    await expect(bounded.admit(work)).resolves.toBe("second");
    expect(bounded.stats().inProgress).toBe(0);
  });

  it("ends an idle thread and starts a new one for the next report", async () => {
    const shortLived = pool({ threads: 1, maxQueued: 4, idleMs: 50, inProcess: refuseInProcess });
    await shortLived.render(summaryJob);
    await vi.waitFor(() => expect(shortLived.stats().threads).toBe(0), { timeout: 5_000 });
    const again = await shortLived.render(summaryJob);
    expect(again.subarray(0, 5).toString()).toBe("%PDF-");
  });
});
