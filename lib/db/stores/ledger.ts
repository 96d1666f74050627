// The ledger's signatures: the server's public keys (their private halves live in a file, never
// here) and the signed checkpoints of the ledger head.
import type { TDatabase } from "../connect";
import { fromSqliteDate, statement, toSqliteDate, writeTransaction } from "../sqlite";

export type TCheckpointRecord = { seq: number; hash: string; at: Date; kid: string; signature: string };
export type TLedgerKeyRecord = { kid: string; jwk: string; firstSeenAt: Date };

export type TLedgerStore = {
  head(): Promise<{ seq: number; hash: string } | null>;
  latestCheckpoint(): Promise<TCheckpointRecord | null>;
  /** false when a checkpoint of that seq exists already (another instance signed the same head) */
  addCheckpoint(c: TCheckpointRecord): Promise<boolean>;
  /** checkpoints after `afterSeq`, in seq order */
  checkpoints(afterSeq: number, take: number): Promise<TCheckpointRecord[]>;
  keys(): Promise<TLedgerKeyRecord[]>;
  hasKey(kid: string): Promise<boolean>;
  /** records a public key; no error when another instance recorded it first */
  addKey(kid: string, jwk: string): Promise<void>;
};

const isUniqueViolation = (e: unknown) => (e as { code?: unknown } | null)?.code === "P2002";

type TSqliteCheckpointRow = Omit<TCheckpointRecord, "at"> & { at: string | number };

export function createLedgerStore(db: TDatabase): TLedgerStore {
  const prisma = db.prisma;
  const conn = db.sqlite;
  return {
    // SQLite: a checkpoint is signed after an ingest commit once 1,000 events are unsigned (several
    // times a second at full ingest), so its reads and its insert go through the direct connection.
    // Through Prisma (synchronous = FULL) the insert's fsync ran on the main thread, and with the WAL
    // checkpoint on its worker thread it could wait there for the worker's sync of the database file
    // (docs/benchmarks.md, "The ledger checkpoint off Prisma"); here it shares the ingest's group
    // fdatasync on the thread pool, and the row is stored as Prisma stores it (`at` as toSqliteDate).
    head: conn
      ? async () =>
          (statement(conn, `SELECT "seq", "hash" FROM "LedgerHead" WHERE "id" = 1`).get() as { seq: number; hash: string } | undefined) ?? null
      : () => prisma.ledgerHead.findUnique({ where: { id: 1 }, select: { seq: true, hash: true } }),
    latestCheckpoint: conn
      ? async () => {
          const row = statement(conn, `SELECT "seq", "hash", "at", "kid", "signature" FROM "LedgerCheckpoint" ORDER BY "seq" DESC LIMIT 1`).get() as
            TSqliteCheckpointRow | undefined;
          return row ? { ...row, at: fromSqliteDate(row.at) } : null;
        }
      : () => prisma.ledgerCheckpoint.findFirst({ orderBy: { seq: "desc" } }),
    addCheckpoint: conn
      ? (c) =>
          writeTransaction(
            conn,
            () =>
              statement(
                conn,
                `INSERT INTO "LedgerCheckpoint" ("seq", "hash", "at", "kid", "signature") VALUES (?, ?, ?, ?, ?) ON CONFLICT ("seq") DO NOTHING`,
              ).run(c.seq, c.hash, toSqliteDate(c.at), c.kid, c.signature).changes === 1,
            db.busyTimeoutMs,
          )
      : async (c) => {
          try {
            await prisma.ledgerCheckpoint.create({ data: c });
            return true;
          } catch (e) {
            if (isUniqueViolation(e)) return false;
            throw e;
          }
        },
    checkpoints: (afterSeq, take) => prisma.ledgerCheckpoint.findMany({ where: { seq: { gt: afterSeq } }, orderBy: { seq: "asc" }, take }),
    keys: () => prisma.ledgerKey.findMany({ orderBy: [{ firstSeenAt: "asc" }, { kid: "asc" }] }),
    hasKey: async (kid) => (await prisma.ledgerKey.findUnique({ where: { kid }, select: { kid: true } })) !== null,
    addKey: async (kid, jwk) => {
      try {
        await prisma.ledgerKey.create({ data: { kid, jwk } });
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
      }
    },
  };
}
