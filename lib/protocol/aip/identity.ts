// AIP identities (spec aip-import §3 and the document part of §6): `aip:web:` ids registered by
// their identity document, self-certifying `aip:key:ed25519:z…` ids, and the judgement of a
// document: Delegraph's (accept with the signature form that verified, or refuse with a reason)
// and the reference's (`aip`).
import { createPublicKey, verify as cryptoVerify, type KeyObject } from "node:crypto";
import canonicalize from "canonicalize";
import { b64StdStrict, b64UrlStrict, decodeMultibase, hexLowerStrict, isValidEd25519PublicKey, pyB64Decode } from "./encoding";
import { aipInvalid, aipValid, keyHoldsAt, type TAipKey, type TAipVerdict } from "./types";

/** Documents are bounded: a registry entry with more keys than this is refused, never slow. */
export const MAX_DOCUMENT_KEYS = 64;
export const MAX_ID_LENGTH = 200;

export type TAipId = { scheme: "web"; id: string; domain: string } | { scheme: "key"; id: string; key: Uint8Array };
export type TAipIdParse = { ok: true; value: TAipId } | { ok: false; code: "malformed" | "unknown_principal"; message: string };

const WEB_ID = /^aip:web:([A-Za-z0-9.-]+(?::[0-9]{1,5})?)(\/[\x21-\x7E]*)?$/;

/**
 * `aip:web:<domain>[/<path>]` or `aip:key:ed25519:z<base58btc of 32 bytes>`. An aip:key id whose
 * key is not a canonical, non-small-order Ed25519 point is `malformed`; anything that is not an
 * AIP id at all is `unknown_principal` (it cannot name a registered AIP identity).
 */
export function parseAipId(s: unknown): TAipIdParse {
  if (typeof s !== "string") return { ok: false, code: "unknown_principal", message: "the identity is not a string" };
  const shown = JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
  if (s.length > MAX_ID_LENGTH) return { ok: false, code: "malformed", message: `identity ${shown} is longer than ${MAX_ID_LENGTH} characters` };
  if (s.startsWith("aip:key:")) {
    const rest = s.slice("aip:key:".length);
    const colon = rest.indexOf(":");
    const alg = colon < 0 ? rest : rest.slice(0, colon);
    if (alg !== "ed25519") return { ok: false, code: "malformed", message: `identity ${shown}: only aip:key:ed25519:z… keys are supported` };
    const key = decodeMultibase(rest.slice(colon + 1));
    if (!key) return { ok: false, code: "malformed", message: `identity ${shown}: the key is not z-prefixed base58btc` };
    if (key.length !== 32) return { ok: false, code: "malformed", message: `identity ${shown}: the key is ${key.length} bytes, not 32` };
    if (!isValidEd25519PublicKey(key))
      return { ok: false, code: "malformed", message: `identity ${shown}: the key is not a canonical Ed25519 point of large order` };
    return { ok: true, value: { scheme: "key", id: s, key } };
  }
  const web = WEB_ID.exec(s);
  if (web) return { ok: true, value: { scheme: "web", id: s, domain: web[1] } };
  return { ok: false, code: "unknown_principal", message: `${shown} is not an AIP identity (aip:web:<domain>/<path> or aip:key:ed25519:z…)` };
}

/** The one key of a self-certifying identity; its kid is the multibase string. */
export function keyOfAipKeyId(id: Extract<TAipId, { scheme: "key" }>): TAipKey {
  return { kid: id.id.slice("aip:key:ed25519:".length), publicKey: id.key, validFrom: null, validUntil: null, revokedAt: null };
}

/** The registry's JWK for a raw Ed25519 key. */
export function ed25519Jwk(publicKey: Uint8Array, kid: string): { kty: "OKP"; crv: "Ed25519"; x: string; kid: string } {
  return { kty: "OKP", crv: "Ed25519", x: Buffer.from(publicKey).toString("base64url"), kid };
}

const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const KEY_CACHE = new Map<string, KeyObject>();

/** Ed25519 verification with node:crypto (OpenSSL, as the reference's `cryptography`); never throws. */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const hex = Buffer.from(publicKey).toString("hex");
    let key = KEY_CACHE.get(hex);
    if (!key) {
      key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: "der", type: "spki" });
      if (KEY_CACHE.size > 10_000) KEY_CACHE.clear();
      KEY_CACHE.set(hex, key);
    }
    return cryptoVerify(null, message, key, signature);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Times. Delegraph reads RFC 3339 with an explicit offset; anything else in a window is refused.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** RFC 3339 date-time → seconds (fraction kept), or null. */
export function parseRfc3339(s: unknown): number | null {
  if (typeof s !== "string") return null;
  const m = RFC3339.exec(s);
  if (!m) return null;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ""}${m[8].toUpperCase()}`;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return null;
  // Date.parse rolls 2026-02-30 over; a date that does not exist is refused.
  const day = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  if (day.getUTCMonth() !== +m[2] - 1 || +m[4] > 23 || +m[5] > 59 || +m[6] > 59) return null;
  return ms / 1000;
}

// ---------------------------------------------------------------------------------------------
// The three signed forms.

export type TSignatureForm = "python" | "draft" | "rust";

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Code-point order (Python's str ordering and Rust's byte-wise UTF-8 ordering agree on it). */
function codePointCompare(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx - cy;
  }
}

/** Compact JSON with keys sorted by code point; `asciiOnly` escapes non-ASCII as \uXXXX (Python). */
function sortedJson(value: unknown, asciiOnly: boolean, depth = 0): string {
  if (depth > 64) throw new Error("nested too deep");
  if (Array.isArray(value)) return `[${value.map((v) => sortedJson(v, asciiOnly, depth + 1)).join(",")}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort(codePointCompare);
    return `{${keys.map((k) => `${str(k, asciiOnly)}:${sortedJson(value[k], asciiOnly, depth + 1)}`).join(",")}}`;
  }
  if (typeof value === "string") return str(value, asciiOnly);
  if (typeof value === "number" && !Number.isFinite(value)) throw new Error("not a finite number");
  return JSON.stringify(value) ?? "null";
}

function str(s: string, asciiOnly: boolean): string {
  const json = JSON.stringify(s);
  return asciiOnly ? json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`) : json;
}

const PY_TOP_FIELDS = ["aip", "id", "public_keys", "name", "delegation", "protocols", "revocation", "extensions", "expires"];
const PY_KEY_FIELDS = ["id", "type", "public_key_multibase", "valid_from", "valid_until"];

/**
 * The reference's `canonical_json`: `model_dump(exclude_none=True)` minus document_signature, then
 * `json.dumps(sort_keys, separators=(",", ":"))` (ASCII). The model keeps only its own fields and
 * drops `None` in its own models (the document and each public key entry), not inside free-form dicts.
 */
export function pythonSigningInput(doc: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const f of PY_TOP_FIELDS) {
    const v = doc[f];
    if (v === null || v === undefined) continue;
    if (f === "public_keys" && Array.isArray(v)) {
      out[f] = v.map((entry) => {
        if (!isObject(entry)) return entry as unknown;
        const e: Record<string, unknown> = {};
        for (const k of PY_KEY_FIELDS) if (entry[k] !== null && entry[k] !== undefined) e[k] = entry[k];
        return e;
      });
    } else out[f] = v;
  }
  return sortedJson(out, true);
}

/** The draft's form: RFC 8785 (JCS) of the document without document_signature. */
export function draftSigningInput(doc: Record<string, unknown>): string {
  const { document_signature: _omit, ...rest } = doc;
  const s = canonicalize(rest);
  if (s === undefined) throw new Error("not canonicalizable");
  return s;
}

function stripRust(value: unknown, depth = 0): unknown {
  if (depth > 64) throw new Error("nested too deep");
  if (Array.isArray(value)) return value.map((v) => stripRust(v, depth + 1));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "document_signature" || v === null) continue;
    out[k] = stripRust(v, depth + 1);
  }
  return out;
}

/** The Rust crate's form: sorted compact JSON, document_signature and nulls stripped at every depth. */
export function rustSigningInput(doc: Record<string, unknown>): string {
  return sortedJson(stripRust(doc), false);
}

const FORMS: { form: TSignatureForm; input: (d: Record<string, unknown>) => string; decode: (s: string) => Uint8Array | null }[] = [
  { form: "python", input: pythonSigningInput, decode: b64StdStrict },
  { form: "draft", input: draftSigningInput, decode: b64UrlStrict },
  { form: "rust", input: rustSigningInput, decode: hexLowerStrict },
];

// ---------------------------------------------------------------------------------------------
// The reference's model (pydantic IdentityDocument / PublicKeyEntry), for the `aip` verdict.

function pydanticError(doc: unknown): string | null {
  if (!isObject(doc)) return "the document is not a JSON object";
  const optStr = (v: unknown) => v === undefined || v === null || typeof v === "string";
  const optDict = (v: unknown) => v === undefined || v === null || isObject(v);
  if (typeof doc.aip !== "string") return '"aip" must be a string';
  if (typeof doc.id !== "string") return '"id" must be a string';
  if (doc.public_keys !== undefined) {
    if (!Array.isArray(doc.public_keys)) return '"public_keys" must be a list';
    for (const [i, k] of doc.public_keys.entries()) {
      if (!isObject(k)) return `public_keys[${i}] must be an object`;
      for (const f of ["id", "type", "public_key_multibase"]) if (typeof k[f] !== "string") return `public_keys[${i}].${f} must be a string`;
      for (const f of ["valid_from", "valid_until"]) if (!optStr(k[f])) return `public_keys[${i}].${f} must be a string or null`;
    }
  }
  for (const f of ["name", "document_signature", "expires"]) if (!optStr(doc[f])) return `"${f}" must be a string or null`;
  for (const f of ["delegation", "revocation", "extensions"]) if (!optDict(doc[f])) return `"${f}" must be an object or null`;
  const p = doc.protocols;
  if (p !== undefined && p !== null && !(Array.isArray(p) && p.every(isObject)))
    return '"protocols" must be a list of objects (the reference\'s model)';
  return null;
}

/** Python's `int(s)` on the major version: optional sign, digits with single underscores, spaces. */
function pythonMajor(aip: string): number | null {
  const major = aip.split(".")[0];
  const m = /^\s*([+-]?)(\d+(?:_\d+)*)\s*$/.exec(major);
  return m ? Number(`${m[1]}${m[2].replace(/_/g, "")}`) : null;
}

/** The reference's document verdict in its order (spec §6). `now` in seconds. */
export function referenceDocumentVerdict(doc: unknown, now: number): TAipVerdict {
  const invalid = pydanticError(doc);
  if (invalid !== null) return aipInvalid("ValidationError", invalid);
  const d = doc as Record<string, unknown>;
  const major = pythonMajor(d.aip as string);
  if (major === null) return aipInvalid("VersionUnsupported", `cannot parse version: ${JSON.stringify(d.aip)}`);
  if (major > 1) return aipInvalid("VersionUnsupported", `unsupported AIP version: ${String(d.aip)}`);
  const keys = (d.public_keys ?? []) as Record<string, string | null>[];
  if (typeof d.document_signature !== "string" || d.document_signature === "") return aipInvalid("SignatureInvalid", "document_signature is missing");
  if (keys.length === 0) return aipInvalid("SignatureInvalid", "no public keys in document");
  const sig = pyB64Decode(d.document_signature);
  if (!sig) return aipInvalid("SignatureInvalid", "invalid base64 signature");
  const first = decodeMultibase(keys[0].public_key_multibase ?? "");
  if (!first || first.length !== 32) return aipInvalid("SignatureInvalid", "the first key is not a 32-byte z-base58btc Ed25519 key");
  let input: string;
  try {
    input = pythonSigningInput(d);
  } catch {
    return aipInvalid("ValidationError", "the document cannot be serialised");
  }
  if (!ed25519Verify(first, Buffer.from(input, "utf8"), sig))
    return aipInvalid("SignatureInvalid", "document signature verification failed (the reference checks the first key only)");
  if (typeof d.expires === "string") {
    const exp = parseRfc3339(d.expires);
    if (exp === null) return aipInvalid("ValidationError", `expires ${JSON.stringify(d.expires)} is not an ISO 8601 time with an offset`);
    if (now >= exp) return aipInvalid("DocumentExpired", `the document expired at ${d.expires}`);
  }
  for (const k of keys) {
    const from = k.valid_from == null ? null : parseRfc3339(k.valid_from);
    const until = k.valid_until == null ? null : parseRfc3339(k.valid_until);
    if ((k.valid_from != null && from === null) || (k.valid_until != null && until === null))
      return aipInvalid("ValidationError", `key ${JSON.stringify(k.id)} has a window that is not ISO 8601 with an offset`);
    if ((from === null || now >= from) && (until === null || now <= until)) return aipValid("the document verifies under its first key");
  }
  return aipInvalid("no_valid_key", "no key of the document is valid now");
}

// ---------------------------------------------------------------------------------------------
// Delegraph's judgement.

export type TDocumentJudgement =
  | {
      ok: true;
      id: string;
      keys: TAipKey[];
      signatureForm: TSignatureForm;
      /** the kid of the key that verified the document */
      signedBy: string;
      document: Record<string, unknown>;
      aip: TAipVerdict;
    }
  | { ok: false; reason: string; aip: TAipVerdict };

/** Spec §3: accept with the form and key that verified, or refuse with a reason. Never throws. */
export function judgeIdentityDocument(doc: unknown, now: number): TDocumentJudgement {
  let aip: TAipVerdict;
  try {
    aip = referenceDocumentVerdict(doc, now);
  } catch {
    aip = aipInvalid("ValidationError", "the document cannot be read");
  }
  const refuse = (reason: string): TDocumentJudgement => ({ ok: false, reason, aip });
  if (!isObject(doc)) return refuse("the document is not a JSON object");
  const idParse = parseAipId(doc.id);
  if (typeof doc.id !== "string" || doc.id === "") return refuse('the document has no "id"');
  if (!idParse.ok) return refuse(`"id": ${idParse.message}`);
  if (!Array.isArray(doc.public_keys) || doc.public_keys.length === 0) return refuse('the document has no "public_keys"');
  if (doc.public_keys.length > MAX_DOCUMENT_KEYS)
    return refuse(`the document lists ${doc.public_keys.length} keys; at most ${MAX_DOCUMENT_KEYS} are accepted`);
  if (typeof doc.aip !== "string") return refuse('"aip" (the version) must be a string');
  const major = pythonMajor(doc.aip);
  if (major === null || !/^\d+(\.\d+)*$/.test(doc.aip)) return refuse(`"aip" version ${JSON.stringify(doc.aip)} does not parse`);
  if (major > 1) return refuse(`AIP version ${doc.aip} is not supported (major version above 1)`);
  if (doc.protocols !== undefined && doc.protocols !== null && !Array.isArray(doc.protocols) && !isObject(doc.protocols))
    return refuse('"protocols" must be a list or an object');

  const keys: TAipKey[] = [];
  const seen = new Set<string>();
  for (const [i, entry] of doc.public_keys.entries()) {
    const where = `public_keys[${i}]`;
    if (!isObject(entry)) return refuse(`${where} is not an object`);
    if (typeof entry.id !== "string" || entry.id === "" || entry.id.length > 200) return refuse(`${where} has no "id"`);
    if (seen.has(entry.id)) return refuse(`${where}: key id ${JSON.stringify(entry.id)} is listed twice`);
    seen.add(entry.id);
    if (entry.type !== "Ed25519") return refuse(`${where}: type must be "Ed25519"`);
    const key = decodeMultibase(entry.public_key_multibase as string);
    if (!key || key.length !== 32) return refuse(`${where}: public_key_multibase must be z + base58btc of 32 bytes`);
    if (!isValidEd25519PublicKey(key)) return refuse(`${where}: the key is not a canonical Ed25519 point of large order`);
    const from = entry.valid_from == null ? null : parseRfc3339(entry.valid_from);
    const until = entry.valid_until == null ? null : parseRfc3339(entry.valid_until);
    if (entry.valid_from != null && from === null) return refuse(`${where}: valid_from is not an RFC 3339 time with an offset`);
    if (entry.valid_until != null && until === null) return refuse(`${where}: valid_until is not an RFC 3339 time with an offset`);
    if (from !== null && until !== null && until < from) return refuse(`${where}: valid_until is before valid_from`);
    keys.push({ kid: entry.id, publicKey: key, validFrom: from, validUntil: until, revokedAt: null });
  }

  const signature = doc.document_signature;
  if (typeof signature !== "string" || signature === "") return refuse("the document is not signed (no document_signature)");
  let verified: { form: TSignatureForm; kid: string } | null = null;
  for (const f of FORMS) {
    const sig = f.decode(signature);
    if (!sig || sig.length !== 64) continue;
    let input: Buffer;
    try {
      input = Buffer.from(f.input(doc), "utf8");
    } catch {
      continue;
    }
    const k = keys.find((key) => ed25519Verify(key.publicKey, input, sig));
    if (k) {
      verified = { form: f.form, kid: k.kid };
      break;
    }
  }
  if (!verified) return refuse("document_signature verifies under none of the document's keys in any accepted form (python, draft, rust)");

  if (doc.expires !== undefined && doc.expires !== null) {
    const exp = parseRfc3339(doc.expires);
    if (exp === null) return refuse('"expires" is not an RFC 3339 time with an offset');
    if (now >= exp) return refuse(`the document expired at ${doc.expires as string}`);
  }
  if (!keys.some((k) => keyHoldsAt(k, now))) return refuse("no key of the document is valid now");
  if (idParse.value.scheme === "key") {
    const own = Buffer.from(idParse.value.key);
    if (keys.some((k) => !own.equals(Buffer.from(k.publicKey))))
      return refuse("an aip:key document may list only the identifier's own key (draft §3.3)");
  }
  return { ok: true, id: doc.id, keys, signatureForm: verified.form, signedBy: verified.kid, document: doc, aip };
}
