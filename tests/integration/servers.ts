// A test's own server, on a fresh database of the kind the suite runs on (SQLite, or PostgreSQL
// when TEST_DATABASE_URL names one), for tests that change server settings, restart it or break
// its database. `close()` stops it and drops a PostgreSQL database it made.
import { freshSqliteUrl, startServer, type TTestServer } from "../server";
import { dropDatabase, postgresTestUrl } from "../../scripts/postgres";

export const onPostgres = (process.env.TEST_DATABASE_URL ?? "").startsWith("postgres");

export async function freshDatabase(): Promise<string> {
  if (!onPostgres) return freshSqliteUrl();
  const pg = await postgresTestUrl();
  if (!pg) throw new Error("TEST_DATABASE_URL is PostgreSQL but no server is reachable");
  return pg.fresh();
}

export type TOwnServer = TTestServer & { close: () => Promise<void> };

export async function ownServer(options: { databaseUrl?: string; env?: Record<string, string> } = {}): Promise<TOwnServer> {
  const databaseUrl = options.databaseUrl ?? (await freshDatabase());
  const server = await startServer({ databaseUrl, env: options.env });
  const token = options.env?.DELEGRAPH_API_TOKEN ?? server.token;
  return {
    ...server,
    token,
    close: async () => {
      await server.stop();
      if (databaseUrl.startsWith("postgres") && !options.databaseUrl) await dropDatabase(databaseUrl).catch(() => undefined);
    },
  };
}

/** fetch against a server, with its bearer token unless `token: null`. */
export async function call(server: { url: string; token: string }, path: string, init: RequestInit & { token?: string | null; json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? server.token : init.token;
  if (token) headers.set("authorization", `Bearer ${token}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(init.json);
  }
  const res = await fetch(server.url + path, { ...init, headers, body, redirect: "manual" });
  const text = await res.text();
  let data: any = text;
  try {
    data = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, data, headers: res.headers };
}
