// GET /api/v1/exports/events.csv?<filters of GET /api/v1/chains> — every event of every matching
// chain as RFC 4180 CSV (docs/exports.md). Who: chains:export. Streamed in constant memory: chain
// pages (newest first, keyset) and, within each, event pages (keyset on chain and seq); nothing is
// collected. `cursor` and `limit` are ignored: an export covers all matching chains.
import { apiRoute } from "@/lib/api-route";
import { recordAudit } from "@/lib/audit";
import { ZChainFilters } from "@/lib/contracts/chains";
import { filteredEventCsv } from "@/lib/reports/queries";
import { csvOptions, eventCsvResponse, readWhileAudited } from "@/lib/reports/stream";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute({ permission: "chains:export", query: ZChainFilters }, async ({ req, actor, query: filters }) => {
  const options = csvOptions(req.nextUrl.searchParams);
  // Pages are read ahead while the audit entry syncs; nothing is answered before it is durable.
  const pages = await readWhileAudited(
    filteredEventCsv(filters, undefined, options.times),
    recordAudit(actor, "exports.events.csv", undefined, { filters }),
  );
  const day = new Date().toISOString().slice(0, 10);
  return eventCsvResponse(pages, `delegraph-events-${day}`, options);
});
