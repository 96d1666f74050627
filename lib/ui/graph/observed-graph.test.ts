import { describe, expect, it } from "vitest";
import { buildObservedDetail } from "@/lib/observations/detail";
import { assembleObserved } from "@/lib/observed/assemble";
import { agentAttrs, makeSpan, toolAttrs } from "@/lib/observed/testing/spans";
import { buildGraph, principalNodeId, resourceNodeId } from "./build-graph";
import { layoutGraph, toLayoutInput } from "./layout";
import { observedEdgeLabel } from "./observed-graph";

const NOW = Date.UTC(2026, 0, 16);

function observedDetail() {
  const spans = [
    makeSpan({ trace: 1, span: 1, attributes: agentAttrs("support", { "user.id": "alice" }), resource: { "service.name": "app" } }),
    makeSpan({ trace: 1, span: 2, parent: 1, attributes: toolAttrs("lookup") }),
    makeSpan({ trace: 1, span: 3, parent: 1, attributes: toolAttrs("lookup"), status: "error" }),
    makeSpan({
      trace: 1,
      span: 4,
      parent: 1,
      attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.transfer.target.name": "refund", "gen_ai.transfer.mode": "pass_control" },
    }),
  ];
  const [chain] = assembleObserved(spans, { now: NOW }).chains;
  return buildObservedDetail({ chain, settlingUntilMs: null }, "otel", null, NOW).detail;
}

describe("the observed chain's graph", () => {
  it("draws every observed node and every edge dashed, labelled with its source, never solid", () => {
    const detail = observedDetail();
    const g = buildGraph(detail);
    expect(g.nodes.map((n) => [n.id, n.kind])).toEqual([
      [principalNodeId("human:alice"), "human"],
      [principalNodeId("agent:name:support"), "agent"],
      [resourceNodeId("tool:lookup"), "tool"],
      [principalNodeId("agent:name:refund"), "agent"],
    ]);
    expect(g.edges).toHaveLength(3);
    for (const e of g.edges) {
      expect(e.isDashed).toBe(true);
      expect(e.observed?.source).toBe("otel");
      expect(e.dashReason).toBe("observed from OpenTelemetry, not signed");
    }
    const tool = g.edges.find((e) => e.observed?.kind === "tool_call")!;
    expect(tool).toMatchObject({ kind: "invoke", label: "tool call ×2", observed: { outcome: "failed", calls: 2 } });
    expect(tool.findings.codes).toEqual(["unauthorized_activity"]);
    expect(g.edges.find((e) => e.observed?.kind === "handoff")!.label).toBe("handoff (pass_control)");
    expect(g.edges.find((e) => e.observed?.kind === "root")!.findings.worst).toBeNull();
  });

  it("labels the asserted principal and lays out left to right from it", () => {
    const g = buildGraph(observedDetail());
    expect(g.nodes[0].label).toBe("alice (asserted by app)");
    const l = layoutGraph(toLayoutInput(g, 160));
    expect(l.positions[principalNodeId("human:alice")].x).toBeLessThan(l.positions[principalNodeId("agent:name:support")].x);
  });

  it("is an observed detail: no signed status, no hops, warnings only, settling until its quiet period ends", () => {
    const detail = observedDetail();
    expect(detail).toMatchObject({
      status: "observed",
      source: "otel",
      root: null,
      hops: [],
      events: [],
      counts: { critical: 0, error: 0, warning: 2 },
    });
    const [chain] = assembleObserved([makeSpan({ trace: 2, span: 1, attributes: agentAttrs("a"), receivedAtMs: NOW })], { now: NOW }).chains;
    expect(chain.settling).toBe(true);
    const settling = buildObservedDetail({ chain, settlingUntilMs: NOW + 30_000 }, "capture", null, NOW + 1000);
    expect(settling.detail.observed?.settling).toBe(true);
    expect(settling.validUntil).toBe((NOW + 1000) / 1000 + 5);
    const settled = buildObservedDetail({ chain, settlingUntilMs: NOW + 30_000 }, "capture", null, NOW + 31_000);
    expect(settled.detail.observed?.settling).toBe(false);
    expect(settled.validUntil).toBe((NOW + 31_000) / 1000 + 5);
  });

  it("draws a signed event of the same step solid beside the dashed observed edge, never merged", () => {
    const [chain] = assembleObserved(
      [
        makeSpan({ trace: 1, span: 1, attributes: agentAttrs("support", { "user.id": "alice" }) }),
        makeSpan({ trace: 1, span: 2, parent: 1, attributes: toolAttrs("lookup") }),
      ],
      { now: NOW },
    ).chains;
    const traceparent = `00-${"0".repeat(31)}1-${"0".repeat(15)}2-01`;
    const signed = [
      { jti: "i1", chainId: "c1", kind: "invoke", iss: "agent:support", aud: null, status: "accepted", claims: JSON.stringify({ traceparent }) },
    ];
    const { detail } = buildObservedDetail({ chain, settlingUntilMs: null }, "otel", null, NOW, signed);
    expect(detail.findings).toEqual([]);
    expect(detail.counts.warning).toBe(0);
    const g = buildGraph(detail);
    const tool = g.edges.filter((e) => e.target === resourceNodeId("tool:lookup"));
    expect(tool.map((e) => [e.label, e.isDashed])).toEqual([
      ["tool call", true],
      ["signed invoke", false],
    ]);
    expect(tool[1].jtis).toEqual(tool[0].jtis);
  });

  it("writes the protocol and the count on an edge's label", () => {
    const base = {
      id: "e",
      from: "a",
      to: "b",
      dashed: true as const,
      outcome: "completed" as const,
      failures: 0,
      errorTypes: [],
      firstMs: 0,
      lastMs: 0,
      spans: [],
      hiddenCalls: 0,
    };
    expect(observedEdgeLabel({ ...base, kind: "tool_call", via: "mcp", calls: 3 })).toBe("tool call · MCP ×3");
    expect(observedEdgeLabel({ ...base, kind: "agent_call", via: "a2a", calls: 1 })).toBe("agent call · A2A");
  });
});
