// Test support for the SDK's tests: a real local HTTP server that records what it receives, and
// an independent check of signatures with node:crypto (not jose, which the SDK signs with).
import { createPublicKey, verify, type JsonWebKey } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type TRecordedRequest = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: string;
};

export type TReply = { status: number; body?: unknown; headers?: Record<string, string> } | "destroy";

export type TTestServer = {
  url: string;
  requests: TRecordedRequest[];
  close: () => Promise<void>;
};

/** Serve `handler` on 127.0.0.1 at a free port; "destroy" drops the connection without answering. */
export async function startTestServer(handler: (req: TRecordedRequest) => TReply | Promise<TReply>): Promise<TTestServer> {
  const requests: TRecordedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => void serve(req, res));
  async function serve(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://localhost");
    const recorded: TRecordedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    };
    requests.push(recorded);
    const reply = await handler(recorded);
    if (reply === "destroy") {
      req.socket.destroy();
      return;
    }
    res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
    res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

export type TDecodedToken = {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
};

export function decodeToken(token: string): TDecodedToken {
  const parts = token.split(".");
  if (parts.length !== 3) throw new Error(`not a compact JWS: ${parts.length} parts`);
  const [h, p, s] = parts;
  return {
    header: JSON.parse(Buffer.from(h, "base64url").toString("utf8")),
    claims: JSON.parse(Buffer.from(p, "base64url").toString("utf8")),
    signingInput: `${h}.${p}`,
    signature: Buffer.from(s, "base64url"),
  };
}

/** Verify a compact JWS against a public JWK with node:crypto (Ed25519, or ES256 with raw r||s). */
export function verifyWithNodeCrypto(token: string, publicJwk: object): boolean {
  const { header, signingInput, signature } = decodeToken(token);
  const key = createPublicKey({ key: publicJwk as JsonWebKey, format: "jwk" });
  const data = Buffer.from(signingInput, "ascii");
  if (header.alg === "EdDSA" || header.alg === "Ed25519") return verify(null, data, key, signature);
  if (header.alg === "ES256") return verify("sha256", data, { key, dsaEncoding: "ieee-p1363" }, signature);
  throw new Error(`unexpected alg ${String(header.alg)}`);
}
