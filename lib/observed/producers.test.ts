// End to end through the REAL OpenTelemetry JS SDK and OTLP exporters (protobuf and JSON, gzip on
// and off): one scenario per producer style, decoded and assembled into its observed chain.
import { diag, DiagLogLevel } from "@opentelemetry/api";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { assembleObserved } from "./assemble";
import { decodeExportRequest, encodingOf } from "./otlp/decode";
import { encodeExportResponse } from "./otlp/response";
import { captureExports, EXPORT_FORMATS, formatName, INGEST_TOKEN, type TCapturedRequest } from "./testing/exporters";
import { SCENARIOS, type TScenario } from "./testing/producers";
import { summarize } from "./testing/spans";
import type { TObservedChain, TObservedSpan } from "./types";

const NOW = Date.UTC(2026, 0, 16);
const captured = new Map<string, TCapturedRequest[]>();
const key = (scenario: string, format: string) => `${scenario}|${format}`;

beforeAll(async () => {
  for (const scenario of SCENARIOS) {
    for (const format of EXPORT_FORMATS) captured.set(key(scenario.name, formatName(format)), await captureExports(format, scenario.run));
  }
});

function decodeAll(requests: TCapturedRequest[]): TObservedSpan[] {
  return requests.flatMap((r) => {
    const result = decodeExportRequest(r.body, r.contentType, r.contentEncoding);
    if (!result.ok) throw new Error(`${result.status} ${result.reason}`);
    expect(result.rejectedSpans).toBe(0);
    return result.spans;
  });
}

const sortSpans = (spans: TObservedSpan[]) => [...spans].sort((a, b) => (a.traceId + a.spanId < b.traceId + b.spanId ? -1 : 1));

function onlyChain(scenario: TScenario): TObservedChain {
  const spans = decodeAll(captured.get(key(scenario.name, "protobuf"))!);
  const { chains, ignoredTraceIds } = assembleObserved(spans, { now: NOW });
  expect(ignoredTraceIds).toEqual([]);
  expect(chains).toHaveLength(1);
  return chains[0];
}

describe("the real exporters' requests", () => {
  it("go to /api/otel/v1/traces with the bearer token, in the configured encoding and compression", () => {
    for (const scenario of SCENARIOS) {
      for (const format of EXPORT_FORMATS) {
        const requests = captured.get(key(scenario.name, formatName(format)))!;
        expect(requests.length).toBeGreaterThan(0);
        for (const r of requests) {
          expect(r.path).toBe("/api/otel/v1/traces");
          expect(r.authorization).toBe(`Bearer ${INGEST_TOKEN}`);
          expect(r.contentType).toBe(format.encoding === "protobuf" ? "application/x-protobuf" : "application/json");
          expect(r.contentEncoding).toBe(format.gzip ? "gzip" : null);
        }
      }
    }
  });

  describe("read our answer", () => {
    afterEach(() => diag.disable());

    it.each(EXPORT_FORMATS.map((f) => [formatName(f), f] as const))("%s: a partial_success reaches the exporter intact", async (_name, format) => {
      const warnings: string[] = [];
      const record = (...args: unknown[]) => warnings.push(args.map(String).join(" "));
      diag.setLogger({ error: record, warn: record, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
      await captureExports(format, SCENARIOS[0].run, (request) => ({
        status: 200,
        ...encodeExportResponse(
          { rejectedSpans: 2, errorMessage: '2 spans rejected: span "x": traceId is all zeros' },
          encodingOf(request.contentType)!,
        ),
      }));
      const partial = warnings.filter((w) => w.startsWith("Received Partial Success response:"));
      expect(partial.length).toBeGreaterThan(0);
      expect(partial[0]).toContain('2 spans rejected: span \\"x\\": traceId is all zeros');
      expect(partial[0]).toMatch(/"rejectedSpans":"?2"?/);
    });
  });

  it.each(SCENARIOS.map((s) => [s.name, s] as const))("%s: decode to the same spans in all four formats", (_name, scenario) => {
    const [reference, ...others] = EXPORT_FORMATS.map((f) => sortSpans(decodeAll(captured.get(key(scenario.name, formatName(f)))!)));
    expect(reference.length).toBeGreaterThan(0);
    for (const spans of others) expect(spans).toEqual(reference);
  });
});

describe("observed chains per producer style", () => {
  const scenario = (name: string) => SCENARIOS.find((s) => s.name === name)!;

  it("GenAI semantic conventions (current): transfer, remote invoke_agent with caller, two turns of one conversation", () => {
    const chain = onlyChain(scenario("genai-current"));
    expect(chain.status).toBe("observed");
    expect(chain.traceIds).toHaveLength(2);
    expect(chain.id).toBe(`obs:${chain.traceIds[0]}`);
    expect(chain.stitchedBy).toEqual([{ kind: "conversation", value: "conv-1" }]);
    expect(chain.principal).toEqual({ kind: "asserted", userIds: ["alice@example.com"], assertedBy: ["support-app"] });
    expect(summarize(chain)).toEqual({
      nodes: [
        "human human:alice@example.com (asserted by support-app)",
        "agent agent:id:asst_support",
        "tool tool:lookup_order",
        "agent agent:id:asst_refund",
        "tool tool:issue_refund",
        "agent agent:id:asst_billing",
        "agent agent:id:asst_summarizer",
      ],
      edges: [
        "root human:alice@example.com -> agent:id:asst_support completed x2",
        "tool_call agent:id:asst_support -> tool:lookup_order completed x2",
        "handoff agent:id:asst_support -> agent:id:asst_refund completed x1",
        "tool_call agent:id:asst_refund -> tool:issue_refund failed x1",
        "agent_call agent:id:asst_support -> agent:id:asst_billing completed x1",
      ],
    });
    const handoff = chain.edges.find((e) => e.kind === "handoff")!;
    expect(handoff.mode).toBe("return_to_caller");
    expect(handoff.dashed).toBe(true);
    const failed = chain.edges.find((e) => e.to === "tool:issue_refund")!;
    expect(failed.errorTypes).toEqual(["PaymentDeclined"]);
    expect(failed.spans[0].statusMessage).toBe("card declined");
    const support = chain.nodes.find((n) => n.id === "agent:id:asst_support")!;
    expect(support).toMatchObject({ label: "support", agentVersion: "2.1.0", llmCalls: 1 });
    const billing = chain.nodes.find((n) => n.id === "agent:id:asst_billing")!;
    expect(billing.services).toEqual(["billing-service", "support-app"]);
    expect(chain.nodes.find((n) => n.id === "agent:id:asst_summarizer")!.createdBy).toBe("agent:id:asst_support");
    expect(chain.outcome).toBe("failed");
    // Tool arguments and results were dropped at decode; the call keeps their digests.
    const lookup = chain.edges.find((e) => e.to === "tool:lookup_order")!;
    expect(Object.keys(lookup.spans[0].contentDigests).sort()).toEqual(["gen_ai.tool.call.arguments", "gen_ai.tool.call.result"]);
    expect(lookup.spans[0].content).toBeUndefined();
  });

  it("older handoff names: gen_ai.handoff.from_agent/to_agent and gen_ai.agent.handoff.*; enduser.id", () => {
    const chain = onlyChain(scenario("genai-legacy"));
    expect(chain.principal).toEqual({ kind: "asserted", userIds: ["dave"], assertedBy: ["concierge"] });
    expect(summarize(chain).edges).toEqual([
      "root human:dave -> agent:name:triage completed x1",
      "handoff agent:name:triage -> agent:name:billing completed x1",
      "handoff agent:name:billing -> agent:name:disputes completed x1",
    ]);
    expect(chain.producers).toEqual(["genai", "genai_legacy"]);
  });

  it("OpenInference: AGENT/TOOL spans, the agent graph from graph.node.parent_id, no user → unknown principal", () => {
    const chain = onlyChain(scenario("openinference"));
    expect(chain.principal).toEqual({ kind: "unknown" });
    expect(summarize(chain)).toEqual({
      nodes: [
        "unknown_principal principal:unknown (no producer asserted a user)",
        "agent agent:name:planner",
        "agent agent:name:researcher",
        "tool tool:web_search",
        "tool tool:fetch_page",
      ],
      edges: [
        "root principal:unknown -> agent:name:planner completed x1",
        "agent_call agent:name:planner -> agent:name:researcher completed x1",
        "tool_call agent:name:researcher -> tool:web_search completed x1",
        "tool_call agent:name:researcher -> tool:fetch_page failed x1",
      ],
    });
    expect(chain.llmCalls).toBe(1);
    expect(chain.nodes.find((n) => n.id === "agent:name:planner")!.llmCalls).toBe(1);
  });

  it("OpenLLMetry: workflow → agent → tool from traceloop.span.kind, user from association properties", () => {
    const chain = onlyChain(scenario("openllmetry"));
    expect(chain.principal).toEqual({ kind: "asserted", userIds: ["bob"], assertedBy: ["helpdesk"] });
    expect(summarize(chain).edges).toEqual([
      "root human:bob -> workflow:support_flow completed x1",
      "agent_call workflow:support_flow -> agent:name:triage completed x1",
      "tool_call agent:name:triage -> tool:kb_search completed x1",
    ]);
    const tool = chain.edges.find((e) => e.to === "tool:kb_search")!;
    expect(Object.keys(tool.spans[0].contentDigests).sort()).toEqual(["traceloop.entity.input", "traceloop.entity.output"]);
  });

  it("MCP: client and server halves of tools/call make one tool call; resources/read a resource; tools/list nothing", () => {
    const chain = onlyChain(scenario("mcp"));
    expect(summarize(chain).edges).toEqual([
      "root human:erin -> agent:name:desk completed x1",
      "tool_call agent:name:desk -> tool:create_ticket completed x1",
      "resource_access agent:name:desk -> resource:file:///policies/escalation.md failed x1",
    ]);
    const tool = chain.nodes.find((n) => n.id === "tool:create_ticket")!;
    expect(tool.services).toEqual(["desk-agent", "ticket-mcp"]);
    expect(chain.edges.find((e) => e.to === "tool:create_ticket")!.via).toBe("mcp");
    expect(chain.edges.find((e) => e.kind === "resource_access")!.errorTypes).toEqual(["-32002"]);
  });

  it("A2A: a server span in another trace joins the client's chain by task and context id", () => {
    const chain = onlyChain(scenario("a2a"));
    expect(chain.traceIds).toHaveLength(2);
    expect(chain.stitchedBy).toEqual([
      { kind: "a2a_task", value: "task-1" },
      { kind: "conversation", value: "ctx-7" },
    ]);
    expect(summarize(chain).edges).toEqual([
      "root human:carol -> agent:name:orchestrator completed x1",
      "agent_call agent:name:orchestrator -> agent:name:travel-agent completed x1",
      "tool_call agent:name:travel-agent -> tool:book_flight completed x1",
    ]);
    // The SendMessage span said WORKING; the later GetTask reported the task COMPLETED.
    expect(chain.edges.find((e) => e.via === "a2a")!.outcome).toBe("completed");
  });

  it("every scenario assembles the same whatever the order the spans arrive in", () => {
    for (const s of SCENARIOS) {
      const spans = decodeAll(captured.get(key(s.name, "json+gzip"))!);
      const forward = assembleObserved(spans, { now: NOW });
      expect(assembleObserved([...spans].reverse(), { now: NOW })).toEqual(forward);
      expect(assembleObserved([...spans, ...spans], { now: NOW })).toEqual(forward);
    }
  });
});
