import { describe, expect, it } from "vitest";
import { DEFAULT_DRIFT_SETTINGS, newDriftBaseline, observeDrift, replayDrift, type TDriftObservation } from "./drift";

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
    expect(b.events).toBeLessThanOrEqual(30 * 24 + 1);
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
    expect(b.resources.size).toBe(200);
    expect(b.buckets.size).toBeLessThanOrEqual(30 * 24 + 1);
    expect(ms).toBeLessThan(20_000);
  }, 60_000);
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
