// GET /api/v1/chains/{id}/refused — submissions refused at ingest whose (unverified) payload names
// this chain, newest first, without their raw bytes (readers; the bytes are on the quarantine, for
// investigators). Answers an empty list for an id nothing named.
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { refusalsOfChain } from "@/lib/chains/refusals";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>({ permission: "chains:read" }, async ({ params }) => json(await refusalsOfChain(params.id)));
