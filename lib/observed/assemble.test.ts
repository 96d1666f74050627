import { describe, expect, it } from "vitest";
import { assembleObserved } from "./assemble";
import { contentDigest } from "./content";
import { agentAttrs, makeSpan, shuffledWith, spanIdOf, summarize, toolAttrs, traceIdOf, type TSpanSpec } from "./testing/spans";
import type { TObservedChain, TObservedSpan } from "./types";

const BASE_MS = Date.UTC(2026, 0, 15, 10, 0, 0);
const NOW = BASE_MS + 3_600_000;
const spans = (...specs: TSpanSpec[]) => specs.map(makeSpan);
const assemble = (input: TObservedSpan[], options: Partial<Parameters<typeof assembleObserved>[1]> = {}) =>
  assembleObserved(input, { now: NOW, ...options });
function single(input: TObservedSpan[], options = {}): TObservedChain {
  const { chains } = assemble(input, options);
  expect(chains).toHaveLength(1);
  return chains[0];
}

/** Two conversations' worth of traces with every stitching key, a handoff, tools and failures. */
const MIXED = spans(
  { trace: 1, span: 1, attributes: agentAttrs("planner", { "user.id": "alice", "gen_ai.conversation.id": "c1" }), end: 100 },
  { trace: 1, span: 2, parent: 1, attributes: toolAttrs("search", { "gen_ai.agent.name": "planner" }), status: "error" },
  {
    trace: 1,
    span: 3,
    parent: 1,
    attributes: { "gen_ai.transfer.target.name": "writer", "gen_ai.agent.name": "planner", "gen_ai.operation.name": "execute_tool" },
  },
  { trace: 1, span: 4, parent: 3, attributes: agentAttrs("writer") },
  { trace: 2, span: 5, attributes: agentAttrs("planner", { "gen_ai.conversation.id": "c1" }) },
  { trace: 3, span: 6, attributes: agentAttrs("reviewer", { "session.id": "s9" }), links: [{ trace: 2, span: 5 }] },
  { trace: 4, span: 7, attributes: agentAttrs("auditor", { "session.id": "s9", "enduser.id": "bob" }) },
  { trace: 5, span: 8, attributes: { "http.request.method": "GET" } },
  { trace: 6, span: 9, kind: "client", attributes: { "a2a.method.name": "SendMessage", "a2a.task.id": "t1", "gen_ai.agent.name": "remote" } },
  { trace: 7, span: 10, kind: "server", attributes: { "a2a.method.name": "SendMessage", "a2a.task.id": "t1", "gen_ai.agent.name": "remote" } },
  { trace: 7, span: 11, parent: 10, attributes: toolAttrs("book") },
);

describe("assembleObserved is a function of the set of spans", () => {
  it("gives the same chains whatever the order of arrival", () => {
    const reference = assemble(MIXED);
    expect(reference.chains.length).toBeGreaterThan(1);
    for (let seed = 1; seed <= 25; seed++) expect(assemble(shuffledWith(MIXED, seed))).toEqual(reference);
  });

  it("makes nothing of nothing", () => {
    expect(assemble([])).toEqual({ chains: [], ignoredTraceIds: [], settlingTraceIds: [] });
  });

  it("ignores re-sent spans", () => {
    expect(assemble([...MIXED, ...shuffledWith(MIXED, 3)])).toEqual(assemble(MIXED));
  });

  it("keeps the later end of a span re-exported with more known", () => {
    const early = makeSpan({ trace: 1, span: 1, attributes: agentAttrs("a"), end: 5 });
    const late = makeSpan({ trace: 1, span: 1, attributes: agentAttrs("a"), end: 50 });
    expect(single([early, late]).endMs).toBe(BASE_MS + 50);
    expect(single([late, early]).endMs).toBe(BASE_MS + 50);
  });

  it("leaves traces with no agent, tool or resource activity out, and says so", () => {
    const result = assemble(MIXED);
    expect(result.ignoredTraceIds).toEqual([traceIdOf(5)]);
    expect(result.chains.flatMap((c) => c.traceIds)).not.toContain(traceIdOf(5));
  });
});

describe("stitching traces into chains", () => {
  it("joins by conversation, span link, session and A2A task, and names the keys", () => {
    const { chains } = assemble(MIXED);
    const byTrace = (t: number) => chains.find((c) => c.traceIds.includes(traceIdOf(t)))!;
    expect(byTrace(1).traceIds).toEqual([1, 2, 3, 4].map(traceIdOf));
    expect(byTrace(1).stitchedBy).toEqual([
      { kind: "conversation", value: "c1" },
      { kind: "link", value: `${traceIdOf(2)}~${traceIdOf(3)}` },
      { kind: "session", value: "s9" },
    ]);
    expect(byTrace(6).traceIds).toEqual([6, 7].map(traceIdOf));
    expect(byTrace(6).stitchedBy).toEqual([{ kind: "a2a_task", value: "t1" }]);
  });

  it("names a chain after its smallest trace id, so late spans of its traces keep it", () => {
    const first = single(spans({ trace: 9, span: 2, parent: 1, attributes: toolAttrs("t") }));
    const later = single(spans({ trace: 9, span: 2, parent: 1, attributes: toolAttrs("t") }, { trace: 9, span: 1, attributes: agentAttrs("a") }));
    expect(first.id).toBe(`obs:${traceIdOf(9)}`);
    expect(later.id).toBe(first.id);
    expect(summarize(first).edges).toEqual([`tool_call principal:unknown -> tool:t completed x1`]);
    expect(summarize(later).edges).toEqual(["root principal:unknown -> agent:name:a completed x1", "tool_call agent:name:a -> tool:t completed x1"]);
  });

  it("merges two chains when a late span links them; the merged chain keeps the smaller id", () => {
    const a = makeSpan({ trace: 3, span: 1, attributes: agentAttrs("a") });
    const b = makeSpan({ trace: 8, span: 2, attributes: agentAttrs("b") });
    expect(assemble([a, b]).chains.map((c) => c.id)).toEqual([`obs:${traceIdOf(3)}`, `obs:${traceIdOf(8)}`]);
    const link = makeSpan({ trace: 8, span: 3, parent: 2, attributes: toolAttrs("t"), links: [{ trace: 3, span: 1 }] });
    const merged = single([a, b, link]);
    expect(merged.id).toBe(`obs:${traceIdOf(3)}`);
    expect(merged.traceIds).toEqual([traceIdOf(3), traceIdOf(8)]);
  });

  it("follows a traceparent attribute across traces, as a parent", () => {
    const tp = `00-${traceIdOf(1)}-${spanIdOf(1)}-01`;
    const chain = single(
      spans(
        { trace: 1, span: 1, attributes: agentAttrs("caller", { "user.id": "alice" }) },
        { trace: 2, span: 2, attributes: agentAttrs("callee", { "messaging.traceparent": tp }) },
      ),
    );
    expect(chain.stitchedBy).toEqual([{ kind: "traceparent", value: `${traceIdOf(1)}~${traceIdOf(2)}` }]);
    expect(summarize(chain).edges).toEqual([
      "root human:alice -> agent:name:caller completed x1",
      "agent_call agent:name:caller -> agent:name:callee completed x1",
    ]);
  });

  it("joins by A2A reference task ids and a2a.context.id", () => {
    const refs = assemble(
      spans(
        { trace: 1, span: 1, kind: "client", attributes: { "a2a.method.name": "SendMessage", "a2a.task.id": "t1", "gen_ai.agent.name": "x" } },
        {
          trace: 2,
          span: 2,
          kind: "client",
          attributes: { "a2a.method.name": "SendMessage", "a2a.message.reference_task_ids": ["t1"], "gen_ai.agent.name": "x" },
        },
        { trace: 3, span: 3, kind: "client", attributes: { "a2a.method.name": "SendMessage", "a2a.context.id": "ctx", "gen_ai.agent.name": "y" } },
        { trace: 4, span: 4, kind: "client", attributes: { "a2a.method.name": "SendMessage", "a2a.context.id": "ctx", "gen_ai.agent.name": "y" } },
      ),
    );
    expect(refs.chains.map((c) => [c.traceIds.length, c.stitchedBy.map((s) => s.kind)])).toEqual([
      [2, ["a2a_task"]],
      [2, ["a2a_context"]],
    ]);
  });
});

describe("the quiet period", () => {
  const input = (receivedAtMs: number) => spans({ trace: 1, span: 1, attributes: agentAttrs("a"), receivedAtMs });

  it("flags a chain whose trace got a span less than quietPeriodMs ago", () => {
    const result = assemble(input(NOW - 10_000));
    expect(result.settlingTraceIds).toEqual([traceIdOf(1)]);
    expect(result.chains[0]).toMatchObject({ settling: true, settlingTraceIds: [traceIdOf(1)] });
  });

  it("clears the flag once the quiet period has passed, or with a shorter period", () => {
    expect(assemble(input(NOW - 31_000)).chains[0].settling).toBe(false);
    expect(assemble(input(NOW - 10_000), { quietPeriodMs: 5_000 }).chains[0].settling).toBe(false);
  });

  it("uses the span's end when the receiver did not stamp its arrival", () => {
    const s = makeSpan({ trace: 1, span: 1, attributes: agentAttrs("a") });
    expect(assembleObserved([s], { now: s.endMs + 1_000 }).chains[0].settling).toBe(true);
    expect(assembleObserved([s], { now: s.endMs + 60_000 }).chains[0].settling).toBe(false);
  });
});

describe("the principal: asserted, never inferred", () => {
  it("takes the user asserted on the span or its nearest ancestor", () => {
    const chain = single(
      spans(
        { trace: 1, span: 1, attributes: { "openinference.span.kind": "CHAIN" } },
        { trace: 1, span: 2, parent: 1, attributes: { "user.id": "u1", "openinference.span.kind": "CHAIN" } },
        { trace: 1, span: 3, parent: 2, attributes: agentAttrs("a") },
        { trace: 1, span: 4, parent: 1, attributes: { "user.id": "u2", "openinference.span.kind": "CHAIN" } },
        { trace: 1, span: 5, parent: 4, attributes: agentAttrs("b") },
      ),
    );
    expect(summarize(chain).edges).toEqual(["root human:u1 -> agent:name:a completed x1", "root human:u2 -> agent:name:b completed x1"]);
    expect(chain.principal).toEqual({ kind: "asserted", userIds: ["u1", "u2"], assertedBy: ["svc"] });
  });

  it("falls back to the first user asserted in the same trace, never one from another trace", () => {
    const chain = single(
      spans(
        { trace: 1, span: 1, attributes: agentAttrs("a", { "gen_ai.conversation.id": "c" }) },
        { trace: 1, span: 2, attributes: { "user.id": "u1", "gen_ai.operation.name": "chat" } },
        { trace: 2, span: 3, attributes: agentAttrs("b", { "gen_ai.conversation.id": "c" }) },
      ),
    );
    expect(summarize(chain).edges).toEqual(["root human:u1 -> agent:name:a completed x1", "root principal:unknown -> agent:name:b completed x1"]);
  });

  it("says which services asserted the user", () => {
    const chain = single(
      spans(
        { trace: 1, span: 1, attributes: agentAttrs("a", { "user.id": "u" }), resource: { "service.name": "web" } },
        { trace: 1, span: 2, parent: 1, attributes: agentAttrs("b", { "user.id": "u" }), resource: { "service.name": "api" } },
      ),
    );
    expect(chain.nodes[0]).toMatchObject({ id: "human:u", kind: "human", label: "u", assertedBy: ["api", "web"], note: "asserted by api, web" });
  });

  it("shows the unknown principal when nothing asserts a user", () => {
    const chain = single(spans({ trace: 1, span: 1, attributes: agentAttrs("a") }));
    expect(chain.principal).toEqual({ kind: "unknown" });
    expect(chain.nodes[0]).toMatchObject({ id: "principal:unknown", kind: "unknown_principal", label: "unknown principal" });
  });

  it("draws a transfer to a human as a human node that is not the principal", () => {
    const chain = single(
      spans(
        { trace: 1, span: 1, attributes: agentAttrs("bot", { "user.id": "u" }) },
        {
          trace: 1,
          span: 2,
          parent: 1,
          attributes: { "gen_ai.transfer.target.name": "desk", "gen_ai.transfer.target.type": "human", "gen_ai.transfer.mode": "pass_control" },
        },
      ),
    );
    expect(chain.principal).toEqual({ kind: "asserted", userIds: ["u"], assertedBy: ["svc"] });
    expect(summarize(chain).edges).toEqual(["root human:u -> agent:name:bot completed x1", "handoff agent:name:bot -> human:desk completed x1"]);
    expect(chain.edges[1].mode).toBe("pass_control");
  });
});

describe("nodes and edges", () => {
  it("resolves an agent named on one span and identified on another to one node", () => {
    const chain = single(
      spans(
        { trace: 1, span: 1, attributes: agentAttrs("a", { "gen_ai.agent.id": "id-a" }) },
        { trace: 1, span: 2, parent: 1, kind: "client", attributes: agentAttrs("b") },
        { trace: 1, span: 3, parent: 2, attributes: agentAttrs("b", { "gen_ai.agent.id": "id-b" }) },
      ),
    );
    expect(summarize(chain).edges).toEqual([
      "root principal:unknown -> agent:id:id-a completed x1",
      "agent_call agent:id:id-a -> agent:id:id-b completed x1",
    ]);
  });

  it("keeps a name shared by two agent ids as its own node", () => {
    const chain = single(
      spans(
        { trace: 1, span: 1, attributes: agentAttrs("dup", { "gen_ai.agent.id": "x" }) },
        { trace: 1, span: 2, parent: 1, attributes: agentAttrs("dup", { "gen_ai.agent.id": "y" }) },
        { trace: 1, span: 3, parent: 2, attributes: toolAttrs("t", { "gen_ai.agent.name": "dup" }) },
      ),
    );
    expect(summarize(chain).edges).toContain("tool_call agent:name:dup -> tool:t completed x1");
  });

  it("uses gen_ai.caller.* as the owner of an invoke_agent span, agent or workflow", () => {
    const chain = single(
      spans(
        { trace: 1, span: 1, kind: "client", attributes: agentAttrs("refund", { "gen_ai.caller.name": "support", "gen_ai.caller.type": "agent" }) },
        { trace: 1, span: 2, kind: "client", attributes: agentAttrs("audit", { "gen_ai.caller.name": "nightly", "gen_ai.caller.type": "workflow" }) },
      ),
    );
    expect(summarize(chain).edges).toEqual([
      "agent_call agent:name:support -> agent:name:refund completed x1",
      "root principal:unknown -> agent:name:support completed x0",
      "agent_call workflow:nightly -> agent:name:audit completed x1",
      "root principal:unknown -> workflow:nightly completed x0",
    ]);
  });

  it("counts every call of an edge, lists the newest, and takes the latest outcome", () => {
    const input = [makeSpan({ trace: 1, span: 1, attributes: agentAttrs("a"), end: 10_000 })];
    for (let i = 0; i < 60; i++) {
      input.push(
        makeSpan({
          trace: 1,
          span: 100 + i,
          parent: 1,
          start: 10 + i * 10,
          end: 15 + i * 10,
          attributes: toolAttrs("t"),
          status: i === 59 || i === 3 ? "error" : "ok",
        }),
      );
    }
    const edge = single(input).edges.find((e) => e.kind === "tool_call")!;
    expect(edge).toMatchObject({ calls: 60, failures: 2, outcome: "failed", hiddenCalls: 10 });
    expect(edge.spans).toHaveLength(50);
    expect(edge.spans[0].spanId).toBe(spanIdOf(110));
    expect(edge.spans[49].spanId).toBe(spanIdOf(159));
    const limited = single(input, { maxCallsPerEdge: 5 }).edges.find((e) => e.kind === "tool_call")!;
    expect([limited.spans.length, limited.hiddenCalls]).toEqual([5, 55]);
  });

  it("takes outcomes from span status, error.type and the latest A2A task state", () => {
    const chain = single(
      spans(
        { trace: 1, span: 1, attributes: agentAttrs("a") },
        { trace: 1, span: 2, parent: 1, attributes: toolAttrs("typed", { "error.type": "timeout" }) },
        {
          trace: 1,
          span: 3,
          parent: 1,
          kind: "client",
          attributes: { "a2a.method.name": "SendMessage", "a2a.task.id": "t", "a2a.task.state": "TASK_STATE_WORKING", "gen_ai.agent.name": "slow" },
        },
        {
          trace: 1,
          span: 4,
          parent: 1,
          kind: "client",
          attributes: {
            "a2a.method.name": "SendMessage",
            "a2a.task.id": "u",
            "a2a.task.state": "TASK_STATE_SUBMITTED",
            "gen_ai.agent.name": "flaky",
          },
        },
        {
          trace: 1,
          span: 5,
          parent: 1,
          kind: "client",
          start: 90,
          attributes: { "a2a.method.name": "GetTask", "a2a.task.id": "u", "a2a.task.state": "TASK_STATE_FAILED" },
        },
      ),
    );
    const to = (id: string) => chain.edges.find((e) => e.to === id)!;
    expect([to("tool:typed").outcome, to("tool:typed").errorTypes]).toEqual(["failed", ["timeout"]]);
    expect(to("agent:name:slow").outcome).toBe("pending");
    expect([to("agent:name:flaky").outcome, to("agent:name:flaky").errorTypes]).toEqual(["failed", ["a2a:failed"]]);
    expect(chain.outcome).toBe("failed");
  });

  it("matches an A2A server span to its client by message or task id when the context was not propagated", () => {
    const chain = single(
      spans(
        { trace: 1, span: 1, attributes: agentAttrs("a") },
        {
          trace: 1,
          span: 2,
          parent: 1,
          kind: "client",
          attributes: { "a2a.method.name": "SendMessage", "a2a.message.id": "m", "a2a.task.id": "t", "gen_ai.agent.name": "b" },
        },
        {
          trace: 2,
          span: 3,
          kind: "server",
          attributes: { "a2a.method.name": "SendMessage", "a2a.message.id": "m", "a2a.task.id": "t", "gen_ai.agent.name": "b" },
        },
        { trace: 2, span: 4, parent: 3, attributes: toolAttrs("x") },
      ),
    );
    expect(summarize(chain).edges).toEqual([
      "root principal:unknown -> agent:name:a completed x1",
      "agent_call agent:name:a -> agent:name:b completed x1",
      "tool_call agent:name:b -> tool:x completed x1",
    ]);
  });

  it("hangs an MCP server span with no client span off the principal", () => {
    const chain = single(
      spans({ trace: 1, span: 2, parent: 1, kind: "server", attributes: { "mcp.method.name": "tools/call", "gen_ai.tool.name": "t" } }),
    );
    expect(summarize(chain).edges).toEqual(["tool_call principal:unknown -> tool:t completed x1"]);
    expect(chain.edges[0].via).toBe("mcp");
  });

  it("records who created an agent, without an edge", () => {
    const chain = single(
      spans(
        { trace: 1, span: 1, attributes: agentAttrs("boss") },
        { trace: 1, span: 2, parent: 1, kind: "client", attributes: { "gen_ai.operation.name": "create_agent", "gen_ai.agent.name": "helper" } },
      ),
    );
    expect(chain.nodes.find((n) => n.id === "agent:name:helper")).toMatchObject({ createdBy: "agent:name:boss", spanCount: 0 });
    expect(chain.edges.some((e) => e.to === "agent:name:helper")).toBe(false);
  });

  it("survives parent cycles and very deep ancestries", () => {
    const cyclic = spans(
      { trace: 1, span: 1, parent: 2, attributes: agentAttrs("a") },
      { trace: 1, span: 2, parent: 1, attributes: agentAttrs("b") },
      { trace: 1, span: 3, parent: 3, attributes: toolAttrs("self") },
    );
    expect(assemble(cyclic).chains).toHaveLength(1);
    const deep: TObservedSpan[] = [];
    const depth = 5_000;
    for (let i = 1; i <= depth; i++) {
      // Deeper spans start earlier, so nothing is resolved top-down before the deepest is asked.
      deep.push(
        makeSpan({
          trace: 1,
          span: i,
          parent: i === 1 ? null : i - 1,
          start: depth - i,
          end: depth,
          attributes: i === 1 ? agentAttrs("top") : i === depth ? toolAttrs("bottom") : {},
        }),
      );
    }
    const t0 = performance.now();
    const chain = single(deep);
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(chain.nodes.map((n) => n.id)).toContain("tool:bottom");
  });
});

describe("content in calls", () => {
  const kept = () => {
    const s = makeSpan({ trace: 1, span: 2, parent: 1, attributes: toolAttrs("t", { "gen_ai.tool.call.arguments": '{"q":1}' }) });
    s.contentKept = true;
    return [makeSpan({ trace: 1, span: 1, attributes: agentAttrs("a") }), s];
  };

  it("gives each call the digests of its content, computed or carried from decoding", () => {
    const call = single(kept()).edges.find((e) => e.kind === "tool_call")!.spans[0];
    expect(call.contentDigests).toEqual({ "gen_ai.tool.call.arguments": contentDigest('{"q":1}') });
    expect(call.content).toBeUndefined();

    const redacted = makeSpan({
      trace: 1,
      span: 2,
      parent: 1,
      attributes: toolAttrs("t", { "gen_ai.tool.call.arguments": contentDigest('{"q":1}') }),
    });
    redacted.redactedKeys = ["gen_ai.tool.call.arguments"];
    const fromDecode = single([kept()[0], redacted]).edges.find((e) => e.kind === "tool_call")!.spans[0];
    expect(fromDecode.contentDigests).toEqual(call.contentDigests);
  });

  it("includes kept content only when asked to", () => {
    const call = single(kept(), { keepContent: true }).edges.find((e) => e.kind === "tool_call")!.spans[0];
    expect({ ...call.content }).toEqual({ "gen_ai.tool.call.arguments": '{"q":1}' });
  });
});
