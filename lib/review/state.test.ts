import { describe, expect, it } from "vitest";
import { effectiveReview, findingBasis, planChange, TRANSITIONS, type TStoredReview } from "./state";

const facts = { severity: "warning", message: "Parent not known yet." };
const NOW = 1_800_000_000;

function stored(over: Partial<TStoredReview> = {}): TStoredReview {
  return {
    state: "acknowledged",
    assignee: null,
    note: null,
    acceptedUntil: null,
    basis: findingBasis(facts),
    updatedAt: new Date((NOW - 60) * 1000),
    updatedBy: "user:ana@example.com",
    ...over,
  };
}

function ok(r: ReturnType<typeof planChange>) {
  if (!r.ok) throw new Error(r.error.message);
  return r;
}

describe("effectiveReview", () => {
  it("reads an untouched finding as open and unassigned", () => {
    expect(effectiveReview(null, facts, NOW)).toMatchObject({ state: "open", assignee: null, reopened: null });
  });

  it("keeps a state while the finding is what it was set against", () => {
    expect(effectiveReview(stored({ state: "resolved" }), facts, NOW)).toMatchObject({ state: "resolved", reopened: null });
  });

  it("reopens when a re-check changes the finding, and says from what to what", () => {
    const r = effectiveReview(stored({ state: "false_positive", note: "test agent" }), { severity: "error", message: "Revoked key." }, NOW);
    expect(r.state).toBe("open");
    expect(r.reopened).toEqual({ kind: "changed", was: "warning|Parent not known yet.", now: "error|Revoked key." });
  });

  it("reopens an accepted risk once its expiry passes, not before", () => {
    const s = stored({ state: "accepted_risk", note: "known", acceptedUntil: NOW + 10 });
    expect(effectiveReview(s, facts, NOW).state).toBe("accepted_risk");
    expect(effectiveReview(s, facts, NOW + 10)).toMatchObject({ state: "open", reopened: { kind: "expired", at: NOW + 10 } });
  });

  it("never reopens an open finding", () => {
    expect(effectiveReview(stored({ state: "open" }), { severity: "error", message: "x" }, NOW).reopened).toBeNull();
  });
});

describe("planChange", () => {
  it("walks open → acknowledged → resolved with history", () => {
    const a = ok(planChange(null, facts, { state: "acknowledged" }, "user:a", NOW));
    expect(a.row).toMatchObject({ state: "acknowledged", basis: findingBasis(facts), updatedBy: "user:a" });
    expect(a.entries).toEqual([expect.objectContaining({ action: "state", fromState: "open", toState: "acknowledged" })]);
    const b = ok(planChange(a.row, facts, { state: "resolved", note: "fixed the agent" }, "user:b", NOW));
    expect(b.row).toMatchObject({ state: "resolved", note: "fixed the agent" });
    expect(b.entries[0]).toMatchObject({ fromState: "acknowledged", toState: "resolved", note: "fixed the agent" });
  });

  it("requires a note for accepted_risk and false_positive", () => {
    for (const state of ["accepted_risk", "false_positive"] as const) {
      const r = planChange(null, facts, { state }, "user:a", NOW);
      expect(r).toMatchObject({ ok: false, error: { code: "invalid_request" } });
    }
  });

  it("takes an expiry only with accepted_risk, and only in the future", () => {
    expect(planChange(null, facts, { state: "resolved", acceptedUntil: NOW + 5 }, "u", NOW)).toMatchObject({ ok: false });
    expect(planChange(null, facts, { state: "accepted_risk", note: "n", acceptedUntil: NOW - 5 }, "u", NOW)).toMatchObject({ ok: false });
    const r = ok(planChange(null, facts, { state: "accepted_risk", note: "n", acceptedUntil: NOW + 5 }, "u", NOW));
    expect(r.row.acceptedUntil).toBe(NOW + 5);
  });

  it("refuses to close a closed finding another way, and a no-op", () => {
    expect(planChange(stored({ state: "resolved" }), facts, { state: "false_positive", note: "n" }, "u", NOW)).toMatchObject({
      ok: false,
      error: { code: "conflict" },
    });
    expect(planChange(stored({ state: "acknowledged" }), facts, { state: "acknowledged" }, "u", NOW)).toMatchObject({ ok: false });
    expect(ok(planChange(stored({ state: "resolved" }), facts, { state: "open" }, "u", NOW)).row.state).toBe("open");
  });

  it("renews an accepted risk with a new note and expiry", () => {
    const r = ok(
      planChange(
        stored({ state: "accepted_risk", note: "a", acceptedUntil: NOW + 5 }),
        facts,
        { state: "accepted_risk", note: "b", acceptedUntil: NOW + 50 },
        "u",
        NOW,
      ),
    );
    expect(r.row).toMatchObject({ state: "accepted_risk", note: "b", acceptedUntil: NOW + 50 });
  });

  it("assigns, unassigns and comments without changing the state", () => {
    const a = ok(planChange(null, facts, { assignee: "bo@example.com" }, "u", NOW));
    expect(a.row).toMatchObject({ state: "open", assignee: "bo@example.com" });
    expect(a.entries).toEqual([expect.objectContaining({ action: "assign", assignee: "bo@example.com" })]);
    const c = ok(planChange(a.row, facts, { note: "looking at it" }, "u", NOW));
    expect(c.entries).toEqual([expect.objectContaining({ action: "comment", note: "looking at it" })]);
    expect(c.row.state).toBe("open");
    const u = ok(planChange(a.row, facts, { assignee: "" }, "u", NOW));
    expect(u.row.assignee).toBeNull();
    expect(planChange(u.row, facts, { assignee: "" }, "u", NOW)).toMatchObject({ ok: false, error: { code: "conflict" } });
  });

  it("writes a reopen first when the finding changed under its state, then the change", () => {
    const s = stored({ state: "resolved", note: "fixed" });
    const r = ok(planChange(s, { severity: "error", message: "new reason" }, { state: "acknowledged" }, "user:a", NOW));
    expect(r.entries.map((e) => [e.actor, e.fromState, e.toState])).toEqual([
      ["system", "resolved", "open"],
      ["user:a", "open", "acknowledged"],
    ]);
    expect(r.entries[0].note).toMatch(/re-check changed the finding \(severity warning → error\)/);
    expect(r.row.basis).toBe("error|new reason");
  });

  it("writes a reopen for an expired risk before a comment, and the row no longer holds the expiry", () => {
    const s = stored({ state: "accepted_risk", note: "n", acceptedUntil: NOW - 1 });
    const r = ok(planChange(s, facts, { note: "still there" }, "u", NOW));
    expect(r.entries.map((e) => e.action)).toEqual(["state", "comment"]);
    expect(r.entries[0].note).toMatch(/accepted risk expired/);
    expect(r.row).toMatchObject({ state: "open", acceptedUntil: null });
  });

  it("lets every closed state reopen", () => {
    for (const s of ["resolved", "accepted_risk", "false_positive"] as const) expect(TRANSITIONS[s]).toContain("open");
  });
});
