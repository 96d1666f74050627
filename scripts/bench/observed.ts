// OTLP ingest (docs/observed.md, docs/benchmarks.md): spans per second, protobuf and JSON, of
// - the pure core (decode + classify + assemble, lib/observed/bench.ts), and
// - the running server's POST /api/otel/v1/traces end to end (decode, store, re-assemble and write
//   every chain a request touches), one client, 512 spans per request as an exporter batches them.
// Each encoding sends its own workload (distinct trace and conversation ids), so neither re-sends
// the other's spans.
import { gzipSync } from "node:zlib";
import { benchObservedIngest, synthesizeRequests, toProtobuf, type TObservedBenchFigure } from "@/lib/observed/bench";
import type { TMode } from "./config";
import type { TApi } from "./http";

export const OBSERVED_SPANS: Record<TMode, number> = { smoke: 1_000, quick: 5_000, full: 20_000 };
const PER_REQUEST = 512;

export type TObservedHttpRun = {
  encoding: "protobuf" | "json";
  gzip: boolean;
  spans: number;
  requests: number;
  seconds: number;
  spansPerSec: number;
};
export type TObservedIngest = { pure: TObservedBenchFigure[]; http: TObservedHttpRun[] };

async function overHttp(api: TApi, encoding: "protobuf" | "json", gzip: boolean, spans: number, tag: string): Promise<TObservedHttpRun> {
  const docs = synthesizeRequests(spans, PER_REQUEST, tag);
  const bodies = docs.map((d) => {
    const raw = encoding === "protobuf" ? toProtobuf(d) : Buffer.from(JSON.stringify(d));
    return gzip ? gzipSync(raw) : raw;
  });
  const headers: Record<string, string> = {
    authorization: `Bearer ${api.token}`,
    "content-type": encoding === "protobuf" ? "application/x-protobuf" : "application/json",
    ...(gzip ? { "content-encoding": "gzip" } : {}),
  };
  const t0 = performance.now();
  for (const body of bodies) {
    const res = await fetch(`${api.url}/api/otel/v1/traces`, { method: "POST", headers, body: new Uint8Array(body) });
    if (res.status !== 200) throw new Error(`OTLP ingest answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  }
  const seconds = (performance.now() - t0) / 1000;
  const sent = docs.length === 0 ? 0 : Math.min(spans, Math.ceil(spans / 10) * 10);
  return { encoding, gzip, spans: sent, requests: bodies.length, seconds: Math.round(seconds * 100) / 100, spansPerSec: Math.round(sent / seconds) };
}

export async function measureObservedIngest(api: TApi, mode: TMode): Promise<TObservedIngest> {
  const spans = OBSERVED_SPANS[mode];
  const plain = benchObservedIngest({ spans });
  const gzipped = benchObservedIngest({ spans, gzip: true });
  const http = [
    await overHttp(api, "protobuf", false, spans, "b1"),
    await overHttp(api, "json", false, spans, "b2"),
    await overHttp(api, "protobuf", true, spans, "b3"),
  ];
  return { pure: [plain.protobuf, plain.json, gzipped.protobuf, gzipped.json], http };
}
