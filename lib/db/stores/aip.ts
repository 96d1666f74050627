// AIP identities (shared/spec/aip-import.md §3): principals registered by an identity document, with
// the document kept as published and each key's window; `aip:key` identities created on first use.
// One Prisma implementation serves both databases (few rows, never on a hot path but ingest's one
// read of the batch's identities).
import type { TDatabase } from "../connect";

export type TAipKeyRow = {
  kid: string;
  jwk: string;
  thumbprint: string;
  revokedAt: number | null;
  validFrom: number | null;
  validUntil: number | null;
  createdAt: Date;
};
export type TAipIdentityRow = { id: string; kind: string; keys: TAipKeyRow[] };
export type TAipDocumentRow = { principalId: string; document: string; signatureForm: string; signedBy: string; createdAt: Date; updatedAt: Date };
export type TAipKeyInput = { kid: string; jwk: string; thumbprint: string; validFrom: number | null; validUntil: number | null };

export type TAipStore = {
  /** the principals of these ids with every key, windows and revocations included */
  identities(ids: string[]): Promise<TAipIdentityRow[]>;
  /** a new principal with its keys and document; a P2002 conflict when the id exists */
  register(p: {
    id: string;
    kind: string;
    name: string | null;
    keys: TAipKeyInput[];
    document: string;
    signatureForm: string;
    signedBy: string;
  }): Promise<TAipIdentityRow>;
  /**
   * Key rotation: keys listed get the document's windows (new ones are added), keys no longer listed
   * get revokedAt = `at` unless already revoked, and the document is replaced. null when no such principal.
   */
  replace(p: {
    id: string;
    keys: TAipKeyInput[];
    document: string;
    signatureForm: string;
    signedBy: string;
    at: number;
  }): Promise<TAipIdentityRow | null>;
  /** the stored identity document of a principal, null when it was not registered by one */
  document(id: string): Promise<TAipDocumentRow | null>;
  /** creates `aip:key` principals seen for the first time (kind agent, their one key); existing ones are left alone */
  ensureKeyIdentities(ps: { id: string; kind: string; key: TAipKeyInput }[]): Promise<void>;
};

const KEY_SELECT = { kid: true, jwk: true, thumbprint: true, revokedAt: true, validFrom: true, validUntil: true, createdAt: true } as const;

const isConflict = (e: unknown) => typeof e === "object" && e !== null && (e as { code?: unknown }).code === "P2002";

export function createAipStore(db: TDatabase): TAipStore {
  const prisma = db.prisma;
  const identity = (id: string) =>
    prisma.principal.findUnique({ where: { id }, select: { id: true, kind: true, keys: { select: KEY_SELECT, orderBy: { kid: "asc" } } } });
  return {
    identities: async (ids) => {
      if (ids.length === 0) return [];
      const rows = await prisma.principal.findMany({
        where: { id: { in: ids } },
        select: { id: true, kind: true, keys: { select: KEY_SELECT, orderBy: { kid: "asc" } } },
      });
      return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    register: async (p) => {
      await prisma.$transaction([
        prisma.principal.create({ data: { id: p.id, kind: p.kind, name: p.name, keys: { create: p.keys } } }),
        prisma.aipDocument.create({ data: { principalId: p.id, document: p.document, signatureForm: p.signatureForm, signedBy: p.signedBy } }),
      ]);
      return (await identity(p.id))!;
    },
    replace: (p) =>
      prisma.$transaction(async (tx) => {
        const existing = await tx.principal.findUnique({ where: { id: p.id }, select: { keys: { select: { kid: true, revokedAt: true } } } });
        if (!existing) return null;
        const listed = new Set(p.keys.map((k) => k.kid));
        const known = new Set(existing.keys.map((k) => k.kid));
        const dropped = existing.keys.filter((k) => !listed.has(k.kid) && k.revokedAt === null).map((k) => k.kid);
        if (dropped.length) await tx.principalKey.updateMany({ where: { principalId: p.id, kid: { in: dropped } }, data: { revokedAt: p.at } });
        for (const k of p.keys) {
          if (known.has(k.kid))
            await tx.principalKey.update({
              where: { principalId_kid: { principalId: p.id, kid: k.kid } },
              data: { validFrom: k.validFrom, validUntil: k.validUntil },
            });
          else await tx.principalKey.create({ data: { principalId: p.id, ...k } });
        }
        const doc = { document: p.document, signatureForm: p.signatureForm, signedBy: p.signedBy };
        await tx.aipDocument.upsert({
          where: { principalId: p.id },
          create: { principalId: p.id, ...doc },
          update: { ...doc, updatedAt: new Date() },
        });
        return tx.principal.findUnique({
          where: { id: p.id },
          select: { id: true, kind: true, keys: { select: KEY_SELECT, orderBy: { kid: "asc" } } },
        });
      }),
    document: (id) => prisma.aipDocument.findUnique({ where: { principalId: id } }),
    ensureKeyIdentities: async (ps) => {
      for (const p of ps) {
        try {
          await prisma.principal.upsert({
            where: { id: p.id },
            create: { id: p.id, kind: p.kind, name: null, keys: { create: [p.key] } },
            update: {},
          });
        } catch (e) {
          // Two batches creating the same identity at once: the other one won, which is what we want.
          if (!isConflict(e)) throw e;
        }
      }
    },
  };
}
