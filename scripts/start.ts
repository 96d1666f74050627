// `npm start`: validate configuration, apply migrations, make first-start credentials and the
// server's ledger signing key, sign the ledger head when it moved, build the app when the build is
// missing or stale, serve it, and seed the demo chains on an empty database.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ledgerKeyFile, parseEnv, type TEnv } from "@/lib/env";
import { databaseKind, sqliteFileUrl } from "@/lib/db/url";
import { migrate } from "./migrate";
import { ensureBuild } from "./build";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
function log(message: string) {
  console.log(`[delegraph] ${message}`);
}

async function waitForServer(base: string, child: ReturnType<typeof spawn>): Promise<void> {
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

async function seedIfEmpty(base: string): Promise<void> {
  const { stores } = await import("@/lib/db");
  if ((await (await stores()).eventCount()) > 0) return;
  const { claimDemoSeeding } = await import("@/lib/auth/bootstrap");
  const { DelegraphClient } = await import("@delegraph/sdk");
  const { seedDemo } = await import("@/lib/sdk/demo");
  // The demo goes through the same authenticated ingest route as any producer, with a one-off
  // admin token that only one instance can claim and that is revoked as soon as the demo is in.
  const seeder = await claimDemoSeeding();
  if (!seeder) return;
  try {
    const client = new DelegraphClient({ baseUrl: base, token: seeder.token });
    const summary = await seedDemo(client);
    log(`seeded ${summary.chains.length} demo chains (DELEGRAPH_DEMO=0 turns this off)`);
    const { seedAipDemo } = await import("@/lib/sdk/demo-aip");
    const aip = await seedAipDemo(client, Math.floor(Date.now() / 1000));
    log(aip.skipped ? `AIP demo skipped: ${aip.skipped}` : `seeded ${aip.stories.length} AIP demo chains`);
  } finally {
    const { revokeToken } = await import("@/lib/auth/admin");
    await revokeToken(seeder.id);
  }
}

/** The server's signing key (made on first start) and a checkpoint of the head if it moved since the last. */
async function prepareLedgerSigning(): Promise<void> {
  const { isKeyFileExposed, loadServerKey } = await import("@/lib/ledger/server-key");
  const { checkpointHead } = await import("@/lib/ledger/checkpoints");
  const { key, created } = await loadServerKey();
  if (created) log(`created the server's ledger signing key in ${key.path}: back this file up (docs/operations.md)`);
  else log(`ledger signing key: ${key.path}`);
  log(`ledger key thumbprint: ${key.kid} (printed on every PDF report; GET /api/v1/ledger/key; pin it with delegraph verify --key)`);
  if (isKeyFileExposed(key.path)) log(`warning: ${key.path} can be read by other users; chmod 600 it`);
  try {
    const checkpoint = await checkpointHead();
    if (checkpoint) log(`signed a ledger checkpoint at seq ${checkpoint.seq}`);
  } catch (e) {
    console.error(`[delegraph] signing a ledger checkpoint failed: ${(e as Error).message}`);
  }
}

async function main() {
  let config: TEnv;
  try {
    config = parseEnv(process.env);
  } catch (e) {
    console.error(`[delegraph] ${(e as Error).message}`);
    process.exit(1);
  }
  // Resolve a relative SQLite path once, against the directory npm start runs in, so the
  // migrator, the server and the seeder all open the same file.
  const url = databaseKind(config.DATABASE_URL) === "sqlite" ? sqliteFileUrl(config.DATABASE_URL) : config.DATABASE_URL;
  process.env.DATABASE_URL = url;
  // Resolved here for the same reason: the server runs in the repository, npm start maybe elsewhere.
  process.env.DELEGRAPH_LEDGER_KEY_FILE = ledgerKeyFile({ ...config, DATABASE_URL: url });
  log(`database: ${databaseKind(url) === "sqlite" ? url : url.replace(/\/\/[^@]*@/, "//…@")}`);
  migrate(url);
  log("migrations applied");

  const { ensureBootstrapAdmin, ensureBootstrapToken } = await import("@/lib/auth/bootstrap");
  const token = await ensureBootstrapToken(config);
  if (token) {
    log("generated the bootstrap admin API token; it is shown ONCE, store it now:");
    console.log(`\n    DELEGRAPH_API_TOKEN=${token}\n`);
  }
  const admin = await ensureBootstrapAdmin(config);
  if (admin) {
    log("created the first admin user; the password is shown ONCE:");
    console.log(`\n    email: ${admin.email}\n    password: ${admin.password}\n`);
  }

  await prepareLedgerSigning();

  if (!process.env.DELEGRAPH_SKIP_BUILD) ensureBuild();
  // A heap limit given in NODE_OPTIONS wins over DELEGRAPH_SERVER_HEAP_MB.
  const nodeOptions = process.env.NODE_OPTIONS ?? "";
  const heapOption = /--max-old-space-size/.test(nodeOptions) ? "" : `--max-old-space-size=${config.DELEGRAPH_SERVER_HEAP_MB}`;
  // scripts/server.mjs: Next's handler behind the layer that records the socket's address.
  const child = spawn(process.execPath, [join(root, "scripts/server.mjs")], {
    cwd: root,
    stdio: "inherit",
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: url,
      PORT: String(config.PORT),
      HOSTNAME: config.HOSTNAME,
      NODE_OPTIONS: `${nodeOptions} ${heapOption}`.trim(),
    },
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

  const host = ["0.0.0.0", "::", "[::]"].includes(config.HOSTNAME) ? "127.0.0.1" : config.HOSTNAME;
  const base = `http://${host.includes(":") ? `[${host}]` : host}:${config.PORT}`;
  await waitForServer(base, child);
  log(`dashboard ready at ${base}`);
  if (config.DELEGRAPH_DEMO) {
    try {
      await seedIfEmpty(base);
    } catch (e) {
      console.error(`[delegraph] seeding the demo chains failed: ${(e as Error).message}`);
    }
  }
}

main().catch((e) => {
  console.error(`[delegraph] ${(e as Error).message}`);
  process.exit(1);
});
