// Observed chains over HTTP (docs/observed.md): the REAL OpenTelemetry JS SDK and its OTLP
// exporters (protobuf and JSON, gzip on and off) produce each producer style's requests, which are
// sent to the running server's /api/otel/v1/traces; the stored chain must be the one the pure
// assembler makes of the same bodies. Then hostile bodies (never a 5xx), and MCP/A2A captures.
import { randomBytes } from "node:crypto";
import { diag } from "@opentelemetry/api";
import { beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { assembleObserved } from "@/lib/observed/assemble";
import { decodeExportRequest } from "@/lib/observed/otlp/decode";
import { RpcStatus } from "@/lib/observed/otlp/schema";
import { captureExports, counterIds, EXPORT_FORMATS, formatName, type TCapturedRequest } from "@/lib/observed/testing/exporters";
import { SCENARIOS } from "@/lib/observed/testing/producers";
import { summarize } from "@/lib/observed/testing/spans";
import type { TObservedChain } from "@/lib/observed/types";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";
import { startCaptureProxy } from "@/lib/capture-proxy/proxy";
import { aipKeyId, compactToken, makeAipKey } from "@/lib/protocol/aip/test-helpers";
import { verifyEvidenceBundle } from "@/lib/reports/evidence";
import { api, authorizeClaims, invokeClaims, post, register, signToken } from "./helpers";

const RUN = randomBytes(4).toString("hex");
/** In every trace id of this run (counterIds turns a leading 0 into "a": the first character is left out). */
const IN_IDS = RUN.slice(1);

async function sendOtlp(body: Buffer, headers: Record<string, string>, token: string | null = inject("apiToken")) {
  const h = new Headers(headers);
  if (token) h.set("authorization", `Bearer ${token}`);
  const res = await fetch(`${inject("serverUrl")}/api/otel/v1/traces`, { method: "POST", headers: h, body: new Uint8Array(body) });
  return { status: res.status, contentType: res.headers.get("content-type"), body: Buffer.from(await res.arrayBuffer()) };
}

const forward = (r: TCapturedRequest) =>
  sendOtlp(r.body, { "content-type": r.contentType ?? "", ...(r.contentEncoding ? { "content-encoding": r.contentEncoding } : {}) });

type TSent = { scenario: string; format: string; requests: TCapturedRequest[]; expected: TObservedChain[] };
const sent: TSent[] = [];

beforeAll(async () => {
  diag.disable();
  for (const [i, scenario] of SCENARIOS.entries()) {
    // Every scenario in its own id space, each with a different encoding/compression in turn.
    const format = EXPORT_FORMATS[i % EXPORT_FORMATS.length];
    const requests = await captureExports(format, scenario.run, undefined, counterIds(`${RUN}${i.toString(16).padStart(2, "0")}`));
    const spans = requests.flatMap((r) => {
      const d = decodeExportRequest(r.body, r.contentType, r.contentEncoding);
      if (!d.ok) throw new Error(d.reason);
      return d.spans;
    });
    sent.push({ scenario: scenario.name, format: formatName(format), requests, expected: assembleObserved(spans, { now: Date.now() }).chains });
  }
});

describe("POST /api/otel/v1/traces with the real exporters' bodies", () => {
  it("answers 200 with an ExportTraceServiceResponse in the request's encoding", async () => {
    for (const s of sent) {
      for (const r of s.requests) {
        const res = await forward(r);
        expect(res.status, `${s.scenario} ${s.format}`).toBe(200);
        expect(res.contentType).toBe(r.contentType);
        if (r.contentType === "application/json") expect(JSON.parse(res.body.toString())).toEqual({});
        else expect(res.body.length).toBe(0);
      }
    }
  });

  it("stores each producer style's chain as the assembler draws it: observed, dashed, in the list", async () => {
    for (const s of sent) {
      expect(s.expected.length, s.scenario).toBeGreaterThan(0);
      for (const chain of s.expected) {
        const res = await api(`/api/v1/chains/${encodeURIComponent(chain.id)}`);
        expect(res.status, `${s.scenario} ${chain.id}`).toBe(200);
        expect(res.data).toMatchObject({ id: chain.id, status: "observed", source: "otel", hops: [], events: [] });
        const stored = res.data.observed as TObservedChain;
        expect(summarize(stored), s.scenario).toEqual(summarize(chain));
        expect(stored.principal).toEqual(chain.principal);
        expect(stored.edges.every((e) => e.dashed)).toBe(true);
        const acting = chain.edges.filter((e) => e.kind !== "root").length;
        expect(res.data.counts).toEqual({ critical: 0, error: 0, warning: acting });
        expect(res.data.findings.every((f: { code: string }) => f.code === "unauthorized_activity")).toBe(true);
      }
    }
    const list = await api(`/api/v1/chains?source=otel&q=${IN_IDS}&limit=200`);
    expect(list.status).toBe(200);
    const ids = list.data.items.map((c: { id: string }) => c.id).sort();
    expect(ids).toEqual(sent.flatMap((s) => s.expected.map((c) => c.id)).sort());
    for (const item of list.data.items) expect(item).toMatchObject({ status: "observed", source: "otel" });
    const verified = await api(`/api/v1/chains?status=verified&q=${IN_IDS}`);
    expect(verified.data.items).toEqual([]);
    const observed = await api(`/api/v1/chains?status=observed&q=${IN_IDS}&limit=200`);
    expect(observed.data.items).toHaveLength(ids.length);
  });

  it("is idempotent: re-sending every request changes no chain", async () => {
    const s = sent[0];
    for (const r of s.requests) expect((await forward(r)).status).toBe(200);
    const res = await api(`/api/v1/chains/${encodeURIComponent(s.expected[0].id)}`);
    expect(summarize(res.data.observed as TObservedChain)).toEqual(summarize(s.expected[0]));
  });

  it("keeps message contents out: digests only", async () => {
    const genai = sent.find((s) => s.scenario === "genai-current")!;
    const res = await api(`/api/v1/chains/${encodeURIComponent(genai.expected[0].id)}`);
    const text = JSON.stringify(res.data);
    expect(text).not.toContain("Where is my order");
    expect(text).toMatch(/sha256:[0-9a-f]{64}/);
  });
});

describe("hostile or wrong requests get a 4xx, never a 5xx or a hang", () => {
  const protobufBody = () => sent.flatMap((s) => s.requests).find((r) => r.contentType === "application/x-protobuf" && !r.contentEncoding)!.body;

  it("needs an ingest or admin token", async () => {
    expect((await sendOtlp(Buffer.from("{}"), { "content-type": "application/json" }, null)).status).toBe(401);
    expect((await sendOtlp(Buffer.from("{}"), { "content-type": "application/json" }, "wrong")).status).toBe(401);
  });

  it("a truncated protobuf → 400 with a google.rpc.Status in protobuf", async () => {
    const body = protobufBody();
    const res = await sendOtlp(body.subarray(0, Math.floor(body.length / 2)), { "content-type": "application/x-protobuf" });
    expect(res.status).toBe(400);
    expect(res.contentType).toBe("application/x-protobuf");
    expect(RpcStatus.decode(res.body).code).toBe(3);
  });

  it("a wrong content type → 400 in JSON", async () => {
    const res = await sendOtlp(Buffer.from("hello"), { "content-type": "text/plain" });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString()).message).toMatch(/wrong content type/);
  });

  it("deep nesting and 100k attributes → 400", async () => {
    let value: unknown = { stringValue: "leaf" };
    for (let i = 0; i < 200; i++) value = { arrayValue: { values: [value] } };
    const span = (attributes: unknown[]) => ({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: "ab".repeat(16),
                  spanId: "cd".repeat(8),
                  name: "s",
                  startTimeUnixNano: "1",
                  endTimeUnixNano: "2",
                  attributes,
                },
              ],
            },
          ],
        },
      ],
    });
    const deep = await sendOtlp(Buffer.from(JSON.stringify(span([{ key: "k", value }]))), { "content-type": "application/json" });
    expect(deep.status).toBe(400);
    const many = Array.from({ length: 100_000 }, (_, i) => ({ key: `k${i}`, value: { intValue: "1" } }));
    const wide = await sendOtlp(Buffer.from(JSON.stringify(span(many))), { "content-type": "application/json" });
    expect(wide.status).toBe(400);
    expect(JSON.parse(wide.body.toString()).message).toMatch(/more than 4096 attributes/);
  });

  it("a body over 8 MiB → 413", async () => {
    const res = await sendOtlp(Buffer.alloc(8 * 1024 * 1024 + 1, 0x20), { "content-type": "application/json" });
    expect(res.status).toBe(413);
  });

  it("a gzip header on a body that is not gzip → 400", async () => {
    const res = await sendOtlp(Buffer.from("{}"), { "content-type": "application/json", "content-encoding": "gzip" });
    expect(res.status).toBe(400);
  });
});

describe("POST /api/v1/captures", () => {
  const jwt = (claims: Record<string, unknown>) =>
    `Bearer ${Buffer.from('{"alg":"RS256"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.c2lnbmF0dXJl`;
  const token = jwt({ sub: `alice-${RUN}@example.com`, azp: `support-${RUN}`, scope: "orders:read" });
  const call = (name: string, at: number, result: unknown) => ({
    kind: "mcp",
    startedAt: at,
    endedAt: at + 20,
    server: "https://tools.example.com/mcp",
    service: "mcp-gateway",
    request: {
      headers: { authorization: token, "mcp-session-id": `sess-${RUN}` },
      body: { jsonrpc: "2.0", id: at, method: "tools/call", params: { name, arguments: { order: "1234" } } },
    },
    response: { status: 200, body: { jsonrpc: "2.0", id: at, result } },
  });

  it("stores MCP calls as a capture chain: principal → agent → tools, never the raw token", async () => {
    const at = Date.now() - 60_000;
    const res = await api("/api/v1/captures", {
      method: "POST",
      json: {
        captures: [
          call("lookup_order", at, { content: [] }),
          call("issue_refund", at + 100, { content: [], isError: true }),
          { kind: "mcp", startedAt: at, request: { body: "not json-rpc" } },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ accepted: 2, rejected: 1 });
    expect(res.data.results[2]).toMatchObject({ index: 2, status: "rejected" });
    expect(res.data.chains).toHaveLength(1);
    const detail = await api(`/api/v1/chains/${encodeURIComponent(res.data.chains[0])}`);
    expect(detail.data).toMatchObject({ status: "observed", source: "capture" });
    expect(summarize(detail.data.observed as TObservedChain).edges.sort()).toEqual([
      `root human:alice-${RUN}@example.com -> agent:name:support-${RUN} completed x1`,
      `tool_call agent:name:support-${RUN} -> tool:issue_refund failed x1`,
      `tool_call agent:name:support-${RUN} -> tool:lookup_order completed x1`,
    ]);
    expect(JSON.stringify(detail.data)).not.toContain("c2lnbmF0dXJl");
    const list = await api(`/api/v1/chains?source=capture&q=${RUN}`);
    expect(list.data.items.map((c: { id: string }) => c.id)).toEqual(res.data.chains);
  });

  it("refuses a body that is not a capture batch", async () => {
    expect((await api("/api/v1/captures", { method: "POST", json: { captures: [] } })).status).toBe(400);
    expect((await api("/api/v1/captures", { method: "POST", json: { captures: [{ kind: "smtp" }] } })).status).toBe(400);
    expect((await api("/api/v1/captures", { method: "POST", json: { captures: [] }, token: null })).status).toBe(401);
  });
});

describe("npx delegraph mcp-proxy in front of an MCP server, posting to this server", () => {
  it("turns the calls it forwards into a capture chain", async () => {
    const mcp = http.createServer((req, res) => {
      const server = new McpServer({ name: "orders", version: "1.0.0" });
      server.registerTool("lookup_order", { inputSchema: { order: z.string() } }, ({ order }) => ({
        content: [{ type: "text", text: `order ${order}` }],
      }));
      server.registerTool("refund", { inputSchema: { order: z.string() } }, () => ({ content: [{ type: "text", text: "no" }], isError: true }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on("close", () => void transport.close());
      void server.connect(transport).then(() => transport.handleRequest(req, res));
    });
    await new Promise<void>((r) => mcp.listen(0, "127.0.0.1", r));
    const upstream = `http://127.0.0.1:${(mcp.address() as AddressInfo).port}/mcp`;
    const proxy = await startCaptureProxy({
      listen: { host: "127.0.0.1", port: 0 },
      upstream,
      delegraph: { url: inject("serverUrl"), token: inject("apiToken") },
      service: `mcp-proxy-${RUN}`,
      flushMs: 60_000,
    });
    const client = new Client({ name: "agent", version: "1.0.0" });
    try {
      const claims = Buffer.from(JSON.stringify({ sub: `carol-${RUN}`, azp: `proxy-agent-${RUN}` })).toString("base64url");
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${proxy.url}/mcp`), {
          requestInit: { headers: { Authorization: `Bearer eyJhbGciOiJSUzI1NiJ9.${claims}.c2ln` } },
        }),
      );
      expect(await client.callTool({ name: "lookup_order", arguments: { order: "1" } })).toMatchObject({
        content: [{ type: "text", text: "order 1" }],
      });
      await client.callTool({ name: "refund", arguments: { order: "1" } });
      await proxy.flush();
      expect(proxy.stats).toMatchObject({ dropped: 0, failedBatches: 0 });
      expect(proxy.stats.sent).toBe(proxy.stats.captured);
    } finally {
      await client.close();
      await proxy.close();
      mcp.closeAllConnections();
      await new Promise<void>((r) => mcp.close(() => r()));
    }
    const list = await api(`/api/v1/chains?source=capture&q=proxy-agent-${RUN}`);
    expect(list.data.items.length).toBeGreaterThan(0);
    const edges: string[] = [];
    for (const item of list.data.items as { id: string }[]) {
      const detail = await api(`/api/v1/chains/${encodeURIComponent(item.id)}`);
      edges.push(...summarize(detail.data.observed as TObservedChain).edges.filter((e) => e.startsWith("tool_call")));
    }
    expect(edges.sort()).toEqual([
      `tool_call agent:name:proxy-agent-${RUN} -> tool:lookup_order completed x1`,
      `tool_call agent:name:proxy-agent-${RUN} -> tool:refund failed x1`,
    ]);
  });
});

describe("signed beside observed", () => {
  it("draws a signed invoke whose traceparent names an observed tool call beside it, and that call is no finding", async () => {
    const human = await register("human");
    const agent = await register("agent");
    const traceId = randomBytes(16).toString("hex");
    const [agentSpan, lookupSpan, refundSpan] = [randomBytes(8), randomBytes(8), randomBytes(8)].map((b) => b.toString("hex"));
    const root = authorizeClaims(human.id, agent.id);
    const traceparent = `00-${traceId}-${lookupSpan}-01`;
    const invoke = invokeClaims(root, agent.id, { traceparent });
    const results = await post([signToken(root, human.key), signToken(invoke, agent.key)]);
    expect(results.map((r: { status: string }) => r.status)).toEqual(["accepted", "accepted"]);

    const at = BigInt(Date.now() - 60_000) * 1_000_000n;
    const s = (spanId: string, parent: string | null, attrs: Record<string, string>, offsetMs: number) => ({
      traceId,
      spanId,
      ...(parent ? { parentSpanId: parent } : {}),
      name: attrs["gen_ai.operation.name"],
      kind: 1,
      startTimeUnixNano: (at + BigInt(offsetMs) * 1_000_000n).toString(),
      endTimeUnixNano: (at + BigInt(offsetMs + 5) * 1_000_000n).toString(),
      attributes: Object.entries(attrs).map(([key, value]) => ({ key, value: { stringValue: value } })),
    });
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "signed-app" } }] },
          scopeSpans: [
            {
              spans: [
                s(agentSpan, null, { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": agent.id, "user.id": human.id }, 0),
                s(lookupSpan, agentSpan, { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "lookup" }, 10),
                s(refundSpan, agentSpan, { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "refund" }, 20),
              ],
            },
          ],
        },
      ],
    };
    expect((await sendOtlp(Buffer.from(JSON.stringify(body)), { "content-type": "application/json" })).status).toBe(200);

    const detail = await api(`/api/v1/chains/${encodeURIComponent(`obs:${traceId}`)}`);
    expect(detail.status).toBe(200);
    const lookupEdge = (detail.data.observed as TObservedChain).edges.find((e) => e.to === "tool:lookup")!;
    expect(detail.data.observedSigned).toEqual([
      {
        edgeId: lookupEdge.id,
        jti: invoke.jti,
        chainId: root.chain,
        kind: "invoke",
        iss: agent.id,
        aud: null,
        status: "accepted",
        traceparent,
      },
    ]);
    expect(detail.data.findings.map((f: { eventJti: string }) => f.eventJti)).toEqual([
      (detail.data.observed as TObservedChain).edges.find((e) => e.to === "tool:refund")!.id,
    ]);
    const list = await api(`/api/v1/chains?source=otel&q=${traceId}`);
    expect(list.data.items[0].counts.warning).toBe(1);
    // The signed chain is unchanged and still verified on its own.
    const signedChain = await api(`/api/v1/chains/${encodeURIComponent(root.chain)}`);
    expect(signedChain.data.source).toBe("dep");
  });
});

describe("AIP tokens presented in captures", () => {
  // A self-certifying aip:key issuer: its key is in its id, so the token verifies with no registration.
  const key = makeAipKey();
  const issuer = aipKeyId(key);
  const delegate = `aip:web:agents.example/support-${RUN}`;
  const nowS = () => Math.floor(Date.now() / 1000);
  const compact = (extra: Record<string, unknown> = {}) =>
    compactToken(key, { iss: issuer, sub: delegate, scope: ["lookup_order"], iat: nowS() - 60, exp: nowS() + 3600, max_depth: 0, ...extra });
  const mcp = (tool: string, at: number, headers: Record<string, string>, params: Record<string, unknown> = {}) => ({
    kind: "mcp",
    startedAt: at,
    endedAt: at + 20,
    server: "https://tools.example.com/mcp",
    service: "mcp-gateway",
    client: `support-${RUN}`,
    request: {
      headers: { "mcp-session-id": `aip-${RUN}`, ...headers },
      body: { jsonrpc: "2.0", id: at, method: "tools/call", params: { name: tool, arguments: {}, ...params } },
    },
    response: { status: 200, body: { jsonrpc: "2.0", id: at, result: { content: [] } } },
  });

  it("verifies X-AIP-Token and _meta tokens with the AIP import: each call is an invoke under the grant, drawn beside the dashed call", async () => {
    const token = compact();
    const at = Date.now() - 30_000;
    const tampered = token.slice(0, -4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
    const res = await api("/api/v1/captures", {
      method: "POST",
      json: {
        captures: [
          mcp("lookup_order", at, { "x-aip-token": token }),
          mcp("issue_refund", at + 100, {}, { _meta: { aip_token: token } }),
          mcp("close_ticket", at + 200, { "x-aip-token": tampered }),
        ],
      },
    });
    expect(res.status).toBe(200);
    const [lookup, refund, close] = res.data.results;
    expect(lookup.aip).toMatchObject({ status: "verified", from: "X-AIP-Token", findings: [] });
    expect(refund.aip).toMatchObject({ status: "verified", from: "params._meta.aip_token", findings: ["ghost_permission"] });
    expect(close.aip).toMatchObject({ status: "rejected", from: "X-AIP-Token" });
    expect(close.aip.reason).toMatch(/^signature_invalid: /);
    const aipChain: string = lookup.aip.chain;
    expect(refund.aip.chain).toBe(aipChain);

    // The AIP chain: the compact grant, and two invokes by its delegate (one outside its scope).
    const signed = await api(`/api/v1/chains/${encodeURIComponent(aipChain)}`);
    expect(signed.status).toBe(200);
    const events = signed.data.events as { jti: string; kind: string; iss: string; findings: { code: string }[] }[];
    const invokes = events.filter((e) => e.kind === "invoke");
    expect(invokes.map((e) => e.jti).sort()).toEqual([lookup.aip.invoke, refund.aip.invoke].sort());
    expect(invokes.every((e) => e.iss === delegate)).toBe(true);
    expect(events.find((e) => e.jti === refund.aip.invoke)!.findings.map((f) => f.code)).toEqual(["ghost_permission"]);
    expect(events.find((e) => e.jti === lookup.aip.invoke)!.findings).toEqual([]);

    // The observed chain: the two verified calls are drawn beside their invokes and are no finding;
    // the refused token leaves its call observed, with the reason on the call.
    const detail = await api(`/api/v1/chains/${encodeURIComponent(res.data.chains[0])}`);
    const chain = detail.data.observed as TObservedChain;
    const edgeTo = (tool: string) => chain.edges.find((e) => e.to === `tool:${tool}`)!;
    expect(
      (detail.data.observedSigned as { edgeId: string; jti: string; chainId: string }[]).map((m) => [m.edgeId, m.jti, m.chainId]).sort(),
    ).toEqual(
      [
        [edgeTo("lookup_order").id, lookup.aip.invoke, aipChain],
        [edgeTo("issue_refund").id, refund.aip.invoke, aipChain],
      ].sort(),
    );
    expect(detail.data.findings.map((f: { eventJti: string }) => f.eventJti)).toEqual([edgeTo("close_ticket").id]);
    expect(edgeTo("close_ticket").spans[0].aip).toEqual({ from: "X-AIP-Token", rejected: close.aip.reason });
    expect(edgeTo("lookup_order").spans[0].aip).toEqual({ from: "X-AIP-Token", rejected: null });
    expect(JSON.stringify(detail.data)).not.toContain(token);

    // Its exports: the CSV lists the observed calls, labelled so; evidence.json is an observed record.
    const csv = await api(`/api/v1/chains/${encodeURIComponent(res.data.chains[0])}/export.csv`);
    expect(csv.status).toBe(200);
    const lines = (csv.data as string).trim().split("\r\n");
    expect(lines[0].endsWith(",source,verification")).toBe(true);
    const tools = lines.filter((l) => l.includes("observed_tool_call"));
    expect(tools).toHaveLength(3);
    for (const l of tools) expect(l).toMatch(/,observed,.*,capture,"?observed, not verified/);
    expect(tools.find((l) => l.includes("close_ticket"))).toContain("AIP token (X-AIP-Token) refused: signature_invalid");
    expect(tools.find((l) => l.includes("lookup_order"))).toContain(`signed beside it: invoke ${lookup.aip.invoke} (chain ${aipChain})`);
    const all = await api(`/api/v1/exports/events.csv?q=${RUN}`);
    expect(all.status).toBe(200);
    expect((all.data as string).split("\r\n").filter((l) => l.includes(`span:`) && l.includes(res.data.chains[0])).length).toBeGreaterThanOrEqual(3);
    const record = await api(`/api/v1/chains/${encodeURIComponent(res.data.chains[0])}/evidence.json`);
    expect(record.status).toBe(200);
    expect(record.data).toMatchObject({ format: "delegraph-observed/1", status: "observed", verified: false, source: "capture" });
    const checked = verifyEvidenceBundle(record.data);
    expect(checked.ok).toBe(false);
    expect(checked.checks.filter((c) => !c.ok).map((c) => c.message)).toEqual([
      "observed, not verified: no agent, principal or tool signed anything in this chain, so there is nothing to verify",
    ]);

    // Re-sending the same captures adds nothing to the ledger: the invokes are duplicates.
    const again = await api("/api/v1/captures", { method: "POST", json: { captures: [mcp("lookup_order", at, { "x-aip-token": token })] } });
    expect(again.data.results[0].aip).toMatchObject({ status: "verified", invoke: lookup.aip.invoke });
    expect((await api(`/api/v1/chains/${encodeURIComponent(aipChain)}`)).data.events).toHaveLength(events.length);

    // The AIP chain's evidence bundle verifies offline, the presented invokes included.
    const bundle = await api(`/api/v1/chains/${encodeURIComponent(aipChain)}/evidence.json`);
    expect(bundle.status).toBe(200);
    const report = verifyEvidenceBundle(bundle.data);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  });

  it("an A2A message's params.metadata.aip_token used after the grant expired is an expired_grant", async () => {
    const token = compact({ scope: ["message/send"], iat: nowS() - 7200, exp: nowS() - 3600 });
    const res = await api("/api/v1/captures", {
      method: "POST",
      json: {
        captures: [
          {
            kind: "a2a",
            startedAt: Date.now() - 10_000,
            server: "https://billing.example.com/a2a",
            client: `planner-${RUN}`,
            request: {
              body: {
                jsonrpc: "2.0",
                id: 1,
                method: "message/send",
                params: { message: { messageId: `m-${RUN}`, contextId: `ctx-${RUN}`, parts: [] }, metadata: { aip_token: token } },
              },
            },
            response: {
              status: 200,
              body: { jsonrpc: "2.0", id: 1, result: { id: `task-${RUN}`, contextId: `ctx-${RUN}`, status: { state: "completed" } } },
            },
          },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.data.results[0].aip).toMatchObject({ status: "verified", from: "params.metadata.aip_token", findings: ["expired_grant"] });
  });
});
