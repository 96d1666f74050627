// Principals: registering them with their public keys (docs/protocol.md §1, §6), revoking keys, the list and
// one principal's page (its keys, chains and the findings on events it signed).
import { stores } from "@/lib/db";
import { aipDocumentOf } from "@/lib/aip/identities";
import { AppError } from "@/lib/http";
import { nowSeconds, nameChains, toChainSummary } from "@/lib/chains/queries";
import { jwkThumbprint } from "@/lib/protocol/envelope";
import type { TFindingCode, TPrincipalKind, TSeverity } from "@/lib/protocol/types";
import type { TCreatePrincipal, TKeyRevoked, TPrincipalCreated, TPrincipalDetail, TPrincipalKey, TPrincipalList } from "@/lib/contracts/principals";

function publicKeyView(k: { kid: string; jwk: string; thumbprint: string; revokedAt: number | null; createdAt: Date }): TPrincipalKey {
  const jwk = JSON.parse(k.jwk) as { kty?: string; crv?: string };
  return {
    kid: k.kid,
    kty: jwk.kty ?? null,
    crv: jwk.crv ?? null,
    thumbprint: k.thumbprint,
    revokedAt: k.revokedAt,
    createdAt: k.createdAt.toISOString(),
  };
}

export async function createPrincipal(input: TCreatePrincipal): Promise<TPrincipalCreated> {
  const store = (await stores()).registry;
  if (await store.exists(input.id)) throw new AppError("conflict", `Principal ${input.id} already exists.`);
  const created = await store.create({
    id: input.id,
    kind: input.kind,
    name: input.name ?? null,
    keys: input.keys.map((jwk) => ({ kid: jwk.kid, jwk: JSON.stringify(jwk), thumbprint: jwkThumbprint(jwk) })),
  });
  return {
    id: created.id,
    kind: created.kind as TPrincipalKind,
    name: created.name,
    createdAt: created.createdAt.toISOString(),
    keys: created.keys.map(publicKeyView),
  };
}

/** Revocation keeps the earlier time when a key is revoked twice (docs/protocol.md §8). */
export async function revokeKey(principalId: string, kid: string, at: number): Promise<TKeyRevoked> {
  const store = (await stores()).registry;
  const key = await store.key(principalId, kid);
  if (!key) throw new AppError("not_found", `No key ${kid} for principal ${principalId}.`);
  const revokedAt = key.revokedAt !== null && key.revokedAt <= at ? key.revokedAt : at;
  return { principalId, ...publicKeyView(await store.setKeyRevokedAt(principalId, kid, revokedAt)) };
}

export async function listPrincipals({ q, cursor, limit }: { q?: string; cursor?: string; limit: number }): Promise<TPrincipalList> {
  const s = await stores();
  const rows = await s.registry.list({ q, after: cursor, take: limit + 1 });
  const page = rows.slice(0, limit);
  const ids = page.map((p) => p.id);
  const [chainsOf, findingsOf] = await Promise.all([s.registry.chainCounts(ids), s.insights.findingCountsByIssuer(ids)]);
  return {
    items: page.map((p) => ({
      id: p.id,
      kind: p.kind as TPrincipalKind,
      name: p.name,
      keyCount: p.keys.length,
      revokedKeyCount: p.keys.filter((k) => k.revokedAt !== null).length,
      chainCount: chainsOf.get(p.id) ?? 0,
      findingCount: findingsOf.get(p.id) ?? 0,
      createdAt: p.createdAt.toISOString(),
    })),
    nextCursor: rows.length > limit ? page[page.length - 1].id : null,
  };
}

export async function getPrincipal(id: string, now = nowSeconds()): Promise<TPrincipalDetail> {
  const store = (await stores()).insights;
  const principal = await store.principal(id);
  if (!principal) throw new AppError("not_found", `No principal ${id}.`);
  const [chains, findings, aipDocument] = await Promise.all([store.chainsOfPrincipal(id, 50), store.findingsOfIssuer(id, 100), aipDocumentOf(id)]);
  return {
    principal: { id: principal.id, kind: principal.kind as TPrincipalKind, name: principal.name, createdAt: principal.createdAt.toISOString() },
    keys: principal.keys.map(publicKeyView),
    chains: await nameChains(chains.map((c) => toChainSummary(c, now))),
    findings: findings.map((f) => ({ ...f, code: f.code as TFindingCode, severity: f.severity as TSeverity })),
    aipDocument,
  };
}
