// GET /api/v1/investigate/principal?principal=<id>&since=<NumericDate|ISO> — everything a principal
// signed or received since T: the blast radius of a compromised key (investigators).
import { z } from "zod";
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { principalActivity } from "@/lib/chains/insights";
import { ZChainFilters } from "@/lib/chains/filters";

export const dynamic = "force-dynamic";

const ZQuery = z.object({
  principal: z.string().min(1).max(200),
  since: ZChainFilters.shape.since.default(0),
});

export const GET = apiRoute("investigate", async (req) => {
  const { principal, since } = ZQuery.parse(Object.fromEntries(req.nextUrl.searchParams));
  return json(await principalActivity(principal, since ?? 0));
});
