// Small chain details for the dashboard's unit tests: hops, their events and a chain around them.
import type { TChainDetail, TChainEvent, TChainFinding, THop } from "@/lib/contracts/chains";

export const T = 1_800_000_000;

export function finding(code: TChainFinding["code"], severity: TChainFinding["severity"], eventJti: string): TChainFinding {
  return { code, severity, message: `${code} on ${eventJti}`, eventJti, isReadTime: false };
}

export function hop(jti: string, parent: string | null, from: string, to: string, extra: Partial<THop> = {}): THop {
  return {
    jti,
    kind: parent ? "delegate" : "authorize",
    parent,
    from,
    to,
    iat: T,
    exp: T + 3600,
    scope: ["a/*:read"],
    scopeRemoved: [],
    scopeAdded: [],
    purpose: { code: "p", text: "purpose" },
    constraints: null,
    effectiveConstraints: {},
    maxDepth: null,
    depth: parent ? 1 : 0,
    status: "accepted",
    revokedAt: null,
    signature: { alg: "EdDSA", kid: "k", thumbprint: "t", verified: true },
    findings: [],
    invocations: [],
    completions: [],
    ...extra,
  };
}

export function event(h: THop): TChainEvent {
  return {
    seq: 1,
    jti: h.jti,
    kind: h.kind,
    iss: h.from,
    aud: h.to,
    ref: h.parent,
    iat: h.iat,
    exp: h.exp,
    status: h.status,
    receivedAt: new Date(T * 1000).toISOString(),
    alg: "EdDSA",
    kid: "k",
    keyRevokedAt: null,
    drift: null,
    keyRevokedNow: null,
    keyThumbprint: "t",
    token: "x.y.z",
    tokenSha256: "0",
    claims: h.parent
      ? {
          v: 1,
          kind: "delegate",
          jti: h.jti,
          iss: h.from,
          iat: h.iat,
          chain: "c",
          parent: h.parent,
          aud: h.to,
          scope: h.scope,
          purpose: h.purpose,
          exp: h.exp,
        }
      : { v: 1, kind: "authorize", jti: h.jti, iss: h.from, iat: h.iat, chain: "c", aud: h.to, scope: h.scope, purpose: h.purpose, exp: h.exp },
    prevHash: "0",
    hash: "0",
    findings: h.findings,
  };
}

export function invokeEvent(h: THop, i: THop["invocations"][number]): TChainEvent {
  return {
    ...event(h),
    jti: i.jti,
    kind: "invoke",
    iss: i.iss,
    aud: null,
    ref: h.jti,
    iat: i.iat,
    exp: null,
    claims: { v: 1, kind: "invoke", jti: i.jti, iss: i.iss, iat: i.iat, chain: "c", grant: h.jti, action: i.action, resource: i.resource },
    findings: i.findings,
  };
}

export function chain(hops: THop[], extraEvents: TChainEvent[] = []): TChainDetail {
  const ids = new Set(hops.flatMap((h) => [h.from, h.to]));
  return {
    id: "c",
    status: "verified",
    source: "dep",
    root: { jti: hops[0].jti, iss: hops[0].from, aud: hops[0].to, purpose: hops[0].purpose, scope: hops[0].scope, iat: T, exp: T + 3600 },
    startedAt: T,
    hopCount: hops.length,
    eventCount: hops.length + extraEvents.length,
    counts: { critical: 0, error: 0, warning: 0 },
    nodes: [...ids].map((id) => ({ id, kind: id.startsWith("user:") ? "human" : "agent", name: null, worstSeverity: null, findingCodes: [] })),
    hops,
    looseEvents: extraEvents.map((e) => e.jti),
    events: [...hops.map(event), ...hops.flatMap((h) => h.invocations.map((i) => invokeEvent(h, i))), ...extraEvents],
    findings: [...hops.flatMap((h) => [...h.findings, ...h.invocations.flatMap((i) => i.findings)]), ...extraEvents.flatMap((e) => e.findings)],
    ledgerHead: { seq: 1, hash: "0" },
    generatedAt: new Date(T * 1000).toISOString(),
  };
}
