// GET /api/v1/audit?cursor&limit — the dashboard's own audit trail (admin).
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { listAudit } from "@/lib/audit";
import { ZAuditQuery } from "@/lib/contracts/audit";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ permission: "audit:read", query: ZAuditQuery }, async ({ query }) => json(await listAudit(query)));
