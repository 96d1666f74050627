// The principal registry as the verifier sees it: principals with their public keys.
import { db } from "@/lib/db";
import type { TPrincipalKind, TRegistryPrincipal } from "@/lib/protocol/types";

export async function loadRegistry(ids: string[]): Promise<Map<string, TRegistryPrincipal>> {
  if (ids.length === 0) return new Map();
  const prisma = await db();
  const rows = await prisma.principal.findMany({ where: { id: { in: ids } }, include: { keys: true } });
  return new Map(
    rows.map((p) => [
      p.id,
      {
        id: p.id,
        kind: p.kind as TPrincipalKind,
        keys: p.keys.map((k) => ({ kid: k.kid, jwk: JSON.parse(k.jwk) as object, revokedAt: k.revokedAt, thumbprint: k.thumbprint })),
      },
    ]),
  );
}
