// GET /api/v1/chains/{id}/report.pdf[?size=a4|letter] — the chain's audit report, rendered on the
// server with @react-pdf/renderer (docs/exports.md). Who: chains:export (viewers and up). Node
// runtime: the renderer reads embedded fonts from public/fonts. Each export is audited with the
// evidence digest and server key the report prints, so a filed report can be traced to its export.
// The data is read here; the PDF is laid out and written on the render thread (lib/reports/pdf/pool.ts),
// and past DELEGRAPH_PDF_MAX_QUEUED reports in progress the request is refused with 503 before any read.
import { apiRoute } from "@/lib/api-route";
import { recordAudit } from "@/lib/audit";
import { getChainReportData, observedChainDetail } from "@/lib/reports/queries";
import { describeActor, paperFrom, pdfResponse } from "@/lib/reports/pdf/job";
import { pdfRenderPool } from "@/lib/reports/pdf/pool";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>({ permission: "chains:export" }, async ({ req, actor, params: { id } }) => {
  const chainId = id;
  const paper = paperFrom(req.nextUrl.searchParams);
  const options = { paper, generatedBy: describeActor(actor) };
  return pdfRenderPool().admit(async (render) => {
    // An observed chain (docs/observed.md) has no signed events: its own report, "observed, not verified" on every page.
    const observed = await observedChainDetail(chainId);
    if (observed) {
      const pdf = await render({ kind: "observed", detail: observed, options });
      await recordAudit(actor, "chain.export.pdf", chainId, { paper, observed: true, bytes: pdf.length });
      return pdfResponse(pdf, `delegraph-observed-${chainId}`);
    }
    const data = await getChainReportData(chainId);
    const pdf = await render({ kind: "chain", data, options });
    await recordAudit(actor, "chain.export.pdf", chainId, {
      paper,
      digest: data.evidence.digest,
      serverKey: data.evidence.serverKey,
      bytes: pdf.length,
    });
    return pdfResponse(pdf, `delegraph-report-${chainId}`);
  });
});
