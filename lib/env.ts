// Configuration, validated once with zod. A bad value stops the process with a message that names
// the variable and says what would be valid.
import { z } from "zod";
import { dirname, resolve } from "node:path";
import { DEFAULT_DATABASE_URL, databaseKind, sqliteFilePath } from "@/lib/db/url";
import { isAddressOrRange } from "@/lib/auth/client-address";

const ZFlag = z
  .enum(["0", "1", "true", "false", "yes", "no", "on", "off"], {
    error: "must be 1/0, true/false, yes/no or on/off",
  })
  .transform((v) => ["1", "true", "yes", "on"].includes(v));

export const ZEnv = z.object({
  DATABASE_URL: z
    .string()
    .default(DEFAULT_DATABASE_URL)
    .refine((u) => databaseKind(u) !== null, {
      message: "must start with file: (embedded SQLite) or postgresql:// / postgres:// (PostgreSQL)",
    }),
  PORT: z.coerce
    .number({ error: "must be a port number" })
    .int("must be a whole number")
    .min(1, "must be 1-65535")
    .max(65535, "must be 1-65535")
    .default(3000),
  HOSTNAME: z.string().min(1).default("127.0.0.1"),
  DELEGRAPH_API_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
    .optional(),
  DELEGRAPH_DEMO: ZFlag.default(true),
  // Observed chains (docs/observed.md): keep message contents (prompts, tool arguments and results)
  // instead of their SHA-256 digests. Off by default: privacy first.
  DELEGRAPH_KEEP_CONTENT: ZFlag.default(false),
  DELEGRAPH_ADMIN_EMAIL: z.email("must be an email address").optional(),
  DELEGRAPH_ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
  // The reverse proxies in front of the server, whose X-Forwarded-For is believed (lib/auth/client-address.ts).
  DELEGRAPH_TRUSTED_PROXIES: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((e) => e.trim())
        .filter(Boolean),
    )
    .refine((entries) => entries.every(isAddressOrRange), {
      message: "must be a comma-separated list of IP addresses or CIDR ranges (10.0.0.0/8, fd00::/8)",
    }),
  // How long a write waits for another process holding the SQLite write lock before the request
  // answers 503 (lib/db/sqlite.ts); Prisma's own statements wait at most 10 s of it.
  DELEGRAPH_SQLITE_BUSY_TIMEOUT_MS: z.coerce.number({ error: "must be a number of milliseconds" }).int().min(100).max(600_000).default(60_000),
  // Where SQLite's WAL is checkpointed: "worker" (the default; lib/db/checkpointer.ts: on a worker
  // thread, never inside a commit) or "commit" (SQLite's automatic checkpoint, inside the COMMIT
  // that crosses 4,000 pages, on the main thread: the soak's p99 went from 0.15–0.19 s to 5.4 s
  // with it; docs/benchmarks.md, "The worker checkpoint mode on the final code").
  DELEGRAPH_SQLITE_CHECKPOINT: z.enum(["commit", "worker"], { error: 'must be "commit" or "worker"' }).default("worker"),
  // Admission control (lib/ingest/admission.ts): the most events admitted to POST /api/v1/events and
  // not yet answered; a request that would exceed it answers 503 with Retry-After at once (one is
  // always admitted when nothing is queued). The default holds four producers' batches of 1,000 and
  // ~1.5 s of this machine's ingest: docs/benchmarks.md, "Admission control for the ingest".
  DELEGRAPH_INGEST_MAX_QUEUED_EVENTS: z.coerce
    .number({ error: "must be a number of events" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .default(4000),
  // PDF reports (lib/reports/pdf/pool.ts): the threads that render them off the main thread (0:
  // on the main thread, as before 2026-12-06), and the most reports in progress (read, waiting or
  // rendering) before another is refused with 503 and Retry-After (docs/operations.md, "PDF reports").
  DELEGRAPH_PDF_THREADS: z.coerce
    .number({ error: "must be a number of threads" })
    .int("must be a whole number")
    .min(0)
    .max(8, "must be at most 8")
    .default(1),
  DELEGRAPH_PDF_MAX_QUEUED: z.coerce
    .number({ error: "must be a number of reports" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .default(4),
  // What one sender (API token) may hold in the quarantine; past it, its oldest rejected
  // submissions are dropped and the drop is recorded in the self-audit (lib/ingest/quarantine.ts).
  DELEGRAPH_QUARANTINE_QUOTA_MB: z.coerce.number({ error: "must be a number of megabytes" }).positive().max(1024).default(64),
  DELEGRAPH_SESSION_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(12),
  // The server's V8 heap limit. Without one, Node on a large machine lets garbage pile up to
  // gigabytes before collecting; 256 MB keeps the server under 400 MB resident under the
  // benchmark's load and still reads a 27,500-event chain (47 MB of JSON) in one request.
  DELEGRAPH_SERVER_HEAP_MB: z.coerce
    .number({ error: "must be a number of megabytes" })
    .int("must be a whole number")
    .min(128, "must be at least 128")
    .default(256),
  // The server's Ed25519 signing key (lib/ledger/server-key.ts). Default: ledger-key.json next to
  // the SQLite database file, or ./data/ledger-key.json with PostgreSQL (see ledgerKeyFile).
  DELEGRAPH_LEDGER_KEY_FILE: z
    .string()
    .refine((p) => !/[/\\]$/.test(p), "must name a file, not a directory")
    .optional(),
  // A signed checkpoint of the ledger head after an ingest once the head moved this many events
  // past the last checkpoint, or the last one is this many seconds old (docs/operations.md).
  DELEGRAPH_CHECKPOINT_EVENTS: z.coerce
    .number({ error: "must be a number of events" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .default(1000),
  DELEGRAPH_CHECKPOINT_SECONDS: z.coerce
    .number({ error: "must be a number of seconds" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(7 * 24 * 3600, "must be at most a week (604800)")
    .default(300),
  // Behavioural drift (docs/least-privilege.md#behavioural-drift): each invoke compared at ingest
  // with its signer's own history under the same purpose. The window the baseline remembers; the
  // events it needs before judging anything (warm-up); the rate bucket; how many times the usual
  // rate a bucket must exceed, with at least how many events; and the share of the window's events
  // that may bring a new value of an aspect for a new value of it to count as a drift.
  DELEGRAPH_DRIFT_WINDOW_DAYS: z.coerce.number({ error: "must be a number of days" }).positive().max(366, "must be at most 366").default(30),
  DELEGRAPH_DRIFT_MIN_EVENTS: z.coerce.number({ error: "must be a number of events" }).int("must be a whole number").min(1).default(20),
  DELEGRAPH_DRIFT_BUCKET_SECONDS: z.coerce
    .number({ error: "must be a number of seconds" })
    .int("must be a whole number")
    .min(60, "must be at least 60")
    .max(7 * 24 * 3600, "must be at most a week (604800)")
    .default(3600),
  DELEGRAPH_DRIFT_RATE_FACTOR: z.coerce.number({ error: "must be a number" }).min(1, "must be at least 1").default(5),
  DELEGRAPH_DRIFT_MIN_RATE_EVENTS: z.coerce.number({ error: "must be a number of events" }).int("must be a whole number").min(1).default(10),
  DELEGRAPH_DRIFT_NOVELTY_SHARE: z.coerce.number({ error: "must be a share between 0 and 1" }).min(0).max(1).default(0.1),
  // Single sign-on through an OpenID Connect provider (lib/auth/oidc.ts, docs/operations.md): on
  // when the issuer, client id and secret are set. The role claim's values map to roles with
  // DELEGRAPH_OIDC_ROLES ("value=role,…"); a user none of whose values maps is refused.
  DELEGRAPH_OIDC_ISSUER: z.url({ protocol: /^https?$/, error: "must be the provider's issuer URL (https://…)" }).optional(),
  DELEGRAPH_OIDC_CLIENT_ID: z.string().min(1).optional(),
  DELEGRAPH_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  DELEGRAPH_OIDC_ROLE_CLAIM: z.string().min(1).default("delegraph_role"),
  DELEGRAPH_OIDC_ROLES: z
    .string()
    .default("admin=admin,investigator=investigator,viewer=viewer")
    .transform((v, ctx) => {
      const pairs: [string, "admin" | "investigator" | "viewer"][] = [];
      for (const entry of v
        .split(",")
        .map((e) => e.trim())
        .filter(Boolean)) {
        const at = entry.lastIndexOf("=");
        const value = entry.slice(0, at).trim();
        const role = entry.slice(at + 1).trim();
        if (at <= 0 || !value || (role !== "admin" && role !== "investigator" && role !== "viewer")) {
          ctx.addIssue({ code: "custom", message: `"${entry}" is not value=role with a role of admin, investigator or viewer` });
          return z.NEVER;
        }
        pairs.push([value, role]);
      }
      return pairs;
    }),
  DELEGRAPH_OIDC_NAME: z.string().trim().min(1).max(60).default("single sign-on"),
  // The address browsers reach this server at, for the redirect URI registered with the provider
  // (<DELEGRAPH_PUBLIC_URL>/api/auth/oidc/callback). Default: the origin the request came to.
  DELEGRAPH_PUBLIC_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  DELEGRAPH_PASSWORD_SIGN_IN: ZFlag.default(true),
  // Outgoing webhooks (docs/review.md#webhooks). Private, loopback and plain-http receivers only
  // with this flag (tests, single-host installs), so the server cannot be aimed at its own network.
  DELEGRAPH_WEBHOOK_ALLOW_PRIVATE: ZFlag.default(false),
  // The first retry's wait; each later one doubles (with jitter) up to an hour.
  DELEGRAPH_WEBHOOK_RETRY_BASE_MS: z.coerce.number({ error: "must be a number of milliseconds" }).int().min(50).max(3_600_000).default(10_000),
  // How long a delivery stays queued for a receiver that does not answer 2xx before it expires.
  DELEGRAPH_WEBHOOK_EXPIRE_HOURS: z.coerce
    .number({ error: "must be a number of hours" })
    .positive()
    .max(24 * 30)
    .default(72),
});
export type TEnv = z.infer<typeof ZEnv>;

/** Parses an environment; throws an Error whose message lists every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): TEnv {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = ZEnv.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const data = result.data;
  const oidc = [data.DELEGRAPH_OIDC_ISSUER, data.DELEGRAPH_OIDC_CLIENT_ID, data.DELEGRAPH_OIDC_CLIENT_SECRET];
  if (oidc.some(Boolean) && !oidc.every(Boolean)) {
    throw new Error(
      "Invalid configuration:\n  DELEGRAPH_OIDC_ISSUER, DELEGRAPH_OIDC_CLIENT_ID and DELEGRAPH_OIDC_CLIENT_SECRET: set all three, or none",
    );
  }
  if (!data.DELEGRAPH_PASSWORD_SIGN_IN && !data.DELEGRAPH_OIDC_ISSUER) {
    throw new Error(
      "Invalid configuration:\n  DELEGRAPH_PASSWORD_SIGN_IN: password sign-in can be turned off only with single sign-on configured (DELEGRAPH_OIDC_ISSUER)",
    );
  }
  return data;
}

let cached: TEnv | undefined;
export function env(): TEnv {
  cached ??= parseEnv(process.env);
  return cached;
}

/**
 * The server key file's absolute path: DELEGRAPH_LEDGER_KEY_FILE against the working directory, else
 * ledger-key.json beside the SQLite database, else ./data/ledger-key.json (PostgreSQL). Outside the
 * database on purpose: whoever can write the database must not also hold the key that signs it.
 */
export function ledgerKeyFile(config: Pick<TEnv, "DATABASE_URL" | "DELEGRAPH_LEDGER_KEY_FILE">): string {
  if (config.DELEGRAPH_LEDGER_KEY_FILE) return resolve(/*turbopackIgnore: true*/ process.cwd(), config.DELEGRAPH_LEDGER_KEY_FILE);
  if (databaseKind(config.DATABASE_URL) === "sqlite") return resolve(dirname(sqliteFilePath(config.DATABASE_URL)), "ledger-key.json");
  return resolve(/*turbopackIgnore: true*/ process.cwd(), "data", "ledger-key.json");
}
