// GET /api/v1/least-privilege/report.csv?since&until&principal&purpose — the least-privilege report
// as CSV: every granted scope of every grant in the window, used or not, the uses grants did not
// cover, and the suggested grant per principal and purpose (docs/least-privilege.md#exports).
// chains:export (viewers and up); audited like the other exports. `?bom=1` adds a UTF-8 BOM.
import { apiRoute } from "@/lib/api-route";
import { recordAudit } from "@/lib/audit";
import { ZLeastPrivilegeReportQuery, type TLeastPrivilegeReportQuery } from "@/lib/contracts/least-privilege";
import { readLeastPrivilegeReport } from "@/lib/least-privilege/queries";
import { leastPrivilegeCsv } from "@/lib/least-privilege/report";
import { attachmentHeader } from "@/lib/reports/csv";
import { wantsBom } from "@/lib/reports/stream";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute<Record<string, string>, TLeastPrivilegeReportQuery>(
  { permission: "chains:export", query: ZLeastPrivilegeReportQuery },
  async ({ req, actor, query }) => {
    const report = await readLeastPrivilegeReport(query);
    await recordAudit(actor, "least-privilege.export.csv", report.principal ?? "all", {
      since: report.since,
      until: report.until,
      purpose: report.purpose,
    });
    const csv = leastPrivilegeCsv(report.usages, { purpose: report.purpose, bom: wantsBom(req.nextUrl.searchParams) });
    return new Response(csv, {
      headers: {
        "content-type": "text/csv; charset=utf-8; header=present",
        "content-disposition": attachmentHeader(`delegraph-least-privilege${report.principal ? `-${report.principal}` : ""}`, "csv"),
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        ...(report.truncated ? { "x-delegraph-truncated": "true" } : {}),
      },
    });
  },
);
