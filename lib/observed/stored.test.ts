import { describe, expect, it } from "vitest";
import { assembleObserved } from "./assemble";
import { observedSummary, parseStoredSpan, serializeSpan, signedMatches, stitchKeys, unauthorizedFindings } from "./stored";
import { agentAttrs, makeSpan, toolAttrs, traceIdOf } from "./testing/spans";

const NOW = Date.UTC(2026, 0, 16);

describe("stitchKeys", () => {
  it("states the trace itself and every key assembly joins traces by", () => {
    const span = makeSpan({
      trace: 1,
      span: 1,
      attributes: {
        ...agentAttrs("a", { "gen_ai.conversation.id": "conv", "session.id": "sess" }),
        "a2a.task.id": "task",
        "a2a.context.id": "ctx",
        "a2a.message.reference_task_ids": ["t0"],
        traceparent: `00-${traceIdOf(9)}-${"1".repeat(16)}-01`,
      },
      links: [{ trace: 7, span: 3 }],
    });
    expect(stitchKeys(span).sort()).toEqual(
      [
        `t:${traceIdOf(1)}`,
        `t:${traceIdOf(7)}`,
        `t:${traceIdOf(9)}`,
        "conversation:conv",
        "session:sess",
        "a2a_context:ctx",
        "a2a_task:task",
        "a2a_task:t0",
      ].sort(),
    );
  });

  it("lets two traces find each other whichever arrives first: a link states the linked trace's own key", () => {
    const a = makeSpan({ trace: 1, span: 1, links: [{ trace: 2, span: 5 }] });
    const b = makeSpan({ trace: 2, span: 5 });
    expect(stitchKeys(a)).toContain(`t:${traceIdOf(2)}`);
    expect(stitchKeys(b)).toContain(`t:${traceIdOf(2)}`);
  });

  it("bounds key length and ignores an all-zero traceparent", () => {
    const keys = stitchKeys(
      makeSpan({ trace: 1, span: 1, attributes: { "session.id": "x".repeat(2000), traceparent: `00-${"0".repeat(32)}-${"1".repeat(16)}-01` } }),
    );
    expect(keys.every((k) => k.length <= 512)).toBe(true);
    expect(keys.filter((k) => k.startsWith("t:"))).toEqual([`t:${traceIdOf(1)}`]);
  });
});

describe("serializeSpan / parseStoredSpan", () => {
  it("round-trips a span, attribute maps back to null-prototype objects (a __proto__ key stays a key)", () => {
    const span = makeSpan({ trace: 1, span: 2, attributes: JSON.parse('{"__proto__": "x", "gen_ai.agent.name": "a"}') as Record<string, string> });
    const back = parseStoredSpan(serializeSpan(span));
    expect(back).toEqual(span);
    expect(Object.getPrototypeOf(back.attributes)).toBeNull();
    expect(back.attributes["__proto__"]).toBe("x");
    expect("toString" in back.attributes).toBe(false);
  });
});

describe("observedSummary", () => {
  const spans = [
    makeSpan({ trace: 1, span: 1, attributes: agentAttrs("support", { "user.id": "alice" }), resource: { "service.name": "app" } }),
    makeSpan({ trace: 1, span: 2, parent: 1, attributes: toolAttrs("lookup") }),
    makeSpan({ trace: 1, span: 3, parent: 1, attributes: toolAttrs("lookup") }),
    makeSpan({ trace: 1, span: 4, parent: 1, attributes: agentAttrs("billing") }),
  ];
  const [chain] = assembleObserved(spans, { now: NOW }).chains;

  it("is an observed row: never a signed status, the principal as asserted, the top agent, searchable names", () => {
    const s = observedSummary(chain, "otel");
    expect(s).toMatchObject({
      id: chain.id,
      source: "otel",
      status: "observed",
      rootIss: "alice",
      rootAud: "support",
      startedAt: chain.startMs / 1000,
      eventCount: 4,
      warningCount: 2,
      findingCodes: "unauthorized_activity",
    });
    expect(s.searchText).toContain("lookup");
    expect(s.searchText).toContain(traceIdOf(1));
    expect(s.searchText).toBe(s.searchText.toLowerCase());
  });

  it("flags every acting edge, never the principal's root edge", () => {
    const findings = unauthorizedFindings(chain);
    expect(findings.map((f) => f.eventJti).sort()).toEqual(
      chain.edges
        .filter((e) => e.kind !== "root")
        .map((e) => e.id)
        .sort(),
    );
    const tool = findings.find((f) => f.eventJti.startsWith("tool_call"))!;
    expect(tool).toMatchObject({ code: "unauthorized_activity", severity: "warning" });
    expect(tool.message).toBe('Observed, not signed: "support" called tool "lookup" 2 times; no signed grant covers it.');
  });

  it("names the unknown principal when no producer asserts a user", () => {
    const [anon] = assembleObserved([makeSpan({ trace: 2, span: 1, attributes: agentAttrs("solo") })], { now: NOW }).chains;
    const s = observedSummary(anon, "capture");
    expect(s.rootIss).toBe("unknown principal");
    expect(s.warningCount).toBe(0);
    expect(s.findingCodes).toBe("");
  });
});

describe("signedMatches", () => {
  const spans = [
    makeSpan({ trace: 1, span: 1, attributes: agentAttrs("support", { "user.id": "alice" }) }),
    makeSpan({ trace: 1, span: 2, parent: 1, attributes: toolAttrs("lookup") }),
    makeSpan({ trace: 1, span: 3, parent: 1, attributes: toolAttrs("refund") }),
  ];
  const [chain] = assembleObserved(spans, { now: NOW }).chains;
  const event = (jti: string, traceparent: string | undefined) => ({
    jti,
    chainId: "c1",
    kind: "invoke",
    iss: "agent:support",
    aud: null,
    status: "accepted",
    claims: JSON.stringify({ jti, traceparent }),
  });

  it("matches a signed event to the observed call its traceparent names; that edge is then no finding", () => {
    const matches = signedMatches(chain, [
      event("i1", `00-${traceIdOf(1)}-${"0".repeat(15)}2-01`),
      event("other-span", `00-${traceIdOf(1)}-${"0".repeat(15)}9-01`),
      event("other-trace", `00-${traceIdOf(7)}-${"0".repeat(15)}2-01`),
      event("none", undefined),
    ]);
    const lookup = chain.edges.find((e) => e.to === "tool:lookup")!;
    expect(matches).toEqual([
      {
        edgeId: lookup.id,
        jti: "i1",
        chainId: "c1",
        kind: "invoke",
        iss: "agent:support",
        aud: null,
        status: "accepted",
        traceparent: `00-${traceIdOf(1)}-${"0".repeat(15)}2-01`,
      },
    ]);
    const findings = unauthorizedFindings(chain, new Set(matches.map((m) => m.edgeId)));
    expect(findings.map((f) => f.eventJti)).toEqual([chain.edges.find((e) => e.to === "tool:refund")!.id]);
    expect(observedSummary(chain, "otel", new Set([lookup.id])).warningCount).toBe(1);
  });

  it("ignores claims that are not JSON or carry no usable traceparent", () => {
    expect(signedMatches(chain, [{ ...event("x", "junk"), claims: "{" }, event("y", "junk")])).toEqual([]);
  });
});
