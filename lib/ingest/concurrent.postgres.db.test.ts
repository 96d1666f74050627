// Concurrent batches on PostgreSQL (a fresh database on DATABASE_URL_POSTGRES or 127.0.0.1:5432;
// skipped without a server): see concurrent-cases.ts.
import { afterAll, describe, expect, it } from "vitest";
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
  afterAll(async () => {
    await (await import("@/lib/db")).closeDatabase();
    await dropDatabase(url);
  });
} else {
  describe.skip("concurrent batches on PostgreSQL (no server)", () => {});
}
