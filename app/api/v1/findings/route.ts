// GET /api/v1/findings?code&severity&principal&chain&cursor&limit — stored findings, newest first
// (readers). code=missing_evidence lists the read-time broken audit trails, computed now.
import { z } from "zod";
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { listFindings } from "@/lib/chains/insights";
import { FINDING_CODES } from "@/lib/protocol/types";

export const dynamic = "force-dynamic";

const ZQuery = z.object({
  code: z.enum(FINDING_CODES as [string, ...string[]]).optional(),
  severity: z.enum(["critical", "error", "warning"]).optional(),
  principal: z.string().min(1).max(200).optional(),
  chain: z.string().min(1).max(128).optional(),
  cursor: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().catch(50).transform((n) => Math.min(Math.max(n, 1), 200)).default(50),
});

export const GET = apiRoute("chains:read", async (req) => {
  const params = Object.fromEntries([...req.nextUrl.searchParams].filter(([, v]) => v !== ""));
  return json(await listFindings(ZQuery.parse(params)));
});
