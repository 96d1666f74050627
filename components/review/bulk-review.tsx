"use client";
// Bulk actions of the Findings list: one change for every selected finding. Each finding answers
// for itself; the ones that could not take the change are listed with the reason.
import { useState } from "react";
import type { TBulkReviewResult, TFindingState } from "@/lib/contracts/review";
import { useBulkReview } from "@/lib/ui/hooks/use-review";
import { STATE_INFO } from "@/lib/ui/review";
import { Dialog } from "../settings/dialog";
import { apiErrorMessage } from "../settings/form";
import { draftToPatch, EMPTY_DRAFT, ReviewFields, type TReviewDraft } from "./review-fields";

const QUICK: TFindingState[] = ["acknowledged", "resolved", "accepted_risk", "false_positive"];

export function BulkReviewBar({ ids, onDone }: { ids: (string | number)[]; onDone: () => void }) {
  const bulk = useBulkReview();
  const [draft, setDraft] = useState<TReviewDraft | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [failed, setFailed] = useState<TBulkReviewResult["results"]>([]);
  const close = () => {
    setDraft(null);
    setProblem(null);
    bulk.reset();
  };
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    const r = draftToPatch(draft);
    if (!r.ok) return setProblem(r.message);
    setProblem(null);
    bulk.mutate(
      { ids, ...r.patch },
      {
        onSuccess: (res) => {
          setFailed(res.results.filter((x) => !x.ok));
          close();
          onDone();
        },
      },
    );
  };
  return (
    <>
      <div
        role="toolbar"
        aria-label="Bulk actions"
        className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-blue-50/60 px-3 py-2 text-sm"
      >
        <span className="font-medium text-slate-800">{ids.length} selected</span>
        {QUICK.map((s) => (
          <button key={s} type="button" className="btn-secondary" onClick={() => setDraft({ ...EMPTY_DRAFT, state: s })}>
            {STATE_INFO[s].word}…
          </button>
        ))}
        <button type="button" className="btn-secondary" onClick={() => setDraft({ ...EMPTY_DRAFT, touchAssignee: true })}>
          Assign…
        </button>
        <button type="button" className="btn-ghost" onClick={onDone}>
          Clear selection
        </button>
      </div>
      {failed.length > 0 && (
        <div role="status" className="border-b border-amber-200 bg-amber-50 px-3 py-2 text-xs text-amber-900">
          {failed.length} not changed: {failed.map((f) => `${String(f.id)} (${f.ok ? "" : f.error.message})`).join("; ")}{" "}
          <button type="button" className="link" onClick={() => setFailed([])}>
            Dismiss
          </button>
        </div>
      )}
      <Dialog open={draft !== null} title={`Change ${ids.length} finding${ids.length === 1 ? "" : "s"}`} onClose={close} isBusy={bulk.isPending}>
        {draft && (
          <form onSubmit={submit} className="space-y-3" aria-label="Bulk change">
            <ReviewFields idPrefix="bulk" draft={draft} onChange={setDraft} />
            {(problem || bulk.error) && (
              <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
                {problem ?? apiErrorMessage(bulk.error, "change the findings")}
              </p>
            )}
            <div className="flex justify-end gap-2">
              <button type="button" className="btn-secondary" onClick={close} disabled={bulk.isPending}>
                Cancel
              </button>
              <button type="submit" className="btn-primary" disabled={bulk.isPending}>
                {bulk.isPending ? "Applying…" : `Apply to ${ids.length}`}
              </button>
            </div>
          </form>
        )}
      </Dialog>
    </>
  );
}
