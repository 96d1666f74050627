// GET /api/v1/audit/export.csv?actor&action&target&since&until — the self-audit as RFC 4180 CSV with
// the filters of GET /api/v1/audit (admin). The export itself is audited.
import { apiRoute } from "@/lib/api-route";
import { recordAudit } from "@/lib/audit";
import { ZAuditFilters } from "@/lib/contracts/audit";
import { auditCsvLines, csvResponse } from "@/lib/review/exports";
import { csvOptions } from "@/lib/reports/stream";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute({ permission: "audit:read", query: ZAuditFilters }, async ({ req, actor, query }) => {
  await recordAudit(actor, "exports.audit.csv", undefined, { filters: query });
  const options = csvOptions(req.nextUrl.searchParams);
  const day = new Date().toISOString().slice(0, 10);
  return csvResponse(auditCsvLines(query, options.times), `delegraph-audit-${day}`, { bom: options.bom });
});
