"use client";
// A chain's review in its header: the status (unreviewed, in review, signed off with reviewer,
// date and statement) and, for investigators and admins, the way to start a review and sign off.
// Signing off needs every finding decided; the dialog says how many are not and links to them.
import Link from "next/link";
import { useState } from "react";
import type { TChainReviewStatus } from "@/lib/contracts/review";
import { useMe } from "@/lib/ui/hooks/use-me";
import { useChainReview, useSetChainReview } from "@/lib/ui/hooks/use-review";
import { actorLabel, canReview, STATE_INFO } from "@/lib/ui/review";
import { Dialog } from "../settings/dialog";
import { apiErrorMessage } from "../settings/form";
import { FreeText } from "../ui/free-text";
import { ReviewHistory } from "./finding-review-dialog";
import { ChainReviewBadge } from "./state-badge";

export function ChainReviewControl({ chainId }: { chainId: string }) {
  const review = useChainReview(chainId);
  const me = useMe();
  const set = useSetChainReview(chainId);
  const [open, setOpen] = useState(false);
  const [statement, setStatement] = useState("");
  const isEditor = canReview(me.data?.user.role);
  const r = review.data;
  if (!r) return review.isError ? <span className="text-xs text-red-700">Review status unavailable</span> : null;
  const undecided = r.findingStates.open + r.findingStates.acknowledged;
  const close = () => {
    setOpen(false);
    set.reset();
  };
  const move = (status: TChainReviewStatus) =>
    set.mutate(status === "signed_off" ? { status, statement: statement.trim() } : { status }, {
      // Only a sign-off consumes the statement. Clearing it after "Start review" too wiped what the
      // reviewer had begun typing whenever that answer came back after the dialog had already shown
      // the review as started (the mutation's callback runs after the refetch it awaits).
      onSuccess: () => {
        if (status !== "signed_off") return;
        setStatement("");
        setOpen(false);
      },
    });
  const findingsHref = `/findings?chain=${encodeURIComponent(chainId)}`;
  return (
    <>
      <span className="inline-flex items-center gap-1.5">
        <ChainReviewBadge status={r.status} />
        <button type="button" className="btn-ghost text-xs" onClick={() => setOpen(true)}>
          {r.status === "signed_off" ? "Sign-off" : isEditor ? "Review…" : "Review"}
        </button>
      </span>
      <Dialog open={open} title="Chain review" onClose={close} isBusy={set.isPending}>
        <div className="space-y-4">
          <div className="flex items-center gap-2">
            <ChainReviewBadge status={r.status} />
            {r.status === "signed_off" && (
              <span className="text-xs text-slate-600">
                by <strong>{r.reviewer}</strong> on {r.signedOffAt?.slice(0, 16).replace("T", " ")} UTC
              </span>
            )}
          </div>
          {r.statement && (
            <blockquote className="border-l-2 border-green-300 pl-3 text-sm break-words whitespace-pre-wrap text-slate-700">
              <FreeText value={r.statement} />
            </blockquote>
          )}
          <div>
            <p className="label">Findings</p>
            <ul className="flex flex-wrap gap-x-3 gap-y-1 text-xs text-slate-700">
              {Object.entries(r.findingStates).map(([s, n]) => (
                <li key={s}>
                  {STATE_INFO[s as keyof typeof STATE_INFO].word}: <strong>{n}</strong>
                </li>
              ))}
            </ul>
            <Link href={findingsHref} className="link text-xs">
              Triage this chain&apos;s findings →
            </Link>
          </div>
          <ReviewHistory entries={r.history} />
          {set.error && (
            <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
              {apiErrorMessage(set.error, "change the review")}
            </p>
          )}
          {isEditor ? (
            <div className="space-y-3 border-t border-slate-200 pt-3">
              {r.status !== "signed_off" && (
                <>
                  <div>
                    <label htmlFor="signoff-statement" className="label">
                      Sign-off statement
                    </label>
                    <textarea
                      id="signoff-statement"
                      className="input min-h-20"
                      maxLength={4000}
                      value={statement}
                      placeholder="What you checked and what you conclude, as the report will print it"
                      onChange={(e) => setStatement(e.target.value)}
                    />
                    {undecided > 0 && (
                      <p className="mt-1 text-xs text-amber-800">
                        {undecided} finding{undecided === 1 ? " is" : "s are"} still open or acknowledged: decide each before signing off.
                      </p>
                    )}
                  </div>
                </>
              )}
              <div className="flex flex-wrap justify-end gap-2">
                <button type="button" className="btn-secondary" onClick={close} disabled={set.isPending}>
                  Close
                </button>
                {r.status === "unreviewed" && (
                  <button type="button" className="btn-secondary" onClick={() => move("in_review")} disabled={set.isPending}>
                    Start review
                  </button>
                )}
                {r.status === "signed_off" ? (
                  <button type="button" className="btn-secondary" onClick={() => move("in_review")} disabled={set.isPending}>
                    Withdraw sign-off
                  </button>
                ) : (
                  <button
                    type="button"
                    className="btn-primary"
                    onClick={() => move("signed_off")}
                    disabled={set.isPending || !statement.trim() || undecided > 0}
                  >
                    {set.isPending ? "Saving…" : "Sign off"}
                  </button>
                )}
              </div>
            </div>
          ) : (
            <div className="flex items-center justify-between border-t border-slate-200 pt-3">
              <p className="text-xs text-slate-500">
                Signed in as {actorLabel(me.data?.user.email ?? "")}: viewers read reviews; investigators and admins sign off.
              </p>
              <button type="button" className="btn-secondary" onClick={close}>
                Close
              </button>
            </div>
          )}
        </div>
      </Dialog>
    </>
  );
}
