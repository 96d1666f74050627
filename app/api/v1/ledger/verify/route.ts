// GET /api/v1/ledger/verify — re-walks the whole ledger → {ok, count, head} (spec §7).
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { verifyLedger } from "@/lib/chains/queries";

export const dynamic = "force-dynamic";

export const GET = apiRoute("chains:read", async () => json(await verifyLedger()));
