// Starts the real server the way `npm start` does, on its own port and database, for tests and
// benchmarks. The Next build must exist (scripts/test.ts builds it once).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";

export const TEST_ADMIN = { email: "admin@delegraph.test", password: "correct horse battery staple" };

export type TTestServer = { url: string; token: string; databaseUrl: string; stop: () => Promise<void>; child: ChildProcess; output: () => string };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export function freshSqliteUrl(): string {
  return "file:" + join(mkdtempSync(join(tmpdir(), "delegraph-")), "test.db");
}

/**
 * Where a test server on PostgreSQL keeps its ledger key: one file per database, outside the
 * repository, so a restart on the same database finds the same key (as production would) and test
 * runs do not leave keys in ./data. On SQLite the default (beside the database file) already is.
 */
export function testLedgerKeyFile(databaseUrl: string): string | undefined {
  if (databaseUrl.startsWith("file:")) return undefined;
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1)) || "postgres";
  return join(tmpdir(), "delegraph-test-ledger-keys", `${name.replace(/[^A-Za-z0-9_.-]/g, "_")}.json`);
}

export async function startServer(options: { databaseUrl?: string; env?: Record<string, string>; port?: number } = {}): Promise<TTestServer> {
  const port = options.port ?? (await freePort());
  const databaseUrl = options.databaseUrl ?? freshSqliteUrl();
  const keyFile = testLedgerKeyFile(databaseUrl);
  const token = "test-admin-token-" + Math.random().toString(36).slice(2);
  const child = spawn("sh", ["scripts/start.sh"], {
    cwd: join(import.meta.dirname, ".."),
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      DELEGRAPH_API_TOKEN: token,
      DELEGRAPH_DEMO: "0",
      DELEGRAPH_SKIP_BUILD: "1",
      DELEGRAPH_ADMIN_EMAIL: TEST_ADMIN.email,
      DELEGRAPH_ADMIN_PASSWORD: TEST_ADMIN.password,
      ...(keyFile ? { DELEGRAPH_LEDGER_KEY_FILE: keyFile } : {}),
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited during start:\n${output}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // already gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  };
  return { url, token, databaseUrl, stop, child, output: () => output };
}
