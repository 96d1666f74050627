// The worst grant the protocol allows (docs/protocol.md §8: at most 256 entries in a scope, data or egress list),
// ingested and read over HTTP: what one producer can make a single batch cost. Before the limits, a
// delegate with 8,000 scopes under a parent with 8,000 froze the server for 34 s.
//
// Each run is a fresh chain in one batch: an authorize with 256 scopes, 256 data classes and 256
// egress hosts; a delegate under it with 256 scopes, each covered by a different root scope, and
// 256 narrower hosts; an invoke under the delegate. Then the chain is read once (not cached: it is
// new). Every comparison is the costly kind: no scope repeats, every host is nested under a parent's.
import { principal, sign, type TBenchPrincipal } from "./tokens";
import { postEvents, type TApi } from "./http";
import { latency, type TLatency } from "./stats";

export const WORST_LIST = 256;

export type TWorstGrant = { runs: number; events: number; tokenBytes: number; ingest: TLatency; read: TLatency & { bytes: number } };

export function worstGrantPrincipals(): TBenchPrincipal[] {
  return [
    principal("user:worst-grant@corp.example", "human"),
    principal("agent:worst-grant-planner", "agent"),
    principal("agent:worst-grant-worker", "agent"),
  ];
}

function worstChain(n: number, [human, planner, worker]: TBenchPrincipal[], now: number): { chainId: string; tokens: string[] } {
  const chain = `worst-${n}`;
  const range = (f: (i: number) => string) => Array.from({ length: WORST_LIST }, (_, i) => f(i));
  const purpose = { code: "ops.worst", text: "The largest grant the protocol allows" };
  const root = {
    kind: "authorize" as const,
    jti: chain,
    chain,
    iss: human.id,
    aud: planner.id,
    iat: now - 60,
    exp: now + 3600,
    scope: range((i) => `d${i % 20}/p${i}/*:read`),
    purpose,
    constraints: { data: range((i) => `class-${i}`), egress: range((i) => `*.h${i}.corp.example`) },
  };
  const hop = {
    kind: "delegate" as const,
    jti: `${chain}.1`,
    chain,
    parent: chain,
    iss: planner.id,
    aud: worker.id,
    iat: now - 50,
    exp: now + 1800,
    scope: range((i) => `d${i % 20}/p${i}/ledger/q${i % 4}:read`),
    purpose: { code: "ops.worst.part", text: "Part of it" },
    constraints: { data: range((i) => `class-${i}`), egress: range((i) => `api.h${i}.corp.example`) },
  };
  const act = {
    kind: "invoke" as const,
    jti: `${chain}.2`,
    chain,
    grant: hop.jti,
    iss: worker.id,
    iat: now - 40,
    action: `d7/p127/ledger/q3:read`,
    resource: "https://api.h127.corp.example/ledger",
    data: range((i) => `class-${i}`),
  };
  return { chainId: chain, tokens: [sign(root, human), sign(hop, planner), sign(act, worker)] };
}

const WARMUP = 2;

/**
 * `runs` chains (after two untimed ones), each ingested in one batch and then read once: a new
 * chain, so the read is computed, never answered from the detail cache.
 */
export async function measureWorstGrant(api: TApi, principals: TBenchPrincipal[], runs: number, now: number): Promise<TWorstGrant> {
  const ingestMs: number[] = [];
  const readMs: number[] = [];
  let bytes = 0;
  let tokenBytes = 0;
  for (let n = 0; n < runs + WARMUP; n++) {
    const { chainId, tokens } = worstChain(n, principals, now);
    tokenBytes = tokens.reduce((b, t) => b + t.length, 0);
    let started = performance.now();
    const results = await postEvents(api, tokens);
    const ingest = performance.now() - started;
    const bad = results.find((r) => r.status !== "accepted");
    if (bad) throw new Error(`worst legal grant: ${bad.jti} was ${bad.status} ${bad.error ? `(${bad.error.code}: ${bad.error.message})` : ""}`);
    started = performance.now();
    const res = await fetch(`${api.url}/api/v1/chains/${encodeURIComponent(chainId)}`, { headers: { authorization: `Bearer ${api.token}` } });
    const body = await res.arrayBuffer();
    const read = performance.now() - started;
    if (res.status !== 200) throw new Error(`worst legal grant: reading ${chainId} answered ${res.status}`);
    if (n < WARMUP) continue;
    ingestMs.push(ingest);
    readMs.push(read);
    bytes = body.byteLength;
  }
  return { runs, events: 3, tokenBytes, ingest: latency(ingestMs), read: { ...latency(readMs), bytes } };
}
