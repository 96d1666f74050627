// Whether the database can answer right now. A request that fails because the database is down,
// locked or out of connections is the server's temporary condition, not a bug: it answers 503 with
// Retry-After (lib/http.ts), producers retry (lib/sdk/client.ts), and /api/health/ready says so.
import type { TDatabase } from "./connect";

/** Seconds a client is asked to wait before trying again. */
export const RETRY_AFTER_SECONDS = 5;

// Prisma's codes for an unreachable server, a timeout, a closed connection, an exhausted pool, a
// transaction that could not start or finish in time, and too many connections.
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028", "P2037"]);
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "ECONNABORTED",
]);
// PostgreSQL SQLSTATEs: class 08 (connection exception), shutting down / starting up, out of
// resources, and a deadlock the next try resolves.
const PG_STATES = /^(08...|57P0[1-3]|53[0-9]00|40P01)$/;
const SQLITE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|PROTOCOL|NOMEM)/;

function codesOf(error: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0 && out.length < 32) {
    const e = queue.shift();
    if (e === null || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    const r = e as { code?: unknown; originalCode?: unknown; kind?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
    for (const c of [r.code, r.originalCode, r.kind]) if (typeof c === "string") out.push(c);
    queue.push(r.cause, r.meta?.driverAdapterError);
  }
  return out;
}

/** The error says the database is unavailable (not that the request or the code is wrong). */
export function isUnavailableError(error: unknown): boolean {
  return codesOf(error).some(
    (c) =>
      PRISMA_CODES.has(c) ||
      SOCKET_CODES.has(c) ||
      PG_STATES.test(c) ||
      SQLITE_CODES.test(c) ||
      c === "DatabaseNotReachable" ||
      c === "ConnectionClosed" ||
      c === "SocketTimeout" ||
      c === "TooManyConnections",
  );
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error("timed out")), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Touches the database: a query on PostgreSQL; on SQLite a read and the write lock (taken and
 * released at once, waiting up to `timeoutMs` for another process that holds it). Never throws.
 */
export async function checkDatabase(db: TDatabase, timeoutMs = 2000): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    if (db.sqlite === null) {
      await withTimeout(db.prisma.$queryRawUnsafe("SELECT 1"), timeoutMs);
      return { ok: true };
    }
    const conn = db.sqlite;
    conn.prepare("SELECT 1").get();
    const started = Date.now();
    for (;;) {
      try {
        conn.exec("BEGIN IMMEDIATE");
        conn.exec("ROLLBACK");
        return { ok: true };
      } catch (e) {
        if (!SQLITE_CODES.test(String((e as { code?: unknown }).code)) || Date.now() - started > timeoutMs) throw e;
        await sleep(50);
      }
    }
  } catch (e) {
    return {
      ok: false,
      reason: isUnavailableError(e) || (e as Error).message === "timed out" ? "the database is not answering" : "the database check failed",
    };
  }
}
