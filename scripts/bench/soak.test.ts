import { describe, expect, it } from "vitest";
import { arrivalIntervalMs, byWindow, calibrationSeconds, describeSoak, slope, soakLatency, type TSoak } from "./soak";

describe("soak scheduling and statistics", () => {
  it("spaces batches so the events arrive at the rate asked", () => {
    expect(arrivalIntervalMs(1000, 100)).toBe(100);
    expect(arrivalIntervalMs(5600, 98)).toBeCloseTo(17.5, 6);
    expect(() => arrivalIntervalMs(0, 100)).toThrow(/no arrival interval/);
    expect(() => arrivalIntervalMs(100, Number.NaN)).toThrow(/no arrival interval/);
  });

  it("groups samples into minutes, keeping empty ones and clamping the edges", () => {
    const s = [0, 59_999, 60_000, 179_000, 185_000, -5].map((atMs) => ({ atMs }));
    const w = byWindow(s, 60_000, 180_000);
    expect(w.map((x) => x.map((y) => y.atMs))).toEqual([[0, 59_999, -5], [60_000], [179_000, 185_000]]);
    expect(byWindow([], 60_000, 150_000)).toEqual([[], [], []]);
    expect(byWindow([], 60_000, 0)).toEqual([[]]);
  });

  it("reads p50, p95, p99 and max by nearest rank", () => {
    const samples = Array.from({ length: 200 }, (_, i) => 200 - i); // 1..200, unsorted
    expect(soakLatency(samples)).toEqual({ n: 200, p50Ms: 100, p95Ms: 190, p99Ms: 198, maxMs: 200 });
    expect(soakLatency([]).n).toBe(0);
    expect(soakLatency([]).p99Ms).toBeNaN();
  });

  it("fits a least-squares slope: flat memory is ~0, growth is its rate", () => {
    expect(slope([0, 1, 2, 3].map((x) => ({ x, y: 300 })))).toBe(0);
    expect(slope([0, 1, 2, 3].map((x) => ({ x, y: 300 + 2.5 * x })))).toBeCloseTo(2.5, 9);
    expect(
      slope([
        { x: 0, y: 1 },
        { x: 1, y: 3 },
        { x: 2, y: 2 },
      ]),
    ).toBeCloseTo(0.5, 9);
    expect(slope([{ x: 1, y: 1 }])).toBeNaN();
    expect(
      slope([
        { x: 1, y: 1 },
        { x: 1, y: 5 },
      ]),
    ).toBeNaN();
  });

  it("measures the sustained maximum for a tenth of the soak, from 20 s to 2 minutes", () => {
    expect(calibrationSeconds(600)).toBe(60);
    expect(calibrationSeconds(60)).toBe(20);
    expect(calibrationSeconds(10)).toBe(20);
    expect(calibrationSeconds(3600)).toBe(120);
  });

  it("says per minute of due time how many requests failed, and per minute of the clock how many events were answered", () => {
    const lat = soakLatency([10, 20]);
    const soak: TSoak = {
      seconds: 120,
      maxRatePerSec: 1000,
      calibration: { seconds: 20, events: 20_000, clients: 4, failedRequests: 0, refusals: 0, burstRatePerSec: 900 },
      targetRatePerSec: 800,
      achievedRatePerSec: 500,
      eventsPerBatch: 98,
      requests: 1000,
      events: 90_000,
      failedRequests: 0,
      connectionFailures: 80,
      refusals: 12,
      refusedBatches: 9,
      latency: lat,
      serviceLatency: lat,
      admittedLatency: lat,
      maxInFlight: 700,
      maxOnWire: 650,
      answeredPerMinute: [40_000, 30_000, 20_000],
      maxSendLagMs: 3,
      minutes: [
        { minute: 1, sent: 490, events: 48_000, failed: 0, refusals: 0, latency: lat, serverRssMiB: { mean: 190, max: 200 } },
        { minute: 2, sent: 510, events: 42_000, failed: 80, refusals: 12, latency: lat, serverRssMiB: { mean: 200, max: 210 } },
      ],
      serverRss: { firstMiB: 180, lastMiB: 200, maxMiB: 210, slopeMiBPerMin: 1, slopeSecondHalfMiBPerMin: 0.5 },
      signing: { events: 200_000, seconds: 10 },
      load: { start: [1, 1, 1], end: [2, 2, 2] },
    };
    const lines = describeSoak(soak);
    expect(lines[0]).toContain("1000 batches of ~98 events, 0 failed, 80 attempts with no answer (sent again), 12 refusals");
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}minute 2 \(by due time\): 42000 events answered, 80 requests failed, 12 refusals, /));
    expect(lines).toContainEqual("  events answered per minute of the run (by the clock, the drain in the last): 40000, 30000, 20000");
  });
});
