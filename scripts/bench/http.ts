// Everything the benchmark measures over HTTP against the real server.
import { retryWaitMs } from "../../packages/sdk/src/client";
import { latency, timeRuns, type TLatency } from "./stats";

export type TApi = { url: string; token: string };

async function call(api: TApi, path: string, init: RequestInit = {}): Promise<Response> {
  const request = () => fetch(api.url + path, { ...init, headers: { authorization: `Bearer ${api.token}`, ...init.headers } });
  if (init.method && init.method !== "GET") return request();
  try {
    return await request();
  } catch (e) {
    // A GET may meet a kept-alive connection the server closed while idle; asking again is safe.
    if (!(e instanceof TypeError) || e.message !== "fetch failed") throw e;
    return request();
  }
}

export async function getJson<T>(api: TApi, path: string): Promise<T> {
  const res = await call(api, path);
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

type TResult = { jti: string | null; status: string; error?: { code: string; message: string } };

/**
 * A 503 with Retry-After: the server refused the request (its ingest at capacity, or its database
 * away) and stored nothing of it; a producer sends the same bytes again after `retryAfterMs`.
 */
export class IngestRefused extends Error {
  constructor(
    readonly retryAfterMs: number,
    message: string,
  ) {
    super(message);
  }
}

/** Retry-After in milliseconds (delta-seconds only, as the server sends it), or null. */
export function retryAfterMs(header: string | null): number | null {
  if (header === null || !/^\d+$/.test(header.trim())) return null;
  return Number(header.trim()) * 1000;
}

export async function postEvents(api: TApi, tokens: string[]): Promise<TResult[]> {
  const res = await call(api, "/api/v1/events", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ events: tokens }),
  });
  const text = await res.text();
  const wait = res.status === 503 ? retryAfterMs(res.headers.get("retry-after")) : null;
  if (wait !== null) throw new IngestRefused(wait, `POST /api/v1/events (${tokens.length} events): 503 ${text.slice(0, 300)}`);
  if (!res.ok) throw new Error(`POST /api/v1/events (${tokens.length} events): ${res.status} ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { results: TResult[] }).results;
}

/**
 * How long our SDK waits before sending a batch again (packages/sdk, `retryWaitMs` with its
 * defaults): after a refusal, Retry-After and up to half as much again at random, so producers
 * refused together do not come back together; after a connection that got no answer, 250 ms
 * doubled per attempt and jittered down by up to half; never more than 30 s.
 */
export function sdkRetryWaitMs(attempt: number, retryAfter: number | null, random = Math.random): number {
  return retryWaitMs(attempt, retryAfter === null ? null : String(retryAfter / 1000), 250, 30_000, random);
}

/** A request that got no answer (the connection refused, reset or closed before the answer). */
export function isConnectionFailure(e: unknown): boolean {
  return e instanceof TypeError && e.message === "fetch failed";
}

/**
 * postEvents as a producer using our SDK sends: a refusal (503 with Retry-After) is waited out with
 * the SDK's jitter (sdkRetryWaitMs) and the same bytes sent again; with `resendFailed`, so is a
 * request that got no answer, after the SDK's growing backoff (the batch is idempotent: events a
 * lost answer did store come back `duplicate`). `refused` / `failed` are told of each, `resent` of
 * each sending again after the wait; `failedBefore` says whether an earlier attempt got no answer.
 */
export async function postEventsUntilAdmitted(
  api: TApi,
  tokens: string[],
  on: { refused?: () => void; failed?: (e: Error) => void; resent?: () => void } = {},
  options: { resendFailed?: boolean; random?: () => number } = {},
): Promise<TResult[] & { failedBefore?: boolean }> {
  let failedBefore = false;
  for (let attempt = 0; ; attempt++) {
    try {
      const results: TResult[] & { failedBefore?: boolean } = await postEvents(api, tokens);
      if (failedBefore) results.failedBefore = true;
      return results;
    } catch (e) {
      let wait: number;
      if (e instanceof IngestRefused) {
        on.refused?.();
        wait = sdkRetryWaitMs(attempt, e.retryAfterMs, options.random);
      } else if (options.resendFailed && isConnectionFailure(e)) {
        on.failed?.(e as Error);
        failedBefore = true;
        wait = sdkRetryWaitMs(attempt, null, options.random);
      } else throw e;
      await new Promise((r) => setTimeout(r, wait));
      on.resent?.();
    }
  }
}

export type TIngestRun = {
  batchSize: number;
  clients: number;
  events: number;
  seconds: number;
  eventsPerSec: number;
  request: TLatency;
  retries: number;
  /** 503s with Retry-After (the ingest at capacity), waited out and sent again; within `request` */
  refusals: number;
};

/**
 * `clients` concurrent producers, each sending the next unsent batch as soon as its previous one is
 * answered (closed loop), until every batch is sent. Events per second over the whole wall time.
 */
export async function ingestOverHttp(api: TApi, batches: string[][], clients: number): Promise<TIngestRun> {
  let next = 0;
  let retries = 0;
  let refusals = 0;
  const onRefused = { refused: () => void refusals++ };
  const requestMs: number[] = [];
  const started = performance.now();
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++];
      const t = performance.now();
      let results: TResult[];
      let isRetry = false;
      try {
        results = await postEventsUntilAdmitted(api, batch, onRefused);
      } catch (e) {
        // A kept-alive connection the server closed while idle (its keep-alive timeout is 5 s, and a
        // full run prepares the next 100,000 events for longer) fails before any answer. Sending
        // the same bytes again is safe: events the server did store come back as duplicates.
        if (!(e instanceof TypeError) || e.message !== "fetch failed") throw e;
        retries++;
        isRetry = true;
        results = await postEventsUntilAdmitted(api, batch, onRefused);
      }
      requestMs.push(performance.now() - t);
      // Pending is stored and verified (a chain that lost its root, or a child overtaking its parent).
      const bad = results.find((r) => r.status !== "accepted" && r.status !== "pending" && !(isRetry && r.status === "duplicate"));
      if (bad) throw new Error(`ingest: ${bad.jti} was ${bad.status} ${bad.error ? `(${bad.error.code}: ${bad.error.message})` : ""}`);
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  const seconds = (performance.now() - started) / 1000;
  const events = batches.reduce((n, b) => n + b.length, 0);
  return {
    batchSize: batches[0]?.length ?? 0,
    clients,
    events,
    seconds,
    eventsPerSec: Math.round(events / seconds),
    request: latency(requestMs),
    retries,
    refusals,
  };
}

/**
 * Latency of a GET, sequentially, after warm-up; also checks the answer is 200. Node's fetch asks
 * for gzip like a browser does, so Next compresses the answer unless `headers` say otherwise.
 */
/** GET latency over `n` sequential requests after `warmup`; `before` (untimed) runs ahead of each. */
export async function getLatency(
  api: TApi,
  path: string,
  n: number,
  options: { warmup?: number; headers?: Record<string, string>; before?: (i: number) => Promise<unknown>; expectStatus?: number } = {},
): Promise<TLatency & { bytes: number }> {
  let bytes = 0;
  const samples = await timeRuns(
    n,
    options.warmup ?? 3,
    async () => {
      const res = await call(api, path, { headers: options.headers ?? {} });
      const body = await res.arrayBuffer();
      if (res.status !== (options.expectStatus ?? 200)) throw new Error(`GET ${path}: ${res.status} ${Buffer.from(body).toString("utf8", 0, 300)}`);
      bytes = body.byteLength;
    },
    options.before,
  );
  return { ...latency(samples), bytes };
}

export type TDownload = { status: "ok"; ms: number; bytes: number; rows: number } | { status: "n/a"; reason: string };

/**
 * Times one download; "n/a" when the route is not there (Next's own 404 page, not an API error).
 * The body is counted as it streams in, not held: at 10M events the every-event export is ~4.5 GB,
 * and buffering it took the bench's process to 4.7 GB of RSS.
 */
export async function download(api: TApi, path: string): Promise<TDownload> {
  const t = performance.now();
  const res = await call(api, path);
  if (!res.ok || !res.body) {
    const text = await res.text();
    if (res.status === 404 && !(res.headers.get("content-type") ?? "").includes("application/json"))
      return { status: "n/a", reason: "not built yet" };
    throw new Error(`GET ${path}: ${res.status} ${text.slice(0, 300)}`);
  }
  const counter = csvRecordCounter();
  let bytes = 0;
  const reader = res.body.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    bytes += r.value.byteLength;
    counter.push(r.value);
  }
  const ms = performance.now() - t;
  return { status: "ok", ms, bytes, rows: Math.max(0, counter.records() - 1) };
}

/**
 * CSV records in a body: line feeds outside quoted fields. A quoted cell may hold line feeds (an
 * event's finding messages are one per line), and counting every LF counted such a row twice.
 * Quotes inside a quoted field are doubled, so toggling on each quote tracks the state exactly.
 */
export function csvRecords(body: Uint8Array): number {
  const counter = csvRecordCounter();
  counter.push(body);
  return counter.records();
}

/** csvRecords over a body that arrives in chunks: whether a quote is open carries from one chunk to the next. */
export function csvRecordCounter(): { push: (chunk: Uint8Array) => void; records: () => number } {
  let records = 0;
  let quoted = false;
  return {
    push: (chunk) => {
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i];
        if (b === 34) quoted = !quoted;
        else if (b === 10 && !quoted) records++;
      }
    },
    records: () => records,
  };
}

/** `runs` downloads one after another: the one of median time (one download is one sample on a shared machine). */
export async function downloadMedian(api: TApi, path: string, runs: number): Promise<TDownload & { runs?: number[] }> {
  const all: TDownload[] = [];
  for (let i = 0; i < runs; i++) all.push(await download(api, path));
  const ok = all.filter((d): d is Extract<TDownload, { status: "ok" }> => d.status === "ok");
  if (ok.length < all.length) return all[0];
  const sorted = [...ok].sort((a, b) => a.ms - b.ms);
  return { ...sorted[(sorted.length - 1) >> 1], runs: ok.map((d) => Math.round(d.ms)) };
}
