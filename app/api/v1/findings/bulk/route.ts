// POST /api/v1/findings/bulk — {ids, state?, assignee?, note?, acceptedUntil?} (investigators,
// admins): the Findings list's bulk actions. Each id is changed on its own and answers for itself
// (200 with per-id results): one finding that cannot take the change does not block the others.
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { ZFindingReviewBulk, type TFindingReviewBulk } from "@/lib/contracts/review";
import { reviewFindings } from "@/lib/review/service";

export const dynamic = "force-dynamic";

export const POST = apiRoute<Record<string, string>, undefined, TFindingReviewBulk>(
  { permission: "findings:review", body: ZFindingReviewBulk },
  async ({ actor, body }) => json(await reviewFindings(body, actor)),
);
