// The review workflow's words and who may change it (docs/review.md), for the dashboard. The
// server decides (lib/auth/roles.ts "findings:review"); this only hides controls a role cannot use.
import type { TChainReviewStatus, TFindingReview, TFindingState } from "@/lib/contracts/review";

export const REVIEW_ROLES: readonly string[] = ["investigator", "admin"];
export const canReview = (role: string | undefined) => role !== undefined && REVIEW_ROLES.includes(role);

export const STATE_INFO: Record<TFindingState, { word: string; tone: string }> = {
  open: { word: "Open", tone: "bg-white text-slate-700 ring-slate-300" },
  acknowledged: { word: "Acknowledged", tone: "bg-blue-50 text-blue-800 ring-blue-200" },
  resolved: { word: "Resolved", tone: "bg-green-50 text-green-800 ring-green-200" },
  accepted_risk: { word: "Accepted risk", tone: "bg-amber-50 text-amber-900 ring-amber-200" },
  false_positive: { word: "False positive", tone: "bg-slate-100 text-slate-600 ring-slate-300" },
};

export const CHAIN_REVIEW_INFO: Record<TChainReviewStatus, { word: string; tone: string }> = {
  unreviewed: { word: "Unreviewed", tone: "bg-white text-slate-600 ring-slate-300" },
  in_review: { word: "In review", tone: "bg-blue-50 text-blue-800 ring-blue-200" },
  signed_off: { word: "Signed off", tone: "bg-green-50 text-green-800 ring-green-200" },
};

export function reopenedText(r: TFindingReview["reopened"]): string | null {
  if (!r) return null;
  if (r.kind === "expired") return `Reopened: the accepted risk expired ${new Date(r.at * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return "Reopened: a re-check changed this finding";
}

/** "user:ana@x" → "ana@x": the actor's name as people read it. */
export function actorLabel(actor: string): string {
  const i = actor.indexOf(":");
  return i > 0 && ["session", "token", "user"].includes(actor.slice(0, i)) ? actor.slice(i + 1) : actor;
}
