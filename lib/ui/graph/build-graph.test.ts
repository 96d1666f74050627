import { describe, expect, it } from "vitest";
import type { TChainDetail } from "@/lib/contracts/chains";
import {
  buildGraph,
  grantEdgeId,
  NODE_LINE_HEIGHT,
  principalNodeId,
  purposeSuffix,
  resourceHost,
  resourceLabel,
  resourceNodeId,
} from "./build-graph";
import { layoutGraph } from "./layout";
import { toLayoutInput } from "./layout";
import { highlightFor } from "./highlight";
import { indexChain, resolveSelection } from "../chain-selection";

import { chain, finding, hop, T } from "../test-fixtures";

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

  it("past the budget, draws every finding with its path and collapses a big fan-out into a stub that expands", () => {
    const d = fanOut(600);
    const g = buildGraph(d, { budget: 100 });
    const real = g.nodes.filter((n) => n.kind !== "hidden");
    const hidden = g.nodes.filter((n) => n.kind === "hidden");
    expect(g.totalNodes).toBe(2 + 600 + 600);
    expect(real.length + g.hiddenCount).toBe(g.totalNodes);
    // The escalation on the last worker is drawn, with its path to the human.
    const ids = new Set(real.map((n) => n.id));
    for (const id of ["user:h", "agent:lead", "agent:w599"]) expect(ids.has(principalNodeId(id))).toBe(true);
    expect(g.edges.some((e) => e.id === grantEdgeId("d599"))).toBe(true);
    // The lead shows 15 workers (the one with the finding among them, each with its resource);
    // the other 585 wait behind one stub.
    expect(real.filter((n) => n.kind === "agent").length).toBe(1 + 15);
    expect(hidden).toHaveLength(1);
    expect(hidden[0].label).toBe("585 more delegations ▸");
    expect(hidden[0].hidden!.expand).toBe(principalNodeId("agent:lead"));
    expect(hidden[0].hidden!.count).toBe(585 * 2);
    // Every hidden edge is dashed: it stands in for grants, it is not one.
    for (const e of g.edges.filter((x) => x.kind === "hidden")) expect(e.isDashed).toBe(true);

    // Expanding the lead draws its whole fan-out, past the budget; "show all" draws everything.
    const open = buildGraph(d, { budget: 100, expanded: new Set([principalNodeId("agent:lead")]) });
    expect(open.hiddenCount).toBe(0);
    expect(open.nodes).toHaveLength(g.totalNodes);
    const all = buildGraph(d, { budget: 100, showAll: true });
    expect(all.nodes).toHaveLength(g.totalNodes);
    expect(all.nodes.some((n) => n.kind === "hidden")).toBe(false);
  });

  it("fills the budget breadth-first from the root, at most 15 children per parent", () => {
    // A tree of fan-out 8: 1,000 principals.
    const hops = [hop("n0", null, "user:h", "agent:0")];
    for (let i = 1; i < 999; i++) hops.push(hop(`n${i}`, `n${Math.floor((i - 1) / 8)}`, `agent:${Math.floor((i - 1) / 8)}`, `agent:${i}`));
    const g = buildGraph(chain(hops), { budget: 400 });
    const real = g.nodes.filter((n) => n.kind !== "hidden");
    expect(real.length).toBe(400);
    expect(real.length + g.hiddenCount).toBe(1000);
    // Breadth-first: the first 400 of the BFS order (root, then agent:0, then agent:1..8, ...).
    const ids = new Set(real.map((n) => n.ref));
    for (let i = 0; i < 399; i++) expect(ids.has(`agent:${i}`)).toBe(true);
    // A drawn parent that hides children has a stub that expands it; past 60 placeholders the
    // smallest fold into one "in other branches" node (a click on it shows everything).
    const stubs = g.nodes.filter((n) => n.kind === "hidden");
    expect(stubs.length).toBe(60);
    expect(stubs.filter((s) => s.hidden!.expand !== null)).toHaveLength(59);
    expect(stubs.filter((s) => s.ref.endsWith("in other branches"))).toHaveLength(1);

    // A fan-out of 20 shows 15 and a "5 more delegations" stub.
    const wide = [hop("r", null, "user:h", "agent:lead")];
    for (let i = 0; i < 20; i++) wide.push(hop(`w${i}`, "r", "agent:lead", `agent:w${i}`));
    for (let i = 0; i < 20; i++) for (let j = 0; j < 30; j++) wide.push(hop(`w${i}-${j}`, `w${i}`, `agent:w${i}`, `agent:w${i}-${j}`));
    const gw = buildGraph(chain(wide), { budget: 100 });
    const stub = gw.nodes.find((n) => n.hidden?.expand === principalNodeId("agent:lead"))!;
    expect(stub.label).toBe("5 more delegations ▸");
  });

  it("a hidden finding's placeholder names it and jumps to the finding's own event", () => {
    // Budget too small for every finding: the warnings past it stay behind placeholders that carry them.
    const hops = [hop("root", null, "user:h", "agent:lead")];
    for (let i = 0; i < 40; i++)
      hops.push(
        hop(`d${i}`, "root", "agent:lead", `agent:w${i}`, {
          invocations: [
            {
              jti: `inv${i}`,
              iss: `agent:w${i}`,
              iat: T,
              action: "a:read",
              resource: `res://${i}`,
              purpose: null,
              data: [],
              findings: [finding("purpose_mismatch", "error", `inv${i}`)],
            },
          ],
        }),
      );
    const g = buildGraph(chain(hops), { budget: 12 });
    const hidden = g.nodes.filter((n) => n.kind === "hidden");
    const carrying = hidden.filter((n) => n.findings.error > 0);
    expect(carrying.length).toBeGreaterThan(0);
    for (const h of carrying) {
      expect(h.findings.codes).toContain("purpose_mismatch");
      expect(h.hidden!.jumpTo).toMatch(/^inv\d+$/);
    }
  });

  it("never draws more than a few dozen placeholders, even when every visible node hides something", () => {
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
    expect(hidden.length).toBeLessThanOrEqual(60);
    expect(hidden.reduce((s, n) => s + n.hidden!.count, 0)).toBe(g.hiddenCount);
    expect(g.nodes.length - hidden.length + g.hiddenCount).toBe(g.totalNodes);
    // The finding deep in team 59 is drawn, with its path: on the grant's edge, not on the agent.
    expect(g.nodes.some((n) => n.ref === "agent:w59-19")).toBe(true);
    expect(g.edges.find((e) => e.id === grantEdgeId("w59-19"))!.findings.codes).toEqual(["depth_exceeded"]);
    expect(g.nodes.some((n) => n.ref === "agent:t59")).toBe(true);
    expect(hidden.find((n) => n.hidden!.expand === principalNodeId("agent:lead"))!.label).toBe("45 more delegations ▸");
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

describe("findings on what caused them", () => {
  it("puts a grant's broken audit trail on its edge and an expiry at its target, never on the human", () => {
    const root = hop("root", null, "user:h", "agent:a", { findings: [finding("missing_evidence", "warning", "root")] });
    const g = buildGraph(chain([root]));
    const human = g.nodes.find((n) => n.id === principalNodeId("user:h"))!;
    const agent = g.nodes.find((n) => n.id === principalNodeId("agent:a"))!;
    expect(human.findings.worst).toBeNull();
    expect(agent.findings.worst).toBeNull();
    expect(g.edges.find((e) => e.id === grantEdgeId("root"))!.findings.codes).toEqual(["missing_evidence"]);
    expect(agent.outcomes).toEqual([{ kind: "expired", grantJti: "root", at: root.exp }]);
    expect(human.outcomes ?? []).toEqual([]);
    // The node keeps room for the line it draws.
    expect(agent.height).toBe(human.height + NODE_LINE_HEIGHT);
  });

  it("draws completions at the grant's target and links a third-party attester with a dotted edge", () => {
    const d = hop("d", "root", "agent:a", "agent:b", {
      completions: [{ jti: "c1", iss: "attester:x", iat: T + 5, status: "completed", resultHash: "h", attestation: "third_party", evidence: null }],
    });
    const g = buildGraph(chain([hop("root", null, "user:h", "agent:a"), d]));
    const b = g.nodes.find((n) => n.id === principalNodeId("agent:b"))!;
    expect(b.outcomes).toEqual([{ kind: "completion", jti: "c1", grantJti: "d", status: "completed", attestation: "third_party", at: T + 5 }]);
    const attest = g.edges.find((e) => e.kind === "attest")!;
    expect(attest).toMatchObject({ source: principalNodeId("attester:x"), target: principalNodeId("agent:b"), label: "attested", isDashed: true });
    expect(g.nodes.some((n) => n.id === principalNodeId("attester:x"))).toBe(true);
  });

  it("names an invocation's finding and host on its edge, and keeps it on the actor that did it", () => {
    const h = hop("root", null, "user:h", "agent:a", {
      invocations: [
        {
          jti: "i1",
          iss: "agent:a",
          iat: T,
          action: "x:write",
          resource: "https://render.chartcloud.io/v1/charts?dataset=q1",
          purpose: null,
          data: [],
          findings: [finding("scope_drift", "critical", "i1")],
        },
      ],
    });
    const g = buildGraph(chain([h]));
    const inv = g.edges.find((e) => e.kind === "invoke")!;
    expect(inv.label).toBe("Scope drift → render.chartcloud.io");
    expect(inv.fullLabel).toBe("x:write on https://render.chartcloud.io/v1/charts?dataset=q1");
    expect(g.nodes.find((n) => n.id === principalNodeId("agent:a"))!.findings.codes).toEqual(["scope_drift"]);
    expect(g.nodes.find((n) => n.id === principalNodeId("user:h"))!.findings.worst).toBeNull();
    expect(g.nodes.find((n) => n.kind === "resource")!.label).toBe("render.chartcloud.io/…/charts");
  });

  it("marks a principal whose key was revoked after it signed here", () => {
    const d = chain([hop("root", null, "user:h", "agent:a")]);
    d.events[0].keyRevokedNow = T + 100;
    const g = buildGraph(d);
    expect(g.nodes.find((n) => n.id === principalNodeId("user:h"))!.keyRevokedAt).toBe(T + 100);
    expect(g.nodes.find((n) => n.id === principalNodeId("agent:a"))!.keyRevokedAt ?? null).toBeNull();
  });
});

describe("labels that tell hops apart", () => {
  it("shortens a purpose to its suffix under the parent's, and a resource to its host", () => {
    expect(purposeSuffix("finance.q1.charts", "finance.q1")).toBe("….charts");
    expect(purposeSuffix("finance.q1", "finance.q1")).toBe("finance.q1");
    expect(purposeSuffix("ops.other", "finance.q1")).toBe("ops.other");
    expect(purposeSuffix("finance.q10", "finance.q1")).toBe("finance.q10");
    expect(purposeSuffix("root.code", undefined)).toBe("root.code");
    expect(resourceHost("https://render.chartcloud.io/v1/charts?x=1")).toBe("render.chartcloud.io");
    expect(resourceHost("urn:isbn:1")).toBe("urn:isbn:1");
    expect(resourceLabel("crm://northwind/segments/savings")).toBe("northwind/…/savings");
    expect(resourceLabel("s3://bucket/a.svg")).toBe("bucket/a.svg");
    const d = chain([
      hop("root", null, "user:h", "agent:a", { purpose: { code: "fin.q1", text: "t" } }),
      hop("d", "root", "agent:a", "agent:b", { purpose: { code: "fin.q1.charts", text: "t" } }),
    ]);
    const e = buildGraph(d).edges.find((x) => x.id === grantEdgeId("d"))!;
    expect(e.shortLabel).toBe("….charts");
    expect(e.label).toBe("fin.q1.charts");
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
