import { describe, expect, it } from "vitest";
import {
  applyDrift,
  baselineEvents,
  DEFAULT_DRIFT_SETTINGS,
  driftMessage,
  driftUpdate,
  judgeDrift,
  newDriftBaseline,
  observeDrift,
  replayDrift,
  type TDriftFacts,
  type TDriftObservation,
} from "./drift";

const DAY = 24 * 3600;
const T0 = 1_800_000_000;
const obs = (iat: number, over: Partial<TDriftObservation> = {}): TDriftObservation => ({
  iat,
  action: "finance/q1/revenue:read",
  resource: "db://finance/q1/revenue",
  data: ["financial"],
  host: null,
  ...over,
});

/** A seeded history: one event every `step` seconds for `days`, cycling through `resources`. */
function history(days: number, step: number, resources = ["db://finance/q1/revenue"]) {
  const b = newDriftBaseline();
  const drifts = [];
  let i = 0;
  for (let t = T0; t < T0 + days * DAY; t += step) drifts.push(observeDrift(b, obs(t, { resource: resources[i++ % resources.length] })));
  return { b, drifts: drifts.filter((d) => d !== null), end: T0 + days * DAY };
}

describe("observeDrift", () => {
  it("judges nothing while the baseline warms up", () => {
    const b = newDriftBaseline();
    for (let i = 0; i < DEFAULT_DRIFT_SETTINGS.minBaselineEvents; i++)
      expect(observeDrift(b, obs(T0 + i * 60, { action: `a${i}:read`, resource: `db://r${i}` }))).toBeNull();
  });

  it("flags a resource, an action, a data class and a host never seen, with the baseline it compared to", () => {
    const { b, drifts, end } = history(10, 3600);
    expect(drifts).toEqual([]);
    const d = observeDrift(
      b,
      obs(end, { action: "payments/wire:write", resource: "https://evil.example/x", data: ["financial", "pii"], host: "evil.example" }),
    );
    expect(d).not.toBeNull();
    expect(d!.code).toBe("behavior_drift");
    expect(d!.severity).toBe("warning");
    expect(d!.aspects).toEqual([
      { aspect: "action", value: "payments/wire:write" },
      { aspect: "resource", value: "https://evil.example/x" },
      { aspect: "data", value: "pii" },
      { aspect: "host", value: "evil.example" },
    ]);
    expect(d!.baseline).toMatchObject({ events: 240, actions: 1, resources: 1, dataClasses: 1, hosts: 0 });
    expect(d!.message).toContain("resource https://evil.example/x never seen");
    expect(d!.bucketSeconds).toBe(3600);
    // Seen once, it is part of the baseline.
    expect(
      observeDrift(b, obs(end + 60, { action: "payments/wire:write", resource: "https://evil.example/x", data: ["pii"], host: "evil.example" })),
    ).toBeNull();
  });

  it("forgets what the window no longer holds", () => {
    const { b, end } = history(40, 3600, ["db://a", "db://b"]);
    // db://old was seen once, 35 days before the end: outside the 30-day window.
    const b2 = newDriftBaseline();
    observeDrift(b2, obs(T0, { resource: "db://old" }));
    for (let t = T0 + 3600; t < end; t += 3600) observeDrift(b2, obs(t, { resource: "db://a" }));
    expect(observeDrift(b2, obs(end, { resource: "db://old" }))?.aspects).toEqual([{ aspect: "resource", value: "db://old" }]);
    expect(observeDrift(b, obs(end, { resource: "db://a" }))).toBeNull();
    expect(baselineEvents(b)).toBeLessThanOrEqual(30 * 24 + 1);
  });

  it("flags a rate far above the usual once per burst", () => {
    const { b, end } = history(10, 3600);
    const burst = Array.from({ length: 30 }, (_, i) => observeDrift(b, obs(end + 7200 + i * 10)));
    const flagged = burst.map((d, i) => (d ? i : -1)).filter((i) => i >= 0);
    expect(flagged).toEqual([DEFAULT_DRIFT_SETTINGS.minRateEvents - 1]);
    expect(burst[flagged[0]]!.aspects).toEqual([{ aspect: "rate", value: "10 in 3600 s" }]);
    expect(burst[flagged[0]]!.baseline.usualRate).toBeCloseTo(240 / 242, 2);
  });

  it("is incremental: a million events in bounded state and time", () => {
    const b = newDriftBaseline();
    const resources = Array.from({ length: 200 }, (_, i) => `db://finance/r${i}`);
    const actions = Array.from({ length: 50 }, (_, i) => `finance/a${i}:read`);
    const started = performance.now();
    let drifts = 0;
    for (let i = 0; i < 1_000_000; i++) {
      // ~1 event every 3 s over ~35 days: the window slides and expires buckets all along.
      const d = observeDrift(b, { iat: T0 + i * 3, action: actions[i % 50], resource: resources[i % 200], data: ["financial"], host: null });
      if (d) drifts++;
    }
    const ms = performance.now() - started;
    // Only the first sightings after warm-up (the 200 resources appear in the first 200 events).
    expect(drifts).toBeLessThanOrEqual(200);
    expect(b.seen.resource.size).toBe(200);
    expect(b.buckets.size).toBeLessThanOrEqual(30 * 24 + 1);
    expect(ms).toBeLessThan(20_000);
  }, 60_000);
});

describe("judgeDrift on the facts a store holds", () => {
  const s = DEFAULT_DRIFT_SETTINGS;
  /** Facts as the store reads them: only the values the event names, and the window's buckets. */
  function storeFacts(
    events: number,
    first: number,
    latest: number,
    seen: Partial<Record<"action" | "resource" | "data" | "host", [string, number][]>>,
    novel = { action: 1, resource: 1, data: 1, host: 0 },
  ): TDriftFacts {
    const f = newDriftBaseline();
    for (const [aspect, list] of Object.entries(seen)) for (const [v, at] of list) f.seen[aspect as "action"].set(v, at);
    // Spread evenly over the hours from first to latest, the first bucket carrying the new values.
    const hours = Math.max(1, Math.floor((latest - first) / s.bucketSeconds) + 1);
    for (let h = 0; h < hours; h++) {
      const n = Math.floor(events / hours) + (h < events % hours ? 1 : 0);
      f.buckets.set(Math.floor(first / s.bucketSeconds) + h, { events: n, ...(h === 0 ? novel : { action: 0, resource: 0, data: 0, host: 0 }) });
    }
    f.first = first;
    f.latest = latest;
    return f;
  }

  it("needs no other value than the event's: a known action and resource is no drift", () => {
    const f = storeFacts(240, T0, T0 + 239 * 3600, {
      action: [["finance/q1/revenue:read", T0 + 239 * 3600]],
      resource: [["db://finance/q1/revenue", T0]],
      data: [["financial", T0]],
    });
    expect(judgeDrift(f, obs(T0 + 240 * 3600), s).drift).toBeNull();
  });

  it("judges a value seen only before the window as new", () => {
    const f = storeFacts(40 * 24 + 1, T0, T0 + 40 * DAY, {
      action: [["finance/q1/revenue:read", T0 + 40 * DAY]],
      resource: [["db://finance/q1/revenue", T0]],
      data: [["financial", T0 + 40 * DAY]],
    });
    const j = judgeDrift(f, obs(T0 + 40 * DAY + 60), s);
    expect(j.drift?.aspects).toEqual([{ aspect: "resource", value: "db://finance/q1/revenue" }]);
    expect(j.drift?.baseline.since).toBe(T0 + 40 * DAY + 60 - s.baselineSeconds);
  });

  it("warms up: below minBaselineEvents in the window nothing is judged, however new", () => {
    const f = storeFacts(s.minBaselineEvents - 1, T0, T0 + 3600 * 18, {});
    const j = judgeDrift(f, obs(T0 + 3600 * 19, { action: "payments/wire:write", host: "evil.example" }), s);
    expect(j.drift).toBeNull();
    // …but what it brought is still counted as new, for the baseline's novelty share.
    expect(j.novelty).toEqual({ action: true, resource: true, data: ["financial"], host: true });
    expect(
      judgeDrift(storeFacts(s.minBaselineEvents, T0, T0 + 3600 * 19, {}), obs(T0 + 3600 * 20, { action: "payments/wire:write" }), s).drift,
    ).not.toBeNull();
  });

  it("does not flag new values of an aspect the principal keeps changing (novelty share above the setting)", () => {
    // 100 events, 40 of them on a resource never seen before: resources are not a habit here.
    const f = storeFacts(
      100,
      T0,
      T0 + 99 * 3600,
      { action: [["finance/q1/revenue:read", T0]], data: [["financial", T0]] },
      { action: 1, resource: 40, data: 1, host: 0 },
    );
    const j = judgeDrift(f, obs(T0 + 100 * 3600, { resource: "db://finance/q9" }), s);
    expect(j.drift).toBeNull();
    expect(j.novelty.resource).toBe(true);
    // A new action from the same principal still is a drift: its actions are settled.
    expect(judgeDrift(f, obs(T0 + 100 * 3600, { resource: "db://finance/q9", action: "hr/*:read" }), s).drift?.aspects).toEqual([
      { aspect: "action", value: "hr/*:read" },
    ]);
    // A stricter setting (share 0.5) judges resources too.
    expect(judgeDrift(f, obs(T0 + 100 * 3600, { resource: "db://finance/q9" }), { ...s, noveltyShare: 0.5 }).drift?.aspects).toEqual([
      { aspect: "resource", value: "db://finance/q9" },
    ]);
  });

  it("applying the update is what observeDrift does: the same decisions on both paths", () => {
    const a = newDriftBaseline();
    const b = newDriftBaseline();
    const resources = ["db://a", "db://b", "db://c"];
    for (let i = 0; i < 400; i++) {
      const o = obs(T0 + i * 900, { resource: resources[i % 3], action: i === 300 ? "hr/*:read" : "finance/q1/revenue:read" });
      const viaObserve = observeDrift(a, o);
      const j = judgeDrift(b, o);
      applyDrift(b, driftUpdate(o, j));
      expect(j.drift === null).toBe(viaObserve === null);
      if (j.drift) expect(viaObserve!.aspects).toEqual(j.drift.aspects);
    }
  });

  it("says in words what was new and the baseline it was compared to", () => {
    const f = storeFacts(240, T0, T0 + 239 * 3600, {
      action: [["finance/q1/revenue:read", T0]],
      resource: [["db://finance/q1/revenue", T0]],
      data: [["financial", T0]],
    });
    const j = judgeDrift(f, obs(T0 + 240 * 3600, { data: ["pii"], host: "evil.example", resource: "https://evil.example/x" }), s);
    const m = driftMessage("agent:planner", { ...j.drift!, purpose: "finance.reporting" });
    expect(m).toContain("data class pii never seen");
    expect(m).toContain("host evil.example never seen");
    expect(m).toContain("for agent:planner under purpose finance.reporting");
    expect(m).toContain("against its baseline of 240 events since ");
  });
});

describe("replayDrift", () => {
  it("keeps one baseline per principal and purpose, in iat order whatever the input order", () => {
    const events = [];
    for (let i = 0; i < 30; i++) {
      events.push({ ...obs(T0 + i * 3600), jti: `p${i}`, principal: "agent:p", purpose: "finance" });
      events.push({ ...obs(T0 + i * 3600, { resource: "db://hr" }), jti: `h${i}`, principal: "agent:p", purpose: "hr" });
    }
    events.push({ ...obs(T0 + 31 * 3600, { resource: "db://hr" }), jti: "cross", principal: "agent:p", purpose: "finance" });
    const drifts = replayDrift(events.reverse());
    expect(drifts.map((d) => [d.jti, d.purpose, d.aspects])).toEqual([["cross", "finance", [{ aspect: "resource", value: "db://hr" }]]]);
  });
});
