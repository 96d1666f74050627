// GET /api/v1/investigate/principal?principal=<id>&since=<NumericDate|ISO>&kid=<key id> — everything
// a principal (or, with kid, one of its keys) signed or received since T, the tree downstream of it,
// and its refused submissions: the blast radius of a compromised key (investigators).
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { principalActivity } from "@/lib/investigate/queries";
import { ZPrincipalActivityQuery } from "@/lib/contracts/investigate";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ permission: "investigate", query: ZPrincipalActivityQuery }, async ({ query }) =>
  json(await principalActivity(query.principal, query.since, undefined, query.kid ?? null)),
);
