// Server-side PDF rendering with @react-pdf/renderer (Node runtime only: it reads the font files).
// The server renders on a thread of its own (lib/reports/pdf/pool.ts runs renderPdfJob there);
// these functions are also what that thread and the tests call.
import { renderToBuffer } from "@react-pdf/renderer";
import type { TChainReportData, TPeriodSummary } from "../queries";
import { ChainReport, graphArea, type TChainReportOptions } from "./chain-report";
import { loadFonts, measurer } from "./fonts";
import { planGraph } from "./graph-plan";
import { measure, setMeasurer } from "./kit";
import { SummaryReport } from "./summary-report";
import { ObservedReport } from "./observed-report";
import { renderLeastPrivilegePdf } from "./least-privilege-report";
import type { TChainDetail } from "@/lib/contracts/chains";
import type { TPdfJob } from "./job";
import type { TPaper } from "./theme";

export type { TPaper } from "./theme";

async function ready(): Promise<void> {
  setMeasurer(measurer(await loadFonts()));
}

/** Everything the chain report is drawn from, fonts loaded: also what tests inspect. */
export async function chainReportOptions(data: TChainReportData, options: { paper: TPaper; generatedBy: string }): Promise<TChainReportOptions> {
  await ready();
  const graph = planGraph(data.detail, measure(), (landscape) => graphArea(options.paper, landscape));
  return { ...options, graph };
}

export async function renderChainReportPdf(data: TChainReportData, options: { paper: TPaper; generatedBy: string }): Promise<Buffer> {
  const opts = await chainReportOptions(data, options);
  // Pages after the cover are numbered in advance assuming a one-page cover. Should the cover run
  // over (it is the one page we do not measure), render again knowing its length.
  let coverPages = 1;
  const pdf = await renderToBuffer(<ChainReport data={data} opts={{ ...opts, onCoverPages: (n) => (coverPages = Math.max(coverPages, n)) }} />);
  return coverPages === 1 ? pdf : renderToBuffer(<ChainReport data={data} opts={{ ...opts, coverPages }} />);
}

/** The report of an observed chain (docs/observed.md): "observed, not verified" on every page. */
export async function renderObservedReportPdf(detail: TChainDetail, options: { paper: TPaper; generatedBy: string }): Promise<Buffer> {
  await ready();
  const graph = planGraph(detail, measure(), (landscape) => graphArea(options.paper, landscape));
  return renderToBuffer(<ObservedReport detail={detail} opts={{ ...options, graph }} />);
}

export async function renderSummaryPdf(summary: TPeriodSummary, options: { paper: TPaper; generatedBy: string }): Promise<Buffer> {
  await ready();
  return renderToBuffer(<SummaryReport summary={summary} opts={options} />);
}

/** One report of any kind, from the data its route gathered. */
export function renderPdfJob(job: TPdfJob): Promise<Buffer> {
  switch (job.kind) {
    case "chain":
      return renderChainReportPdf(job.data, job.options);
    case "observed":
      return renderObservedReportPdf(job.detail, job.options);
    case "summary":
      return renderSummaryPdf(job.summary, job.options);
    case "least-privilege":
      return renderLeastPrivilegePdf(job.data, job.options);
  }
}
