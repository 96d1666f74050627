// GET /api/v1/least-privilege?since&until&purpose — principals and purposes ranked by unused
// authority over the window (default: the last 30 days), most unused granted scopes first
// (docs/least-privilege.md). Readers. At most LP_MAX_GRANTS grants, newest first: `truncated` says so.
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { ZLeastPrivilegeQuery, type TLeastPrivilegeQuery } from "@/lib/contracts/least-privilege";
import { getLeastPrivilegeRanking } from "@/lib/least-privilege/queries";

export const dynamic = "force-dynamic";

export const GET = apiRoute<Record<string, string>, TLeastPrivilegeQuery>(
  { permission: "chains:read", query: ZLeastPrivilegeQuery },
  async ({ query }) => json(await getLeastPrivilegeRanking(query)),
);
