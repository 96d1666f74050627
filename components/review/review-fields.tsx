"use client";
// The fields of a review change, shared by one finding's dialog and the bulk actions: the next
// state, the note (required for accepted risk and false positive), the expiry of an accepted risk
// and the assignee.
import { FINDING_STATES, NOTE_REQUIRED_STATES, type TFindingReviewPatch, type TFindingState } from "@/lib/contracts/review";
import { STATE_INFO } from "@/lib/ui/review";

export type TReviewDraft = { state: TFindingState | ""; note: string; until: string; assignee: string; touchAssignee: boolean };

export const EMPTY_DRAFT: TReviewDraft = { state: "", note: "", until: "", assignee: "", touchAssignee: false };

/** The PATCH body a draft makes, or what is missing. */
export function draftToPatch(d: TReviewDraft): { ok: true; patch: TFindingReviewPatch } | { ok: false; message: string } {
  const patch: TFindingReviewPatch = {};
  if (d.state) patch.state = d.state;
  if (d.note.trim()) patch.note = d.note.trim();
  if (d.state === "accepted_risk" && d.until) patch.acceptedUntil = Math.floor(Date.parse(`${d.until}T23:59:59Z`) / 1000);
  if (d.touchAssignee) patch.assignee = d.assignee.trim();
  if (d.state && NOTE_REQUIRED_STATES.includes(d.state) && !patch.note)
    return { ok: false, message: `Say why: a note is required for ${STATE_INFO[d.state].word.toLowerCase()}.` };
  if (patch.state === undefined && patch.note === undefined && patch.assignee === undefined)
    return { ok: false, message: "Choose a state, write a note or change the assignee." };
  return { ok: true, patch };
}

export function ReviewFields({
  idPrefix,
  draft,
  onChange,
  states = FINDING_STATES,
}: {
  idPrefix: string;
  draft: TReviewDraft;
  onChange: (d: TReviewDraft) => void;
  states?: readonly TFindingState[];
}) {
  const needsNote = draft.state !== "" && NOTE_REQUIRED_STATES.includes(draft.state);
  return (
    <div className="space-y-3">
      <div>
        <label htmlFor={`${idPrefix}-state`} className="label">
          State
        </label>
        <select
          id={`${idPrefix}-state`}
          className="input"
          value={draft.state}
          onChange={(e) => onChange({ ...draft, state: e.target.value as TFindingState | "" })}
        >
          <option value="">Keep the state</option>
          {states.map((s) => (
            <option key={s} value={s}>
              {STATE_INFO[s].word}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor={`${idPrefix}-note`} className="label">
          {needsNote ? "Why (required)" : draft.state ? "Note (optional)" : "Comment"}
        </label>
        <textarea
          id={`${idPrefix}-note`}
          className="input min-h-20"
          maxLength={4000}
          value={draft.note}
          required={needsNote}
          placeholder={needsNote ? "The reason an auditor will read" : "Add a comment to the history"}
          onChange={(e) => onChange({ ...draft, note: e.target.value })}
        />
      </div>
      {draft.state === "accepted_risk" && (
        <div>
          <label htmlFor={`${idPrefix}-until`} className="label">
            Accepted until (optional; reopens after)
          </label>
          <input
            id={`${idPrefix}-until`}
            type="date"
            className="input"
            value={draft.until}
            onChange={(e) => onChange({ ...draft, until: e.target.value })}
          />
        </div>
      )}
      <div>
        <label htmlFor={`${idPrefix}-assignee`} className="label">
          Assignee
        </label>
        <input
          id={`${idPrefix}-assignee`}
          className="input"
          value={draft.assignee}
          placeholder={draft.touchAssignee ? "empty: unassign" : "unchanged"}
          maxLength={200}
          onChange={(e) => onChange({ ...draft, assignee: e.target.value, touchAssignee: true })}
        />
      </div>
    </div>
  );
}
