// GET /api/v1/audit?cursor&limit — the dashboard's own audit trail (admin).
import { z } from "zod";
import { apiRoute } from "@/lib/api-route";
import { json, ZIntCursor } from "@/lib/http";
import { listAudit } from "@/lib/audit";

export const dynamic = "force-dynamic";

const ZQuery = z.object({
  cursor: ZIntCursor.optional(),
  limit: z.coerce.number().int().catch(50).transform((n) => Math.min(Math.max(n, 1), 200)).default(50),
});

export const GET = apiRoute("audit:read", async (req) => json(await listAudit(ZQuery.parse(Object.fromEntries(req.nextUrl.searchParams)))));
