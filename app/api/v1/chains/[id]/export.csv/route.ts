// GET /api/v1/chains/{id}/export.csv — every event of one chain, one RFC 4180 row each, columns
// and the formula-injection rule in docs/exports.md. Who: chains:export (viewers and up). Streamed
// page by page; `?bom=1` adds a UTF-8 byte order mark for Excel. Each export is audited.
import { apiRoute } from "@/lib/api-route";
import { recordAudit } from "@/lib/audit";
import { assertChainExists, chainEventCsv } from "@/lib/reports/queries";
import { csvOptions, eventCsvResponse } from "@/lib/reports/stream";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>({ permission: "chains:export" }, async ({ req, actor, params: { id } }) => {
  const chainId = id;
  await assertChainExists(chainId);
  await recordAudit(actor, "chain.export.csv", chainId);
  const options = csvOptions(req.nextUrl.searchParams);
  return eventCsvResponse(chainEventCsv(chainId, undefined, options.times), `delegraph-chain-${chainId}`, options);
});
