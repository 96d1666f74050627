// One entry point for the chain checks of any stored chain: DEP chains go through chain.ts, chains
// whose events came from AIP tokens (their claims carry an `aip` member, shared/spec/aip-import.md
// §4–§5) through aip/check.ts, with the chain's DEP invokes judged under the AIP grants. Ingest,
// the chain detail, the findings read and the evidence bundle's re-check all call this, so an AIP
// chain is never judged by DEP rules (its scopes are opaque strings, its blocks carry no time).
import { checkChain, extendChainCheck, readTimeFindings, startChainCheck, type TChainCheckState } from "./chain";
import { aipReadTimeFindings, checkAipChain } from "./aip/check";
import type { TAipClaims } from "./aip/types";
import type { TChainAnalysis, TChainInput, TFinding, TInvokeClaims } from "./types";

/** An event's claims came from an AIP token. */
export function isAipClaims(claims: unknown): claims is TAipClaims {
  return typeof claims === "object" && claims !== null && "aip" in claims && typeof (claims as { aip?: unknown }).aip === "object";
}

/** A chain is an AIP chain when any of its events came from an AIP token. */
export function isAipChain(input: Pick<TChainInput, "events">): boolean {
  return input.events.some((e) => isAipClaims(e.claims));
}

export function checkAnyChain(input: TChainInput): TChainAnalysis {
  if (!isAipChain(input)) return checkChain(input);
  const events: { jti: string; claims: TAipClaims }[] = [];
  const invokes: { jti: string; claims: TInvokeClaims }[] = [];
  for (const e of input.events) {
    if (isAipClaims(e.claims)) events.push({ jti: e.jti, claims: e.claims });
    else if (e.claims.kind === "invoke") invokes.push({ jti: e.jti, claims: e.claims });
  }
  return checkAipChain({ chainId: input.chainId, events, principalKinds: input.principalKinds, invokes });
}

/**
 * checkAnyChain(input), from what an earlier check of the same chain kept where that gives the same
 * answer (a DEP chain with invokes and completes appended: extendChainCheck), and what to keep for
 * the next one (null for an AIP chain, which is always checked whole).
 */
export function checkAnyChainFrom(kept: TChainCheckState | null, input: TChainInput): { analysis: TChainAnalysis; kept: TChainCheckState | null } {
  if (isAipChain(input)) return { analysis: checkAnyChain(input), kept: null };
  const state = (kept && extendChainCheck(kept, input)) ?? startChainCheck(input);
  return { analysis: state.analysis, kept: state };
}

export function anyReadTimeFindings(input: Pick<TChainInput, "events">, analysis: TChainAnalysis, now: number): Map<string, TFinding> {
  return isAipChain(input) ? aipReadTimeFindings(analysis, now) : readTimeFindings(analysis, now);
}
