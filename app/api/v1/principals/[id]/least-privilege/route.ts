// GET /api/v1/principals/{id}/least-privilege?since&until&purpose — what the principal was granted
// against what it used over the window (default: the last 30 days), with the narrowest `delegate`
// claims that would have covered it (docs/least-privilege.md). Readers. 404 for an unknown principal;
// a principal that received no grant in the window answers empty lists, not 404.
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { ZLeastPrivilegeQuery, type TLeastPrivilegeQuery } from "@/lib/contracts/least-privilege";
import { getPrincipalLeastPrivilege } from "@/lib/least-privilege/queries";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }, TLeastPrivilegeQuery>(
  { permission: "chains:read", query: ZLeastPrivilegeQuery },
  async ({ params: { id }, query }) => json(await getPrincipalLeastPrivilege(id, query)),
);
