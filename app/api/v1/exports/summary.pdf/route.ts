// GET /api/v1/exports/summary.pdf?<filters of GET /api/v1/chains>[&size=a4|letter] — a period
// summary of exactly the chains the filters match: chains by status, findings by type, the worst
// chains (docs/exports.md). Who: chains:export. One keyset pass over the chains, counters only;
// rendered on the render thread, and refused with 503 past DELEGRAPH_PDF_MAX_QUEUED (lib/reports/pdf/pool.ts).
import { apiRoute } from "@/lib/api-route";
import { recordAudit } from "@/lib/audit";
import { ZChainFilters } from "@/lib/contracts/chains";
import { getPeriodSummary } from "@/lib/reports/queries";
import { describeActor, paperFrom, pdfResponse } from "@/lib/reports/pdf/job";
import { pdfRenderPool } from "@/lib/reports/pdf/pool";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// The filter schema ignores parameters it does not know, such as size.
export const GET = apiRoute({ permission: "chains:export", query: ZChainFilters }, async ({ req, actor, query: filters }) => {
  const paper = paperFrom(req.nextUrl.searchParams);
  return pdfRenderPool().admit(async (render) => {
    const summary = await getPeriodSummary(filters);
    const pdf = await render({ kind: "summary", summary, options: { paper, generatedBy: describeActor(actor) } });
    await recordAudit(actor, "exports.summary.pdf", undefined, { filters, paper, chains: summary.chainCount });
    return pdfResponse(pdf, `delegraph-summary-${new Date().toISOString().slice(0, 10)}`);
  });
});
