"use client";
// One finding's review: its state, assignee, why it reopened, the full history, and (for
// investigators and admins) the change form.
import { useState } from "react";
import type { TReviewEntry } from "@/lib/contracts/review";
import { useFindingReview, useReviewFinding } from "@/lib/ui/hooks/use-review";
import { actorLabel, CHAIN_REVIEW_INFO, STATE_INFO } from "@/lib/ui/review";
import { Dialog } from "../settings/dialog";
import { apiErrorMessage } from "../settings/form";
import { FreeText } from "../ui/free-text";
import { FindingBadge } from "../ui/severity";
import { draftToPatch, EMPTY_DRAFT, ReviewFields, type TReviewDraft } from "./review-fields";
import { FindingStateBadge } from "./state-badge";

function entryText(e: TReviewEntry): string {
  const word = (s: string | null) =>
    s && s in STATE_INFO
      ? STATE_INFO[s as keyof typeof STATE_INFO].word.toLowerCase()
      : s && s in CHAIN_REVIEW_INFO
        ? CHAIN_REVIEW_INFO[s as keyof typeof CHAIN_REVIEW_INFO].word.toLowerCase()
        : (s ?? "");
  switch (e.action) {
    case "state":
      return `${word(e.fromState)} → ${word(e.toState)}${e.acceptedUntil ? ` until ${new Date(e.acceptedUntil * 1000).toISOString().slice(0, 10)}` : ""}`;
    case "assign":
      return e.assignee ? `assigned to ${e.assignee}` : "unassigned";
    case "comment":
      return "commented";
    default:
      return `${word(e.fromState)} → ${word(e.toState)}`;
  }
}

export function ReviewHistory({ entries }: { entries: TReviewEntry[] }) {
  if (entries.length === 0) return <p className="text-xs text-slate-500">No changes yet.</p>;
  return (
    <ol className="max-h-56 space-y-2 overflow-y-auto border-l border-slate-200 pl-3" aria-label="History">
      {entries.map((e) => (
        <li key={e.id} className="text-xs">
          <span className="font-medium text-slate-800">{actorLabel(e.actor)}</span> <span className="text-slate-600">{entryText(e)}</span>{" "}
          <time className="text-slate-500" dateTime={e.at}>
            {e.at.slice(0, 16).replace("T", " ")} UTC
          </time>
          {e.note && (
            <p className="mt-0.5 break-words whitespace-pre-wrap text-slate-700">
              <FreeText value={e.note} />
            </p>
          )}
        </li>
      ))}
    </ol>
  );
}

export function FindingReviewDialog({ id, onClose, canEdit }: { id: string | number | null; onClose: () => void; canEdit: boolean }) {
  const finding = useFindingReview(id);
  const save = useReviewFinding();
  const [draft, setDraft] = useState<TReviewDraft>(EMPTY_DRAFT);
  const [problem, setProblem] = useState<string | null>(null);
  const close = () => {
    setDraft(EMPTY_DRAFT);
    setProblem(null);
    save.reset();
    onClose();
  };
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (id === null) return;
    const r = draftToPatch(draft);
    if (!r.ok) return setProblem(r.message);
    setProblem(null);
    save.mutate(
      { id, patch: r.patch },
      {
        onSuccess: () => setDraft(EMPTY_DRAFT),
      },
    );
  };
  const f = finding.data;
  return (
    <Dialog open={id !== null} title="Review finding" onClose={close} isBusy={save.isPending}>
      {finding.isPending ? (
        <p className="text-sm text-slate-500">Loading…</p>
      ) : !f ? (
        <p role="alert" className="text-sm text-red-700">
          {apiErrorMessage(finding.error, "load the finding")}
        </p>
      ) : (
        <div className="space-y-4">
          <div className="space-y-1.5">
            <div className="flex flex-wrap items-center gap-2">
              <FindingBadge code={f.code} />
              <FindingStateBadge review={f.review} />
            </div>
            <p className="text-xs break-words text-slate-600">
              <FreeText value={f.message} />
            </p>
            <p className="font-mono text-[11px] break-all text-slate-500">{f.eventJti}</p>
          </div>
          <ReviewHistory entries={f.history} />
          {canEdit ? (
            <form onSubmit={submit} className="space-y-3 border-t border-slate-200 pt-3" aria-label="Change the review">
              <ReviewFields idPrefix="fr" draft={draft} onChange={setDraft} />
              {(problem || save.error) && (
                <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
                  {problem ?? apiErrorMessage(save.error, "save the review")}
                </p>
              )}
              <div className="flex justify-end gap-2">
                <button type="button" className="btn-secondary" onClick={close} disabled={save.isPending}>
                  Close
                </button>
                <button type="submit" className="btn-primary" disabled={save.isPending}>
                  {save.isPending ? "Saving…" : "Save"}
                </button>
              </div>
            </form>
          ) : (
            <div className="flex items-center justify-between border-t border-slate-200 pt-3">
              <p className="text-xs text-slate-500">Viewers read reviews; investigators and admins change them.</p>
              <button type="button" className="btn-secondary" onClick={close}>
                Close
              </button>
            </div>
          )}
        </div>
      )}
    </Dialog>
  );
}
