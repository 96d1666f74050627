// GET /api/v1/ledger/verify — re-walks the whole ledger (docs/protocol.md §7) and checks every signed checkpoint
// of its head against it → {ok, count, head, checkpoints: {count, verified, lastSeq, lastAt}}, with
// brokenAt and reason when not ok (docs/api.md). Who: chains:read.
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { verifyLedger } from "@/lib/ledger/verify";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ permission: "chains:read" }, async () => json(await verifyLedger()));
