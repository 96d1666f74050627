// One scenario per producer style, written the way each instrumentation emits its spans, for the
// real-exporter fixtures (lib/observed/testing/exporters.ts). Times are ms offsets from the
// fixture base; ids come from counters, so every run and every format yields the same spans.
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { TProducerKit } from "./exporters";

export type TScenario = { name: string; run: (kit: TProducerKit) => void };

const MESSAGES = JSON.stringify([{ role: "user", parts: [{ type: "text", content: "Where is my order 1234? I want a refund." }] }]);

/**
 * Current GenAI semantic conventions: invoke_agent (INTERNAL and CLIENT), create_agent, chat,
 * execute_tool, the transfer refinement (gen_ai.transfer.*), the caller refinement (gen_ai.caller.*),
 * gen_ai.conversation.id across two turns (two traces), user.id asserted by the app.
 */
export const genaiCurrent: TScenario = {
  name: "genai-current",
  run: ({ tracer, start, end, remote }) => {
    const app = tracer("support-app");
    const billing = tracer("billing-service");

    // Turn 1 (trace 1).
    const support = start(app, "invoke_agent support", {
      atMs: 0,
      attributes: {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.provider.name": "openai",
        "gen_ai.agent.id": "asst_support",
        "gen_ai.agent.name": "support",
        "gen_ai.agent.version": "2.1.0",
        "gen_ai.conversation.id": "conv-1",
        "user.id": "alice@example.com",
      },
    });
    const chat = start(app, "chat gpt-4.1", {
      parent: support,
      atMs: 10,
      kind: SpanKind.CLIENT,
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "gpt-4.1",
        "gen_ai.input.messages": MESSAGES,
        "gen_ai.system_instructions": "You are a support agent.",
      },
    });
    end(chat, 400);
    const lookup = start(app, "execute_tool lookup_order", {
      parent: support,
      atMs: 410,
      attributes: {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "lookup_order",
        "gen_ai.tool.call.id": "call_1",
        "gen_ai.tool.call.arguments": '{"order":"1234"}',
        "gen_ai.tool.call.result": '{"status":"delivered"}',
        "gen_ai.agent.name": "support",
        "gen_ai.agent.id": "asst_support",
      },
    });
    end(lookup, 450);
    const transfer = start(app, "execute_tool transfer_to_refund refund", {
      parent: support,
      atMs: 460,
      attributes: {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "transfer_to_refund",
        "gen_ai.agent.name": "support",
        "gen_ai.agent.id": "asst_support",
        "gen_ai.transfer.mode": "return_to_caller",
        "gen_ai.transfer.target.name": "refund",
      },
    });
    const refund = start(app, "invoke_agent refund", {
      parent: transfer,
      atMs: 470,
      attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "refund", "gen_ai.agent.id": "asst_refund" },
    });
    const issue = start(app, "execute_tool issue_refund", {
      parent: refund,
      atMs: 480,
      attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "issue_refund", "error.type": "PaymentDeclined" },
    });
    issue.setStatus({ code: SpanStatusCode.ERROR, message: "card declined" });
    end(issue, 520);
    end(refund, 530);
    end(transfer, 540);
    // Remote agent through its API: a CLIENT span with the caller refinement, and the remote
    // service's INTERNAL span under the propagated context.
    const callBilling = start(app, "invoke_agent billing", {
      parent: support,
      kind: SpanKind.CLIENT,
      atMs: 550,
      attributes: {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.name": "billing",
        "gen_ai.caller.type": "agent",
        "gen_ai.caller.name": "support",
        "server.address": "billing.internal",
      },
    });
    const billingRun = start(billing, "invoke_agent billing", {
      parent: remote(callBilling),
      atMs: 560,
      attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "billing", "gen_ai.agent.id": "asst_billing" },
    });
    end(billingRun, 640);
    end(callBilling, 650);
    const create = start(app, "create_agent summarizer", {
      parent: support,
      kind: SpanKind.CLIENT,
      atMs: 660,
      attributes: { "gen_ai.operation.name": "create_agent", "gen_ai.agent.name": "summarizer", "gen_ai.agent.id": "asst_summarizer" },
    });
    end(create, 670);
    end(support, 700);

    // Turn 2 (trace 2), same conversation.
    const support2 = start(app, "invoke_agent support", {
      atMs: 60_000,
      attributes: {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.id": "asst_support",
        "gen_ai.agent.name": "support",
        "gen_ai.conversation.id": "conv-1",
        "user.id": "alice@example.com",
      },
    });
    const lookup2 = start(app, "execute_tool lookup_order", {
      parent: support2,
      atMs: 60_010,
      attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "lookup_order", "gen_ai.agent.name": "support" },
    });
    end(lookup2, 60_050);
    end(support2, 60_100);
  },
};

/**
 * Older handoff names still in the field: the OpenAI Agents style gen_ai.handoff.from_agent /
 * to_agent on a handoff span beside the target agent's span, and gen_ai.agent.handoff.source.name /
 * target.name; gen_ai.system instead of gen_ai.provider.name; the deprecated enduser.id.
 */
export const genaiLegacy: TScenario = {
  name: "genai-legacy",
  run: ({ tracer, start, end }) => {
    const app = tracer("concierge");
    // The OpenAI Agents SDK traces a run as one workflow span with the agents as its children.
    const run = start(app, "Agent workflow", { atMs: 0, attributes: { "enduser.id": "dave" } });
    const triage = start(app, "invoke_agent triage", {
      parent: run,
      atMs: 1,
      attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "triage", "gen_ai.system": "openai" },
    });
    const llm = start(app, "chat", {
      parent: triage,
      atMs: 5,
      kind: SpanKind.CLIENT,
      attributes: { "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o", "gen_ai.prompt.0.content": "hi" },
    });
    end(llm, 50);
    const handoff = start(app, "triage → billing.handoff", {
      parent: triage,
      atMs: 60,
      attributes: { "gen_ai.handoff.from_agent": "triage", "gen_ai.handoff.to_agent": "billing", "gen_ai.system": "openai_agents" },
    });
    end(handoff, 61);
    end(triage, 62);
    const billing = start(app, "invoke_agent billing", {
      parent: run,
      atMs: 63,
      attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "billing", "gen_ai.system": "openai" },
    });
    const escalate = start(app, "handoff", {
      parent: billing,
      atMs: 100,
      attributes: { "gen_ai.agent.handoff.source.name": "billing", "gen_ai.agent.handoff.target.name": "disputes" },
    });
    end(escalate, 101);
    end(billing, 102);
    const disputes = start(app, "invoke_agent disputes", {
      parent: run,
      atMs: 103,
      attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "disputes" },
    });
    end(disputes, 150);
    end(run, 151);
  },
};

/**
 * OpenInference (Arize Phoenix instrumentations): openinference.span.kind CHAIN / AGENT / TOOL /
 * LLM, agent.name, tool.name, graph.node.id / parent_id giving the agent graph (agents are
 * siblings under the chain span), session.id, content in input.value / llm.input_messages.*;
 * no user asserted.
 */
export const openInference: TScenario = {
  name: "openinference",
  run: ({ tracer, start, end }) => {
    const app = tracer("research-crew");
    const chain = start(app, "Crew.kickoff", {
      atMs: 0,
      attributes: { "openinference.span.kind": "CHAIN", "session.id": "sess-9", "input.value": "Research OTLP." },
    });
    const planner = start(app, "planner", {
      parent: chain,
      atMs: 5,
      attributes: { "openinference.span.kind": "AGENT", "agent.name": "planner", "graph.node.id": "planner" },
    });
    const llm = start(app, "ChatCompletion", {
      parent: planner,
      atMs: 6,
      attributes: {
        "openinference.span.kind": "LLM",
        "llm.model_name": "gpt-4o",
        "llm.input_messages.0.message.role": "user",
        "llm.input_messages.0.message.content": "Plan the research.",
        "output.value": "Step 1: search.",
      },
    });
    end(llm, 40);
    end(planner, 50);
    const researcher = start(app, "researcher", {
      parent: chain,
      atMs: 51,
      attributes: {
        "openinference.span.kind": "AGENT",
        "agent.name": "researcher",
        "graph.node.id": "researcher",
        "graph.node.parent_id": "planner",
      },
    });
    const search = start(app, "web_search", {
      parent: researcher,
      atMs: 60,
      attributes: { "openinference.span.kind": "TOOL", "tool.name": "web_search", "input.value": '{"q":"OTLP"}', "output.value": "results" },
    });
    end(search, 90);
    const fetchPage = start(app, "fetch_page", {
      parent: researcher,
      atMs: 91,
      attributes: { "openinference.span.kind": "TOOL", "tool.name": "fetch_page", "input.value": "https://example.com" },
    });
    fetchPage.setStatus({ code: SpanStatusCode.ERROR, message: "timeout" });
    end(fetchPage, 120);
    end(researcher, 130);
    end(chain, 131);
  },
};

/**
 * OpenLLMetry (Traceloop): traceloop.span.kind workflow / agent / tool / task, traceloop.entity.name,
 * traceloop.workflow.name, association properties (user_id, session_id), traceloop.entity.input /
 * output and gen_ai.prompt.<n>.* content, llm.request.type on the LLM span.
 */
export const openLlmetry: TScenario = {
  name: "openllmetry",
  run: ({ tracer, start, end }) => {
    const app = tracer("helpdesk");
    const common = {
      "traceloop.workflow.name": "support_flow",
      "traceloop.association.properties.user_id": "bob",
      "traceloop.association.properties.session_id": "s-42",
    };
    const workflow = start(app, "support_flow.workflow", {
      atMs: 0,
      attributes: {
        ...common,
        "traceloop.span.kind": "workflow",
        "traceloop.entity.name": "support_flow",
        "traceloop.entity.input": '{"q":"reset password"}',
      },
    });
    const agent = start(app, "triage.agent", {
      parent: workflow,
      atMs: 2,
      attributes: { ...common, "traceloop.span.kind": "agent", "traceloop.entity.name": "triage" },
    });
    const llm = start(app, "openai.chat", {
      parent: agent,
      atMs: 3,
      kind: SpanKind.CLIENT,
      attributes: {
        "llm.request.type": "chat",
        "gen_ai.system": "OpenAI",
        "gen_ai.prompt.0.role": "user",
        "gen_ai.prompt.0.content": "reset password",
        "gen_ai.completion.0.content": "ok",
      },
    });
    end(llm, 30);
    const task = start(app, "classify.task", {
      parent: agent,
      atMs: 31,
      attributes: { ...common, "traceloop.span.kind": "task", "traceloop.entity.name": "classify" },
    });
    end(task, 32);
    const tool = start(app, "kb_search.tool", {
      parent: agent,
      atMs: 33,
      attributes: {
        ...common,
        "traceloop.span.kind": "tool",
        "traceloop.entity.name": "kb_search",
        "traceloop.entity.input": '{"q":"reset"}',
        "traceloop.entity.output": "[doc1]",
      },
    });
    end(tool, 60);
    end(agent, 61);
    end(workflow, 62);
  },
};

/**
 * MCP (semantic-conventions-genai model/mcp): client spans in the agent's service, server spans in
 * the MCP server's service under the propagated context; tools/call (gen_ai.tool.name,
 * gen_ai.operation.name execute_tool), resources/read (mcp.resource.uri), tools/list (plumbing).
 */
export const mcp: TScenario = {
  name: "mcp",
  run: ({ tracer, start, end, remote }) => {
    const agentApp = tracer("desk-agent");
    const server = tracer("ticket-mcp");
    const desk = start(agentApp, "invoke_agent desk", {
      atMs: 0,
      attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "desk", "user.id": "erin" },
    });
    const list = start(agentApp, "tools/list", {
      parent: desk,
      kind: SpanKind.CLIENT,
      atMs: 1,
      attributes: { "mcp.method.name": "tools/list", "mcp.session.id": "mcp-s1" },
    });
    end(list, 5);
    const call = start(agentApp, "tools/call create_ticket", {
      parent: desk,
      kind: SpanKind.CLIENT,
      atMs: 10,
      attributes: {
        "mcp.method.name": "tools/call",
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "create_ticket",
        "gen_ai.tool.call.arguments": '{"title":"printer on fire"}',
        "mcp.session.id": "mcp-s1",
        "server.address": "tickets.internal",
        "jsonrpc.request.id": "7",
      },
    });
    const handled = start(server, "tools/call create_ticket", {
      parent: remote(call),
      kind: SpanKind.SERVER,
      atMs: 11,
      attributes: {
        "mcp.method.name": "tools/call",
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "create_ticket",
        "mcp.session.id": "mcp-s1",
      },
    });
    end(handled, 30);
    end(call, 31);
    const read = start(agentApp, "resources/read", {
      parent: desk,
      kind: SpanKind.CLIENT,
      atMs: 40,
      attributes: { "mcp.method.name": "resources/read", "mcp.resource.uri": "file:///policies/escalation.md" },
    });
    read.setAttribute("error.type", "-32002");
    read.setStatus({ code: SpanStatusCode.ERROR, message: "Resource not found" });
    end(read, 45);
    end(desk, 50);
  },
};

/**
 * A2A (semantic-conventions-genai model/a2a): the orchestrator's client SendMessage span and the
 * travel agent's server span in ANOTHER trace (context not propagated), joined by a2a.task.id,
 * a2a.message.id and the A2A contextId (gen_ai.conversation.id); a later GetTask reports the
 * task's final state.
 */
export const a2a: TScenario = {
  name: "a2a",
  run: ({ tracer, start, end }) => {
    const orchestrator = tracer("orchestrator");
    const travel = tracer("travel-agent-service");
    const root = start(orchestrator, "invoke_agent orchestrator", {
      atMs: 0,
      attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "orchestrator", "user.id": "carol" },
    });
    const send = start(orchestrator, "SendMessage", {
      parent: root,
      kind: SpanKind.CLIENT,
      atMs: 10,
      attributes: {
        "a2a.method.name": "SendMessage",
        "a2a.protocol.version": "1.0",
        "a2a.message.id": "msg-1",
        "a2a.task.id": "task-1",
        "a2a.task.state": "TASK_STATE_WORKING",
        "gen_ai.conversation.id": "ctx-7",
        "gen_ai.agent.name": "travel-agent",
        "server.address": "travel.example",
      },
    });
    end(send, 100);
    const poll = start(orchestrator, "GetTask", {
      parent: root,
      kind: SpanKind.CLIENT,
      atMs: 5_000,
      attributes: {
        "a2a.method.name": "GetTask",
        "a2a.task.id": "task-1",
        "a2a.task.state": "TASK_STATE_COMPLETED",
        "gen_ai.conversation.id": "ctx-7",
      },
    });
    end(poll, 5_010);
    end(root, 5_020);

    const served = start(travel, "SendMessage", {
      kind: SpanKind.SERVER,
      atMs: 20,
      attributes: {
        "a2a.method.name": "SendMessage",
        "a2a.message.id": "msg-1",
        "a2a.task.id": "task-1",
        "gen_ai.conversation.id": "ctx-7",
        "gen_ai.agent.name": "travel-agent",
      },
    });
    const run = start(travel, "invoke_agent travel-agent", {
      parent: served,
      atMs: 25,
      attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "travel-agent" },
    });
    const book = start(travel, "execute_tool book_flight", {
      parent: run,
      atMs: 30,
      attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "book_flight", "gen_ai.agent.name": "travel-agent" },
    });
    end(book, 80);
    end(run, 90);
    end(served, 95);
  },
};

export const SCENARIOS: readonly TScenario[] = [genaiCurrent, genaiLegacy, openInference, openLlmetry, mcp, a2a];
