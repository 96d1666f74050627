// AIP identity documents (shared/spec/aip-import.md §3): judged first (lib/protocol/aip), then
// registered as a principal with the document's keys and windows, or replacing the document of a
// principal registered earlier (key rotation). Nothing is ever fetched from the web.
import { stores } from "@/lib/db";
import type { TAipIdentityRow, TAipKeyInput } from "@/lib/db/stores/aip";
import { AppError } from "@/lib/http";
import { judgeIdentityDocument, ed25519Jwk, type TAipKey, type TAipIdentity } from "@/lib/protocol/aip";
import { jwkThumbprint } from "@/lib/protocol/envelope";
import type { TPrincipalKind } from "@/lib/protocol/types";
import type { TAipIdentityAnswer, TAipPrincipalKey, TAipDocumentView } from "@/lib/contracts/aip";

const nowSeconds = () => Math.floor(Date.now() / 1000);

export function keyInput(k: TAipKey): TAipKeyInput {
  const jwk = ed25519Jwk(k.publicKey, k.kid);
  return { kid: k.kid, jwk: JSON.stringify(jwk), thumbprint: jwkThumbprint(jwk), validFrom: k.validFrom, validUntil: k.validUntil };
}

/** A stored principal as the AIP verifier takes it: raw Ed25519 keys with their windows. */
export function toAipIdentity(row: TAipIdentityRow): TAipIdentity {
  const keys: TAipKey[] = [];
  for (const k of row.keys) {
    let x: unknown;
    try {
      x = (JSON.parse(k.jwk) as { x?: unknown; crv?: unknown }).x;
    } catch {
      continue;
    }
    if (typeof x !== "string") continue; // not an Ed25519 key (a DEP principal's P-256 key): never an AIP key
    const crv = (JSON.parse(k.jwk) as { crv?: unknown }).crv;
    if (crv !== "Ed25519") continue;
    keys.push({
      kid: k.kid,
      publicKey: new Uint8Array(Buffer.from(x, "base64url")),
      validFrom: k.validFrom,
      validUntil: k.validUntil,
      revokedAt: k.revokedAt,
    });
  }
  return { id: row.id, kind: row.kind as TPrincipalKind, keys };
}

function keyView(k: TAipIdentityRow["keys"][number]): TAipPrincipalKey {
  const jwk = JSON.parse(k.jwk) as { kty?: string; crv?: string };
  return {
    kid: k.kid,
    kty: jwk.kty ?? null,
    crv: jwk.crv ?? null,
    thumbprint: k.thumbprint,
    revokedAt: k.revokedAt,
    createdAt: k.createdAt.toISOString(),
    validFrom: k.validFrom,
    validUntil: k.validUntil,
  };
}

function judge(document: unknown, now: number) {
  const j = judgeIdentityDocument(document, now);
  if (!j.ok) {
    const reference = j.aip.verdict === "valid" ? "valid" : `${j.aip.error}`;
    throw new AppError("invalid_request", `The identity document is not accepted: ${j.reason} (AIP's own verifier: ${reference}).`);
  }
  return j;
}

function nameOf(document: Record<string, unknown>): string | null {
  return typeof document.name === "string" && document.name.trim() !== "" ? document.name.trim().slice(0, 200) : null;
}

/** POST /api/v1/aip/identities: the document is judged first, so a 409 answers only an acceptable document. */
export async function registerAipIdentity(input: { document: unknown; kind?: TPrincipalKind }, now = nowSeconds()): Promise<TAipIdentityAnswer> {
  const j = judge(input.document, now);
  const s = await stores();
  const kind = input.kind ?? "agent";
  if (await s.registry.exists(j.id))
    throw new AppError("conflict", `Principal ${j.id} already exists: PUT /api/v1/aip/identities/{id} replaces its document.`);
  let row: TAipIdentityRow;
  try {
    row = await s.aip.register({
      id: j.id,
      kind,
      name: nameOf(j.document),
      keys: j.keys.map(keyInput),
      document: JSON.stringify(j.document),
      signatureForm: j.signatureForm,
      signedBy: j.signedBy,
    });
  } catch (e) {
    if ((e as { code?: unknown }).code === "P2002") throw new AppError("conflict", `Principal ${j.id} already exists.`);
    throw e;
  }
  return {
    principal: { id: row.id, kind: row.kind as TPrincipalKind, name: nameOf(j.document) },
    keys: row.keys.map(keyView),
    signatureForm: j.signatureForm,
    signedBy: j.signedBy,
    aip: j.aip,
  };
}

/**
 * PUT /api/v1/aip/identities/{id}: replaces the document. Keys no longer listed are revoked now; keys
 * listed keep (take) the document's windows. A listed key id whose key bytes changed is refused: a
 * key id names one key forever, so tokens judged under it stay judged under the same key.
 */
export async function replaceAipIdentity(id: string, input: { document: unknown }, now = nowSeconds()): Promise<TAipIdentityAnswer> {
  const s = await stores();
  const [existing] = await s.aip.identities([id]);
  if (!existing) throw new AppError("not_found", `No principal ${id}.`);
  const j = judge(input.document, now);
  if (j.id !== id) throw new AppError("invalid_request", `The document's id ${JSON.stringify(j.id)} is not ${JSON.stringify(id)}.`);
  const stored = new Map(existing.keys.map((k) => [k.kid, k]));
  for (const k of j.keys) {
    const before = stored.get(k.kid);
    if (before && (JSON.parse(before.jwk) as { x?: unknown }).x !== Buffer.from(k.publicKey).toString("base64url"))
      throw new AppError("invalid_request", `Key id ${JSON.stringify(k.kid)} already names another key: give the new key a new id.`);
  }
  const row = await s.aip.replace({
    id,
    keys: j.keys.map(keyInput),
    document: JSON.stringify(j.document),
    signatureForm: j.signatureForm,
    signedBy: j.signedBy,
    at: now,
  });
  if (!row) throw new AppError("not_found", `No principal ${id}.`);
  return {
    principal: { id: row.id, kind: row.kind as TPrincipalKind, name: nameOf(j.document) },
    keys: row.keys.map(keyView),
    signatureForm: j.signatureForm,
    signedBy: j.signedBy,
    aip: j.aip,
  };
}

/** The principal page's document panel. */
export async function aipDocumentOf(id: string): Promise<TAipDocumentView | null> {
  const row = await (await stores()).aip.document(id);
  if (!row) return null;
  let document: unknown = row.document;
  try {
    document = JSON.parse(row.document);
  } catch {
    // kept as text
  }
  return {
    document,
    signatureForm: row.signatureForm,
    signedBy: row.signedBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
