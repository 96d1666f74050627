// The observed chain's report (docs/observed.md): "observed, not verified" on every page, the
// principal as asserted, every observed edge, and no word of a signature or verification.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderObservedReportPdf } from "./pdf/render";
import { observedChain } from "./test-fixtures";

const NOW = Date.UTC(2026, 0, 16);

describe("the observed chain's PDF", () => {
  it("says observed, not verified on every page and lists every observed edge", async () => {
    const tools = Array.from({ length: 70 }, (_, i) => `tool_${i}`);
    const { detail } = observedChain({
      trace: 1,
      agent: "support",
      user: "alice@example.com",
      service: "support-app",
      tools,
      errorAt: 3,
      now: NOW,
    });
    const bytes = await renderObservedReportPdf(detail, { paper: "A4", generatedBy: "test" });
    const file = join(mkdtempSync(join(tmpdir(), "delegraph-observed-pdf-")), "observed.pdf");
    writeFileSync(file, bytes);
    const text = execFileSync("pdftotext", ["-raw", "-enc", "UTF-8", file, "-"], { encoding: "utf8" });
    const pages = text.split("\f").filter((p) => p.trim().length > 0);
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) expect(page).toContain("OBSERVED, NOT VERIFIED");
    expect(text).toContain("alice@example.com (asserted by support-app; not verified)");
    for (let i = 0; i < 70; i++) expect(text).toContain(`tool_${i}`);
    expect(text).toContain("unauthorized_activity");
    expect(text).toContain("Observed from OpenTelemetry spans, not verified");
    expect(text).not.toMatch(/signature verified|✓ VERIFIED/i);
    // 71 boxes cannot be labelled legibly on a page: no graph page, the table says why.
    expect(text).not.toContain("Chain graph");
    expect(text).toContain("Too many edges to draw with legible labels on one page");
  }, 120_000);

  it("draws a small observed chain's graph, every edge dashed and labelled observed, not verified", async () => {
    const tools = Array.from({ length: 4 }, (_, i) => `lookup_${i}`);
    const { chain, detail } = observedChain({ trace: 2, agent: "triage", user: "bob@example.com", service: "helpdesk", tools, now: NOW });
    const bytes = await renderObservedReportPdf(detail, { paper: "A4", generatedBy: "test" });
    const file = join(mkdtempSync(join(tmpdir(), "delegraph-observed-pdf-")), "observed-small.pdf");
    writeFileSync(file, bytes);
    const text = execFileSync("pdftotext", ["-raw", "-enc", "UTF-8", file, "-"], { encoding: "utf8" });
    const pages = text.split("\f").filter((p) => p.trim().length > 0);
    for (const page of pages) expect(page).toContain("OBSERVED, NOT VERIFIED");
    const graph = pages.find((p) => p.includes("Chain graph"));
    expect(graph).toBeDefined();
    const flat = graph!.replace(/\s+/g, "");
    for (let i = 0; i < 4; i++) expect(flat).toContain(`lookup_${i}`);
    expect(flat).toContain("bob@example.com");
    // Every edge says what it is: one label per observed edge, none called verified.
    expect(flat.split("observed,notverified").length - 1).toBeGreaterThanOrEqual(chain.edges.length);
    expect(graph).not.toContain("…");
    expect(graph).not.toMatch(/signature verified|✓ VERIFIED/i);
  }, 120_000);
});
