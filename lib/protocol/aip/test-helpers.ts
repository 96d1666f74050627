// Real keys and tokens in the reference's formats for the AIP tests: compact tokens signed like
// PyJWT does (EdDSA, typ aip+jwt), chained tokens minted with the Biscuit engine in the
// reference's Datalog shapes, identity documents signed in each of the three forms.
import { generateKeyPairSync, sign } from "node:crypto";
import { encodeMultibase } from "./encoding";
import { draftSigningInput, pythonSigningInput, rustSigningInput } from "./identity";
import type { TAipContext } from "./resolve";
import type { TAipIdentity, TAipKey } from "./types";
import type { TPrincipalKind } from "../types";

export const NOW = 1_780_000_000; // 2026-05-28

export type TTestAipKey = { seed: Uint8Array; publicKey: Uint8Array; sign: (data: Uint8Array | string) => Buffer; multibase: string };

export function makeAipKey(): TTestAipKey {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const seed = new Uint8Array(privateKey.export({ format: "der", type: "pkcs8" }).subarray(-32));
  const pub = new Uint8Array(publicKey.export({ format: "der", type: "spki" }).subarray(-32));
  return {
    seed,
    publicKey: pub,
    sign: (data) => sign(null, typeof data === "string" ? Buffer.from(data, "utf8") : data, privateKey),
    multibase: encodeMultibase(pub),
  };
}

export function aipKeyId(k: TTestAipKey): string {
  return `aip:key:ed25519:${k.multibase}`;
}

export function registryKey(k: TTestAipKey, kid = "key-1", window: Partial<Pick<TAipKey, "validFrom" | "validUntil" | "revokedAt">> = {}): TAipKey {
  return { kid, publicKey: k.publicKey, validFrom: null, validUntil: null, revokedAt: null, ...window };
}

export function makeContext(identities: TAipIdentity[] = [], stored: Set<string> = new Set(), now = NOW): TAipContext {
  const byId = new Map(identities.map((i) => [i.id, i]));
  return { now, resolveIdentity: (id) => byId.get(id), isStored: (jti) => stored.has(jti) };
}

export function identity(id: string, kind: TPrincipalKind, keys: TAipKey[]): TAipIdentity {
  return { id, kind, keys };
}

const b64url = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v), "utf8").toString("base64url");

/** A compact token as PyJWT encodes it: {"alg":"EdDSA","typ":"aip+jwt"} unless overridden. */
export function compactToken(k: TTestAipKey, payload: unknown, header: Record<string, unknown> = { alg: "EdDSA", typ: "aip+jwt" }): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${k.sign(input).toString("base64url")}`;
}

export function claims(iss: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss,
    sub: "aip:web:tools.example/worker",
    scope: ["tool:search"],
    budget_usd: 1.5,
    max_depth: 1,
    iat: NOW - 10,
    exp: NOW + 3600,
    ...extra,
  };
}

/** An identity document signed in one of the three forms by `signer` (default: the first key). */
export function signedDocument(
  keys: { key: TTestAipKey; id: string; valid_from?: string | null; valid_until?: string | null }[],
  form: "python" | "draft" | "rust",
  extra: Record<string, unknown> = {},
  signer = keys[0].key,
): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    aip: "1.0",
    id: "aip:web:agents.example/alice",
    public_keys: keys.map((k) => ({
      id: k.id,
      type: "Ed25519",
      public_key_multibase: k.key.multibase,
      ...(k.valid_from !== undefined ? { valid_from: k.valid_from } : {}),
      ...(k.valid_until !== undefined ? { valid_until: k.valid_until } : {}),
    })),
    name: "Alice's agent",
    ...extra,
  };
  const input = form === "python" ? pythonSigningInput(doc) : form === "draft" ? draftSigningInput(doc) : rustSigningInput(doc);
  const sig = signer.sign(input);
  doc.document_signature = form === "python" ? sig.toString("base64") : form === "draft" ? sig.toString("base64url") : sig.toString("hex");
  return doc;
}
