// GET /api/v1/principals/{id} — a principal, its keys and their status, chains, findings (readers).
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { getPrincipal } from "@/lib/chains/insights";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>("chains:read", async (_req, _actor, { id }) => json(await getPrincipal(id)));
