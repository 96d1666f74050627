// The TypeScript steps of `npm start`, run by scripts/start.mjs as short-lived children so that the
// process that stays beside the server is plain JavaScript (no TypeScript loader, no Prisma client:
// ~40 MB instead of ~190 MB):
//   prepare — validate configuration, apply migrations, make first-start credentials and the server's
//             ledger signing key, sign the ledger head when it moved, build the app when the build is
//             missing or stale; then hand the supervisor what it needs to serve (on file descriptor 3).
//   seed    — seed the demo chains through the running server (only when the database was empty).
import { writeSync } from "node:fs";
import { ledgerKeyFile, parseEnv, type TEnv } from "@/lib/env";
import { databaseKind, sqliteFileUrl } from "@/lib/db/url";
import { migrate } from "./migrate";
import { ensureBuild } from "./build";

function log(message: string) {
  console.log(`[delegraph] ${message}`);
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

/** What the supervisor needs to start the server and to decide whether to seed. */
export type TPrepared = {
  env: Record<string, string>;
  port: number;
  hostname: string;
  demo: boolean;
  /** no events stored: the demo is seeded once the server answers (when `demo`) */
  isEmpty: boolean;
};

async function prepare(): Promise<TPrepared> {
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
  const ledgerKey = ledgerKeyFile({ ...config, DATABASE_URL: url });
  process.env.DELEGRAPH_LEDGER_KEY_FILE = ledgerKey;
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
  const { stores } = await import("@/lib/db");
  const isEmpty = (await (await stores()).eventCount()) === 0;
  return {
    env: {
      NODE_ENV: "production",
      DATABASE_URL: url,
      DELEGRAPH_LEDGER_KEY_FILE: ledgerKey,
      PORT: String(config.PORT),
      HOSTNAME: config.HOSTNAME,
      NODE_OPTIONS: `${nodeOptions} ${heapOption}`.trim(),
    },
    port: config.PORT,
    hostname: config.HOSTNAME,
    demo: config.DELEGRAPH_DEMO,
    isEmpty,
  };
}

async function main() {
  const step = process.argv[2];
  if (step === "prepare") {
    const prepared = await prepare();
    // File descriptor 3 is the supervisor's pipe (scripts/start.mjs); stdout stays the log.
    writeSync(3, JSON.stringify(prepared));
  } else if (step === "seed") {
    const base = process.argv[3];
    if (!base) throw new Error("seed: the server's base URL is missing");
    try {
      await seedIfEmpty(base);
    } catch (e) {
      console.error(`[delegraph] seeding the demo chains failed: ${(e as Error).message}`);
    }
  } else {
    throw new Error(`unknown step ${step ?? "(none)"}: scripts/start-steps.ts prepare|seed (npm start runs scripts/start.mjs)`);
  }
  const { closeDatabase } = await import("@/lib/db");
  await closeDatabase();
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`[delegraph] ${(e as Error).message}`);
    process.exit(1);
  },
);
