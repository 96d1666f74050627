import { copyFileSync, existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDatabase, type TDatabase } from "@/lib/db/connect";
import { startCheckpointer, type TCheckpointer } from "@/lib/db/checkpointer";
import { writeTransaction } from "@/lib/db/sqlite";

const dir = mkdtempSync(join(tmpdir(), "delegraph-checkpointer-"));
const file = join(dir, "c.db");
const ROW_BYTES = 3000;
const ROWS_PER_COMMIT = 20; // ~15 pages of WAL per commit
const COMMITS_PER_ROUND = 40;
const ROUNDS = 8;

describe("the WAL checkpoint when openDatabase names no mode (scripts, tests; the server names DELEGRAPH_SQLITE_CHECKPOINT's)", () => {
  it("is SQLite's automatic one every 4,000 pages on both connections, with no worker", async () => {
    const db = await openDatabase(`file:${join(dir, "default.db")}`);
    try {
      expect(db.checkpointer ?? null).toBeNull();
      expect(db.sqlite!.pragma("wal_autocheckpoint", { simple: true })).toBe(4000);
      const [row] = await db.prisma.$queryRawUnsafe<{ wal_autocheckpoint: number | bigint }[]>("PRAGMA wal_autocheckpoint");
      expect(Number(row.wal_autocheckpoint)).toBe(4000);
    } finally {
      await db.close();
    }
  });
});

describe("the WAL checkpointer (a file database, checkpoint: worker)", () => {
  let db: TDatabase;
  const conn = () => db.sqlite!;
  const commit = (round: number, k: number) =>
    writeTransaction(
      conn(),
      () => {
        const insert = conn().prepare(`INSERT INTO t (round, k, body) VALUES (?, ?, randomblob(${ROW_BYTES}))`);
        for (let i = 0; i < ROWS_PER_COMMIT; i++) insert.run(round, k);
      },
      60_000,
    );

  beforeAll(async () => {
    db = await openDatabase(`file:${file}`, { checkpoint: "worker" });
    conn().exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, round INTEGER NOT NULL, k INTEGER NOT NULL, body BLOB NOT NULL)`);
  });
  afterAll(async () => {
    await db.close();
  });

  it("leaves no automatic checkpoint on either of the process's connections", async () => {
    expect(conn().pragma("wal_autocheckpoint", { simple: true })).toBe(0);
    const [row] = await db.prisma.$queryRawUnsafe<{ wal_autocheckpoint: number | bigint }[]>("PRAGMA wal_autocheckpoint");
    expect(Number(row.wal_autocheckpoint)).toBe(0);
    expect(db.checkpointer?.running()).toBe(true);
  });

  it("checkpoints on its own after commits, off the main thread: the database file grows while only the WAL is written here", async () => {
    const before = statSync(file).size;
    for (let k = 0; k < COMMITS_PER_ROUND; k++) await commit(0, k);
    // Nothing on this connection copies pages into the database file (autocheckpoint is 0): only
    // the worker, nudged by the commits, can make it grow.
    await vi.waitFor(() => expect(statSync(file).size).toBeGreaterThan(before), { timeout: 20_000, interval: 50 });
  });

  it("keeps the WAL bounded over many commits: each checkpoint copies every frame and the next commit starts the WAL over", async () => {
    await db.checkpointer!.checkpointNow();
    const rowsPerRound = COMMITS_PER_ROUND * ROWS_PER_COMMIT;
    let frames = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      for (let k = 0; k < COMMITS_PER_ROUND; k++) await commit(round, k);
      const stats = await db.checkpointer!.checkpointNow();
      expect(stats.lastLog).toBeGreaterThan(0);
      expect(stats.lastCheckpointed).toBe(stats.lastLog);
      // The WAL holds at most this round's frames (a row of 3,000 bytes takes a page of its own),
      // not the rounds before it: the round's first commit started it over.
      expect(stats.lastLog).toBeLessThan(2 * rowsPerRound);
      frames += rowsPerRound;
    }
    // Together the rounds wrote four times the bound above.
    expect(frames).toBeGreaterThanOrEqual(4 * 2 * rowsPerRound);
    expect(conn().prepare(`SELECT count(*) FROM t`).pluck().get()).toBe((ROUNDS + 1) * rowsPerRound);
  });

  it("recovers every commit from the files as they stand, the checkpointed ones from the database file and the rest from the WAL", async () => {
    await db.checkpointer!.checkpointNow();
    for (let k = 0; k < 5; k++) await commit(100, k); // after the checkpoint: in the WAL only
    // A copy of the files while the process holds them open, as a crash would leave them.
    const copy = join(dir, "copy.db");
    copyFileSync(file, copy);
    copyFileSync(`${file}-wal`, `${copy}-wal`);
    const reopened = new Database(copy);
    try {
      expect(reopened.prepare(`SELECT count(*) FROM t`).pluck().get()).toBe((ROUNDS + 1) * COMMITS_PER_ROUND * ROWS_PER_COMMIT + 5 * ROWS_PER_COMMIT);
      expect(reopened.prepare(`SELECT count(*) FROM t WHERE round = 100`).pluck().get()).toBe(5 * ROWS_PER_COMMIT);
      expect(reopened.pragma("integrity_check", { simple: true })).toBe("ok");
    } finally {
      reopened.close();
    }
  });
});

describe("closing the database", () => {
  it("stops the worker after its connection, the file's last, checkpointed the WAL and removed it; the data reads back after reopening", async () => {
    const f = join(dir, "close.db");
    const db = await openDatabase(`file:${f}`, { checkpoint: "worker" });
    db.sqlite!.exec(`CREATE TABLE t (n INTEGER NOT NULL)`);
    for (let n = 0; n < 50; n++) await writeTransaction(db.sqlite!, () => db.sqlite!.prepare(`INSERT INTO t (n) VALUES (?)`).run(n), 60_000);
    const checkpointer = db.checkpointer!;
    await db.close();
    expect(checkpointer.running()).toBe(false);
    await expect(checkpointer.checkpointNow()).rejects.toThrow(/not running/);
    expect(existsSync(`${f}-wal`)).toBe(false);
    const reopened = new Database(f, { readonly: true });
    try {
      expect(reopened.prepare(`SELECT count(*) FROM t`).pluck().get()).toBe(50);
    } finally {
      reopened.close();
    }
  });
});

describe("a checkpointer that fails", () => {
  it("reports the failure once to its fallback, which turns the automatic checkpoint back on, and stops", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      let c: TCheckpointer | null = null;
      const failed = new Promise<Error>((resolve) => (c = startCheckpointer(join(dir, "missing", "no.db"), resolve)));
      expect((await failed).message).toMatch(/no such file|unable to open|directory does not exist/i);
      expect(c!.running()).toBe(false);
      expect(error).toHaveBeenCalledWith(expect.stringMatching(/automatic checkpoint is back on/));
    } finally {
      error.mockRestore();
    }
  });

  it("on a database, puts both connections back on SQLite's automatic checkpoint", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const f = join(dir, "fallback.db");
    const db = await openDatabase(`file:${f}`, { checkpoint: "worker" });
    try {
      // The worker's thread ends as a crash would end it.
      await db.checkpointer!.worker.terminate();
      await vi.waitFor(() => expect(db.checkpointer!.running()).toBe(false), { timeout: 10_000 });
      expect(db.sqlite!.pragma("wal_autocheckpoint", { simple: true })).toBe(4000);
      await vi.waitFor(
        async () => {
          const [row] = await db.prisma.$queryRawUnsafe<{ wal_autocheckpoint: number | bigint }[]>("PRAGMA wal_autocheckpoint");
          expect(Number(row.wal_autocheckpoint)).toBe(4000);
        },
        { timeout: 10_000 },
      );
      // Writes go on.
      db.sqlite!.exec(`CREATE TABLE t (n INTEGER NOT NULL)`);
      await writeTransaction(db.sqlite!, () => db.sqlite!.prepare(`INSERT INTO t (n) VALUES (1)`).run(), 60_000);
      expect(error).toHaveBeenCalledWith(expect.stringMatching(/exited/));
    } finally {
      await db.close();
      error.mockRestore();
    }
  });
});
