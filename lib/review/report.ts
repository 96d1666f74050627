// What the chain report's "Review and sign-off" block prints: the chain's review and every
// finding's state, assignee and note as they read when the report is generated.
import type { TChainReview, TFindingReview } from "@/lib/contracts/review";
import { chainFindingReviews, getChainReview } from "./service";

export type TReportReview = Pick<TChainReview, "status" | "reviewer" | "statement" | "signedOffAt" | "findingStates"> & {
  findings: { code: string; severity: string; eventJti: string; review: TFindingReview }[];
};

export async function reportReview(chainId: string, now: number): Promise<TReportReview> {
  const [review, findings] = await Promise.all([getChainReview(chainId, now), chainFindingReviews(chainId, now)]);
  return {
    status: review.status,
    reviewer: review.reviewer,
    statement: review.statement,
    signedOffAt: review.signedOffAt,
    findingStates: review.findingStates,
    findings: findings.map((f) => ({ code: f.finding.code, severity: f.finding.severity, eventJti: f.finding.eventJti, review: f.review })),
  };
}
