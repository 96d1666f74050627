// `npm start`: prepare (validate configuration, migrate, first-start credentials, ledger signing
// key and checkpoint, build when stale), serve, and seed the demo chains on an empty database.
//
// This process stays alive beside the server only to forward signals and exit with it, so it is
// plain JavaScript: the TypeScript steps (scripts/start-steps.ts) run as short-lived children under
// tsx's loader and exit before (prepare) or after (seed) the server starts answering. Under tsx the
// supervisor kept the loader, esbuild's service and a Prisma client alive for the server's whole
// life: ~190 MB of a ~550 MB process tree (docs/benchmarks.md).
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsxLoader = import.meta.resolve("tsx");
const STEPS = join(root, "scripts/start-steps.ts");

/** The running child (a step or the server): signals go to it. */
let current = null;
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    stopping = true;
    if (current && current.exitCode === null) current.kill(signal);
    else process.exit(1);
  });
}

function log(message) {
  console.log(`[delegraph] ${message}`);
}

/** Runs a step of scripts/start-steps.ts; resolves with what it wrote on file descriptor 3. */
function runStep(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", tsxLoader, STEPS, ...args], {
      cwd: root,
      env,
      stdio: ["inherit", "inherit", "inherit", "pipe"],
    });
    current = child;
    let out = "";
    child.stdio[3].on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      current = null;
      if (code === 0) resolve(out);
      else if (stopping || signal) process.exit(code ?? 1);
      else reject(new Error(`start-up step "${args[0]}" failed (exit ${code})`));
    });
  });
}

async function waitForServer(base, child) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error("the server exited during start-up");
    try {
      const res = await fetch(`${base}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the server did not answer /api/health within 120 s");
}

async function main() {
  const prepared = JSON.parse(await runStep(["prepare"], process.env));
  // scripts/server.mjs: Next's handler behind the layer that records the socket's address.
  const server = spawn(process.execPath, [join(root, "scripts/server.mjs")], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, ...prepared.env },
  });
  current = server;
  server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

  const host = ["0.0.0.0", "::", "[::]"].includes(prepared.hostname) ? "127.0.0.1" : prepared.hostname;
  const base = `http://${host.includes(":") ? `[${host}]` : host}:${prepared.port}`;
  await waitForServer(base, server);
  log(`dashboard ready at ${base}`);
  if (prepared.demo && prepared.isEmpty) {
    // The seeder is a child too; signals keep going to the server, which outlives it.
    const { NODE_ENV: _n, NODE_OPTIONS: _o, ...env } = prepared.env;
    const seeder = spawn(process.execPath, ["--import", tsxLoader, STEPS, "seed", base], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["inherit", "inherit", "inherit", "ignore"],
    });
    await new Promise((resolve) => seeder.on("exit", resolve));
  }
}

main().catch((e) => {
  console.error(`[delegraph] ${e.message}`);
  if (current && current.exitCode === null) current.kill("SIGTERM");
  process.exit(1);
});
