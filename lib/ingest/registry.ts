// The principal registry as the verifier sees it: principals with their public keys. Read once per
// batch, never cached across batches: a key revoked a moment ago must fail the next batch. On SQLite
// it is one statement on the direct connection (lib/ingest/sqlite.ts) (a Prisma query with its keys cost more than
// verifying a 100-event batch's signatures on a loaded machine).
import { db, isPostgres } from "@/lib/db";
import { sqliteStatement } from "@/lib/ingest/sqlite";
import { REGISTRY_SQL } from "@/lib/ingest/store-sqlite";
import type { TPrincipalKind, TRegistryPrincipal } from "@/lib/protocol/types";

type TKeyRow = { kid: string; jwk: string; revokedAt: number | null; thumbprint: string };

function toRegistryPrincipal(p: { id: string; kind: string; keys: TKeyRow[] }): TRegistryPrincipal {
  return {
    id: p.id,
    kind: p.kind as TPrincipalKind,
    keys: p.keys.map((k) => ({ kid: k.kid, jwk: JSON.parse(k.jwk) as object, revokedAt: k.revokedAt, thumbprint: k.thumbprint })),
  };
}

function loadFromSqlite(ids: string[]): { id: string; kind: string; keys: TKeyRow[] }[] {
  const rows = sqliteStatement(REGISTRY_SQL).all(JSON.stringify(ids)) as ({ id: string; kind: string } & { [K in keyof TKeyRow]: TKeyRow[K] | null })[];
  const byId = new Map<string, { id: string; kind: string; keys: TKeyRow[] }>();
  for (const r of rows) {
    let p = byId.get(r.id);
    if (!p) byId.set(r.id, (p = { id: r.id, kind: r.kind, keys: [] }));
    if (r.kid !== null) p.keys.push({ kid: r.kid, jwk: r.jwk!, revokedAt: r.revokedAt, thumbprint: r.thumbprint! });
  }
  return [...byId.values()];
}

export async function loadRegistry(ids: string[]): Promise<Map<string, TRegistryPrincipal>> {
  if (ids.length === 0) return new Map();
  let rows: { id: string; kind: string; keys: TKeyRow[] }[];
  if (isPostgres()) {
    const prisma = await db();
    rows = await prisma.principal.findMany({ where: { id: { in: ids } }, include: { keys: true } });
  } else {
    rows = loadFromSqlite(ids);
  }
  return new Map(rows.map((p) => [p.id, toRegistryPrincipal(p)]));
}
