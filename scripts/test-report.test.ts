import { describe, expect, it } from "vitest";
import { playwrightTally, type TPlaywrightReport } from "./test-report";

// The shape of a real report (Playwright 1.65, retries: 1): one test failed, one failed and then
// passed on its retry, one passed, one skipped.
const REPORT: TPlaywrightReport = {
  stats: { expected: 1, unexpected: 1, flaky: 1 },
  suites: [
    {
      title: "a.spec.ts",
      file: "a.spec.ts",
      specs: [
        { title: "fails", file: "a.spec.ts", line: 5, tests: [{ status: "unexpected" }] },
        { title: "passes", file: "a.spec.ts", line: 6, tests: [{ status: "expected" }] },
        { title: "skipped", file: "a.spec.ts", line: 7, tests: [{ status: "skipped" }] },
      ],
      suites: [{ title: "group", file: "a.spec.ts", specs: [{ title: "flips", file: "a.spec.ts", line: 3, tests: [{ status: "flaky" }] }] }],
    },
  ],
};

describe("Playwright report tally", () => {
  it("counts a flaky test as failed, not passed, and names it", () => {
    expect(playwrightTally(REPORT)).toEqual({
      passed: 1,
      failed: 2,
      unexpected: ["a.spec.ts:5 › fails"],
      flaky: ["a.spec.ts:3 › group › flips"],
    });
  });
});
