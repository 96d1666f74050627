// GET /api/v1/exports/summary.pdf?<filters of GET /api/v1/chains>[&size=a4|letter] — a period
// summary of exactly the chains the filters match: chains by status, findings by type, the worst
// chains (docs/exports.md). Who: chains:export. One keyset pass over the chains, counters only.
import { apiRoute } from "@/lib/api-route";
import { recordAudit } from "@/lib/audit";
import { searchParamsObject, ZChainFilters } from "@/lib/chains/filters";
import { attachmentHeader } from "@/lib/reports/csv";
import { getPeriodSummary } from "@/lib/reports/queries";
import { describeActor, paperFrom, renderSummaryPdf } from "@/lib/reports/pdf/render";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute("chains:export", async (req, actor) => {
  const params = req.nextUrl.searchParams;
  const paper = paperFrom(params);
  // The filter schema ignores parameters it does not know, such as size.
  const filters = ZChainFilters.parse(searchParamsObject(params));
  const summary = await getPeriodSummary(filters);
  const pdf = await renderSummaryPdf(summary, { paper, generatedBy: describeActor(actor) });
  await recordAudit(actor, "exports.summary.pdf", undefined, { filters, paper, chains: summary.chainCount });
  return new Response(new Uint8Array(pdf), {
    headers: {
      "content-type": "application/pdf",
      "content-length": String(pdf.length),
      "content-disposition": attachmentHeader(`delegraph-summary-${new Date().toISOString().slice(0, 10)}`, "pdf"),
      "cache-control": "no-store",
    },
  });
});
