// GET /api/v1/chains/{id}/review — the chain's review: status, reviewer, statement, sign-off time,
// findings per state and history (readers).
// PUT /api/v1/chains/{id}/review — {status, statement?} (investigators, admins). signed_off needs a
// statement and every finding decided (none open or acknowledged): a 409 says how many are not.
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { ZChainReviewBody, type TChainReviewBody } from "@/lib/contracts/review";
import { getChainReview, setChainReview } from "@/lib/review/service";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>({ permission: "chains:read" }, async ({ params: { id } }) => json(await getChainReview(id)));

export const PUT = apiRoute<{ id: string }, undefined, TChainReviewBody>(
  { permission: "findings:review", body: ZChainReviewBody },
  async ({ actor, params: { id }, body }) => json(await setChainReview(id, body, actor)),
);
