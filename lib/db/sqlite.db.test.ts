import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTransaction } from "@/lib/db/sqlite";

const file = join(mkdtempSync(join(tmpdir(), "delegraph-sqlite-")), "t.db");
const conn = new Database(file);
conn.pragma("journal_mode = WAL");
conn.pragma("busy_timeout = 0");
const write = <T>(f: () => T) => writeTransaction(conn, f, 60_000);

describe("writeTransaction", () => {
  beforeAll(() => conn.exec(`CREATE TABLE t (n INTEGER NOT NULL)`));
  afterAll(() => conn.close());

  it("runs concurrent batches one after another, each seeing the ones before, and rolls back only the one that throws", async () => {
    const insert = (n: number) => () => {
      conn.prepare(`INSERT INTO t (n) VALUES (?)`).run(n);
      return (conn.prepare(`SELECT group_concat(n) AS s FROM t`).get() as { s: string }).s;
    };
    const failing = () => {
      conn.prepare(`INSERT INTO t (n) VALUES (99)`).run();
      throw new Error("boom");
    };
    const results = await Promise.allSettled([write(insert(1)), write(failing), write(insert(2))]);
    expect(results[0]).toEqual({ status: "fulfilled", value: "1" });
    expect(results[1]).toMatchObject({ status: "rejected", reason: new Error("boom") });
    expect(results[2]).toEqual({ status: "fulfilled", value: "1,2" });
    expect(conn.inTransaction).toBe(false);
    expect(conn.prepare(`SELECT n FROM t ORDER BY rowid`).pluck().all()).toEqual([1, 2]);
  });

  it("waits for a lock held by another connection instead of failing", async () => {
    const other = new Database(file);
    other.exec("BEGIN IMMEDIATE");
    const pending = write(() => conn.prepare(`INSERT INTO t (n) VALUES (3)`).run().changes);
    await new Promise((r) => setTimeout(r, 50));
    other.exec("COMMIT");
    other.close();
    await expect(pending).resolves.toBe(1);
  });

  it("gives up with SQLITE_BUSY once the lock is held longer than the timeout", async () => {
    const other = new Database(file);
    other.exec("BEGIN IMMEDIATE");
    try {
      await expect(writeTransaction(conn, () => 1, 100)).rejects.toMatchObject({ code: "SQLITE_BUSY" });
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
  });
});
