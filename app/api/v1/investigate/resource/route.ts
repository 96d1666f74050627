// GET /api/v1/investigate/resource?resource=<text> — who touched this resource (investigators).
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { whoTouchedResource } from "@/lib/investigate/queries";
import { ZResourceQuery } from "@/lib/contracts/investigate";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ permission: "investigate", query: ZResourceQuery }, async ({ query }) =>
  json(await whoTouchedResource(query.resource)),
);
