// The principal registry: principals and their public keys (spec §1, §6).
import { z } from "zod";
import { containsText, db, isPostgres } from "@/lib/db";
import { AppError } from "@/lib/http";
import { jwkThumbprint } from "@/lib/protocol/envelope";
import { validatePublicJwk } from "@/lib/protocol/keys";
import { PRINCIPAL_KINDS } from "@/lib/protocol/types";

const PRINCIPAL_ID = /^[\x20-\x7e]{1,200}$/;

// The verifier's own key check (lib/protocol/keys.ts): a key registered here must be one it can
// verify with, never a small-order or off-curve point that makes signatures forgeable.
const ZJwk = z
  .object({ kid: z.string().min(1).max(200), kty: z.string() })
  .catchall(z.unknown())
  .superRefine((jwk, ctx) => {
    const problem = validatePublicJwk(jwk);
    if (problem !== null) ctx.addIssue({ code: "custom", message: `key ${jwk.kid}: ${problem}` });
  });

export const ZCreatePrincipal = z.object({
  id: z.string().regex(PRINCIPAL_ID, "must be 1-200 printable ASCII characters"),
  kind: z.enum(PRINCIPAL_KINDS),
  name: z.string().trim().min(1).max(200).nullish(),
  keys: z
    .array(ZJwk)
    .min(1, "at least one public JWK is required")
    .max(20)
    .refine((keys) => new Set(keys.map((k) => k.kid)).size === keys.length, "each key needs a unique kid"),
});
export type TCreatePrincipal = z.infer<typeof ZCreatePrincipal>;

export const ZRevokeKey = z.object({ at: z.number().finite().min(0).nullish() });

function publicKeyView(k: { kid: string; jwk: string; thumbprint: string; revokedAt: number | null; createdAt: Date }) {
  const jwk = JSON.parse(k.jwk) as { kty?: string; crv?: string };
  return { kid: k.kid, kty: jwk.kty ?? null, crv: jwk.crv ?? null, thumbprint: k.thumbprint, revokedAt: k.revokedAt, createdAt: k.createdAt.toISOString() };
}

export async function createPrincipal(input: TCreatePrincipal) {
  const prisma = await db();
  const exists = await prisma.principal.findUnique({ where: { id: input.id }, select: { id: true } });
  if (exists) throw new AppError("conflict", `Principal ${input.id} already exists.`);
  const created = await prisma.principal.create({
    data: {
      id: input.id,
      kind: input.kind,
      name: input.name ?? null,
      keys: {
        create: input.keys.map((jwk) => ({ kid: jwk.kid, jwk: JSON.stringify(jwk), thumbprint: jwkThumbprint(jwk) })),
      },
    },
    include: { keys: true },
  });
  return {
    id: created.id,
    kind: created.kind,
    name: created.name,
    createdAt: created.createdAt.toISOString(),
    keys: created.keys.map(publicKeyView),
  };
}

/** Revocation keeps the earlier time when a key is revoked twice (spec §8). */
export async function revokeKey(principalId: string, kid: string, at: number) {
  const prisma = await db();
  const key = await prisma.principalKey.findUnique({ where: { principalId_kid: { principalId, kid } } });
  if (!key) throw new AppError("not_found", `No key ${kid} for principal ${principalId}.`);
  const revokedAt = key.revokedAt !== null && key.revokedAt <= at ? key.revokedAt : at;
  const updated = await prisma.principalKey.update({
    where: { principalId_kid: { principalId, kid } },
    data: { revokedAt },
  });
  return { principalId, ...publicKeyView(updated) };
}

export async function listPrincipals({ q, cursor, limit }: { q?: string; cursor?: string; limit: number }) {
  const prisma = await db();
  const rows = await prisma.principal.findMany({
    where: q ? { OR: [{ id: containsText(q) }, { name: containsText(q) }] } : undefined,
    orderBy: { id: "asc" },
    take: limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    include: { keys: { select: { revokedAt: true } } },
  });
  const page = rows.slice(0, limit);
  const ids = page.map((p) => p.id);
  const [chainCounts, findingByIssuer] = await Promise.all([
    ids.length
      ? prisma.chainPrincipal.groupBy({ by: ["principalId"], where: { principalId: { in: ids } }, _count: { _all: true } })
      : Promise.resolve([]),
    countFindingsByIssuer(ids),
  ]);
  const chainsOf = new Map(chainCounts.map((c) => [c.principalId, c._count._all]));
  return {
    items: page.map((p) => ({
      id: p.id,
      kind: p.kind,
      name: p.name,
      keyCount: p.keys.length,
      revokedKeyCount: p.keys.filter((k) => k.revokedAt !== null).length,
      chainCount: chainsOf.get(p.id) ?? 0,
      findingCount: findingByIssuer.get(p.id) ?? 0,
      createdAt: p.createdAt.toISOString(),
    })),
    nextCursor: rows.length > limit ? page[page.length - 1].id : null,
  };
}

/** Findings attach to events; a principal's findings are those on events it signed. */
export async function countFindingsByIssuer(ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const prisma = await db();
  const rows = await prisma.$queryRawUnsafe<{ iss: string; n: number | bigint }[]>(
    `SELECT e."iss" AS iss, COUNT(*) AS n FROM "Finding" f JOIN "Event" e ON e."jti" = f."eventJti"
     WHERE e."iss" IN (${ids.map((_, i) => (isPostgres() ? `$${i + 1}` : "?")).join(",")}) GROUP BY e."iss"`,
    ...ids,
  );
  return new Map(rows.map((r) => [r.iss, Number(r.n)]));
}
