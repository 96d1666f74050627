import { describe, expect, it } from "vitest";
import { CLASSIFICATION_RULES, classifySpan } from "./classify";
import { makeSpan } from "./testing/spans";
import type { TAttrValue, TRole, TSpanKind } from "./types";

const classify = (attributes: Record<string, TAttrValue>, kind: TSpanKind = "internal", resource: Record<string, TAttrValue> = {}) =>
  classifySpan(makeSpan({ trace: 1, span: 1, attributes, kind, resource }));

// One minimal span per rule, in the producers' own attribute names.
const CASES: [string, TRole, Record<string, TAttrValue>, TSpanKind?][] = [
  ["genai.transfer", "handoff", { "gen_ai.operation.name": "execute_tool", "gen_ai.transfer.target.name": "refund" }],
  ["genai.transfer", "handoff", { "gen_ai.transfer.target.id": "agent-42" }],
  ["legacy.agent_handoff", "handoff", { "gen_ai.agent.handoff.target.name": "billing" }],
  ["legacy.agent_handoff", "handoff", { "gen_ai.agent.handoff.target": "billing" }],
  ["legacy.agent_handoff", "handoff", { "gen_ai.agent.handoff.to": "billing" }],
  ["legacy.handoff_to_agent", "handoff", { "gen_ai.handoff.to_agent": "billing" }],
  ["legacy.handoff_to_agent", "handoff", { "gen_ai.handoff.to_agent.name": "billing" }],
  ["a2a", "a2a_message", { "a2a.method.name": "SendMessage" }],
  ["mcp", "mcp_request", { "mcp.method.name": "tools/call", "gen_ai.operation.name": "execute_tool" }],
  ["genai.invoke_agent.client", "agent_invoke_client", { "gen_ai.operation.name": "invoke_agent" }, "client"],
  ["genai.invoke_agent", "agent_invoke_internal", { "gen_ai.operation.name": "invoke_agent" }],
  ["genai.invoke_agent", "agent_invoke_internal", { "gen_ai.operation.name": "INVOKE_AGENT" }, "server"],
  ["genai.create_agent", "agent_create", { "gen_ai.operation.name": "create_agent" }, "client"],
  ["genai.invoke_workflow", "workflow", { "gen_ai.operation.name": "invoke_workflow" }],
  ["genai.execute_tool", "tool_execute", { "gen_ai.operation.name": "execute_tool" }],
  ["genai.inference", "llm_call", { "gen_ai.operation.name": "chat" }],
  ["genai.inference", "llm_call", { "gen_ai.operation.name": "embeddings" }],
  ["openinference.agent", "agent_invoke_internal", { "openinference.span.kind": "AGENT" }],
  ["openinference.agent", "agent_invoke_internal", { "openinference.span.kind": "agent" }],
  ["openinference.tool", "tool_execute", { "openinference.span.kind": "TOOL" }],
  ["openinference.llm", "llm_call", { "openinference.span.kind": "LLM" }],
  ["openinference.llm", "llm_call", { "openinference.span.kind": "RETRIEVER" }],
  ["openinference.other", "other", { "openinference.span.kind": "CHAIN" }],
  ["openllmetry.agent", "agent_invoke_internal", { "traceloop.span.kind": "agent" }],
  ["openllmetry.tool", "tool_execute", { "traceloop.span.kind": "tool" }],
  ["openllmetry.workflow", "workflow", { "traceloop.span.kind": "workflow" }],
  ["openllmetry.other", "other", { "traceloop.span.kind": "task" }],
  ["openllmetry.llm", "llm_call", { "llm.request.type": "chat" }],
  ["genai.legacy_llm", "llm_call", { "gen_ai.system": "openai" }],
  ["genai.legacy_llm", "llm_call", { "gen_ai.request.model": "gpt-4o" }],
  ["other", "other", { "http.request.method": "GET" }],
];

describe("CLASSIFICATION_RULES", () => {
  it.each(CASES)("%s → %s for %j", (ruleId, role, attributes, kind) => {
    const c = classify(attributes, kind);
    expect([c.ruleId, c.role]).toEqual([ruleId, role]);
  });

  it("has a case above for every rule", () => {
    const covered = new Set(CASES.map(([id]) => id));
    for (const rule of CLASSIFICATION_RULES) expect(covered.has(rule.id), rule.id).toBe(true);
  });

  it("decides by priority, not attribute order: a transfer on an execute_tool span is a handoff", () => {
    const c = classify({
      "gen_ai.transfer.target.name": "refund",
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "transfer_to_refund",
    });
    expect(c.role).toBe("handoff");
  });

  it("an MCP tools/call that also says execute_tool is an MCP request; an A2A call wins over invoke_agent", () => {
    expect(classify({ "gen_ai.operation.name": "execute_tool", "mcp.method.name": "tools/call" }).role).toBe("mcp_request");
    expect(classify({ "gen_ai.operation.name": "invoke_agent", "a2a.method.name": "SendMessage" }, "client").role).toBe("a2a_message");
  });

  it("GenAI attributes win over OpenInference and OpenLLMetry kinds on the same span", () => {
    expect(classify({ "openinference.span.kind": "LLM", "gen_ai.operation.name": "invoke_agent" }).role).toBe("agent_invoke_internal");
    expect(classify({ "traceloop.span.kind": "workflow", "gen_ai.operation.name": "execute_tool" }).role).toBe("tool_execute");
  });

  it("does not treat an empty value as present", () => {
    expect(classify({ "gen_ai.transfer.target.name": "  ", "gen_ai.operation.name": "execute_tool" }).role).toBe("tool_execute");
  });
});

describe("facts", () => {
  it("reads the first alias present: gen_ai.agent.name before OpenInference's agent.name", () => {
    expect(classify({ "agent.name": "oi", "gen_ai.agent.name": "genai" }).facts.agentName).toBe("genai");
    expect(classify({ "agent.name": "oi" }).facts.agentName).toBe("oi");
  });

  it("reads a rule's own name sources: traceloop.entity.name is the agent, tool or workflow", () => {
    expect(classify({ "traceloop.span.kind": "agent", "traceloop.entity.name": "triage" }).facts.agentName).toBe("triage");
    expect(classify({ "traceloop.span.kind": "tool", "traceloop.entity.name": "kb" }).facts.toolName).toBe("kb");
    expect(classify({ "traceloop.span.kind": "workflow", "traceloop.entity.name": "flow" }).facts.workflowName).toBe("flow");
    expect(classify({ "traceloop.span.kind": "task", "traceloop.entity.name": "step" }).facts).not.toHaveProperty("agentName");
  });

  it("reads the GenAI caller and transfer attributes, and the older handoff names", () => {
    const current = classify({
      "gen_ai.caller.name": "support",
      "gen_ai.caller.type": "agent",
      "gen_ai.transfer.target.name": "refund",
      "gen_ai.transfer.target.id": "asst_refund",
      "gen_ai.transfer.target.type": "agent",
      "gen_ai.transfer.mode": "pass_control",
    }).facts;
    expect(current).toMatchObject({
      callerName: "support",
      callerType: "agent",
      transferTargetName: "refund",
      transferTargetId: "asst_refund",
      transferTargetType: "agent",
      transferMode: "pass_control",
    });
    expect(classify({ "gen_ai.handoff.from_agent": "a", "gen_ai.handoff.to_agent": "b" }).facts).toMatchObject({
      transferSourceName: "a",
      transferTargetName: "b",
    });
    expect(classify({ "gen_ai.agent.handoff.source.name": "a", "gen_ai.agent.handoff.target.name": "b" }).facts).toMatchObject({
      transferSourceName: "a",
      transferTargetName: "b",
    });
  });

  it("reads the user from user.id, enduser.id or Traceloop's association property, on the span or its resource", () => {
    expect(classify({ "user.id": "alice", "enduser.id": "old" }).facts).toMatchObject({ userId: "alice", userIdKey: "user.id" });
    expect(classify({ "enduser.id": "bob" }).facts).toMatchObject({ userId: "bob", userIdKey: "enduser.id" });
    expect(classify({ "traceloop.association.properties.user_id": "carol" }).facts.userId).toBe("carol");
    expect(classify({}, "internal", { "user.id": "dave" }).facts).toMatchObject({ userId: "dave", userIdKey: "user.id" });
  });

  it("never reads an agent's identity from the resource", () => {
    expect(classify({ "gen_ai.operation.name": "execute_tool" }, "internal", { "gen_ai.agent.name": "host" }).facts.agentName).toBeUndefined();
  });

  it("reads conversation, session, MCP and A2A ids, and A2A's contextId from gen_ai.conversation.id", () => {
    const a2a = classify({
      "a2a.method.name": "SendMessage",
      "a2a.task.id": "t1",
      "a2a.message.id": "m1",
      "a2a.task.state": "TASK_STATE_WORKING",
      "a2a.message.reference_task_ids": ["t0", "", "t-1"],
      "gen_ai.conversation.id": "ctx",
      "session.id": "s",
    }).facts;
    expect(a2a).toMatchObject({
      a2aTaskId: "t1",
      a2aMessageId: "m1",
      a2aTaskState: "TASK_STATE_WORKING",
      a2aReferenceTaskIds: ["t0", "t-1"],
      a2aContextId: "ctx",
      conversationId: "ctx",
      sessionId: "s",
    });
    expect(classify({ "gen_ai.conversation.id": "ctx" }).facts.a2aContextId).toBeUndefined();
    expect(classify({ "mcp.method.name": "resources/read", "mcp.resource.uri": "file:///a", "mcp.session.id": "m" }).facts).toMatchObject({
      mcpMethod: "resources/read",
      mcpResourceUri: "file:///a",
      mcpSessionId: "m",
    });
  });

  it("finds a traceparent under its own name or any <prefix>.traceparent", () => {
    const tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    expect(classify({ traceparent: tp }).facts.traceparent).toBe(tp);
    expect(classify({ "messaging.message.traceparent": tp }).facts.traceparent).toBe(tp);
    expect(classify({ "x.traceparent": "other", traceparent: tp }).facts.traceparent).toBe(tp);
  });

  it("cuts facts to 512 characters and reads numbers as text", () => {
    const facts = classify({ "gen_ai.agent.name": "a".repeat(600), "a2a.task.id": 42 }).facts;
    expect(facts.agentName).toHaveLength(512);
    expect(facts.a2aTaskId).toBe("42");
  });
});
