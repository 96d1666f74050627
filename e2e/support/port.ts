// The port the e2e server listens on: E2E_PORT when set, else a free one, picked once per run.
// playwright.config.ts imports this (through env.ts) in the runner, before the webServer starts and
// before any worker is forked; workers inherit the environment, so they read the same port. A fixed
// port failed whenever another process (another checkout's run, a dev server) held it.
import { spawnSync } from "node:child_process";

if (!process.env.E2E_PORT && !process.env.E2E_BASE_URL) {
  // The config is loaded synchronously, so ask a short-lived node for a port the kernel just handed out.
  const probe = spawnSync(
    process.execPath,
    [
      "-e",
      "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { process.stdout.write(String(s.address().port)); s.close(); })",
    ],
    { encoding: "utf8" },
  );
  const port = Number(probe.stdout);
  if (probe.status !== 0 || !Number.isInteger(port) || port <= 0)
    throw new Error(`could not pick a free port for the e2e server: ${probe.stderr || probe.stdout}`);
  process.env.E2E_PORT = String(port);
}

export {};
