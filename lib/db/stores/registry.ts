// The principal registry: principals and their public keys (docs/protocol.md §1, §6).
import type { TDatabase } from "../connect";
import { containsText } from "../dialect";

export type TKeyRecord = { kid: string; jwk: string; thumbprint: string; revokedAt: number | null; createdAt: Date };
export type TPrincipalRecord = { id: string; kind: string; name: string | null; createdAt: Date; keys: TKeyRecord[] };

export type TRegistryStore = {
  exists(id: string): Promise<boolean>;
  /** creates the principal with its keys; a P2002 conflict when the id exists */
  create(p: { id: string; kind: string; name: string | null; keys: { kid: string; jwk: string; thumbprint: string }[] }): Promise<TPrincipalRecord>;
  key(principalId: string, kid: string): Promise<TKeyRecord | null>;
  setKeyRevokedAt(principalId: string, kid: string, revokedAt: number): Promise<TKeyRecord>;
  /** principals by id after `after`, matching `q` in id or name (case-insensitive), with their keys' revocations */
  list(q: {
    q?: string;
    after?: string;
    take: number;
  }): Promise<{ id: string; kind: string; name: string | null; createdAt: Date; keys: { revokedAt: number | null }[] }[]>;
  /** creates many principals with their keys at once (the benchmark's fill) */
  createMany(ps: { id: string; kind: string; name: string | null; keys: { kid: string; jwk: string; thumbprint: string }[] }[]): Promise<void>;
  /** how many chains each principal takes part in */
  chainCounts(ids: string[]): Promise<Map<string, number>>;
};

export function createRegistryStore(db: TDatabase): TRegistryStore {
  const prisma = db.prisma;
  return {
    exists: async (id) => (await prisma.principal.findUnique({ where: { id }, select: { id: true } })) !== null,
    create: (p) => prisma.principal.create({ data: { id: p.id, kind: p.kind, name: p.name, keys: { create: p.keys } }, include: { keys: true } }),
    key: (principalId, kid) => prisma.principalKey.findUnique({ where: { principalId_kid: { principalId, kid } } }),
    setKeyRevokedAt: (principalId, kid, revokedAt) =>
      prisma.principalKey.update({ where: { principalId_kid: { principalId, kid } }, data: { revokedAt } }),
    list: (q) =>
      prisma.principal.findMany({
        where: q.q ? { OR: [{ id: containsText(db, q.q) }, { name: containsText(db, q.q) }] } : undefined,
        orderBy: { id: "asc" },
        take: q.take,
        ...(q.after ? { cursor: { id: q.after }, skip: 1 } : {}),
        include: { keys: { select: { revokedAt: true } } },
      }),
    createMany: async (ps) => {
      await prisma.$transaction([
        prisma.principal.createMany({ data: ps.map((p) => ({ id: p.id, kind: p.kind, name: p.name })) }),
        prisma.principalKey.createMany({ data: ps.flatMap((p) => p.keys.map((k) => ({ principalId: p.id, ...k }))) }),
      ]);
    },
    chainCounts: async (ids) => {
      if (ids.length === 0) return new Map();
      const rows = await prisma.chainPrincipal.groupBy({ by: ["principalId"], where: { principalId: { in: ids } }, _count: { _all: true } });
      return new Map(rows.map((c) => [c.principalId, c._count._all]));
    },
  };
}
