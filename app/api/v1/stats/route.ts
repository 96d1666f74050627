// GET /api/v1/stats — the overview: chains by status, recent violations, findings over time,
// principals with most findings (readers).
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { getStats } from "@/lib/stats/queries";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ permission: "chains:read" }, async () => json(await getStats()));
