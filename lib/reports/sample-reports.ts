// Renders sample reports into a directory for a human to look at (pdftoppm -png -r 60 …):
//   npx tsx lib/reports/sample-reports.ts [out-dir]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { seedDeepChain, seedStoryChain, seedWideChain, useFreshDatabase } from "./test-fixtures";

const out = process.argv[2] ?? "sample-reports";
mkdirSync(out, { recursive: true });
await useFreshDatabase();
const { getChainReportData, getPeriodSummary } = await import("./queries");
const { renderChainReportPdf, renderSummaryPdf } = await import("./pdf/render");

const only = process.argv[3]?.split(",");
const chains: Record<string, string> = {};
if (!only || only.includes("story")) chains.story = (await seedStoryChain()).chain;
if (!only || only.includes("wide")) chains.wide = (await seedWideChain(200)).chain;
if (!only || only.includes("deep")) chains.deep = (await seedDeepChain(60)).chain;
if (only?.includes("deep200")) chains.deep200 = (await seedDeepChain(200)).chain;
// Around the graph page's legibility threshold: an 8-hop line still draws, these get the authority path.
if (only?.includes("deep20")) chains.deep20 = (await seedDeepChain(20)).chain;
if (only?.includes("wide20")) chains.wide20 = (await seedWideChain(20)).chain;
for (const [name, id] of Object.entries(chains)) {
  for (const paper of ["A4", "LETTER"] as const) {
    const t0 = performance.now();
    const data = await getChainReportData(id);
    const t1 = performance.now();
    const cpu = process.cpuUsage();
    const pdf = await renderChainReportPdf(data, { paper, generatedBy: "sample-reports" });
    const t2 = performance.now();
    const used = process.cpuUsage(cpu);
    writeFileSync(join(out, `${name}-${paper.toLowerCase()}.pdf`), pdf);
    console.log(
      `${name} ${paper}: ${data.detail.hopCount} hops, ${data.detail.eventCount} events; read ${(t1 - t0).toFixed(0)} ms, render ${(t2 - t1).toFixed(0)} ms (${((used.user + used.system) / 1000).toFixed(0)} ms CPU), ${pdf.length} bytes`,
    );
  }
}
const summary = await getPeriodSummary({});
writeFileSync(join(out, "summary-a4.pdf"), await renderSummaryPdf(summary, { paper: "A4", generatedBy: "sample-reports" }));
console.log(`summary: ${summary.chainCount} chains`);
process.exit(0);
