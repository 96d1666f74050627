// GET /api/v1/chains/{id}/export.csv — every event of one chain, one RFC 4180 row each, columns
// and the formula-injection rule in docs/exports.md. Who: chains:export (viewers and up). Streamed
// page by page; `?bom=1` adds a UTF-8 byte order mark for Excel. Each export is audited: pages are
// read ahead while the entry syncs, and nothing is answered before the entry is durable.
import { apiRoute } from "@/lib/api-route";
import { recordAudit } from "@/lib/audit";
import { assertChainExists, chainEventCsv } from "@/lib/reports/queries";
import { csvOptions, eventCsvResponse, readWhileAudited } from "@/lib/reports/stream";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>({ permission: "chains:export" }, async ({ req, actor, params: { id } }) => {
  const chainId = id;
  await assertChainExists(chainId);
  const options = csvOptions(req.nextUrl.searchParams);
  // Pages are read ahead while the audit entry syncs; nothing is answered before it is durable.
  const pages = await readWhileAudited(chainEventCsv(chainId, undefined, options.times), recordAudit(actor, "chain.export.csv", chainId));
  return eventCsvResponse(pages, `delegraph-chain-${chainId}`, options);
});
