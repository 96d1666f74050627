import { describe, expect, it } from "vitest";
import { chainEventCount, planChainJobs, progressMarks, signingThreads } from "./scale";
import { population, smallChain } from "./workload";

describe("the --events fill plan", () => {
  it("knows each background chain's size without signing it", () => {
    const pop = population({ humans: 2, agents: 5, tools: 2 });
    for (let n = 0; n < 120; n++) expect(chainEventCount(n), `chain ${n}`).toBe(smallChain(n, pop, 1_800_000_000).length);
    // 29 and 129 are orphaned, 7 and 107 expired (never both: n % 10 is 9 for the one, 7 for the other)
    expect([0, 7, 29, 107, 129].map(chainEventCount)).toEqual([10, 6, 9, 6, 9]);
  });

  it("plans consecutive jobs that reach the event count and stop at the next chain boundary", () => {
    const jobs = [...planChainJobs(100, 1_000, 30)];
    expect(jobs[0].first).toBe(100);
    for (let i = 1; i < jobs.length; i++) expect(jobs[i].first).toBe(jobs[i - 1].end);
    const events = jobs.reduce((n, j) => n + j.events, 0);
    expect(events).toBeGreaterThanOrEqual(1_000);
    expect(events - chainEventCount(jobs.at(-1)!.end - 1)).toBeLessThan(1_000);
    for (const j of jobs) {
      expect(j.end - j.first).toBeLessThanOrEqual(30);
      let e = 0;
      for (let n = j.first; n < j.end; n++) e += chainEventCount(n);
      expect(j.events).toBe(e);
    }
    expect([...planChainJobs(0, 0, 10)]).toEqual([]);
  });

  it("is lazy: planning 10M events holds one job at a time", () => {
    const it = planChainJobs(0, 10_000_000, 100);
    expect(it.next().value).toEqual({ first: 0, end: 100, events: [...Array(100).keys()].reduce((n, k) => n + chainEventCount(k), 0) });
  });

  it("reports progress once per 5% passed, however the counts jump", () => {
    const mark = progressMarks(1_000);
    expect(mark(10)).toBeNull();
    expect(mark(50)).toBe(0.05);
    expect(mark(60)).toBeNull();
    expect(mark(260)).toBe(0.25);
    expect(mark(299)).toBeNull();
    expect(mark(300)).toBe(0.3);
    expect(mark(1_010)).toBe(1);
    expect(mark(1_020)).toBeNull();
    const tenth = progressMarks(100, 0.1);
    expect([5, 10, 15, 20, 100].map(tenth)).toEqual([null, 0.1, null, 0.2, 1]);
  });

  it("leaves a core to the ingest when there is more than one", () => {
    expect(signingThreads(1)).toBe(1);
    expect(signingThreads(2)).toBe(1);
    expect(signingThreads(16)).toBe(15);
  });
});
