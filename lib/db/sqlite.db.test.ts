import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "@/lib/db/connect";
import { commitsMade, connectionSync, GROUP_MAX_TRANSACTIONS, groupSync, OPTIMIZE_EVERY_COMMITS, writeTransaction } from "@/lib/db/sqlite";

const file = join(mkdtempSync(join(tmpdir(), "delegraph-sqlite-")), "t.db");
const conn = new Database(file);
conn.pragma("journal_mode = WAL");
conn.pragma("synchronous = NORMAL");
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

  it("resolves after a sync of the WAL that the batches committed meanwhile share", async () => {
    const before = connectionSync(conn)!.syncs();
    // The first commits and starts a sync; the next two commit while it runs and share the next.
    const results = await Promise.all([1, 2, 3].map((n) => write(() => conn.prepare(`INSERT INTO t (n) VALUES (?)`).run(10 + n).changes)));
    expect(results).toEqual([1, 1, 1]);
    expect(connectionSync(conn)!.syncs() - before).toBe(2);
    conn.prepare(`DELETE FROM t WHERE n > 10`).run();
  });

  it("commits the transactions that arrive during a sync together, one COMMIT and one sync, each rolled back alone if it throws", async () => {
    const commits = commitsMade(conn);
    const syncs = connectionSync(conn)!.syncs();
    const insert = (n: number) => () => conn.prepare(`INSERT INTO t (n) VALUES (?)`).run(n).changes;
    // The first begins and commits at once; the others arrive while its sync runs and wait for it.
    const first = write(insert(21));
    const rest = [
      write(insert(22)),
      write(() => {
        insert(98)();
        throw new Error("refused");
      }),
      write(insert(23)),
      write(() => (conn.prepare(`SELECT group_concat(n) AS s FROM t WHERE n > 20`).get() as { s: string }).s),
    ];
    const results = await Promise.allSettled([first, ...rest]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled"]);
    expect(results[4]).toEqual({ status: "fulfilled", value: "21,22,23" });
    expect(commitsMade(conn) - commits).toBe(2);
    expect(connectionSync(conn)!.syncs() - syncs).toBe(2);
    expect(conn.prepare(`SELECT n FROM t WHERE n > 20 ORDER BY rowid`).pluck().all()).toEqual([21, 22, 23]);
    expect(conn.inTransaction).toBe(false);
    conn.prepare(`DELETE FROM t WHERE n > 20`).run();
  });

  it(`takes at most ${GROUP_MAX_TRANSACTIONS} transactions into one COMMIT, and stores every one`, async () => {
    const commits = commitsMade(conn);
    const n = GROUP_MAX_TRANSACTIONS + 9;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => write(() => conn.prepare(`INSERT INTO t (n) VALUES (?)`).run(1000 + i).changes)),
    );
    expect(results).toEqual(Array.from({ length: n }, () => 1));
    const made = commitsMade(conn) - commits;
    // 1 at once, then the rest in groups of at most GROUP_MAX_TRANSACTIONS (more if a group's time ran out)
    expect(made).toBeGreaterThanOrEqual(3);
    expect(made).toBeLessThan(n);
    expect(conn.prepare(`SELECT count(*) FROM t WHERE n >= 1000`).pluck().get()).toBe(n);
    conn.prepare(`DELETE FROM t WHERE n >= 1000`).run();
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

  it("re-analyses a table that grew 25-fold even when the planner only ever scanned it, so its key lookups stop scanning", async () => {
    // As the smoke soak met it: statistics taken on a young store ("36 rows"), a table that grows
    // by thousands, and a lookup of a few keys that the stale statistics plan as a scan. A plain
    // `PRAGMA optimize` never looked at such a table again.
    const own = new Database(join(mkdtempSync(join(tmpdir(), "delegraph-sqlite-")), "stats.db"));
    own.pragma("journal_mode = WAL");
    own.pragma("busy_timeout = 0");
    own.pragma("analysis_limit = 400");
    try {
      own.exec(`CREATE TABLE c (id TEXT PRIMARY KEY, version INTEGER NOT NULL)`);
      const insert = own.prepare(`INSERT INTO c (id, version) VALUES (?, 1)`);
      for (let i = 0; i < 36; i++) insert.run(`c${i}`);
      own.pragma("optimize = 0x10002");
      own.transaction(() => {
        for (let i = 36; i < 5000; i++) insert.run(`c${i}`);
      })();
      const lookup = `SELECT id, version FROM c WHERE id IN (SELECT value FROM json_each(?))`;
      const plan = () => (own.prepare(`EXPLAIN QUERY PLAN ${lookup}`).all("[]") as { detail: string }[]).map((r) => r.detail).join("; ");
      const rows = () => own.prepare(`SELECT stat FROM sqlite_stat1 WHERE tbl = 'c'`).pluck().get();
      expect(rows()).toBe("36 1");
      expect(plan()).toMatch(/^SCAN c\b/);
      const keys = JSON.stringify(["c7", "c4999"]);
      for (let i = 0; i < OPTIMIZE_EVERY_COMMITS; i++) {
        await writeTransaction(own, () => own.prepare(lookup).all(keys), 60_000);
      }
      expect(rows()).toBe("5000 1");
      expect(plan()).toMatch(/^SEARCH c USING INDEX sqlite_autoindex_c_1 \(id=\?\)/);
      expect((own.prepare(lookup).all(keys) as { id: string }[]).map((r) => r.id).sort()).toEqual(["c4999", "c7"]);
    } finally {
      own.close();
    }
  });
});

describe("statistics across connections", () => {
  it("makes Prisma's connection, opened on a young store, plan with what the direct connection re-analysed", async () => {
    // As the soak's store met it: Prisma's connection loaded the statistics of the store the server
    // opened (an indexed column all NULL, so the index looked useless), and a lookup by that column
    // scanned the whole table in seq order for good, whatever ANALYZE wrote later elsewhere.
    const path = join(mkdtempSync(join(tmpdir(), "delegraph-sqlite-")), "young.db");
    const seed = new Database(path);
    seed.pragma("journal_mode = WAL");
    seed.exec(`CREATE TABLE e (seq INTEGER PRIMARY KEY, trace TEXT, claims TEXT); CREATE INDEX e_trace ON e (trace)`);
    const insert = seed.prepare(`INSERT INTO e (trace) VALUES (?)`);
    seed.transaction(() => {
      for (let i = 0; i < 500; i++) insert.run(null);
    })();
    seed.close();
    const db = await openDatabase(`file:${path}`);
    try {
      const conn = db.sqlite!;
      const query = `SELECT seq, claims FROM e WHERE trace IN ('t7', 't19999') ORDER BY seq`;
      const viaPrisma = () => db.prisma.$queryRawUnsafe<{ seq: number | bigint }[]>(query);
      const prismaPlan = async () =>
        (await db.prisma.$queryRawUnsafe<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${query}`)).map((r) => r.detail).join("; ");
      await viaPrisma();
      expect(await prismaPlan()).toMatch(/^SCAN e\b/);
      await writeTransaction(
        conn,
        () => {
          const grow = conn.prepare(`INSERT INTO e (trace) VALUES (?)`);
          for (let i = 0; i < 20_000; i++) grow.run(`t${i}`);
        },
        60_000,
      );
      for (let i = 1; i < OPTIMIZE_EVERY_COMMITS; i++) await writeTransaction(conn, () => 0, 60_000);
      expect(conn.prepare(`SELECT stat FROM sqlite_stat1 WHERE idx = 'e_trace'`).pluck().get()).toMatch(/^20500 /);
      // Its next statement reads the changed schema, and the statistics with it.
      expect((await viaPrisma()).map((r) => Number(r.seq))).toEqual([508, 20500]);
      expect(await prismaPlan()).toMatch(/^SEARCH e USING INDEX e_trace \(trace=\?\)/);
      expect(conn.prepare(`SELECT name FROM sqlite_schema WHERE name LIKE '%reload%'`).all()).toEqual([]);
    } finally {
      await db.close();
    }
  });
});

describe("groupSync", () => {
  type TCall = { path: string; done: () => void; fail: (e: unknown) => void };
  const controlled = () => {
    const calls: TCall[] = [];
    const datasync = (path: string) =>
      new Promise<void>((resolve, reject) => {
        calls.push({ path, done: resolve, fail: reject });
      });
    return { calls, datasync };
  };
  const settled = async (p: Promise<unknown>) => {
    let state = "pending";
    p.then(
      () => (state = "fulfilled"),
      () => (state = "rejected"),
    );
    for (let i = 0; i < 10; i++) await Promise.resolve();
    return state;
  };

  it("gives the callers that ask while a sync runs one later sync, which starts when it ends", async () => {
    const { calls, datasync } = controlled();
    const g = groupSync("/db/x.db", datasync);
    const first = g.sync();
    const second = g.sync();
    const third = g.sync();
    expect(second).toBe(third);
    expect(calls.map((c) => c.path)).toEqual(["/db/x.db-wal"]);
    calls[0].done();
    await first;
    // The first sync may have begun before the second caller's commit: it does not answer for it.
    await settled(second);
    expect(calls).toHaveLength(2);
    expect(await settled(second)).toBe("pending");
    calls[1].done();
    await expect(second).resolves.toBeUndefined();
    expect(g.syncs()).toBe(2);
    const fourth = g.sync();
    expect(calls).toHaveLength(3);
    calls[2].done();
    await fourth;
  });

  it("syncs the database file when there is no WAL", async () => {
    const synced: string[] = [];
    const g = groupSync("/db/x.db", async (path) => {
      synced.push(path);
      if (path.endsWith("-wal")) throw Object.assign(new Error("no such file"), { code: "ENOENT" });
    });
    await g.sync();
    expect(synced).toEqual(["/db/x.db-wal", "/db/x.db"]);
  });

  it("fails every sync after one that failed, the waiting ones included, without trying again", async () => {
    const { calls, datasync } = controlled();
    const g = groupSync("/db/x.db", datasync);
    const first = g.sync();
    const waiting = g.sync();
    const eio = Object.assign(new Error("I/O error"), { code: "EIO" });
    calls[0].fail(eio);
    await expect(first).rejects.toBe(eio);
    await expect(waiting).rejects.toBe(eio);
    await expect(g.sync()).rejects.toBe(eio);
    expect(calls).toHaveLength(1);
    expect(g.failure()).toBe(eio);
  });
});
