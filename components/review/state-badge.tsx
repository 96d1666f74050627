"use client";
import type { TChainReviewStatus, TFindingReview } from "@/lib/contracts/review";
import { actorLabel, CHAIN_REVIEW_INFO, reopenedText, STATE_INFO } from "@/lib/ui/review";

const CHIP = "inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset whitespace-nowrap";

/** A finding's review state, its assignee and, when it reopened, why. */
export function FindingStateBadge({ review, compact }: { review: TFindingReview; compact?: boolean }) {
  const info = STATE_INFO[review.state];
  const reopened = reopenedText(review.reopened);
  return (
    <span className="inline-flex flex-col items-start gap-0.5">
      <span className={`${CHIP} ${info.tone}`} data-state={review.state}>
        {reopened && <span aria-hidden="true">↺</span>}
        {info.word}
      </span>
      {!compact && review.assignee && (
        <span className="max-w-40 truncate text-xs text-slate-500" title={review.assignee}>
          → {actorLabel(review.assignee)}
        </span>
      )}
      {!compact && reopened && <span className="text-[11px] text-amber-800">{reopened}</span>}
    </span>
  );
}

export function ChainReviewBadge({ status }: { status: TChainReviewStatus }) {
  const info = CHAIN_REVIEW_INFO[status];
  return (
    <span className={`${CHIP} ${info.tone}`} data-review={status}>
      {status === "signed_off" && <span aria-hidden="true">✓</span>}
      {info.word}
    </span>
  );
}
