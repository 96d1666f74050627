// GET /api/v1/quarantine?code&cursor&limit — rejected submissions with reason and raw bytes
// (investigators and admins).
import { z } from "zod";
import { apiRoute } from "@/lib/api-route";
import { json, ZIntCursor } from "@/lib/http";
import { listQuarantine } from "@/lib/ingest/quarantine";
import { REJECT_CODES } from "@/lib/protocol/types";

export const dynamic = "force-dynamic";

const ZQuery = z.object({
  code: z.enum(REJECT_CODES).optional(),
  cursor: ZIntCursor.optional(),
  limit: z.coerce.number().int().catch(50).transform((n) => Math.min(Math.max(n, 1), 200)).default(50),
});

export const GET = apiRoute("quarantine:read", async (req) => {
  const query = ZQuery.parse(Object.fromEntries(req.nextUrl.searchParams));
  return json(await listQuarantine(query));
});
