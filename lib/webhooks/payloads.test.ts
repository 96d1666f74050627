import { describe, expect, it } from "vitest";
import type { TScanFinding, TWebhookRow } from "@/lib/db/stores/webhooks";
import { deliveriesFor, planFindingDeliveries, wants } from "./payloads";

const hook = (id: string, events: string, minSeverity: string | null = null): TWebhookRow => ({
  id,
  url: `https://hooks.example/${id}`,
  events,
  minSeverity,
  secret: "s",
  createdAt: new Date(0),
  createdBy: "session:a@x.example",
});
const finding = (id: number, severity: string): TScanFinding => ({
  id,
  chainId: "c1",
  eventJti: `e${id}`,
  code: "scope_escalation",
  severity,
  message: "m",
});
const times = { now: new Date("2026-12-03T09:00:00.000Z"), expireHours: 72 };

describe("which webhooks a notification goes to", () => {
  it("only to subscribers, and new findings only at or above their minimum severity", () => {
    const all = hook("all", "finding.created,finding.state_changed,chain.signed_off");
    const errors = hook("errors", "finding.created", "error");
    const states = hook("states", "finding.state_changed");
    expect(wants(all, "finding.created", "warning")).toBe(true);
    expect(wants(errors, "finding.created", "warning")).toBe(false);
    expect(wants(errors, "finding.created", "error")).toBe(true);
    expect(wants(errors, "finding.created", "critical")).toBe(true);
    expect(wants(states, "finding.created", "critical")).toBe(false);
    expect(wants(states, "chain.signed_off")).toBe(false);
    // The minimum is about new findings: a state change of a warning still goes out.
    expect(wants(hook("s2", "finding.state_changed", "critical"), "finding.state_changed", "warning")).toBe(true);
    expect(wants(states, "webhook.test")).toBe(true);
  });

  it("one notification: one id and one body for every webhook, due now, expiring after the set hours", () => {
    const rows = deliveriesFor(
      [hook("a", "chain.signed_off"), hook("b", "chain.signed_off"), hook("c", "finding.created")],
      "chain.signed_off",
      { chain: "c1" },
      times,
    );
    expect(rows.map((r) => r.webhookId)).toEqual(["a", "b"]);
    expect(new Set(rows.map((r) => r.eventId)).size).toBe(1);
    expect(rows[0].body).toBe(rows[1].body);
    expect(JSON.parse(rows[0].body)).toEqual({
      id: rows[0].eventId,
      type: "chain.signed_off",
      createdAt: "2026-12-03T09:00:00.000Z",
      data: { chain: "c1" },
    });
    expect(rows[0].nextAttemptAt).toEqual(times.now);
    expect(rows[0].expiresAt.toISOString()).toBe("2026-12-06T09:00:00.000Z");
    expect(deliveriesFor([hook("c", "finding.created")], "chain.signed_off", {}, times)).toEqual([]);
  });

  it("a scan's new findings: one finding.created each, to the subscribers severe enough for it", () => {
    const rows = planFindingDeliveries(
      [finding(1, "warning"), finding(2, "critical")],
      [hook("all", "finding.created"), hook("crit", "finding.created", "critical")],
      times,
    );
    expect(rows.map((r) => [r.webhookId, JSON.parse(r.body).data.finding.id])).toEqual([
      ["all", 1],
      ["all", 2],
      ["crit", 2],
    ]);
    expect(JSON.parse(rows[2].body).data.finding).toEqual({
      id: 2,
      chain: "c1",
      event: "e2",
      code: "scope_escalation",
      severity: "critical",
      message: "m",
    });
  });
});
