// AIP import, the pure core (shared/spec/aip-import.md). No database, no HTTP: the caller passes
// the clock, an identity resolver and a "stored?" lookup, and stores what comes back.
//
// Public API
//   detectAipMode(token)                              "compact" when it starts with "eyJ", else "chained"
//   importAipToken(token, options, ctx)               → Promise<TAipImport>: the §2 result entry
//       options { tool?, audience? }                    (`aip` adds the reference's V6 policy / A2A check)
//       ctx { now, resolveIdentity(id), isStored(jti) }
//     TAipImport = { result: {id, mode, status, chain?, events, findings, error?, aip},
//                    store: TAipEvent[]  (new events only, block order; claims carry `aip` meta),
//                    newIdentity: TAipIdentity | null  (an aip:key id used for the first time) }
//   judgeIdentityDocument(doc, now)                    → §3 accept {id, keys, signatureForm, signedBy,
//                                                        document, aip} or refuse {reason, aip}
//   checkAipChain({chainId, events, principalKinds, invokes?}) → TChainAnalysis over STORED AIP
//       events (findings per event, chain status, open grants); aipReadTimeFindings(analysis, now)
//       adds missing_evidence, as readTimeFindings does for DEP chains.
//   aipScopeCovers / aipScopesWithin / aipScopeSetsEquivalent     the AIP scope rule (§5)
//   parseAipId, ed25519Jwk, keyHoldsAt                              identities and keys
//   aipTokenHint(token)                               the `malformed` message POST /api/v1/events gives an aip+jwt
//   biscuit.ts: loadBiscuit, verifyBiscuit, mint helpers (tests, demo)
import { checkAipChain } from "./check";
import { checkCompact, aipTokenId, compactIssuer, keyHoldingNow, referenceCompactVerdict } from "./compact";
import { checkChained, referenceChainedVerdict, MAX_CHAINED_TOKEN_CHARS, type TChainedOptions } from "./chained";
import { decodeBiscuit } from "./biscuit-proto";
import { factStrings, readBlock } from "./datalog";
import { resolveAipIdentity, type TAipContext } from "./resolve";
import type { TPrincipalKind, TFinding } from "../types";
import { aipInvalid, keyHoldsAt, type TAipEvent, type TAipIdentity, type TAipMode, type TAipTokenResult, type TAipVerdict } from "./types";

export { checkAipChain, aipReadTimeFindings, AIP_DEFAULT_MAX_DEPTH } from "./check";
export type { TAipChainInput } from "./check";
export { judgeIdentityDocument, referenceDocumentVerdict, parseAipId, ed25519Jwk, MAX_DOCUMENT_KEYS } from "./identity";
export type { TDocumentJudgement, TSignatureForm } from "./identity";
export { aipScopeCovers, aipScopesWithin, aipScopeSetsEquivalent, aipScopesAdded } from "./scope";
export { aipTokenId } from "./compact";
export { blockEventId } from "./chained";
export {
  presentationRecord,
  presentedInvoke,
  parsePresentation,
  isPresentationRecord,
  presentationId,
  finalGrant,
  PRESENTATION_VERSION,
} from "./presented";
export type { TPresentation, TPresentedCall } from "./presented";
export type { TAipContext } from "./resolve";
export * from "./types";

export type TAipImportOptions = TChainedOptions;
export type TAipImport = { result: TAipTokenResult; store: TAipEvent[]; newIdentity: TAipIdentity | null };

/**
 * The AIP identity a token names (a compact token's `iss`, block 0's first `identity` fact), read
 * without verifying anything, so the caller can load the batch's identities at once; null if none.
 */
export function aipIdentityOf(token: string): string | null {
  try {
    if (detectAipMode(token) === "compact") {
      const iss = compactIssuer(token);
      return typeof iss === "string" ? iss : null;
    }
    if (token.length > MAX_CHAINED_TOKEN_CHARS) return null;
    const decoded = decodeBiscuit(token);
    if (!decoded.ok || decoded.blocks.length === 0) return null;
    return factStrings(readBlock(decoded.blocks[0]), "identity")[0] ?? null;
  } catch {
    return null;
  }
}

/** Spec §2: the reference's rule. */
export function detectAipMode(token: string): TAipMode {
  return token.startsWith("eyJ") ? "compact" : "chained";
}

function safeResolve(id: unknown, ctx: TAipContext): TAipIdentity | null {
  const r = resolveAipIdentity(id, ctx);
  return r.ok ? r.identity : null;
}

/** One token of `POST /api/v1/aip/tokens`: both verdicts and the events to store. Never throws. */
export async function importAipToken(token: string, options: TAipImportOptions, ctx: TAipContext): Promise<TAipImport> {
  const text = typeof token === "string" ? token : "";
  const id = aipTokenId(text);
  const mode = detectAipMode(text);
  try {
    return mode === "compact" ? importCompact(text, id, options, ctx) : await importChained(text, id, options, ctx);
  } catch (e) {
    // Defence in depth: a bug must not become a 500 for hostile input.
    const message = `the token could not be judged: ${e instanceof Error ? e.message : String(e)}`;
    return {
      result: {
        id,
        mode,
        status: "rejected",
        events: [],
        findings: [],
        error: { code: "malformed", message },
        aip: aipInvalid(mode === "compact" ? "token_malformed" : "BiscuitValidationError", message),
      },
      store: [],
      newIdentity: null,
    };
  }
}

function kindsOf(identity: TAipIdentity | null): Map<string, TPrincipalKind> {
  return identity ? new Map([[identity.id, identity.kind]]) : new Map<string, TPrincipalKind>();
}

function importCompact(token: string, id: string, _options: TAipImportOptions, ctx: TAipContext): TAipImport {
  const issuer = safeResolve(compactIssuer(token), ctx);
  // Spec §6: CompactToken.verify only; `tool` and `audience` are chained-token steps of the reference.
  const aip: TAipVerdict = referenceCompactVerdict(token, keyHoldingNow(issuer, ctx.now)?.publicKey ?? null, ctx.now);
  const checked = checkCompact(token, ctx);
  if (!checked.ok)
    return { result: { id, mode: "compact", status: "rejected", events: [], findings: [], error: checked.error, aip }, store: [], newIdentity: null };
  const { claims } = checked;
  const analysis = checkAipChain({ chainId: claims.chain, events: [{ jti: claims.jti, claims }], principalKinds: kindsOf(checked.identity) });
  const findings = analysis.events.get(claims.jti)?.findings ?? [];
  const stored = ctx.isStored(claims.jti);
  return {
    result: { id, mode: "compact", status: stored ? "duplicate" : "accepted", chain: claims.chain, events: [claims.jti], findings, aip },
    store: stored ? [] : [{ jti: claims.jti, chain: claims.chain, token, claims }],
    newIdentity: checked.created ? checked.identity : null,
  };
}

async function importChained(token: string, id: string, options: TAipImportOptions, ctx: TAipContext): Promise<TAipImport> {
  const checked = await checkChained(token, ctx);
  if (!checked.ok) {
    // The reference is handed the root identity's key whose window holds now, if there is one.
    const holding = checked.identity?.keys.find((k) => keyHoldsAt(k, ctx.now)) ?? null;
    const aip = await referenceChainedVerdict(token, holding?.publicKey ?? null, options, ctx.now, checked.formatError);
    return { result: { id, mode: "chained", status: "rejected", events: [], findings: [], error: checked.error, aip }, store: [], newIdentity: null };
  }
  const aip = await referenceChainedVerdict(token, checked.key.publicKey, options, ctx.now, false);
  const chain = checked.events[0].claims.chain;
  const analysis = checkAipChain({ chainId: chain, events: checked.events, principalKinds: kindsOf(checked.identity) });
  const findings: TFinding[] = checked.events.flatMap((e) => analysis.events.get(e.jti)?.findings ?? []);
  const fresh = checked.events.filter((e) => !ctx.isStored(e.jti));
  return {
    result: {
      id,
      mode: "chained",
      status: fresh.length === 0 ? "duplicate" : "accepted",
      chain,
      events: checked.events.map((e) => e.jti),
      findings,
      aip,
    },
    store: fresh.map((e) => ({ jti: e.jti, chain, token, claims: e.claims })),
    newIdentity: checked.created ? checked.identity : null,
  };
}

/**
 * For POST /api/v1/events, which stays DEP-only (spec §2): the message of its `malformed` result
 * when the token is an AIP compact token, else null.
 */
export function aipTokenHint(token: unknown): string | null {
  if (typeof token !== "string" || !token.startsWith("eyJ")) return null;
  try {
    const header: unknown = JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString("utf8"));
    const typ = header !== null && typeof header === "object" ? (header as { typ?: unknown }).typ : undefined;
    if (typeof typ === "string" && typ.toLowerCase() === "aip+jwt")
      return 'this is an AIP compact token (typ "aip+jwt"): post it to /api/v1/aip/tokens; /api/v1/events takes dep+jwt events only';
  } catch {
    // not JSON: not ours to explain
  }
  return null;
}
