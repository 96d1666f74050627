import { describe, expect, it } from "vitest";
import { assembleObserved } from "./assemble";
import { AIP_FROM, AIP_REJECTED, aipTokenOf, bearerContext, captureToSpans, stripAipAttributes, type TCaptureRecord } from "./capture";
import { contentDigest } from "./content";
import { summarize } from "./testing/spans";
import type { TObservedSpan } from "./types";

const AT = Date.UTC(2026, 0, 15, 10, 0, 0);
const NOW = Date.UTC(2026, 0, 16);
const jwt = (claims: Record<string, unknown>) =>
  `Bearer ${Buffer.from('{"alg":"RS256"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.c2ln`;
const TOKEN = jwt({
  iss: "https://idp.example",
  sub: "alice@example.com",
  azp: "support-agent",
  aud: "https://tools.example.com",
  scope: "orders:read",
});

function mcpCall(name: string, over: Partial<TCaptureRecord> = {}, result: unknown = { content: [{ type: "text", text: "ok" }] }): TCaptureRecord {
  return {
    kind: "mcp",
    startedAt: AT,
    endedAt: AT + 50,
    server: "https://tools.example.com/mcp",
    service: "mcp-gateway",
    request: {
      headers: { Authorization: TOKEN, "Mcp-Session-Id": "sess-1", "MCP-Protocol-Version": "2025-11-25" },
      body: { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name, arguments: { order: "1234" } } },
    },
    response: { status: 200, body: { jsonrpc: "2.0", id: 7, result } },
    ...over,
  };
}

function spansOf(record: TCaptureRecord, keepContent = false): TObservedSpan[] {
  const r = captureToSpans(record, { keepContent, receivedAtMs: AT });
  if (!r.ok) throw new Error(r.reason);
  return r.spans;
}

describe("bearerContext", () => {
  it("keeps only sub, azp/client_id, aud, scope, act.sub and iss; never the token", () => {
    const ctx = bearerContext(jwt({ sub: "u", client_id: "c", aud: ["a", "b"], scp: ["x", "y"], act: { sub: "agent-7" }, secret: "no" }));
    expect(ctx).toEqual({ sub: "u", azp: "c", aud: "a b", scope: "x y", actor: "agent-7" });
    expect(bearerContext("Bearer opaque-token")).toEqual({});
    expect(bearerContext("Bearer a.%%%.c")).toEqual({});
    expect(bearerContext(undefined)).toEqual({});
  });
});

describe("captureToSpans: MCP", () => {
  it("makes the caller's agent span and the tools/call span under it, content as digests", () => {
    const [agent, call] = spansOf(mcpCall("lookup_order"));
    expect(agent.attributes["gen_ai.agent.name"]).toBe("support-agent");
    expect(agent.attributes["user.id"]).toBe("alice@example.com");
    expect(agent.resource["service.name"]).toBe("mcp-gateway");
    expect(call.parentSpanId).toBe(agent.spanId);
    expect(call.traceId).toBe(agent.traceId);
    expect(call.attributes["mcp.method.name"]).toBe("tools/call");
    expect(call.attributes["gen_ai.tool.name"]).toBe("lookup_order");
    expect(call.attributes["mcp.session.id"]).toBe("sess-1");
    expect(call.attributes["gen_ai.tool.call.arguments"]).toBe(contentDigest('{"order":"1234"}'));
    expect(call.redactedKeys.sort()).toEqual(["gen_ai.tool.call.arguments", "gen_ai.tool.call.result"]);
    expect(call.status.code).toBe("unset");
    expect(JSON.stringify([agent, call])).not.toContain(TOKEN.slice(7));
  });

  it("keeps content when asked", () => {
    const [, call] = spansOf(mcpCall("lookup_order"), true);
    expect(call.attributes["gen_ai.tool.call.arguments"]).toBe('{"order":"1234"}');
    expect(call.contentKept).toBe(true);
  });

  it("puts the calls of one MCP session in one trace, under one agent span, and assembles principal → agent → tools", () => {
    const spans = [...spansOf(mcpCall("lookup_order")), ...spansOf(mcpCall("issue_refund", { startedAt: AT + 100, endedAt: AT + 120 }))];
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    const { chains } = assembleObserved(spans, { now: NOW });
    expect(chains).toHaveLength(1);
    expect(summarize(chains[0]).edges.sort()).toEqual([
      "root human:alice@example.com -> agent:name:support-agent completed x1",
      "tool_call agent:name:support-agent -> tool:issue_refund completed x1",
      "tool_call agent:name:support-agent -> tool:lookup_order completed x1",
    ]);
    expect(chains[0].nodes[0].note).toBe("asserted by mcp-gateway");
  });

  it("turns isError, JSON-RPC errors and HTTP errors into failed calls", () => {
    const isError = spansOf(mcpCall("t", {}, { content: [], isError: true }))[1];
    expect(isError.attributes["error.type"]).toBe("tool_error");
    const rpc = spansOf(mcpCall("t", { response: { status: 200, body: { jsonrpc: "2.0", id: 7, error: { code: -32602, message: "bad" } } } }))[1];
    expect(rpc.attributes["error.type"]).toBe("jsonrpc:-32602");
    const http = spansOf(mcpCall("t", { response: { status: 503 } }))[1];
    expect(http.attributes["error.type"]).toBe("http.503");
    expect(http.status.code).toBe("error");
  });

  it("follows a propagated traceparent: the agent span hangs under the caller's span", () => {
    const tp = `00-${"ab".repeat(16)}-${"cd".repeat(8)}-01`;
    const [agent] = spansOf(
      mcpCall("t", { request: { headers: { traceparent: tp }, body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "t" } } } }),
    );
    expect(agent.traceId).toBe("ab".repeat(16));
    expect(agent.parentSpanId).toBe("cd".repeat(8));
    expect(agent.attributes["gen_ai.agent.name"]).toBe("unidentified client");
    expect(agent.attributes["user.id"]).toBeUndefined();
  });

  it("takes the actor of a token-exchange token as the agent and its subject as the user", () => {
    const [agent] = spansOf(
      mcpCall("t", {
        request: {
          headers: { authorization: jwt({ sub: "bob", act: { sub: "planner" } }) },
          body: { jsonrpc: "2.0", method: "tools/call", params: { name: "t" } },
        },
      }),
    );
    expect(agent.attributes["gen_ai.agent.name"]).toBe("planner");
    expect(agent.attributes["user.id"]).toBe("bob");
  });

  it("refuses what is not a JSON-RPC request or has no time", () => {
    expect(captureToSpans({ ...mcpCall("t"), request: { body: "nope" } }, { keepContent: false, receivedAtMs: AT })).toMatchObject({ ok: false });
    expect(captureToSpans({ ...mcpCall("t"), startedAt: "yesterday" }, { keepContent: false, receivedAtMs: AT })).toMatchObject({ ok: false });
  });
});

describe("captureToSpans: A2A", () => {
  it("makes an A2A client span to the remote agent with message, task and context ids and the task's state", () => {
    const record: TCaptureRecord = {
      kind: "a2a",
      startedAt: AT,
      server: "https://billing.example.com/a2a",
      client: "support",
      request: {
        body: {
          jsonrpc: "2.0",
          id: "r1",
          method: "message/send",
          params: {
            message: { messageId: "m1", contextId: "ctx-1", parts: [{ kind: "text", text: "refund 1234" }] },
            metadata: { agent_name: "billing" },
          },
        },
      },
      response: { status: 200, body: { jsonrpc: "2.0", id: "r1", result: { id: "task-9", contextId: "ctx-1", status: { state: "failed" } } } },
    };
    const spans = spansOf(record);
    const call = spans[1];
    expect(call.attributes).toMatchObject({
      "a2a.method.name": "message/send",
      "a2a.message.id": "m1",
      "a2a.task.id": "task-9",
      "gen_ai.conversation.id": "ctx-1",
      "a2a.task.state": "failed",
      "gen_ai.agent.name": "billing",
      "error.type": "a2a:failed",
    });
    const { chains } = assembleObserved(spans, { now: NOW });
    expect(summarize(chains[0]).edges.sort()).toEqual([
      "agent_call agent:name:support -> agent:name:billing failed x1",
      "root principal:unknown -> agent:name:support completed x1",
    ]);
  });
});

describe("AIP tokens presented with a captured call", () => {
  const headersOf = (extra: Record<string, string>) => ({ Authorization: TOKEN, "Mcp-Session-Id": "sess-1", ...extra });

  it("finds the token in X-AIP-Token, MCP params._meta, A2A params.metadata and the A2A message's metadata, first place first", () => {
    expect(aipTokenOf({ request: { headers: headersOf({ "X-AIP-Token": " eyJx.y.z " }), body: {} } })).toEqual({
      token: "eyJx.y.z",
      from: "X-AIP-Token",
    });
    expect(aipTokenOf({ request: { body: { params: { _meta: { aip_token: "EoAB" } } } } })).toEqual({
      token: "EoAB",
      from: "params._meta.aip_token",
    });
    expect(aipTokenOf({ request: { body: { params: { metadata: { aip_token: "EoAC" } } } } })).toEqual({
      token: "EoAC",
      from: "params.metadata.aip_token",
    });
    expect(aipTokenOf({ request: { body: { params: { message: { metadata: { aip_token: "EoAD" } } } } } })).toEqual({
      token: "EoAD",
      from: "params.message.metadata.aip_token",
    });
    expect(aipTokenOf({ request: { headers: { "x-aip-token": "eyJh.b.c" }, body: { params: { _meta: { aip_token: "EoAB" } } } } })?.from).toBe(
      "X-AIP-Token",
    );
    expect(aipTokenOf({ request: { body: { params: { _meta: { aip_token: 7 }, metadata: { aip_token: "" } } } } })).toBeNull();
  });

  it("gives the call (tool, server, time, the call span's traceparent) and never puts the token on a span", () => {
    const r = captureToSpans(
      mcpCall("lookup_order", { request: { ...mcpCall("lookup_order").request, headers: headersOf({ "X-AIP-Token": "eyJsecret.token.sig" }) } }),
      {
        keepContent: false,
        receivedAtMs: AT,
      },
    );
    if (!r.ok) throw new Error(r.reason);
    const call = r.spans[1];
    expect(r.aip).toEqual({
      token: "eyJsecret.token.sig",
      from: "X-AIP-Token",
      via: "mcp",
      action: "lookup_order",
      resource: "https://tools.example.com/mcp",
      startMs: AT,
      traceparent: `00-${call.traceId}-${call.spanId}-01`,
      observedBy: "mcp-gateway",
    });
    expect(JSON.stringify(r.spans)).not.toContain("eyJsecret");
    const plain = captureToSpans(mcpCall("lookup_order"), { keepContent: false, receivedAtMs: AT });
    expect(plain.ok && plain.aip).toBeUndefined();
  });

  it("an A2A call's action is its method; its verdict attributes become the call's aip, and a producer's spans cannot set them", () => {
    const record: TCaptureRecord = {
      kind: "a2a",
      startedAt: AT,
      server: "https://billing.example.com/a2a",
      request: {
        body: { jsonrpc: "2.0", id: 1, method: "message/send", params: { message: { messageId: "m1", parts: [] }, metadata: { aip_token: "EoAB" } } },
      },
    };
    const r = captureToSpans(record, { keepContent: false, receivedAtMs: AT });
    if (!r.ok) throw new Error(r.reason);
    expect(r.aip).toMatchObject({
      via: "a2a",
      action: "message/send",
      resource: "https://billing.example.com/a2a",
      from: "params.metadata.aip_token",
    });
    r.spans[1].attributes[AIP_FROM] = "params.metadata.aip_token";
    r.spans[1].attributes[AIP_REJECTED] = "signature_invalid: bad";
    const edge = assembleObserved(r.spans, { now: NOW }).chains[0].edges.find((e) => e.kind === "agent_call")!;
    expect(edge.spans[0].aip).toEqual({ from: "params.metadata.aip_token", rejected: "signature_invalid: bad" });
    stripAipAttributes(r.spans);
    expect(assembleObserved(r.spans, { now: NOW }).chains[0].edges.find((e) => e.kind === "agent_call")!.spans[0].aip).toBeUndefined();
  });
});
