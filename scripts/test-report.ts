// What scripts/test.ts counts from a Playwright JSON report: a `flaky` test (failed, then passed
// on a retry) is a failure, named like an `unexpected` one.
export type TPlaywrightStatus = "expected" | "unexpected" | "flaky" | "skipped";

export type TPlaywrightSuite = {
  title: string;
  file?: string;
  suites?: TPlaywrightSuite[];
  specs?: { title: string; file: string; line: number; tests: { status: TPlaywrightStatus }[] }[];
};

export type TPlaywrightReport = { stats: { expected: number; unexpected: number; flaky: number }; suites: TPlaywrightSuite[] };

/** `file:line › describe › test` for every test with that status (the file's own suite is not a describe). */
export function testsWithStatus(suites: TPlaywrightSuite[], status: TPlaywrightStatus, describes: string[] = []): string[] {
  const out: string[] = [];
  for (const suite of suites) {
    const inside = suite.title && suite.title !== suite.file ? [...describes, suite.title] : describes;
    for (const spec of suite.specs ?? []) {
      if (spec.tests.some((t) => t.status === status)) out.push([`${spec.file}:${spec.line}`, ...inside, spec.title].join(" › "));
    }
    out.push(...testsWithStatus(suite.suites ?? [], status, inside));
  }
  return out;
}

export function playwrightTally(report: TPlaywrightReport): { passed: number; failed: number; unexpected: string[]; flaky: string[] } {
  return {
    passed: report.stats.expected,
    failed: report.stats.unexpected + report.stats.flaky,
    unexpected: testsWithStatus(report.suites, "unexpected"),
    flaky: testsWithStatus(report.suites, "flaky"),
  };
}
