// GET /api/v1/findings/{id} — one finding with its review and history (readers).
// PATCH /api/v1/findings/{id} — {state?, assignee?, note?, acceptedUntil?} (investigators, admins):
// the finding with its state history. `id` as GET /api/v1/findings lists it. A note alone is a
// comment; accepted_risk and false_positive need one (docs/review.md).
import { apiRoute } from "@/lib/api-route";
import { json } from "@/lib/http";
import { ZFindingReviewPatch, type TFindingReviewPatch } from "@/lib/contracts/review";
import { getFindingReview, reviewFinding } from "@/lib/review/service";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>({ permission: "chains:read" }, async ({ params: { id } }) => json(await getFindingReview(id)));

export const PATCH = apiRoute<{ id: string }, undefined, TFindingReviewPatch>(
  { permission: "findings:review", body: ZFindingReviewPatch },
  async ({ actor, params: { id }, body }) => json(await reviewFinding(id, body, actor)),
);
