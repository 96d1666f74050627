import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

process.env.DATABASE_URL = "file:" + join(mkdtempSync(join(tmpdir(), "delegraph-sqlite-")), "t.db");
const { closeSqliteConnection, inWriteTransaction, sqliteConnection } = await import("@/lib/ingest/sqlite");

describe("inWriteTransaction", () => {
  beforeAll(() => sqliteConnection().exec(`CREATE TABLE t (n INTEGER NOT NULL)`));
  afterAll(() => closeSqliteConnection());

  it("runs concurrent batches one after another, each seeing the ones before, and rolls back only the one that throws", async () => {
    const db = sqliteConnection();
    const insert = (n: number) => () => {
      db.prepare(`INSERT INTO t (n) VALUES (?)`).run(n);
      return (db.prepare(`SELECT group_concat(n) AS s FROM t`).get() as { s: string }).s;
    };
    const failing = () => {
      db.prepare(`INSERT INTO t (n) VALUES (99)`).run();
      throw new Error("boom");
    };
    const results = await Promise.allSettled([inWriteTransaction(insert(1)), inWriteTransaction(failing), inWriteTransaction(insert(2))]);
    expect(results[0]).toEqual({ status: "fulfilled", value: "1" });
    expect(results[1]).toMatchObject({ status: "rejected", reason: new Error("boom") });
    expect(results[2]).toEqual({ status: "fulfilled", value: "1,2" });
    expect(db.inTransaction).toBe(false);
    expect(db.prepare(`SELECT n FROM t ORDER BY rowid`).pluck().all()).toEqual([1, 2]);
  });

  it("waits for a lock held by another connection instead of failing", async () => {
    const Database = (await import("better-sqlite3")).default;
    const other = new Database(process.env.DATABASE_URL!.slice("file:".length));
    other.exec("BEGIN IMMEDIATE");
    const pending = inWriteTransaction(() => sqliteConnection().prepare(`INSERT INTO t (n) VALUES (3)`).run().changes);
    await new Promise((r) => setTimeout(r, 50));
    other.exec("COMMIT");
    other.close();
    await expect(pending).resolves.toBe(1);
  });
});
