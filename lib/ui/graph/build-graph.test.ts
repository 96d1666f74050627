import { describe, expect, it } from "vitest";
import type { TChainDetail, TChainEvent, TChainFinding, THop } from "@/lib/contracts/chains";
import { buildGraph, grantEdgeId, principalNodeId, resourceNodeId } from "./build-graph";
import { layoutGraph } from "./layout";
import { toLayoutInput } from "./layout";
import { highlightFor } from "./highlight";
import { indexChain, resolveSelection } from "../chain-selection";

const T = 1_800_000_000;

function finding(code: TChainFinding["code"], severity: TChainFinding["severity"], eventJti: string): TChainFinding {
  return { code, severity, message: `${code} on ${eventJti}`, eventJti, isReadTime: false };
}

function hop(jti: string, parent: string | null, from: string, to: string, extra: Partial<THop> = {}): THop {
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

function event(h: THop): TChainEvent {
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

function invokeEvent(h: THop, i: THop["invocations"][number]): TChainEvent {
  return {
    ...event(h),
    jti: i.jti,
    kind: "invoke",
    iss: i.iss,
    aud: null,
    ref: h.jti,
    exp: null,
    claims: { v: 1, kind: "invoke", jti: i.jti, iss: i.iss, iat: i.iat, chain: "c", grant: h.jti, action: i.action, resource: i.resource },
    findings: i.findings,
  };
}

function chain(hops: THop[], extraEvents: TChainEvent[] = []): TChainDetail {
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
    findings: [...hops.flatMap((h) => h.findings), ...extraEvents.flatMap((e) => e.findings)],
    ledgerHead: { seq: 1, hash: "0" },
    generatedAt: new Date(T * 1000).toISOString(),
  };
}

/** human → lead → n workers, worker i invoking resource i. */
function fanOut(n: number, escalateLast = true): TChainDetail {
  const hops = [hop("root", null, "user:h", "agent:lead")];
  for (let i = 0; i < n; i++) {
    const isBad = escalateLast && i === n - 1;
    const h = hop(`d${i}`, "root", "agent:lead", `agent:w${i}`, {
      scopeRemoved: ["a/*:read"],
      scope: [`a/${i}:read`],
      ...(isBad ? { scopeAdded: ["b/*:read"], findings: [finding("scope_escalation", "critical", `d${i}`)] } : {}),
      invocations: [
        { jti: `i${i}`, iss: `agent:w${i}`, iat: T, action: `a/${i}:read`, resource: `res://${i}`, purpose: null, data: [], findings: [] },
      ],
    });
    hops.push(h);
  }
  return chain(hops);
}

describe("buildGraph", () => {
  it("draws one node per principal, a square per resource, one edge per grant and per actor/resource", () => {
    const g = buildGraph(fanOut(3, false));
    const kinds = g.nodes.map((n) => n.kind).sort();
    expect(kinds).toEqual(["agent", "agent", "agent", "agent", "human", "resource", "resource", "resource"]);
    expect(g.edges.filter((e) => e.kind === "grant")).toHaveLength(4);
    expect(g.edges.filter((e) => e.kind === "invoke")).toHaveLength(3);
    expect(g.hiddenCount).toBe(0);
    const root = g.nodes.find((n) => n.id === principalNodeId("user:h"))!;
    expect(root.isRoot).toBe(true);
  });

  it("labels scope changes: attenuation neutral, escalation with the added scope", () => {
    const g = buildGraph(fanOut(2));
    expect(g.edges.find((e) => e.id === grantEdgeId("d0"))!.scopeChange).toEqual({ kind: "attenuation", removed: 1 });
    expect(g.edges.find((e) => e.id === grantEdgeId("d1"))!.scopeChange).toEqual({ kind: "escalation", added: ["b/*:read"] });
    expect(g.edges.find((e) => e.id === grantEdgeId("root"))!.scopeChange).toEqual({ kind: "root", scopes: ["a/*:read"] });
  });

  it("dashes pending grants and keeps markup in ids safe for attribute selectors", () => {
    const odd = 'agent:<b>"x"</b>';
    const d = chain([hop("root", null, "user:h", odd), hop("d", "root", odd, "agent:y", { status: "pending", depth: null })]);
    const g = buildGraph(d);
    expect(g.edges.find((e) => e.id === grantEdgeId("d"))!.isDashed).toBe(true);
    expect(g.edges.find((e) => e.id === grantEdgeId("root"))!.isDashed).toBe(false);
    for (const n of g.nodes) expect(n.id).not.toMatch(/["<>\\]/);
  });

  it("past the budget, shows the focal neighbourhood and summarises the rest with findings kept", () => {
    const d = fanOut(600);
    const g = buildGraph(d, { budget: 100 });
    const real = g.nodes.filter((n) => n.kind !== "hidden");
    const hidden = g.nodes.filter((n) => n.kind === "hidden");
    expect(real.length).toBeLessThanOrEqual(100);
    expect(hidden.length).toBeGreaterThan(0);
    expect(g.totalNodes).toBe(2 + 600 + 600);
    expect(real.length + g.hiddenCount).toBe(g.totalNodes);
    // The escalation on the last (hidden) worker is visible on a placeholder, with a way in.
    const withFinding = hidden.find((n) => n.findings.critical > 0)!;
    expect(withFinding.findings.codes).toContain("scope_escalation");
    expect(withFinding.hidden!.jumpTo).toBe("d599");
    // Every hidden edge is dashed: it stands in for grants, it is not one.
    for (const e of g.edges.filter((x) => x.kind === "hidden")) expect(e.isDashed).toBe(true);
    // Placeholders are grouped: the lead's 500-odd hidden children make one node, not hundreds.
    expect(hidden.length).toBeLessThan(5);
  });

  it("never draws more than a couple dozen placeholders, even when every visible node hides something", () => {
    // human → lead → 60 team leads → 20 workers each: a BFS cut leaves many frontier nodes.
    const hops = [hop("root", null, "user:h", "agent:lead")];
    for (let t = 0; t < 60; t++) {
      hops.push(hop(`t${t}`, "root", "agent:lead", `agent:t${t}`));
      for (let w = 0; w < 20; w++) {
        const bad = t === 59 && w === 19;
        hops.push(
          hop(`w${t}-${w}`, `t${t}`, `agent:t${t}`, `agent:w${t}-${w}`, bad ? { findings: [finding("depth_exceeded", "error", `w${t}-${w}`)] } : {}),
        );
      }
    }
    const g = buildGraph(chain(hops), { budget: 70 });
    const hidden = g.nodes.filter((n) => n.kind === "hidden");
    expect(hidden.length).toBeLessThanOrEqual(24);
    expect(hidden.reduce((s, n) => s + n.hidden!.count, 0)).toBe(g.hiddenCount);
    expect(g.nodes.length - hidden.length + g.hiddenCount).toBe(g.totalNodes);
    expect(hidden.some((n) => n.findings.codes.includes("depth_exceeded"))).toBe(true);
  });

  it("re-centres on a focus deep in the hidden part, keeping the path to the human", () => {
    const d = fanOut(600);
    const focus = principalNodeId("agent:w599");
    const g = buildGraph(d, { budget: 100, focusNodeId: focus });
    const ids = new Set(g.nodes.map((n) => n.id));
    expect(ids.has(focus)).toBe(true);
    expect(ids.has(principalNodeId("agent:lead"))).toBe(true);
    expect(ids.has(principalNodeId("user:h"))).toBe(true);
    expect(ids.has(resourceNodeId("res://599"))).toBe(true);
  });

  it("lays out left to right from the human", () => {
    const g = buildGraph(fanOut(3));
    const l = layoutGraph(toLayoutInput(g, 160));
    const x = (id: string) => l.positions[id].x;
    expect(x(principalNodeId("user:h"))).toBeLessThan(x(principalNodeId("agent:lead")));
    expect(x(principalNodeId("agent:lead"))).toBeLessThan(x(principalNodeId("agent:w0")));
    expect(x(principalNodeId("agent:w0"))).toBeLessThan(x(resourceNodeId("res://0")));
  });
});

describe("selection", () => {
  it("resolves an invoke jti to its grant and highlights the authority path", () => {
    const d = fanOut(3);
    const index = indexChain(d);
    const sel = resolveSelection(index, "i1")!;
    expect(sel.hop?.jti).toBe("d1");
    const hl = highlightFor(index, sel);
    expect(hl.edges.has(grantEdgeId("root"))).toBe(true);
    expect(hl.edges.has(grantEdgeId("d1"))).toBe(true);
    expect(hl.edges.has(grantEdgeId("d0"))).toBe(false);
    expect(hl.selectedNode).toBe(resourceNodeId("res://1"));
  });

  it("keeps an unknown jti as an explicit not-found selection", () => {
    const sel = resolveSelection(indexChain(fanOut(1)), "nope")!;
    expect(sel).toEqual({ jti: "nope", hop: null, event: null });
  });
});
