// Concurrent batches on PostgreSQL (a fresh database on DATABASE_URL_POSTGRES or 127.0.0.1:5432;
// skipped without a server): see concurrent-cases.ts.
import { afterAll, describe, expect, it } from "vitest";
import type { Pool, PoolClient, QueryResult } from "pg";
import { dropDatabase, postgresTestUrl } from "@/scripts/postgres";
import { defineConcurrentTests } from "./concurrent-cases";

const pg = await postgresTestUrl();
const url = pg ? await pg.fresh() : null;
if (url) {
  process.env.DATABASE_URL = url;
  (await import("@/scripts/migrate")).migrate(url);
  defineConcurrentTests("PostgreSQL");
  describe("a write statement that fails inside the pipelined locked scope", () => {
    it("is not acknowledged, leaves nothing behind, and the connection serves the next batch", async () => {
      const { ingestBatch } = await import("@/lib/ingest/ingest");
      const { registerActor } = await import("@/lib/reports/test-fixtures");
      const { signToken } = await import("@/lib/protocol/test-helpers");
      const pool = (await (await import("@/lib/db")).database()).pg!;
      const human = await registerActor("user:fail@bank.example", "human");
      const t = Math.floor(Date.now() / 1000);
      const root = (jti: string) =>
        signToken(human.key, {
          v: 1,
          kind: "authorize",
          jti,
          chain: jti,
          iss: human.id,
          aud: human.id,
          iat: t - 60,
          exp: t + 3600,
          scope: ["x/*:read"],
          purpose: { code: "x", text: "x" },
        });
      const head = async () => (await pool.query(`SELECT "seq", "hash" FROM "LedgerHead" WHERE "id" = 1`)).rows[0];
      const before = await head();
      // The head's update is one of the write's middle statements: those after it are already on the wire.
      await pool.query(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`);
      await pool.query(`CREATE TRIGGER refuse BEFORE UPDATE ON "LedgerHead" FOR EACH ROW EXECUTE FUNCTION refuse()`);
      await expect(ingestBatch([root("fail-1"), root("fail-2")])).rejects.toThrow("refused by the test");
      await pool.query(`DROP TRIGGER refuse ON "LedgerHead"`);
      expect((await pool.query(`SELECT count(*)::int AS n FROM "Event" WHERE "jti" LIKE 'fail-%'`)).rows[0].n).toBe(0);
      expect((await pool.query(`SELECT count(*)::int AS n FROM "Chain" WHERE "id" LIKE 'fail-%'`)).rows[0].n).toBe(0);
      expect(await head()).toEqual(before);
      // Every pooled connection, the one that failed included, still answers one query at a time.
      const again = await Promise.all([0, 1, 2, 3].map((i) => ingestBatch([root(`fail-${i + 1}`)])));
      expect(again.flat().map((r) => r.status)).toEqual(["accepted", "accepted", "accepted", "accepted"]);
      expect((await head()).seq).toBe(before.seq + 4);
    });
  });
  describe("the commit and its flush", () => {
    it("commits without the WAL flush under the lock, and answers only once a flush behind the commit has reached the disk", async () => {
      const { database } = await import("@/lib/db");
      const { ingestSteps } = await import("@/lib/ingest/steps");
      const { postgresIngestLock, postgresIngestStore, runPhasedAsync } = await import("@/lib/db/stores/ingest");
      const db = await database();
      const log: string[] = [];
      // The lock's own connection, every query and its answer recorded (a view of the pooled client, which is left as it was).
      const recorded = (client: PoolClient) =>
        new Proxy(client, {
          get(target, key) {
            if (key !== "query") return Reflect.get(target, key, target) as unknown;
            return (config: string | { text: string }, ...rest: unknown[]) => {
              const text = typeof config === "string" ? config : config.text;
              log.push(`sent ${text}`);
              const answer = (target.query as (...a: unknown[]) => Promise<QueryResult>)(config, ...rest);
              answer.then(
                // BEGIN's several statements answer with a list of results.
                (r) => log.push(`answered ${text} ${JSON.stringify((Array.isArray(r) ? null : r.rows[0]) ?? null)}`),
                () => log.push(`failed ${text}`),
              );
              return answer;
            };
          },
        });
      const pool = db.pg!;
      // `mayFlush`: what the lock's one question about the flush's function is answered (null: the server's own answer).
      const ingestRecorded = async (source: string, mayFlush: boolean | null) => {
        log.length = 0;
        const query = mayFlush === null ? pool.query.bind(pool) : async () => ({ rows: [{ may: mayFlush }] });
        const lock = postgresIngestLock({ ...db, pg: { connect: async () => recorded(await pool.connect()), query } as unknown as Pool });
        // One refused entry: the batch writes its quarantine row and commits.
        const candidates = [
          { index: 0, kind: "rejected" as const, rawEntry: "garbage", jti: null, code: "malformed" as const, message: "not a token" },
        ];
        const results = await runPhasedAsync(ingestSteps(candidates, new Date(), source), postgresIngestStore(pool), lock);
        log.push("acknowledged");
        expect(results.map((r) => r.status)).toEqual(["rejected"]);
        const stored = await pool.query(`SELECT "code" FROM "Quarantine" WHERE "source" = $1`, [source]);
        expect(stored.rows).toEqual([{ code: "malformed" }]);
      };
      await ingestRecorded("token:flush-test", null);

      expect(log[0]).toMatch(/^sent BEGIN .*SET LOCAL synchronous_commit = off$/);
      const at = (prefix: string) => log.findIndex((l) => l.startsWith(prefix));
      const flush = "SELECT pg_logical_emit_message(true, 'delegraph.ingest', '')";
      // The flush goes out right behind the COMMIT, before either is answered; the COMMIT is answered
      // first; the batch is acknowledged after the flush.
      expect(at(`sent ${flush}`)).toBe(at("sent COMMIT") + 1);
      expect(at("answered COMMIT")).toBeGreaterThan(at(`sent ${flush}`));
      expect(at(`answered ${flush}`)).toBeGreaterThan(at("answered COMMIT"));
      expect(log.at(-1)).toBe("acknowledged");
      expect(log.at(-2)).toMatch(/^answered SELECT pg_logical_emit_message/);
      // The flush's WAL record comes after the batch's commit, and by the acknowledgement the WAL is on disk past it.
      const lsn = (JSON.parse(log.at(-2)!.slice(`answered ${flush} `.length)) as { pg_logical_emit_message: string }).pg_logical_emit_message;
      const { rows } = await pool.query<{ flushed: boolean }>(`SELECT pg_current_wal_flush_lsn() > $1::pg_lsn AS "flushed"`, [lsn]);
      expect(rows[0].flushed).toBe(true);

      // A role that may not call the function (an administrator revoked it): the COMMIT waits for the disk itself, as before.
      await ingestRecorded("token:no-flush-test", false);
      expect(log[0]).toBe("sent BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL statement_timeout = 120000");
      expect(log.filter((l) => l.includes("pg_logical_emit_message"))).toEqual([]);
      expect(log.at(-2)).toBe("answered COMMIT null");
      expect(log.at(-1)).toBe("acknowledged");
    });
  });
  afterAll(async () => {
    await (await import("@/lib/db")).closeDatabase();
    await dropDatabase(url);
  });
} else {
  describe.skip("concurrent batches on PostgreSQL (no server)", () => {});
}
