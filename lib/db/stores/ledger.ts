// The ledger's signatures: the server's public keys (their private halves live in a file, never
// here) and the signed checkpoints of the ledger head.
import type { TDatabase } from "../connect";

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

export function createLedgerStore(db: TDatabase): TLedgerStore {
  const prisma = db.prisma;
  return {
    head: () => prisma.ledgerHead.findUnique({ where: { id: 1 }, select: { seq: true, hash: true } }),
    latestCheckpoint: () => prisma.ledgerCheckpoint.findFirst({ orderBy: { seq: "desc" } }),
    addCheckpoint: async (c) => {
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
