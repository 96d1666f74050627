// `npm test`: every check, with one closing line `N passed, N failed` of the real totals (CI reads
// that line, always the last; it does not read Vitest's or Playwright's own summaries).
//   static       generated Prisma schemas up to date; typecheck
//   lint         ESLint (architecture boundaries included) and `prettier --check`
//   unit         the pure Vitest project (vitest.config.ts)
//   db, pdf      the Vitest projects that need databases and migrations, or render PDFs
//   integration  the real server over HTTP, on SQLite and, when a server is reachable, PostgreSQL
//   e2e          Playwright in Debian's Chromium, on both databases, against one shared Next build
//   bench        a tiny smoke run of the benchmark script
// Steps that share no port, database or build output, and have no tight timing, run at the same
// time (see `main`); each step's output is printed whole when it ends, so logs stay readable. A Playwright test that only
// passed on a retry ("flaky") counts as failed and is named before the closing line; retries are 0.
// `--only unit,integration` runs a subset; `--no-postgres` skips the PostgreSQL runs; `--serial`
// runs one step at a time (for timing a step alone, or reading a log as it is written).
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildState, markBuilt } from "./build";
import { bundlePdfWorker } from "./pdf-worker-bundle";
import { dropTestDatabasesOfThisRun, postgresTestUrl, testRunTag } from "./postgres";
import { playwrightTally, type TPlaywrightReport } from "./test-report";

const STEPS = ["static", "lint", "unit", "db", "pdf", "integration", "e2e", "bench"] as const;
type TStep = (typeof STEPS)[number];

/** A usage error still ends with the closing line CI reads. */
function usageError(message: string): never {
  console.error(`${message}\nusage: npm test [-- --only ${STEPS.join(",")}] [--no-postgres] [--serial]`);
  console.log(`\n0 passed, 1 failed`);
  process.exit(1);
}

function parseOptions() {
  try {
    return parseArgs({
      options: {
        only: { type: "string" },
        "no-postgres": { type: "boolean", default: false },
        serial: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    return usageError((e as Error).message);
  }
}
const options = parseOptions();
const only = options.only === undefined ? null : new Set(options.only.split(",").map((s) => s.trim()));
for (const step of only ?? []) if (!(STEPS as readonly string[]).includes(step)) usageError(`unknown step "${step}" in --only`);
const wants = (step: TStep) => !only || only.has(step);
const withPostgres = !options["no-postgres"];

let passed = 0;
let failed = 0;
const failures: string[] = [];
const flaky: string[] = [];
const timings: { name: string; seconds: number; load: string }[] = [];
const logDir = mkdtempSync(join(tmpdir(), "delegraph-test-"));

const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ")[0];

function check(name: string, status: number) {
  if (status === 0) passed++;
  else {
    failed++;
    failures.push(name);
  }
}

/** Times a step; the table is printed before the closing line. */
async function timed<T>(name: string, f: () => Promise<T> | T): Promise<T> {
  const start = Date.now();
  const loadAtStart = loadAverage();
  try {
    return await f();
  } finally {
    timings.push({ name, seconds: (Date.now() - start) / 1000, load: `${loadAtStart} → ${loadAverage()}` });
  }
}

/**
 * Runs a command, keeping its output in a log file and printing it whole when it ends: steps run
 * side by side, and interleaved lines from two test runners would be unreadable. The start line
 * names the log file, to follow a long step as it runs (`tail -f`).
 */
function run(label: string, cmd: string, args: string[], env: Record<string, string | undefined> = {}): Promise<number> {
  const logFile = join(logDir, `${label.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "")}.log`);
  const commandLine = `$ ${cmd} ${args.join(" ")}`;
  console.log(`\n▶ ${label}: started (${loadAverage()} load; log ${logFile})`);
  const start = Date.now();
  return new Promise((resolve) => {
    const log = createWriteStream(logFile);
    const chunks: Buffer[] = [];
    const child = spawn(cmd, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...(process.stdout.isTTY ? { FORCE_COLOR: "1" } : {}), ...env },
    });
    const keep = (d: Buffer) => {
      chunks.push(d);
      log.write(d);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const finish = (status: number, error?: Error) => {
      log.end();
      const seconds = ((Date.now() - start) / 1000).toFixed(1);
      process.stdout.write(`\n── ${label} ${"─".repeat(Math.max(3, 70 - label.length))}\n${commandLine}\n`);
      process.stdout.write(Buffer.concat(chunks));
      if (error) process.stdout.write(`${error.message}\n`);
      console.log(`── ${label}: exit ${status}, ${seconds} s`);
      resolve(status);
    };
    child.on("error", (e) => finish(1, e));
    child.on("close", (code) => finish(code ?? 1));
  });
}

async function vitest(name: string, config: string, env: Record<string, string | undefined> = {}, extra: string[] = []) {
  const out = join(mkdtempSync(join(tmpdir(), "delegraph-vitest-")), "report.json");
  const status = await run(
    name,
    "node_modules/.bin/vitest",
    ["run", "-c", config, "--reporter=default", "--reporter=json", `--outputFile.json=${out}`, ...extra],
    env,
  );
  if (!existsSync(out)) return check(`${name} (no report)`, 1);
  const report = JSON.parse(readFileSync(out, "utf8")) as { numPassedTests: number; numFailedTests: number };
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  if (report.numFailedTests > 0) failures.push(`${name}: ${report.numFailedTests} failed`);
  else if (status !== 0) check(`${name} (exit ${status})`, 1);
}

async function playwright(name: string, env: Record<string, string | undefined>) {
  const dir = mkdtempSync(join(tmpdir(), "delegraph-pw-"));
  const out = join(dir, "report.json");
  // Its own output folder: Playwright empties it at the start, and the other run may be using the default.
  const status = await run(name, "node_modules/.bin/playwright", ["test", "--reporter=list,json", "--retries=0"], {
    ...env,
    PLAYWRIGHT_JSON_OUTPUT_NAME: out,
    E2E_OUTPUT_DIR: join(dir, "test-results"),
    // scripts/test.ts built the app once for every run; the servers must not build it again.
    DELEGRAPH_SKIP_BUILD: "1",
  });
  if (!existsSync(out)) return check(`${name} (no report)`, 1);
  const tally = playwrightTally(JSON.parse(readFileSync(out, "utf8")) as TPlaywrightReport);
  passed += tally.passed;
  failed += tally.failed;
  if (tally.unexpected.length > 0) failures.push(`${name}: ${tally.unexpected.length} failed (${tally.unexpected.join("; ")})`);
  if (tally.flaky.length > 0) {
    failures.push(`${name}: ${tally.flaky.length} flaky`);
    flaky.push(...tally.flaky.map((t) => `${name}: ${t}`));
  }
  if (tally.failed === 0 && status !== 0) check(`${name} (exit ${status})`, 1);
}

/** Runs lanes of steps side by side (one after another with --serial). */
async function lanes(...ls: (() => Promise<unknown>)[]): Promise<void> {
  if (options.serial) for (const l of ls) await l();
  else await Promise.all(ls.map((l) => l()));
}

/** ensureBuild, without blocking this process (it reads the other lanes' output meanwhile). */
async function build(): Promise<boolean> {
  const { current, fingerprint } = buildState();
  if (current) {
    console.log("\n(the Next build is current: not rebuilt)");
    return true;
  }
  const status = await run("next build", "node_modules/.bin/next", ["build"]);
  if (status === 0) {
    bundlePdfWorker();
    markBuilt(fingerprint);
  } else check("next build", status);
  return status === 0;
}

async function main() {
  const startedAt = Date.now();
  testRunTag(); // set before any step starts, so every child names its databases with it
  const pg = withPostgres ? await postgresTestUrl() : null;
  if (withPostgres && !pg) console.log("\n(no PostgreSQL server reachable: PostgreSQL runs skipped)");
  const needsBuild = wants("integration") || wants("e2e") || wants("bench");
  let built = false;

  // 1. The Next build beside the Vitest projects, which never read .next. They are CPU-bound, so
  //    they run one after another in their lane.
  await lanes(
    async () => {
      if (needsBuild) built = await timed("next build", build);
    },
    async () => {
      if (wants("unit")) await timed("unit", () => vitest("unit", "vitest.config.ts"));
      if (wants("pdf")) await timed("pdf", () => vitest("pdf", "vitest.pdf.config.ts"));
      if (wants("db")) await timed("db", () => vitest("db", "vitest.db.config.ts"));
    },
  );
  if (needsBuild && !built) console.log("\n(the Next build failed: integration, e2e and bench skipped)");

  // 2. Both integration runs (each starts its servers on free ports, on its own databases), and
  //    beside them the typecheck and the lint: both read .next/types (through next-env.d.ts),
  //    which the build rewrites, so they wait for it. Then the bench smoke (its own server, port and
  //    database; its figures are not asserted). The integration runs skip Vitest's results cache,
  //    a file both would write.
  await lanes(
    async () => {
      if (built && wants("integration")) {
        await timed("integration (SQLite)", () =>
          vitest("integration (SQLite)", "vitest.integration.config.ts", { DELEGRAPH_SKIP_BUILD: "1" }, ["--no-cache"]),
        );
      }
    },
    async () => {
      if (built && wants("integration") && pg) {
        const env = { DELEGRAPH_SKIP_BUILD: "1", TEST_DATABASE_URL: await pg.fresh() };
        await timed("integration (PostgreSQL)", () => vitest("integration (PostgreSQL)", "vitest.integration.config.ts", env, ["--no-cache"]));
      }
    },
    async () => {
      if (wants("static")) {
        await timed("static", async () => {
          check("prisma schemas up to date", await run("prisma schemas", "node_modules/.bin/tsx", ["scripts/gen-schemas.ts", "--check"]));
          check("typecheck", await run("typecheck", "node_modules/.bin/tsc", ["--noEmit", "-p", "."]));
        });
      }
      if (wants("lint")) {
        await timed("lint", async () => {
          check("eslint", await run("eslint", "node_modules/.bin/eslint", ["."]));
          check("prettier", await run("prettier", "node_modules/.bin/prettier", ["--check", "."]));
        });
      }
      if (built && wants("bench") && existsSync("scripts/bench.ts")) {
        await timed("bench smoke", async () =>
          check("bench smoke", await run("bench smoke", "node_modules/.bin/tsx", ["scripts/bench.ts", "--smoke"], { DELEGRAPH_SKIP_BUILD: "1" })),
        );
      }
    },
  );

  // 3. The e2e suite on SQLite, then on PostgreSQL, against the same build (each run has its own
  //    server on a free port, database and output folder). Not side by side: two browsers and two
  //    servers on two cores made UI steps 2-5x slower (one test went from 3-5 s to 14 s against
  //    a 15 s retry window), for 70 s saved; with retries off that is a flaky gate.
  if (built && wants("e2e") && existsSync("playwright.config.ts")) {
    await timed("e2e (SQLite)", () => playwright("e2e (SQLite)", {}));
    if (pg) {
      const env = { E2E_DATABASE_URL: await pg.fresh() };
      await timed("e2e (PostgreSQL)", () => playwright("e2e (PostgreSQL)", env));
    }
  }

  if (pg) {
    const dropped = await dropTestDatabasesOfThisRun(pg.base).catch(() => 0);
    if (dropped) console.log(`\n(dropped ${dropped} PostgreSQL test databases made by this run)`);
  }
  console.log(`\nWall time per step, s (load average over 1 min at its start → end):`);
  for (const t of timings) console.log(`  ${t.name.padEnd(26)} ${t.seconds.toFixed(1).padStart(6)}  (${t.load})`);
  console.log(`  ${"total".padEnd(26)} ${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)}  (logs in ${logDir})`);
  if (failures.length) console.log(`\nFailed: ${failures.join("; ")}`);
  if (flaky.length) console.log(`\nFlaky (passed only on a retry; counted as failed): ${flaky.join("; ")}`);
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  console.log(`\n${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
