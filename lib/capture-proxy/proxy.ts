// `npx delegraph mcp-proxy --listen 127.0.0.1:8788 --upstream <MCP server URL>` (docs/observed.md,
// "The capture proxy"): a reverse proxy for MCP's streamable HTTP transport that forwards every
// request and response unchanged (JSON and SSE responses stream through as they come) and, beside
// the traffic, posts what it saw to Delegraph's POST /api/v1/captures in batches.
//
// It never blocks or alters the traffic it watches: the request body is forwarded as received, the
// response is piped to the client as it arrives while at most CAPTURE_BYTES of it are copied for
// the capture; captures wait in a bounded buffer (the oldest are dropped past it, and counted) and
// are sent by a timer with retries and backoff. A Delegraph that is down costs captures, never calls.
// Protocol versions: whatever the client and server speak passes through; the capture reads the
// JSON-RPC messages (2025-11-25 and 2026-07-28 frame them alike) and the MCP-Protocol-Version header.
import http from "node:http";
import type { AddressInfo } from "node:net";

export type TProxyOptions = {
  listen: { host: string; port: number };
  upstream: string;
  /** Delegraph's base URL and an ingest token; without them captures are only counted */
  delegraph?: { url: string; token: string };
  service?: string;
  /** captures per POST (default 100) */
  batchSize?: number;
  /** how often the buffer is flushed (ms, default 1000) */
  flushMs?: number;
  /** captures held while Delegraph does not answer (default 10 000); the oldest go first */
  maxBuffer?: number;
  /** attempts per batch (default 4), with backoff doubling from retryMs (default 250) */
  attempts?: number;
  retryMs?: number;
  log?: (line: string) => void;
};

export type TProxyStats = { forwarded: number; captured: number; sent: number; dropped: number; failedBatches: number };

export type TCaptureProxy = {
  url: string;
  stats: TProxyStats;
  /** sends what is buffered now (tests and shutdown) */
  flush(): Promise<void>;
  close(): Promise<void>;
};

/** How much of one request or response body is read for the capture; the rest still flows. */
const CAPTURE_BYTES = 1024 * 1024;
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "host"]);

type TRecord = Record<string, unknown>;

function headersOf(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The JSON-RPC messages of a response body: one JSON document, or the `data:` of each SSE event. */
export function responseMessages(contentType: string, body: string): unknown[] {
  if (contentType.includes("text/event-stream")) {
    const out: unknown[] = [];
    for (const event of body.split(/\r?\n\r?\n/)) {
      const data = event
        .split(/\r?\n/)
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).replace(/^ /, ""))
        .join("\n");
      const parsed = data ? parseJson(data) : undefined;
      if (parsed !== undefined) out.push(...(Array.isArray(parsed) ? (parsed as unknown[]) : [parsed]));
    }
    return out;
  }
  const parsed = parseJson(body);
  return parsed === undefined ? [] : Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
}

/** One capture per JSON-RPC request of the body (notifications and responses sent by the client are skipped). */
export function capturesOf(input: {
  startedAt: number;
  endedAt: number;
  upstream: string;
  service: string;
  requestHeaders: Record<string, string>;
  requestBody: string;
  status: number;
  responseHeaders: Record<string, string>;
  responseBody: string;
}): TRecord[] {
  const parsed = parseJson(input.requestBody);
  const requests = (Array.isArray(parsed) ? (parsed as unknown[]) : [parsed]).filter(
    (m): m is TRecord => typeof m === "object" && m !== null && typeof (m as TRecord).method === "string" && (m as TRecord).id !== undefined,
  );
  if (requests.length === 0) return [];
  const replies = responseMessages(input.responseHeaders["content-type"] ?? "", input.responseBody).filter(
    (m): m is TRecord => typeof m === "object" && m !== null && "id" in m && !("method" in m),
  );
  const headers = { ...input.requestHeaders };
  // The session a server assigns in its initialize answer names the session from then on.
  if (!headers["mcp-session-id"] && input.responseHeaders["mcp-session-id"]) headers["mcp-session-id"] = input.responseHeaders["mcp-session-id"];
  const keep = ["authorization", "mcp-session-id", "mcp-protocol-version", "traceparent", "tracestate", "user-agent"];
  const kept: Record<string, string> = {};
  for (const k of keep) if (headers[k] !== undefined) kept[k] = headers[k];
  return requests.map((request) => {
    const reply = replies.find((r) => r.id === request.id);
    const result = reply && typeof reply.result === "object" && reply.result !== null ? (reply.result as TRecord) : undefined;
    return {
      kind: "mcp",
      startedAt: input.startedAt,
      endedAt: input.endedAt,
      server: input.upstream,
      service: input.service,
      request: { headers: kept, body: request },
      response: {
        status: input.status,
        ...(reply ? { body: reply } : {}),
        ...(result && typeof result.isError === "boolean" ? { isError: result.isError } : {}),
      },
    };
  });
}

export async function startCaptureProxy(options: TProxyOptions): Promise<TCaptureProxy> {
  const upstream = new URL(options.upstream);
  const service = options.service ?? "delegraph-mcp-proxy";
  const batchSize = options.batchSize ?? 100;
  const maxBuffer = options.maxBuffer ?? 10_000;
  const attempts = options.attempts ?? 4;
  const retryMs = options.retryMs ?? 250;
  const log = options.log ?? (() => undefined);
  const stats: TProxyStats = { forwarded: 0, captured: 0, sent: 0, dropped: 0, failedBatches: 0 };
  const buffer: TRecord[] = [];

  const enqueue = (records: TRecord[]) => {
    for (const r of records) {
      buffer.push(r);
      stats.captured++;
      if (buffer.length > maxBuffer) {
        buffer.shift();
        stats.dropped++;
      }
    }
  };

  let sending: Promise<void> | null = null;
  const sendBatch = async (batch: TRecord[]): Promise<boolean> => {
    if (!options.delegraph) return true;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        const res = await fetch(`${options.delegraph.url.replace(/\/$/, "")}/api/v1/captures`, {
          method: "POST",
          headers: { authorization: `Bearer ${options.delegraph.token}`, "content-type": "application/json" },
          body: JSON.stringify({ captures: batch }),
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer();
        if (res.ok) return true;
        // A 4xx will not get better by retrying.
        if (res.status >= 400 && res.status < 500 && res.status !== 429) {
          log(`captures refused: ${res.status}`);
          return false;
        }
      } catch (e) {
        log(`captures not sent: ${e instanceof Error ? e.message : String(e)}`);
      }
      await new Promise((r) => setTimeout(r, retryMs * 2 ** attempt));
    }
    return false;
  };
  const flush = (): Promise<void> => {
    sending ??= (async () => {
      while (buffer.length > 0) {
        const batch = buffer.splice(0, batchSize);
        if (await sendBatch(batch)) stats.sent += batch.length;
        else {
          stats.failedBatches++;
          stats.dropped += batch.length;
        }
      }
    })().finally(() => {
      sending = null;
    });
    return sending;
  };
  const timer = setInterval(() => void flush(), options.flushMs ?? 1000);
  timer.unref();

  const server = http.createServer((req, res) => {
    const startedAt = Date.now();
    const requestChunks: Buffer[] = [];
    let requestBytes = 0;
    const target = new URL(req.url ?? "/", upstream);
    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
    headers.host = upstream.host;
    const proxied = http.request(target, { method: req.method, headers }, (up) => {
      stats.forwarded++;
      const responseHeaders: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(up.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) responseHeaders[k] = v;
      res.writeHead(up.statusCode ?? 502, up.statusMessage, responseHeaders);
      const responseChunks: Buffer[] = [];
      let responseBytes = 0;
      up.on("data", (chunk: Buffer) => {
        if (responseBytes < CAPTURE_BYTES) responseChunks.push(chunk.subarray(0, CAPTURE_BYTES - responseBytes));
        responseBytes += chunk.length;
      });
      up.pipe(res);
      up.on("end", () => {
        if (req.method !== "POST") return;
        try {
          enqueue(
            capturesOf({
              startedAt,
              endedAt: Date.now(),
              upstream: upstream.href,
              service,
              requestHeaders: headersOf(req.headers),
              requestBody: Buffer.concat(requestChunks).toString("utf8"),
              status: up.statusCode ?? 0,
              responseHeaders: headersOf(up.headers),
              responseBody: Buffer.concat(responseChunks).toString("utf8"),
            }),
          );
        } catch (e) {
          log(`capture skipped: ${e instanceof Error ? e.message : String(e)}`);
        }
      });
    });
    proxied.on("error", (e) => {
      log(`upstream error: ${e.message}`);
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end("upstream unavailable");
    });
    req.on("data", (chunk: Buffer) => {
      if (requestBytes < CAPTURE_BYTES) requestChunks.push(chunk.subarray(0, CAPTURE_BYTES - requestBytes));
      requestBytes += chunk.length;
    });
    req.pipe(proxied);
    res.on("close", () => {
      if (!res.writableFinished) proxied.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.listen.port, options.listen.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.listen.host}:${port}`,
    stats,
    flush,
    close: async () => {
      clearInterval(timer);
      await flush();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const USAGE = `Usage: delegraph mcp-proxy --listen <host:port> --upstream <MCP server URL>
  [--delegraph <Delegraph URL>] [--token <ingest token>] [--service <name>]
Environment: DELEGRAPH_URL, DELEGRAPH_TOKEN (instead of --delegraph and --token).`;

/** The CLI: runs until interrupted. */
export async function mcpProxyMain(argv: string[]): Promise<number> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const listen = arg("--listen") ?? "127.0.0.1:8788";
  const upstream = arg("--upstream");
  const m = /^(.*):(\d+)$/.exec(listen);
  if (!upstream || !m) {
    process.stderr.write(USAGE + "\n");
    return 2;
  }
  const url = arg("--delegraph") ?? process.env.DELEGRAPH_URL;
  const token = arg("--token") ?? process.env.DELEGRAPH_TOKEN;
  const proxy = await startCaptureProxy({
    listen: { host: m[1], port: Number(m[2]) },
    upstream,
    delegraph: url && token ? { url, token } : undefined,
    service: arg("--service"),
    log: (line) => process.stderr.write(`[mcp-proxy] ${line}\n`),
  });
  process.stderr.write(`[mcp-proxy] ${proxy.url} → ${upstream}${url ? `, captures to ${url}` : " (no --delegraph: captures are not sent)"}\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await proxy.close();
  process.stderr.write(`[mcp-proxy] ${JSON.stringify(proxy.stats)}\n`);
  return 0;
}
