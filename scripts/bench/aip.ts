// AIP ingest (docs/aip.md): chained tokens of three blocks (a root grant and two delegations, the
// reference's Datalog shapes) minted up front under one registered identity, then posted to
// POST /api/v1/aip/tokens in batches. A 3-block Biscuit costs 3 Ed25519 verifications, so the rate
// compared with the raw Ed25519 rate is block signatures per second.
import { generateKeyPairSync, sign } from "node:crypto";
import { appendBlock, authoritySource, delegationSource, loadBiscuit, mintAuthority, rfc3339Seconds } from "@/lib/protocol/aip/biscuit";
import { encodeMultibase } from "@/lib/protocol/aip/encoding";
import { pythonSigningInput } from "@/lib/protocol/aip/identity";
import type { TApi } from "./http";

export type TAipIngestRun = {
  tokens: number;
  blocks: number;
  batchSize: number;
  seconds: number;
  tokensPerSec: number;
  blockVerificationsPerSec: number;
};

async function post(api: TApi, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(api.url + path, {
    method: "POST",
    headers: { authorization: `Bearer ${api.token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const data = (await res.json()) as unknown;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(data).slice(0, 300)}`);
  return data;
}

/** Registers one AIP identity and mints `count` distinct 3-block chained tokens under it (untimed). */
export async function mintAipTokens(api: TApi, count: number, now: number, tag: string): Promise<string[]> {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const seed = new Uint8Array(privateKey.export({ format: "der", type: "pkcs8" }).subarray(-32));
  const pub = new Uint8Array(publicKey.export({ format: "der", type: "spki" }).subarray(-32));
  const id = `aip:web:bench.example/${tag}`;
  const document: Record<string, unknown> = {
    aip: "1.0",
    id,
    public_keys: [{ id: "key-1", type: "Ed25519", public_key_multibase: encodeMultibase(pub) }],
  };
  document.document_signature = sign(null, Buffer.from(pythonSigningInput(document), "utf8"), privateKey).toString("base64");
  await post(api, "/api/v1/aip/identities", { document, kind: "human" });
  const b = await loadBiscuit();
  const expires = rfc3339Seconds(now + 86_400);
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    let token = mintAuthority(b, seed, authoritySource({ identity: id, scopes: [`tool:bench${i}:*`], maxDepth: 3, expires, budgetCents: 1000 }));
    token = appendBlock(
      b,
      token,
      pub,
      delegationSource({ delegator: id, delegate: `aip:web:bench.example/a${i}`, context: "bench", scopes: [`tool:bench${i}:x*`], budgetCents: 500 }),
    );
    token = appendBlock(
      b,
      token,
      pub,
      delegationSource({
        delegator: `aip:web:bench.example/a${i}`,
        delegate: `aip:web:bench.example/b${i}`,
        context: "bench",
        scopes: [`tool:bench${i}:xy`],
      }),
    );
    tokens.push(token);
  }
  return tokens;
}

/** Posts the tokens in batches, one request after another; every token must be accepted. */
export async function aipIngestOverHttp(api: TApi, tokens: string[], batchSize: number): Promise<TAipIngestRun> {
  let blocks = 0;
  const started = performance.now();
  for (let i = 0; i < tokens.length; i += batchSize) {
    const { results } = (await post(api, "/api/v1/aip/tokens", { tokens: tokens.slice(i, i + batchSize) })) as {
      results: { status: string; events: string[]; error?: unknown }[];
    };
    for (const r of results) {
      if (r.status !== "accepted") throw new Error(`AIP bench token not accepted: ${JSON.stringify(r).slice(0, 300)}`);
      blocks += r.events.length;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    tokens: tokens.length,
    blocks,
    batchSize,
    seconds: Math.round(seconds * 100) / 100,
    tokensPerSec: Math.round(tokens.length / seconds),
    blockVerificationsPerSec: Math.round(blocks / seconds),
  };
}
