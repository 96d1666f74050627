// Rejected submissions, with each sender's running total for its quota.
import type { TDatabase } from "../connect";

export type TQuarantineRecord = { id: number; receivedAt: Date; jti: string | null; code: string; message: string; raw: string };

/** A refusal as a chain's readers see it: no raw bytes (those are for the quarantine's readers). */
export type TRefusalRecord = { id: number; receivedAt: Date; jti: string | null; code: string; message: string };

export type TQuarantineStore = {
  /** refused submissions naming this chain, newest first, at most `take` */
  ofChain(chainId: string, take: number): Promise<TRefusalRecord[]>;
  /** how many refused submissions name this chain */
  countOfChain(chainId: string): Promise<number>;
  /** newest first, below `before`, of one code */
  list(q: { before?: number; code?: string; take: number }): Promise<TQuarantineRecord[]>;
  usage(source: string): Promise<{ bytes: number; rows: number } | null>;
  /** a sender's rows, newest first, below `before`: id and size */
  sizes(source: string, before: number | undefined, take: number): Promise<{ id: number; bytes: number }[]>;
  /** drops the sender's rows up to `upToId` and takes them off its total; what was dropped */
  dropUpTo(source: string, upToId: number): Promise<{ rows: number; bytes: number }>;
};

export function createQuarantineStore(db: TDatabase): TQuarantineStore {
  const prisma = db.prisma;
  return {
    ofChain: (chainId, take) =>
      prisma.quarantine.findMany({
        where: { chainId },
        orderBy: { id: "desc" },
        take,
        select: { id: true, receivedAt: true, jti: true, code: true, message: true },
      }),
    countOfChain: (chainId) => prisma.quarantine.count({ where: { chainId } }),
    list: (q) =>
      prisma.quarantine.findMany({
        where: { ...(q.before ? { id: { lt: q.before } } : {}), ...(q.code ? { code: q.code } : {}) },
        orderBy: { id: "desc" },
        take: q.take,
        select: { id: true, receivedAt: true, jti: true, code: true, message: true, raw: true },
      }),
    usage: (source) => prisma.quarantineUsage.findUnique({ where: { source }, select: { bytes: true, rows: true } }),
    sizes: (source, before, take) =>
      prisma.quarantine.findMany({
        where: { source, ...(before === undefined ? {} : { id: { lt: before } }) },
        orderBy: { id: "desc" },
        take,
        select: { id: true, bytes: true },
      }),
    dropUpTo: (source, upToId) =>
      prisma.$transaction(async (tx) => {
        const gone = await tx.quarantine.aggregate({ where: { source, id: { lte: upToId } }, _sum: { bytes: true }, _count: { _all: true } });
        const rows = gone._count._all;
        const bytes = gone._sum.bytes ?? 0;
        await tx.quarantine.deleteMany({ where: { source, id: { lte: upToId } } });
        await tx.quarantineUsage.update({ where: { source }, data: { bytes: { decrement: bytes }, rows: { decrement: rows } } });
        return { rows, bytes };
      }),
  };
}
