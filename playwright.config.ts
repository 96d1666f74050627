// End-to-end tests against the real server (`npm start`: migrations, build, next start) and the
// system Chromium; no browser is downloaded. Each run gets a fresh SQLite file unless
// E2E_DATABASE_URL points elsewhere (for example PostgreSQL), so the same suite covers both. The
// server listens on a free port picked once per run (e2e/support/port.ts) unless E2E_PORT is set,
// and results go to E2E_OUTPUT_DIR when set, so two runs can go side by side. No retries: a test
// that passes only on a second try is a failure (scripts/test.ts counts `flaky` as failed).
import { defineConfig } from "@playwright/test";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADMIN_EMAIL, ADMIN_PASSWORD, API_TOKEN, BASE_URL, E2E_PORT } from "./e2e/support/env";

// Workers re-evaluate this file; the environment carries the first value to them.
process.env.E2E_DATABASE_URL_RESOLVED ??= process.env.E2E_DATABASE_URL ?? `file:${join(tmpdir(), `delegraph-e2e-${process.pid}-${Date.now()}.db`)}`;

export default defineConfig({
  testDir: "./e2e",
  testMatch: /.*\.spec\.ts$/,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  outputDir: process.env.E2E_OUTPUT_DIR || "test-results",
  globalTeardown: "./e2e/support/teardown.ts",
  use: {
    baseURL: BASE_URL,
    viewport: { width: 1440, height: 900 },
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  webServer: process.env.E2E_BASE_URL
    ? undefined
    : {
        command: "npm start",
        url: `${BASE_URL}/api/health`,
        timeout: 300_000,
        reuseExistingServer: false,
        stdout: "pipe",
        stderr: "pipe",
        env: {
          PORT: String(E2E_PORT),
          HOSTNAME: "127.0.0.1",
          DATABASE_URL: process.env.E2E_DATABASE_URL_RESOLVED,
          DELEGRAPH_DEMO: "0",
          DELEGRAPH_API_TOKEN: API_TOKEN,
          DELEGRAPH_ADMIN_EMAIL: ADMIN_EMAIL,
          DELEGRAPH_ADMIN_PASSWORD: ADMIN_PASSWORD,
          // e2e/webhooks.spec.ts runs its receiver on 127.0.0.1 and watches a retry happen.
          DELEGRAPH_WEBHOOK_ALLOW_PRIVATE: "1",
          DELEGRAPH_WEBHOOK_RETRY_BASE_MS: "500",
        },
      },
});
