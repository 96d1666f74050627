// Server-side PDF rendering with @react-pdf/renderer (Node runtime only: it reads the font files).
import { renderToBuffer } from "@react-pdf/renderer";
import { z } from "zod";
import type { TChainReportData, TPeriodSummary } from "../queries";
import { ChainReport, graphArea, type TChainReportOptions } from "./chain-report";
import { loadFonts, measurer } from "./fonts";
import { planGraph } from "./graph-plan";
import { measure, setMeasurer } from "./kit";
import { SummaryReport } from "./summary-report";
import { ObservedReport } from "./observed-report";
import type { TChainDetail } from "@/lib/contracts/chains";
import type { TPaper } from "./theme";

export type { TPaper } from "./theme";

/** `?size=a4` (the default) or `?size=letter`; anything else is a 400. */
export const ZPaper = z
  .enum(["a4", "letter", "A4", "LETTER", "Letter"], { error: 'size must be "a4" or "letter"' })
  .optional()
  .transform((v): TPaper => (v?.toLowerCase() === "letter" ? "LETTER" : "A4"));

export function paperFrom(params: URLSearchParams): TPaper {
  return ZPaper.parse(params.get("size") || undefined);
}

/** "jane@bank.example (viewer)" or "API token “ci-export” (admin)": who a report was made for. */
export function describeActor(actor: { kind: "token" | "session"; name: string; role: string }): string {
  return actor.kind === "session" ? `${actor.name} (${actor.role})` : `API token “${actor.name}” (${actor.role})`;
}

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
