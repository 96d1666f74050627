// The TypeScript steps of `npm start` (scripts/start.sh), each in a process that exits, so that
// nothing with a TypeScript loader or a Prisma client stays beside the server:
//   prepare — validate configuration, apply migrations, make first-start credentials and the server's
//             ledger signing key, sign the ledger head when it moved, build the app when the build is
//             missing or stale; then write the server's environment as shell assignments on file
//             descriptor 3 (start.sh sources them and execs the server).
//   seed    — wait for the server to answer, then seed the demo chains through it (start.sh runs
//             it only when the database had no events and DELEGRAPH_DEMO is on).
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

/** A value single-quoted for sh: nothing inside is expanded. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

async function waitForServer(base: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
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

/** The server's environment (and DELEGRAPH_SEED_BASE: where to seed the demo, or empty). */
async function prepare(): Promise<Record<string, string>> {
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
  // A heap limit given in NODE_OPTIONS wins over DELEGRAPH_SERVER_HEAP_MB. The young generation's
  // semi-spaces are held at 8 MB: V8 grows them to 16 MB each under the ingest's allocation rate and
  // keeps both committed for good (32 MB resident); at 8 the quick bench's peak fell by that 16 MB
  // (docs/benchmarks.md, "The server's memory at quick size"), for scavenges twice as often.
  const nodeOptions = process.env.NODE_OPTIONS ?? "";
  const heapOption = [
    /--max-old-space-size/.test(nodeOptions) ? "" : `--max-old-space-size=${config.DELEGRAPH_SERVER_HEAP_MB}`,
    /--max-semi-space-size/.test(nodeOptions) ? "" : "--max-semi-space-size=8",
  ]
    .filter(Boolean)
    .join(" ");
  const { stores } = await import("@/lib/db");
  const isEmpty = (await (await stores()).eventCount()) === 0;
  const host = ["0.0.0.0", "::", "[::]"].includes(config.HOSTNAME) ? "127.0.0.1" : config.HOSTNAME;
  const base = `http://${host.includes(":") ? `[${host}]` : host}:${config.PORT}`;
  return {
    DATABASE_URL: url,
    DELEGRAPH_LEDGER_KEY_FILE: ledgerKey,
    PORT: String(config.PORT),
    HOSTNAME: config.HOSTNAME,
    NODE_OPTIONS: `${nodeOptions} ${heapOption}`.trim(),
    DELEGRAPH_SEED_BASE: config.DELEGRAPH_DEMO && isEmpty ? base : "",
  };
}

async function main() {
  const step = process.argv[2];
  if (step === "prepare") {
    const env = await prepare();
    // File descriptor 3 is start.sh's file of assignments; stdout stays the log.
    writeSync(
      3,
      Object.entries(env)
        .map(([k, v]) => `export ${k}=${shellQuote(v)}\n`)
        .join(""),
    );
  } else if (step === "seed") {
    const base = process.argv[3];
    if (!base) throw new Error("seed: the server's base URL is missing");
    try {
      await waitForServer(base);
      log(`dashboard ready at ${base}`);
      await seedIfEmpty(base);
    } catch (e) {
      console.error(`[delegraph] seeding the demo chains failed: ${(e as Error).message}`);
    }
  } else {
    throw new Error(`unknown step ${step ?? "(none)"}: scripts/start-steps.ts prepare|seed (npm start runs scripts/start.sh)`);
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
