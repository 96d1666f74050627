// GET /api/v1/least-privilege/report.pdf?since&until&principal&purpose[&size=a4|letter] — the
// least-privilege report as PDF: the ranking by unused authority, the suggested grants and every
// grant scope by scope (docs/least-privilege.md#exports). chains:export (viewers and up), audited.
// Rendered on the render thread, refused with 503 past DELEGRAPH_PDF_MAX_QUEUED (lib/reports/pdf/pool.ts).
import { apiRoute } from "@/lib/api-route";
import { recordAudit } from "@/lib/audit";
import { ZLeastPrivilegeReportQuery, type TLeastPrivilegeReportQuery } from "@/lib/contracts/least-privilege";
import { readLeastPrivilegeReport } from "@/lib/least-privilege/queries";
import { describeActor, paperFrom, pdfResponse } from "@/lib/reports/pdf/job";
import { pdfRenderPool } from "@/lib/reports/pdf/pool";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute<Record<string, string>, TLeastPrivilegeReportQuery>(
  { permission: "chains:export", query: ZLeastPrivilegeReportQuery },
  async ({ req, actor, query }) => {
    const paper = paperFrom(req.nextUrl.searchParams);
    return pdfRenderPool().admit(async (render) => {
      const report = await readLeastPrivilegeReport(query);
      const pdf = await render({
        kind: "least-privilege",
        data: { ...report, generatedAt: Date.now() / 1000 },
        options: { paper, generatedBy: describeActor(actor) },
      });
      await recordAudit(actor, "least-privilege.export.pdf", report.principal ?? "all", {
        since: report.since,
        until: report.until,
        purpose: report.purpose,
        paper,
      });
      return pdfResponse(pdf, `delegraph-least-privilege${report.principal ? `-${report.principal}` : ""}`);
    });
  },
);
