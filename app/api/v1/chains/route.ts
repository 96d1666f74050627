// GET /api/v1/chains — chains, newest first, with every filter of spec §6/§8 and an opaque cursor.
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { searchParamsObject, ZChainListQuery } from "@/lib/chains/filters";
import { listChains } from "@/lib/chains/queries";

export const dynamic = "force-dynamic";

export const GET = apiRoute("chains:read", async (req) => {
  const query = ZChainListQuery.parse(searchParamsObject(req.nextUrl.searchParams));
  return json(await listChains(query));
});
