// Chained (Biscuit) tokens (spec aip-import §5 and the chained part of §6): verify every block
// under the root identity's key, turn each block into one event of one chain, judge them, and say
// what the reference's from_base64 + authorize walk would answer.
import { createHash } from "node:crypto";
import { authorizeTool, loadBiscuit, verifyBiscuit, type TBiscuitEngine, type TVerifiedBiscuit } from "./biscuit";
import { decodeBiscuit } from "./biscuit-proto";
import { factInts, factStrings, readBlock, refFinalDelegate, refIntFact, refScopes, refStrFact, type TBlockReading } from "./datalog";
import { resolveAipIdentity, type TAipContext } from "./resolve";
import { aipScopeCovers } from "./scope";
import {
  aipInvalid,
  aipValid,
  keyHoldsAt,
  type TAipBlockRole,
  type TAipClaims,
  type TAipGrantClaims,
  type TAipIdentity,
  type TAipKey,
  type TAipMeta,
  type TAipReject,
  type TAipVerdict,
} from "./types";

/** A token past this size is refused before the engine sees it (the route caps bodies at 1 MiB). */
export const MAX_CHAINED_TOKEN_CHARS = 1_048_576;
/** A delegation chain deeper than this is refused before any signature is checked (each block is judged against its whole ancestry). */
export const MAX_CHAINED_BLOCKS = 256;

export type TChainedOptions = { tool?: string; audience?: string };

export type TChainedCheck =
  | {
      ok: true;
      events: { jti: string; claims: TAipClaims }[];
      identity: TAipIdentity;
      created: boolean;
      key: TAipKey;
      verified: TVerifiedBiscuit;
    }
  | { ok: false; error: TAipReject; identity: TAipIdentity | null; formatError: boolean };

/** `aip-` + sha256 hex of the block's revocation identifier (the signature bytes). */
export function blockEventId(revocationIdHex: string): string {
  return `aip-${createHash("sha256").update(Buffer.from(revocationIdHex, "hex")).digest("hex")}`;
}

function roleOf(i: number, r: TBlockReading): TAipBlockRole {
  if (i === 0) return "root";
  if (r.facts.delegator || r.facts.delegate) return "delegation";
  if (r.facts.status || r.facts.result_hash) return "completion";
  if (r.facts.verified || r.facts.verifier) return "counter_signature";
  // A block that names nobody still counts as a delegation (the reference counts it as one):
  // it is judged as such, and its missing delegator and context become findings.
  return "delegation";
}

const unique = <T>(xs: T[]) => [...new Set(xs)];

type TChainedFailure = Extract<TChainedCheck, { ok: false }>;

function fail(code: TAipReject["code"], message: string, identity: TAipIdentity | null = null, formatError = false): TChainedFailure {
  return { ok: false, error: { code, message }, identity, formatError };
}

/** What is checked before the engine is needed: size, structure, block count, the root identity and its keys valid now. */
type TPrechecked = {
  decoded: Extract<ReturnType<typeof decodeBiscuit>, { ok: true }>;
  identity: TAipIdentity;
  /** whether resolving the identity made it (an aip:key identity seen for the first time) */
  created: boolean;
  candidates: TAipKey[];
};

function precheck(token: string, ctx: TAipContext): TChainedFailure | TPrechecked {
  if (token.length > MAX_CHAINED_TOKEN_CHARS) return fail("malformed", "the token is larger than 1 MiB", null, true);
  const decoded = decodeBiscuit(token);
  if (!decoded.ok) return fail("malformed", `not a Biscuit token: ${decoded.message}`, null, true);
  if (decoded.blocks.length > MAX_CHAINED_BLOCKS)
    return fail("malformed", `the token has ${decoded.blocks.length} blocks; at most ${MAX_CHAINED_BLOCKS} are accepted`);
  const block0 = readBlock(decoded.blocks[0]);
  const ids = factStrings(block0, "identity");
  if (ids.length === 0) return fail("malformed", 'block 0 has no identity("…") fact: the root identity is unknown');
  const resolved = resolveAipIdentity(ids[0], ctx);
  if (!resolved.ok) return fail(resolved.code, `block 0 identity: ${resolved.message}`);
  const { identity } = resolved;
  const candidates = identity.keys.filter((k) => keyHoldsAt(k, ctx.now));
  if (candidates.length === 0)
    return fail(identity.keys.length === 0 ? "unknown_key" : "key_revoked", `no key of ${JSON.stringify(identity.id)} is valid now`, identity);
  return { decoded, identity, created: resolved.created, candidates };
}

/** Spec §5 steps 1–2: verification, then one event per block. Never throws. */
export async function checkChained(token: string, ctx: TAipContext): Promise<TChainedCheck> {
  // The cheap checks first: a token refused by them never loads the Biscuit engine.
  const pre = precheck(token, ctx);
  if ("ok" in pre) return pre;
  let engine: TBiscuitEngine;
  try {
    engine = await loadBiscuit();
  } catch (e) {
    return fail("malformed", `the Biscuit engine is unavailable: ${e instanceof Error ? e.message : String(e)}`, pre.identity);
  }
  return verifyChained(engine, token, ctx, pre);
}

/**
 * checkChained with an engine already loaded: synchronous, for callers that cannot await (the
 * evidence bundle's offline check). Same answers.
 */
export function checkChainedWith(engine: TBiscuitEngine, token: string, ctx: TAipContext): TChainedCheck {
  const pre = precheck(token, ctx);
  return "ok" in pre ? pre : verifyChained(engine, token, ctx, pre);
}

function verifyChained(
  engine: TBiscuitEngine,
  token: string,
  ctx: TAipContext,
  { decoded, identity, created, candidates }: TPrechecked,
): TChainedCheck {
  let verified: TVerifiedBiscuit | null = null;
  let key: TAipKey | null = null;
  let formatMessage: string | null = null;
  for (const k of candidates) {
    const v = verifyBiscuit(engine, token, k.publicKey);
    if (v.ok) {
      verified = v;
      key = k;
      break;
    }
    if (v.kind === "format") formatMessage = v.message;
  }
  if (!verified || !key) {
    if (formatMessage !== null) return fail("malformed", `not a valid Biscuit token: ${formatMessage}`, identity, true);
    return fail(
      "signature_invalid",
      `the block signatures do not verify under ${candidates.length === 1 ? `key ${JSON.stringify(candidates[0].kid)}` : `any of ${candidates.length} keys`} of ${JSON.stringify(identity.id)}`,
      identity,
    );
  }
  if (verified.sources.length !== decoded.blocks.length || verified.revocationIds.length !== decoded.blocks.length)
    return fail("malformed", "the token's blocks could not be read consistently", identity, true);

  const now = ctx.now;
  const readings = decoded.blocks.map(readBlock);
  const events: { jti: string; claims: TAipClaims }[] = [];
  const chain = blockEventId(verified.revocationIds[0]);
  let grant: TAipGrantClaims | null = null;
  let lastCompletion: { status: string; result_hash: string } | null = null;
  let inheritedScope: string[] = [];
  let inheritedExp: number | null = null;

  for (let i = 0; i < readings.length; i++) {
    const r = readings[i];
    const role = roleOf(i, r);
    const jti = blockEventId(verified.revocationIds[i]);
    const own = unique(r.toolChecks.flat());
    const exp: number | null = r.timeChecks.length > 0 ? Math.min(...r.timeChecks, ...(inheritedExp === null ? [] : [inheritedExp])) : inheritedExp;
    const budgets = factInts(r, "budget_ceiling");
    const meta: TAipMeta = {
      mode: "chained",
      role,
      block: i,
      prev: i === 0 ? null : events[i - 1].jti,
      source: verified.sources[i],
      reading: r,
      principal: factStrings(r, "principal")[0] ?? null,
      budget: budgets.length > 0 ? { cents: Math.min(...budgets) } : null,
      unverified: null,
      typ: null,
      iatIsReceipt: true,
      verifiedBy: i === 0 ? `${identity.id}#${key.kid}` : null,
    };
    if (role === "root") {
      const maxDepths = factInts(r, "max_depth");
      const claims: TAipGrantClaims = {
        v: 1,
        kind: "authorize",
        jti,
        chain,
        iss: identity.id,
        aud: identity.id,
        iat: now,
        exp,
        scope: own.length > 0 ? own : ["*"],
        purpose: { code: "aip", text: factStrings(r, "context")[0] ?? "AIP chained token" },
        max_depth: Math.max(0, maxDepths.length > 0 ? Math.min(...maxDepths) : 3),
        aip: meta,
      };
      grant = claims;
      events.push({ jti, claims });
    } else if (role === "delegation") {
      const delegator = factStrings(r, "delegator")[0] ?? "(no delegator)";
      const delegate = factStrings(r, "delegate")[0] ?? "(no delegate)";
      meta.unverified = `block ${i} is signed with the ephemeral key Biscuit made for it, not with ${JSON.stringify(delegator)}'s own key: who delegated is asserted, not proven`;
      const claims: TAipGrantClaims = {
        v: 1,
        kind: "delegate",
        jti,
        chain,
        parent: grant!.jti,
        iss: delegator,
        aud: delegate,
        iat: now,
        exp,
        scope: own.length > 0 ? own : inheritedScope,
        purpose: { code: "aip", text: factStrings(r, "context")[0] ?? "(no context)" },
        aip: meta,
      };
      grant = claims;
      events.push({ jti, claims });
    } else if (role === "completion") {
      meta.unverified = `block ${i} reports a result in ${JSON.stringify(grant!.aud)}'s name, signed with an ephemeral key, not that identity's own key`;
      lastCompletion = { status: factStrings(r, "status")[0] ?? "", result_hash: factStrings(r, "result_hash")[0] ?? "" };
      events.push({
        jti,
        claims: {
          v: 1,
          kind: "complete",
          jti,
          chain,
          iss: grant!.aud,
          iat: now,
          grant: grant!.jti,
          ...lastCompletion,
          attestation_claimed: "self_reported",
          aip: meta,
        },
      });
    } else {
      const verifier = factStrings(r, "verifier")[0] ?? "(no verifier)";
      meta.unverified = `block ${i} claims a counter-signature by ${JSON.stringify(verifier)}, but it is signed with an ephemeral key, not that identity's own key: delegator_verified as a claim only`;
      events.push({
        jti,
        claims: {
          v: 1,
          kind: "complete",
          jti,
          chain,
          iss: verifier,
          iat: now,
          grant: grant!.jti,
          status: lastCompletion?.status ?? "",
          result_hash: lastCompletion?.result_hash ?? "",
          attestation_claimed: "delegator_verified",
          aip: meta,
        },
      });
    }
    if (own.length > 0) inheritedScope = own;
    else if (i === 0) inheritedScope = ["*"];
    inheritedExp = exp;
  }
  return { ok: true, events, identity, created, key, verified };
}

// ---------------------------------------------------------------------------------------------
// The reference: ChainedToken.from_base64 then authorize()'s V3, V4/V5 walk and V6 policy
// (python/aip_token/chained.py 0.3.0), and the A2A final-delegate check (aip_a2a/verify.py).

export async function referenceChainedVerdict(
  token: string,
  key: Uint8Array | null,
  options: TChainedOptions,
  now: number,
  knownFormatError: boolean,
): Promise<TAipVerdict> {
  const bve = (m: string) => aipInvalid("BiscuitValidationError", m);
  if (knownFormatError || !decodeBiscuit(token).ok) return bve("the token does not deserialize");
  if (!key) return aipInvalid("identity_unresolvable", "identity cannot be resolved: no key of the root identity is valid now");
  let engine: TBiscuitEngine;
  try {
    engine = await loadBiscuit();
  } catch {
    return bve("the Biscuit engine is unavailable");
  }
  const v = verifyBiscuit(engine, token, key);
  if (!v.ok) return bve(v.message);
  const sources = v.sources;
  const blocks = sources.length;

  const declared = refIntFact(sources[0], "max_depth");
  if (declared !== null && blocks - 1 > declared) return aipInvalid("depth_exceeded", "delegation depth exceeded");

  let scopes = refScopes(sources[0]);
  let budget = refIntFact(sources[0], "budget_ceiling");
  let principal = refStrFact(sources[0], "principal");
  if (budget !== null && budget < 0) return aipInvalid("budget_exceeded", "budget ceiling must be non-negative");
  for (let i = 1; i < blocks; i++) {
    const src = sources[i];
    const context = refStrFact(src, "context");
    if (!context || context.trim() === "") return aipInvalid("token_malformed", `delegation block ${i} has no context`);
    const blockScopes = refScopes(src);
    if (blockScopes !== null) {
      if (scopes !== null) {
        const parent = scopes;
        const widened = [...blockScopes].filter((s) => ![...parent].some((p) => aipScopeCovers(p, s))).sort();
        if (widened.length > 0) return aipInvalid("scope_insufficient", `delegation block ${i} widens scope: ${widened.join(", ")}`);
      }
      scopes = blockScopes;
    }
    const blockBudget = refIntFact(src, "budget_ceiling");
    if (blockBudget !== null) {
      if (blockBudget < 0) return aipInvalid("budget_exceeded", `delegation block ${i} has a negative budget ceiling`);
      if (budget !== null && blockBudget > budget)
        return aipInvalid("budget_exceeded", `delegation block ${i} raises the budget ceiling from ${budget} to ${blockBudget}`);
      budget = blockBudget;
    }
    const blockPrincipal = refStrFact(src, "principal");
    if (blockPrincipal !== null) {
      if (principal !== null && blockPrincipal !== principal)
        return aipInvalid("token_malformed", `delegation block ${i} substitutes the principal: ${principal} became ${blockPrincipal}`);
      principal = blockPrincipal;
    }
  }

  if (options.tool !== undefined) {
    const denied = authorizeTool(engine, token, key, options.tool, now, blocks - 1);
    if (denied !== null) return aipInvalid("scope_insufficient", `insufficient scope: ${denied}`);
  }
  if (options.audience !== undefined) {
    if (blocks - 1 < 1) return aipInvalid("aip_chain_invalid", "expected at least one delegation block in chain");
    const final = refFinalDelegate(sources[blocks - 1]);
    if (final === null) return aipInvalid("aip_chain_invalid", "token's last block has no delegate fact");
    if (final !== options.audience)
      return aipInvalid("aip_audience_mismatch", `final delegation targets ${JSON.stringify(final)}, expected ${JSON.stringify(options.audience)}`);
  }
  return aipValid("ChainedToken.from_base64 and the attenuation walk accept it");
}
