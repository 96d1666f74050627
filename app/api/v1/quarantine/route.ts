// GET /api/v1/quarantine?code&cursor&limit — rejected submissions with reason and raw bytes
// (investigators and admins).
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { listQuarantine } from "@/lib/ingest/quarantine";
import { ZQuarantineQuery } from "@/lib/contracts/quarantine";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ permission: "quarantine:read", query: ZQuarantineQuery }, async ({ query }) => json(await listQuarantine(query)));
