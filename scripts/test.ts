// `npm test`: every check, in order, with one closing line `N passed, N failed` of the real totals
// (CI reads that line; it does not read Vitest's or Playwright's own summaries).
//   1. generated Prisma schemas are up to date     4. integration suite, SQLite (real server, HTTP)
//   2. typecheck                                   5. the same on PostgreSQL, when a server is reachable
//   3. unit tests (Vitest)                         6. e2e (Playwright, Debian's Chromium), both databases
//                                                  7. a tiny smoke run of the benchmark script
// `--only unit,integration` runs a subset; `--no-postgres` skips the PostgreSQL runs.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBuild } from "./build";
import { dropTestDatabasesSince, postgresTestUrl } from "./postgres";

const args = process.argv.slice(2);
const only = args.includes("--only") ? new Set(args[args.indexOf("--only") + 1].split(",")) : null;
const wants = (step: string) => !only || only.has(step);
const withPostgres = !args.includes("--no-postgres");

let passed = 0;
let failed = 0;
const failures: string[] = [];

function run(cmd: string, cmdArgs: string[], env: Record<string, string | undefined> = {}) {
  console.log(`\n$ ${cmd} ${cmdArgs.join(" ")}`);
  return spawnSync(cmd, cmdArgs, { stdio: "inherit", env: { ...process.env, ...env } }).status ?? 1;
}

function check(name: string, status: number) {
  if (status === 0) passed++;
  else {
    failed++;
    failures.push(name);
  }
}

function vitest(name: string, config: string | null, env: Record<string, string | undefined> = {}) {
  const out = join(mkdtempSync(join(tmpdir(), "delegraph-vitest-")), "report.json");
  const status = run(
    "node_modules/.bin/vitest",
    ["run", ...(config ? ["-c", config] : []), "--reporter=default", "--reporter=json", `--outputFile.json=${out}`],
    env,
  );
  if (!existsSync(out)) return check(`${name} (no report)`, 1);
  const report = JSON.parse(readFileSync(out, "utf8")) as { numPassedTests: number; numFailedTests: number; numTotalTestSuites: number; success: boolean };
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  if (report.numFailedTests > 0) failures.push(`${name}: ${report.numFailedTests} failed`);
  else if (status !== 0) check(`${name} (exit ${status})`, 1);
}

function playwright(name: string, env: Record<string, string | undefined>) {
  const out = join(mkdtempSync(join(tmpdir(), "delegraph-pw-")), "report.json");
  const status = run("node_modules/.bin/playwright", ["test", "--reporter=list,json"], { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: out });
  if (!existsSync(out)) return check(`${name} (no report)`, 1);
  const report = JSON.parse(readFileSync(out, "utf8")) as { stats: { expected: number; unexpected: number; flaky: number } };
  passed += report.stats.expected + report.stats.flaky;
  failed += report.stats.unexpected;
  if (report.stats.unexpected > 0) failures.push(`${name}: ${report.stats.unexpected} failed`);
  else if (status !== 0) check(`${name} (exit ${status})`, 1);
}

async function main() {
  const startedAt = Date.now();
  if (wants("static")) {
    check("prisma schemas up to date", run("node_modules/.bin/tsx", ["scripts/gen-schemas.ts", "--check"]));
    check("typecheck", run("node_modules/.bin/tsc", ["--noEmit", "-p", "."]));
  }
  if (wants("unit")) vitest("unit", null);
  const pg = withPostgres ? await postgresTestUrl() : null;
  if (withPostgres && !pg) console.log("\n(no PostgreSQL server reachable: PostgreSQL runs skipped)");
  if (wants("integration") || wants("e2e") || wants("bench")) ensureBuild();
  if (wants("integration")) {
    vitest("integration (SQLite)", "vitest.integration.config.ts", { DELEGRAPH_SKIP_BUILD: "1" });
    if (pg) vitest("integration (PostgreSQL)", "vitest.integration.config.ts", { DELEGRAPH_SKIP_BUILD: "1", TEST_DATABASE_URL: await pg.fresh() });
  }
  if (wants("e2e") && existsSync("playwright.config.ts")) {
    playwright("e2e (SQLite)", {});
    if (pg) playwright("e2e (PostgreSQL)", { E2E_DATABASE_URL: await pg.fresh() });
  }
  if (wants("bench") && existsSync("scripts/bench.ts")) check("bench smoke", run("node_modules/.bin/tsx", ["scripts/bench.ts", "--smoke"]));

  if (pg) {
    const dropped = await dropTestDatabasesSince(pg.base, startedAt).catch(() => 0);
    if (dropped) console.log(`\n(dropped ${dropped} PostgreSQL test databases made by this run)`);
  }
  if (failures.length) console.log(`\nFailed: ${failures.join("; ")}`);
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  console.log(`\n${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
