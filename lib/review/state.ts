// The finding review state machine (docs/review.md), pure: the stored review, the finding as the
// last check left it and the clock go in; the state as it reads now, or the row and history
// entries a change writes, come out. No database, no HTTP.
import {
  FINDING_STATES,
  NOTE_REQUIRED_STATES,
  type TFindingReview,
  type TFindingReviewPatch,
  type TFindingState,
  type TReopenReason,
} from "@/lib/contracts/review";

/** What the database holds for one finding (null fields as stored). */
export type TStoredReview = {
  state: TFindingState;
  assignee: string | null;
  note: string | null;
  acceptedUntil: number | null;
  basis: string;
  updatedAt: Date;
  updatedBy: string;
};

/** The finding as the checker left it: what a state was set against. */
export type TFindingFacts = { severity: string; message: string };

export type TPlannedEntry = {
  actor: string;
  action: "state" | "assign" | "comment";
  fromState: TFindingState | null;
  toState: TFindingState | null;
  assignee: string | null;
  note: string | null;
  acceptedUntil: number | null;
};

export type TReviewRuleError = { code: "invalid_request" | "conflict"; message: string };

const CLOSED: readonly TFindingState[] = ["resolved", "accepted_risk", "false_positive"];

/** Where each state may go next. Closed states reopen (or go back to acknowledged) before closing otherwise. */
export const TRANSITIONS: Record<TFindingState, readonly TFindingState[]> = {
  open: ["acknowledged", "resolved", "accepted_risk", "false_positive"],
  acknowledged: ["open", "resolved", "accepted_risk", "false_positive"],
  resolved: ["open", "acknowledged"],
  accepted_risk: ["open", "acknowledged"],
  false_positive: ["open", "acknowledged"],
};

export function findingBasis(f: TFindingFacts): string {
  return `${f.severity}|${f.message}`;
}

export function isFindingState(s: string): s is TFindingState {
  return (FINDING_STATES as readonly string[]).includes(s);
}

/** Why a stored state no longer holds at `now`, or null when it still does. */
export function reopenReason(stored: TStoredReview, facts: TFindingFacts, now: number): TReopenReason | null {
  if (stored.state === "open") return null;
  const basis = findingBasis(facts);
  if (stored.basis !== basis) return { kind: "changed", was: stored.basis, now: basis };
  if (stored.state === "accepted_risk" && stored.acceptedUntil !== null && now >= stored.acceptedUntil)
    return { kind: "expired", at: stored.acceptedUntil };
  return null;
}

export function describeReopen(r: TReopenReason): string {
  if (r.kind === "expired") return `Reopened: the accepted risk expired at ${new Date(r.at * 1000).toISOString()}.`;
  const [wasSeverity, ...wasMessage] = r.was.split("|");
  const [nowSeverity, ...nowMessage] = r.now.split("|");
  const severity = wasSeverity !== nowSeverity ? ` (severity ${wasSeverity} → ${nowSeverity})` : "";
  return `Reopened: a re-check changed the finding${severity}, from “${wasMessage.join("|")}” to “${nowMessage.join("|")}”.`;
}

/** The review as it reads now; a finding nobody has touched is open and unassigned. */
export function effectiveReview(stored: TStoredReview | null, facts: TFindingFacts, now: number): TFindingReview {
  if (!stored) return { state: "open", assignee: null, note: null, acceptedUntil: null, updatedAt: null, updatedBy: null, reopened: null };
  const reopened = reopenReason(stored, facts, now);
  return {
    state: reopened ? "open" : stored.state,
    assignee: stored.assignee,
    note: stored.note,
    acceptedUntil: stored.acceptedUntil,
    updatedAt: stored.updatedAt.toISOString(),
    updatedBy: stored.updatedBy,
    reopened,
  };
}

/**
 * The row and the history entries one change writes, or the rule it breaks. A finding that reads
 * as reopened is first written back as open (an entry by "system" saying why), so the history
 * shows the reopen before the change that follows it.
 */
export function planChange(
  stored: TStoredReview | null,
  facts: TFindingFacts,
  patch: Pick<TFindingReviewPatch, "state" | "assignee" | "note"> & { acceptedUntil?: number },
  actor: string,
  now: number,
): { ok: true; row: TStoredReview; entries: TPlannedEntry[] } | { ok: false; error: TReviewRuleError } {
  const current = effectiveReview(stored, facts, now);
  const entries: TPlannedEntry[] = [];
  const blank = { assignee: null, note: null, acceptedUntil: null };
  if (stored && current.reopened) {
    entries.push({ actor: "system", action: "state", fromState: stored.state, toState: "open", ...blank, note: describeReopen(current.reopened) });
  }
  const row: TStoredReview = {
    state: current.state,
    assignee: current.assignee,
    note: current.reopened ? null : current.note,
    acceptedUntil: current.reopened ? null : current.acceptedUntil,
    basis: findingBasis(facts),
    updatedAt: new Date(now * 1000),
    updatedBy: actor,
  };
  const fail = (code: TReviewRuleError["code"], message: string) => ({ ok: false as const, error: { code, message } });

  if (patch.acceptedUntil !== undefined) {
    if (patch.state !== "accepted_risk") return fail("invalid_request", "acceptedUntil goes only with state accepted_risk.");
    if (patch.acceptedUntil <= now) return fail("invalid_request", "acceptedUntil must be in the future.");
  }
  if (patch.state !== undefined) {
    const to = patch.state;
    const renew = to === current.state && to === "accepted_risk";
    if (to === current.state && !renew) return fail("conflict", `The finding is already ${to}.`);
    if (!renew && !TRANSITIONS[current.state].includes(to)) {
      return fail("conflict", `A ${current.state} finding cannot become ${to}; reopen it (or acknowledge it) first.`);
    }
    if (NOTE_REQUIRED_STATES.includes(to) && patch.note === undefined) return fail("invalid_request", `A note is required for ${to}: say why.`);
    entries.push({
      actor,
      action: "state",
      fromState: current.state,
      toState: to,
      assignee: null,
      note: patch.note ?? null,
      acceptedUntil: to === "accepted_risk" ? (patch.acceptedUntil ?? null) : null,
    });
    row.state = to;
    row.note = patch.note ?? null;
    row.acceptedUntil = to === "accepted_risk" ? (patch.acceptedUntil ?? null) : null;
  } else if (patch.note !== undefined) {
    entries.push({ actor, action: "comment", fromState: null, toState: null, ...blank, note: patch.note });
  }
  if (patch.assignee !== undefined) {
    const next = patch.assignee === "" ? null : patch.assignee;
    if (next !== current.assignee) {
      entries.push({ actor, action: "assign", fromState: null, toState: null, ...blank, assignee: next });
      row.assignee = next;
    } else if (patch.state === undefined && patch.note === undefined) {
      return fail("conflict", next === null ? "The finding is not assigned." : `The finding is already assigned to ${next}.`);
    }
  }
  return { ok: true, row, entries };
}

export function isClosed(state: TFindingState): boolean {
  return CLOSED.includes(state);
}
