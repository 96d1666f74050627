// Compact `aip+jwt` tokens (spec aip-import §4 and the compact part of §6): Delegraph's ordered
// checks, the one grant an accepted token becomes, and what the reference's CompactToken.verify
// (PyJWT 2.10 + pydantic) would answer.
import { createHash } from "node:crypto";
import { MAX_CLOCK_SKEW_SECONDS } from "../envelope";
import { b64UrlStrict, pyJwtB64Decode } from "./encoding";
import { ed25519Verify } from "./identity";
import { resolveAipIdentity, type TAipContext } from "./resolve";
import { aipInvalid, aipValid, keyHoldsAt, type TAipGrantClaims, type TAipIdentity, type TAipKey, type TAipReject, type TAipVerdict } from "./types";

export const MAX_AIP_SCOPES = 256;

export function aipTokenId(token: string): string {
  return `aip-${createHash("sha256").update(token, "utf8").digest("hex")}`;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function jsonObject(bytes: Uint8Array | null): Record<string, unknown> | null {
  if (!bytes) return null;
  try {
    const v: unknown = JSON.parse(UTF8.decode(bytes));
    return isObject(v) ? v : null;
  } catch {
    return null;
  }
}

export type TCompactAccepted = {
  ok: true;
  claims: TAipGrantClaims;
  identity: TAipIdentity;
  /** the identity to register when an aip:key id is used for the first time */
  created: boolean;
  key: TAipKey;
};
export type TCompactCheck = TCompactAccepted | { ok: false; error: TAipReject };

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

/** Spec §4, checks 1–7 in order; the first failure rejects. Never throws. */
export function checkCompact(token: string, ctx: TAipContext): TCompactCheck {
  const fail = (code: TAipReject["code"], message: string): TCompactCheck => ({ ok: false, error: { code, message } });
  const parts = token.split(".");
  if (parts.length !== 3) return fail("malformed", `not a compact JWS: expected 3 dot-separated segments, found ${parts.length}`);
  const header = jsonObject(b64UrlStrict(parts[0]));
  if (!header) return fail("malformed", "the JWS header is not a base64url JSON object");
  const payload = jsonObject(b64UrlStrict(parts[1]));
  if (!payload) return fail("malformed", "the JWS payload is not a base64url JSON object");
  const signature = b64UrlStrict(parts[2]);
  if (!signature) return fail("malformed", "the JWS signature segment is not base64url");

  if (header.alg !== "EdDSA")
    return fail(
      "alg_not_allowed",
      `alg ${JSON.stringify(header.alg ?? null)} is not allowed for AIP compact tokens: only "EdDSA" (as the reference)`,
    );

  const resolved = resolveAipIdentity(payload.iss, ctx);
  if (!resolved.ok) return fail(resolved.code, `iss: ${resolved.message}`);
  const { identity } = resolved;

  if (!isInt(payload.iat)) return fail("malformed", 'claim "iat" must be an integer NumericDate');
  const iat = payload.iat;
  if (header.kid !== undefined && typeof header.kid !== "string") return fail("malformed", 'header "kid" must be a string');
  // An aip:key id has exactly the key it names, whatever kid the producer wrote.
  const kid = resolved.id.scheme === "key" ? undefined : header.kid;
  const candidates = kid === undefined ? identity.keys : identity.keys.filter((k) => k.kid === kid);
  if (candidates.length === 0)
    return fail(
      "unknown_key",
      kid === undefined ? `${JSON.stringify(identity.id)} has no keys` : `kid ${JSON.stringify(kid)} is not a key of ${JSON.stringify(identity.id)}`,
    );
  const holding = candidates.filter((k) => keyHoldsAt(k, iat));
  if (holding.length === 0)
    return fail(
      "key_revoked",
      `no key of ${JSON.stringify(identity.id)}${kid === undefined ? "" : ` with kid ${JSON.stringify(kid)}`} was valid at iat ${iat}: outside its window or revoked`,
    );

  const signingInput = Buffer.from(`${parts[0]}.${parts[1]}`, "utf8");
  const key = holding.find((k) => ed25519Verify(k.publicKey, signingInput, signature));
  if (!key)
    return fail(
      "signature_invalid",
      `the signature does not verify with ${holding.length === 1 ? `key ${JSON.stringify(holding[0].kid)}` : `any of ${holding.length} keys`} of ${JSON.stringify(identity.id)}`,
    );

  if (iat > ctx.now + MAX_CLOCK_SKEW_SECONDS)
    return fail("iat_in_future", `iat ${iat} is more than ${MAX_CLOCK_SKEW_SECONDS} s after the server's clock (${ctx.now})`);

  if (typeof payload.sub !== "string") return fail("malformed", 'claim "sub" must be a string');
  const scope = payload.scope;
  if (!Array.isArray(scope) || !scope.every((s) => typeof s === "string")) return fail("malformed", 'claim "scope" must be an array of strings');
  if (scope.length > MAX_AIP_SCOPES) return fail("malformed", `claim "scope" lists ${scope.length} entries; at most ${MAX_AIP_SCOPES}`);
  if (!isInt(payload.exp)) return fail("malformed", 'claim "exp" must be an integer NumericDate');
  if (payload.max_depth !== undefined && payload.max_depth !== null && !isInt(payload.max_depth))
    return fail("malformed", 'claim "max_depth" must be an integer');
  const budget = payload.budget_usd;
  if (budget !== undefined && budget !== null && !(typeof budget === "number" && Number.isFinite(budget)))
    return fail("malformed", 'claim "budget_usd" must be a number or null');

  const jti = aipTokenId(token);
  const typ = typeof header.typ === "string" ? header.typ : null;
  const claims: TAipGrantClaims = {
    v: 1,
    kind: "authorize",
    jti,
    chain: jti,
    iss: identity.id,
    aud: payload.sub,
    iat,
    exp: payload.exp,
    scope: [...new Set(scope)],
    purpose: { code: "aip", text: "AIP compact token" },
    max_depth: Math.max(0, isInt(payload.max_depth) ? payload.max_depth : 0),
    aip: {
      mode: "compact",
      role: "compact",
      block: null,
      prev: null,
      source: null,
      reading: null,
      principal: null,
      budget: { usd: typeof budget === "number" ? budget : null },
      unverified: null,
      typ,
      iatIsReceipt: false,
      verifiedBy: `${identity.id}#${key.kid}`,
    },
  };
  return { ok: true, claims, identity, created: resolved.created, key };
}

// ---------------------------------------------------------------------------------------------
// The reference: CompactToken.verify(token, key) = jwt.decode(token, key, algorithms=["EdDSA"])
// (PyJWT 2.10) then AipClaims(**payload) (pydantic v2, lax).

/** Python's int(x) for the NumericDate checks; null when it raises. */
function pyInt(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? Math.trunc(v) : null;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string" && /^\s*[+-]?\d+(?:_\d+)*\s*$/.test(v)) return Number(v.replace(/_/g, ""));
  return null;
}

/** pydantic v2 lax `int`. */
function pydanticInt(v: unknown): boolean {
  if (typeof v === "number") return Number.isInteger(v);
  if (typeof v === "boolean") return true;
  return typeof v === "string" && /^\s*[+-]?\d+\s*$/.test(v);
}

/** Python truthiness of a JSON value. */
function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}

/** The reference's verdict; `key` is the issuer's key whose window holds now (null: none resolved). */
export function referenceCompactVerdict(token: string, key: Uint8Array | null, now: number): TAipVerdict {
  const malformed = (m: string) => aipInvalid("token_malformed", `token is malformed: ${m}`);
  const lastDot = token.lastIndexOf(".");
  const signingInput = lastDot < 0 ? "" : token.slice(0, lastDot);
  const firstDot = signingInput.indexOf(".");
  if (lastDot < 0 || firstDot < 0) return malformed("Not enough segments");
  if (!/^[\x00-\x7F]*$/.test(token)) return malformed("Invalid header padding");
  const headerBytes = pyJwtB64Decode(signingInput.slice(0, firstDot));
  if (!headerBytes) return malformed("Invalid header padding");
  const header = jsonObject(headerBytes);
  if (!header) return malformed("Invalid header string: must be a json object");
  const payloadBytes = pyJwtB64Decode(signingInput.slice(firstDot + 1));
  if (!payloadBytes) return malformed("Invalid payload padding");
  const signature = pyJwtB64Decode(token.slice(lastDot + 1));
  if (!signature) return malformed("Invalid crypto padding");
  if (header.kid !== undefined && typeof header.kid !== "string") return malformed("Key ID header parameter must be a string");
  if (!("alg" in header)) return malformed("Algorithm not specified");
  if (header.alg !== "EdDSA") return malformed("The specified alg value is not allowed");
  if (!key) return aipInvalid("identity_unresolvable", "identity cannot be resolved: no key of the issuer is valid now");
  if (!ed25519Verify(key, Buffer.from(signingInput, "utf8"), signature)) return aipInvalid("signature_invalid", "signature is invalid");
  const payload = jsonObject(payloadBytes);
  if (!payload) return malformed("Invalid payload string: must be a json object");
  if ("iat" in payload) {
    const iat = pyInt(payload.iat);
    if (iat === null) return malformed("Issued At claim (iat) must be an integer.");
    if (iat > now) return malformed("The token is not yet valid (iat)");
  }
  if ("nbf" in payload) {
    const nbf = pyInt(payload.nbf);
    if (nbf === null) return malformed("Not Before claim (nbf) must be an integer.");
    if (nbf > now) return malformed("The token is not yet valid (nbf)");
  }
  if ("exp" in payload) {
    const exp = pyInt(payload.exp);
    if (exp === null) return malformed("Expiration Time claim (exp) must be an integer.");
    if (exp <= now) return aipInvalid("token_expired", "token has expired");
  }
  if (truthy(payload.aud)) return malformed("Invalid audience");
  if ("sub" in payload && typeof payload.sub !== "string") return malformed("Subject must be a string");
  if ("jti" in payload && typeof payload.jti !== "string") return malformed("JWT ID must be a string");
  if (typeof payload.iss !== "string") return malformed("iss: Input should be a valid string");
  if (typeof payload.sub !== "string") return malformed("sub: Field required");
  if (!Array.isArray(payload.scope) || !payload.scope.every((s) => typeof s === "string"))
    return malformed("scope: Input should be a valid list of strings");
  const b = payload.budget_usd;
  if (
    b !== undefined &&
    b !== null &&
    typeof b !== "number" &&
    typeof b !== "boolean" &&
    !(typeof b === "string" && b.trim() !== "" && Number.isFinite(Number(b)))
  )
    return malformed("budget_usd: Input should be a valid number");
  if (payload.max_depth !== undefined && !pydanticInt(payload.max_depth)) return malformed("max_depth: Input should be a valid integer");
  if (!pydanticInt(payload.iat)) return malformed("iat: Input should be a valid integer");
  if (!pydanticInt(payload.exp)) return malformed("exp: Input should be a valid integer");
  return aipValid("CompactToken.verify accepts it");
}

/** The issuer's key the reference would be handed: the first (document order) whose window holds now. */
export function keyHoldingNow(identity: TAipIdentity | null, now: number): TAipKey | null {
  return identity?.keys.find((k) => keyHoldsAt(k, now)) ?? null;
}

/** The issuer named by the payload, for the reference's key (best effort, never throws). */
export function compactIssuer(token: string): unknown {
  const parts = token.split(".");
  if (parts.length < 2) return undefined;
  return jsonObject(pyJwtB64Decode(parts[1]))?.iss;
}
