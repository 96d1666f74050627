// GET /api/v1/search?q=<text> — global search (readers): an exact chain id or event jti answers with
// where to open it; anything else with suggestions grouped by chain, event, principal and resource.
import { apiRoute } from "@/lib/api-route";
import { can } from "@/lib/auth/roles";
import { json } from "@/lib/http";
import { search } from "@/lib/search/search";
import { ZSearchQuery } from "@/lib/contracts/search";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ permission: "chains:read", query: ZSearchQuery }, async ({ query, actor }) =>
  json(await search(query.q, { canInvestigate: can(actor.role, "investigate") })),
);
