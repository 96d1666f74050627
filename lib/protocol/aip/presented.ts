// An AIP token presented with a call (docs/observed.md "AIP tokens in captures"): an MCP request
// with `X-AIP-Token` or `params._meta.aip_token`, an A2A message with `params.metadata.aip_token`.
// The token is verified by the AIP import; when it verifies, the call becomes an `invoke` by the
// token's final delegate under its last grant, stored in the AIP chain, so `ghost_permission` and
// `expired_grant` judge it like any invoke of an AIP chain (aip/check.ts checkInvoke).
//
// What the ledger keeps for that invoke is a presentation record: the AIP token byte for byte and
// the call as the capture reported it, in one canonical JSON string. The invoke's claims are a pure
// function of the record and the token's verified events, so the evidence verifier re-derives them
// offline: the signature it checks is the token's; the call facts (tool, time, trace) are the
// capture's, which nobody signed, and the record says so (`call.observedBy`).
import { createHash } from "node:crypto";
import type { TInvokeClaims } from "../types";
import type { TAipClaims } from "./types";

export const PRESENTATION_VERSION = 1;

export type TPresentedCall = {
  /** the protocol the call went over */
  via: "mcp" | "a2a";
  /** what was done: the MCP tool, resource URI or prompt; the A2A method */
  action: string;
  /** where: the MCP server or A2A agent the request went to */
  resource: string;
  /** NumericDate of the call's start */
  at: number;
  /** the observed call's span (W3C traceparent): the observed chain draws the invoke beside it */
  traceparent: string;
  /** the capturing proxy or gateway (the capture's service), which reported the call */
  observedBy: string;
};

export type TPresentation = { token: string; call: TPresentedCall };

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The ledger string of a presentation: fixed key order, so the same call gives the same bytes. */
export function presentationRecord(p: TPresentation): string {
  const c = p.call;
  return JSON.stringify({
    aip_presentation: PRESENTATION_VERSION,
    token: p.token,
    call: { via: c.via, action: c.action, resource: c.resource, at: c.at, traceparent: c.traceparent, observedBy: c.observedBy },
  });
}

/** A stored string that is a presentation record (not a DEP JWS nor an AIP token). */
export function isPresentationRecord(raw: string): boolean {
  return raw.startsWith('{"aip_presentation":');
}

/** The record's parts, or null when it is not one this version writes. */
export function parsePresentation(raw: string): TPresentation | null {
  if (!isPresentationRecord(raw)) return null;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null) return null;
  const o = v as { aip_presentation?: unknown; token?: unknown; call?: unknown };
  if (o.aip_presentation !== PRESENTATION_VERSION || typeof o.token !== "string" || typeof o.call !== "object" || o.call === null) return null;
  const c = o.call as Record<string, unknown>;
  if (c.via !== "mcp" && c.via !== "a2a") return null;
  if (typeof c.action !== "string" || typeof c.resource !== "string" || typeof c.observedBy !== "string") return null;
  if (typeof c.at !== "number" || !Number.isFinite(c.at) || typeof c.traceparent !== "string" || !TRACEPARENT.test(c.traceparent)) return null;
  const p: TPresentation = {
    token: o.token,
    call: { via: c.via, action: c.action, resource: c.resource, at: c.at, traceparent: c.traceparent, observedBy: c.observedBy },
  };
  // Only the canonical form: a re-ordered or padded record would be another event for the same call.
  return presentationRecord(p) === raw ? p : null;
}

/** The event id of a presentation: its record's digest, so a re-sent capture is a duplicate. */
export function presentationId(record: string): string {
  return `aipcall-${createHash("sha256").update(record, "utf8").digest("hex")}`;
}

/** The last grant of a token's events (block order): the one the final delegate holds. */
export function finalGrant(events: readonly TAipClaims[]): Extract<TAipClaims, { kind: "authorize" | "delegate" }> | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.kind === "authorize" || e.kind === "delegate") return e;
  }
  return null;
}

/**
 * The invoke a verified token's presentation stands for: by the final delegate (the last grant's
 * `aud`), under that grant, in the token's chain. Null when the token holds no grant.
 */
export function presentedInvoke(p: TPresentation, events: readonly TAipClaims[]): TInvokeClaims | null {
  const g = finalGrant(events);
  if (!g) return null;
  return {
    v: 1,
    kind: "invoke",
    jti: presentationId(presentationRecord(p)),
    chain: g.chain,
    iss: g.aud,
    iat: p.call.at,
    grant: g.jti,
    action: p.call.action,
    resource: p.call.resource,
    traceparent: p.call.traceparent,
  };
}
