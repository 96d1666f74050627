// The capture proxy in front of a real MCP server (@modelcontextprotocol/sdk, streamable HTTP, JSON
// and SSE responses), driven by the SDK's own client: the traffic passes unchanged and the captures
// it posts become the observed chain of the calls.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { assembleObserved } from "@/lib/observed/assemble";
import { captureToSpans, type TCaptureRecord } from "@/lib/observed/capture";
import { summarize } from "@/lib/observed/testing/spans";
import { capturesOf, responseMessages, startCaptureProxy, type TCaptureProxy } from "./proxy";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A stateless MCP server with two tools; `json` picks JSON responses over SSE streams. */
async function mcpServer(json: boolean): Promise<string> {
  const server = http.createServer((req, res) => {
    const mcp = new McpServer({ name: "orders", version: "1.0.0" });
    mcp.registerTool("lookup_order", { description: "Look an order up", inputSchema: { order: z.string() } }, ({ order }) => ({
      content: [{ type: "text", text: `order ${order}: delivered` }],
    }));
    mcp.registerTool("refund", { description: "Refund an order", inputSchema: { order: z.string() } }, () => ({
      content: [{ type: "text", text: "refunds are closed" }],
      isError: true,
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: json });
    res.on("close", () => void transport.close());
    void mcp.connect(transport).then(() => transport.handleRequest(req, res));
  });
  return `${await listen(server)}/mcp`;
}

/** Stands in for Delegraph's POST /api/v1/captures; `failFirst` answers 503 that many times. */
async function captureSink(failFirst = 0): Promise<{ url: string; received: TCaptureRecord[]; posts: number }> {
  const sink = { url: "", received: [] as TCaptureRecord[], posts: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      sink.posts++;
      if (sink.posts <= failFirst) {
        res.writeHead(503).end();
        return;
      }
      expect(req.url).toBe("/api/v1/captures");
      expect(req.headers.authorization).toBe("Bearer ingest-token");
      sink.received.push(...(JSON.parse(Buffer.concat(chunks).toString()) as { captures: TCaptureRecord[] }).captures);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  sink.url = await listen(server);
  return sink;
}

const jwt = (claims: Record<string, unknown>) =>
  `Bearer ${Buffer.from('{"alg":"RS256"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.c2ln`;

async function session(url: string) {
  const client = new Client({ name: "support-agent", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: jwt({ sub: "alice", azp: "support" }) } } }),
  );
  closers.push(() => client.close());
  const found = await client.callTool({ name: "lookup_order", arguments: { order: "1234" } });
  const refused = await client.callTool({ name: "refund", arguments: { order: "1234" } });
  return { found, refused };
}

async function proxied(upstream: string, sink: { url: string }, extra: { retryMs?: number; maxBuffer?: number } = {}): Promise<TCaptureProxy> {
  const proxy = await startCaptureProxy({
    listen: { host: "127.0.0.1", port: 0 },
    upstream,
    delegraph: { url: sink.url, token: "ingest-token" },
    flushMs: 60_000,
    ...extra,
  });
  closers.push(() => proxy.close());
  return proxy;
}

describe.each([
  ["JSON responses", true],
  ["SSE responses", false],
])("mcp-proxy in front of an MCP server with %s", (_, json) => {
  it("forwards unchanged and captures every tools/call with its outcome", async () => {
    const upstream = await mcpServer(json);
    const direct = await session(upstream);
    const sink = await captureSink();
    const proxy = await proxied(upstream, sink);
    const through = await session(`${proxy.url}/mcp`);
    expect(through).toEqual(direct);
    expect(through.refused.isError).toBe(true);

    await proxy.flush();
    const calls = sink.received.filter((c) => (c.request.body as { method: string }).method === "tools/call");
    expect(calls).toHaveLength(2);
    expect(calls[1].response).toMatchObject({ status: 200, isError: true });
    expect(sink.received.map((c) => (c.request.body as { method: string }).method)).toContain("initialize");
    expect(proxy.stats).toMatchObject({ dropped: 0, failedBatches: 0 });

    const spans = sink.received.flatMap((c) => {
      const r = captureToSpans(c, { keepContent: false, receivedAtMs: 0 });
      if (!r.ok) throw new Error(r.reason);
      return r.spans;
    });
    const { chains } = assembleObserved(spans, { now: Date.now() + 60_000 });
    const edges = chains.flatMap((ch) => summarize(ch).edges).filter((e) => e.startsWith("tool_call"));
    expect(edges.sort()).toEqual([
      "tool_call agent:name:support -> tool:lookup_order completed x1",
      "tool_call agent:name:support -> tool:refund failed x1",
    ]);
  });
});

describe("mcp-proxy when Delegraph is slow or down", () => {
  it("retries a batch the receiver answers 503, and never holds up the traffic", async () => {
    const upstream = await mcpServer(true);
    const sink = await captureSink(2);
    const proxy = await proxied(upstream, sink, { retryMs: 5 });
    await session(`${proxy.url}/mcp`);
    await proxy.flush();
    expect(sink.posts).toBe(3);
    expect(sink.received.length).toBe(proxy.stats.captured);
    expect(proxy.stats.sent).toBe(proxy.stats.captured);
  });

  it("keeps a bounded buffer: the oldest captures go first, and are counted", async () => {
    const upstream = await mcpServer(true);
    const proxy = await proxied(upstream, { url: "http://127.0.0.1:9" }, { maxBuffer: 2, retryMs: 1 });
    const result = await session(`${proxy.url}/mcp`);
    expect(result.found.content).toEqual([{ type: "text", text: "order 1234: delivered" }]);
    expect(proxy.stats.captured).toBeGreaterThan(2);
    expect(proxy.stats.dropped).toBe(proxy.stats.captured - 2);
  });

  it("answers 502 when the upstream is down", async () => {
    const proxy = await proxied("http://127.0.0.1:9/mcp", { url: "http://127.0.0.1:9" });
    const res = await fetch(`${proxy.url}/mcp`, { method: "POST", body: "{}" });
    expect(res.status).toBe(502);
  });
});

describe("what a capture reads", () => {
  it("JSON-RPC replies from a JSON body or SSE events", () => {
    expect(responseMessages("application/json", '{"jsonrpc":"2.0","id":1,"result":{}}')).toEqual([{ jsonrpc: "2.0", id: 1, result: {} }]);
    const sse = 'event: message\ndata: {"jsonrpc":"2.0","id":2,"result":{"isError":true}}\n\n: ping\n\n';
    expect(responseMessages("text/event-stream", sse)).toEqual([{ jsonrpc: "2.0", id: 2, result: { isError: true } }]);
    expect(responseMessages("application/json", "not json")).toEqual([]);
  });

  it("one capture per request with an id; notifications are not calls; the server's session id is kept", () => {
    const base = { startedAt: 1, endedAt: 2, upstream: "http://x/mcp", service: "p", status: 200 };
    const caps = capturesOf({
      ...base,
      requestHeaders: { authorization: "Bearer t", cookie: "secret" },
      requestBody: '[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a"}},{"jsonrpc":"2.0","method":"notifications/initialized"}]',
      responseHeaders: { "content-type": "application/json", "mcp-session-id": "s-9" },
      responseBody: '[{"jsonrpc":"2.0","id":1,"result":{"isError":false}}]',
    });
    expect(caps).toHaveLength(1);
    expect(caps[0]).toMatchObject({
      request: { headers: { authorization: "Bearer t", "mcp-session-id": "s-9" } },
      response: { status: 200, isError: false, body: { id: 1 } },
    });
    expect(JSON.stringify(caps)).not.toContain("secret");
  });
});
