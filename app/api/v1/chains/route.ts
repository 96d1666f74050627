// GET /api/v1/chains — chains, newest first, with every filter of docs/protocol.md §6/§8 and an opaque cursor.
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { ZChainListQuery } from "@/lib/contracts/chains";
import { listChains } from "@/lib/chains/queries";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ permission: "chains:read", query: ZChainListQuery }, async ({ query }) => json(await listChains(query)));
