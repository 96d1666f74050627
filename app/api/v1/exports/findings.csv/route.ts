// GET /api/v1/exports/findings.csv?<filters of GET /api/v1/findings> — the Findings list with each
// finding's review as RFC 4180 CSV (docs/review.md), the event CSV's formula rule (chains:export).
// `cursor` and `limit` are ignored: an export covers every matching finding.
import { apiRoute } from "@/lib/api-route";
import { recordAudit } from "@/lib/audit";
import { ZFindingsQuery } from "@/lib/contracts/findings";
import { csvResponse, findingCsvLines } from "@/lib/review/exports";
import { csvOptions } from "@/lib/reports/stream";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute({ permission: "chains:export", query: ZFindingsQuery }, async ({ req, actor, query }) => {
  const { cursor: _cursor, limit: _limit, ...filters } = query;
  await recordAudit(actor, "exports.findings.csv", undefined, { filters });
  const options = csvOptions(req.nextUrl.searchParams);
  const day = new Date().toISOString().slice(0, 10);
  return csvResponse(findingCsvLines(filters, options.times), `delegraph-findings-${day}`, { bom: options.bom });
});
