// GET /api/v1/principals/{id} — a principal, its keys and their status, chains, findings (readers).
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { getPrincipal } from "@/lib/principals/queries";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>({ permission: "chains:read" }, async ({ params: { id } }) => json(await getPrincipal(id)));
