// GET /api/v1/findings?code&severity&principal&chain&cursor&limit — stored findings, newest first
// (readers). code=missing_evidence lists the read-time broken audit trails, computed now.
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { listFindings } from "@/lib/findings/queries";
import { ZFindingsQuery } from "@/lib/contracts/findings";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ permission: "chains:read", query: ZFindingsQuery }, async ({ query }) => json(await listFindings(query)));
