// HTTP client for the Delegraph API v1 (docs/protocol.md §6).
//
// Sending events is retried on network errors, 5xx and 429: re-sending byte-identical tokens is
// safe because the server answers `duplicate` for a jti it already stored with the same bytes.
// Retries go on for as long as the server keeps asking to come back (503/429 with Retry-After,
// while its database is down) or cannot be reached, up to `maxElapsedMs` (default 15 minutes), so a
// producer loses nothing in a long outage.
// Types only from the contracts (erased at build): the package bundles no zod and no server code.
import type { TChainDetail, TChainList } from "../../../lib/contracts/chain-models";
import type { TAipTokenResult } from "../../../lib/contracts/aip";
import type { TIngestResult } from "../../../lib/contracts/events";
import type { TLedgerVerification } from "../../../lib/contracts/ledger";
import type { TChainStatus, TFindingCode, TPrincipalKind } from "../../../lib/protocol/types";
import type { TPublicJwk } from "./keys";

export type { TIngestResult, TIngestStatus } from "../../../lib/contracts/events";
export type { TLedgerVerification } from "../../../lib/contracts/ledger";

/** The server's MAX_BATCH (lib/contracts/events.ts; client.test.ts keeps the two equal). */
export const MAX_EVENTS_PER_REQUEST = 1000;
/** The server refuses bodies over 1 MiB (413); batches stay under it with room to spare. */
export const MAX_BODY_BYTES = 1024 * 1024 - 1024;

export type TRegisterPrincipalInput = {
  id: string;
  kind: TPrincipalKind;
  name?: string;
  keys: TPublicJwk[];
};

export type TChainFilters = {
  status?: TChainStatus;
  principal?: string;
  scope?: string;
  purpose?: string;
  finding?: TFindingCode;
  /** NumericDate or ISO 8601 */
  since?: number | string;
  until?: number | string;
  q?: string;
  cursor?: string;
  limit?: number;
};

export type TRetryOptions = {
  /** Attempts after the first; default unlimited (bounded by maxElapsedMs). */
  retries?: number;
  /** No new attempt starts this long after the first one; default 15 minutes. */
  maxElapsedMs?: number;
  /** First backoff, doubled each attempt; default 250 ms. */
  baseDelayMs?: number;
  /** Cap on one wait, including a server's Retry-After; default 30 s. */
  maxDelayMs?: number;
};

export const DEFAULT_MAX_ELAPSED_MS = 15 * 60 * 1000;

export type TDelegraphClientOptions = {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  retry?: TRetryOptions;
};

/** Any failure of a Delegraph API call. `status` is 0 when no HTTP answer arrived. */
export class DelegraphApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DelegraphApiError";
    this.status = status;
    this.code = code;
  }
}

type TRequest = {
  method: "GET" | "POST";
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: { contentType: string; data: string };
  retry: boolean;
  /** Statuses the caller handles itself instead of an error. */
  accept?: number[];
};

type TResponse = { status: number; body: unknown };

export class DelegraphClient {
  private readonly baseUrl: string;
  private readonly token: string;
  private readonly fetchImpl: typeof fetch;
  private readonly retries: number;
  private readonly maxElapsedMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(opts: TDelegraphClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.token = opts.token;
    this.fetchImpl = opts.fetch ?? globalThis.fetch;
    this.retries = opts.retry?.retries ?? Infinity;
    this.maxElapsedMs = opts.retry?.maxElapsedMs ?? DEFAULT_MAX_ELAPSED_MS;
    this.baseDelayMs = opts.retry?.baseDelayMs ?? 250;
    this.maxDelayMs = opts.retry?.maxDelayMs ?? 30_000;
  }

  /**
   * Register a principal with its public keys. With `ifMissing`, an existing id (409) is not an
   * error: the result says `created: false`. The server keeps the keys it was first given.
   */
  async registerPrincipal(input: TRegisterPrincipalInput, opts: { ifMissing?: boolean } = {}): Promise<{ created: boolean }> {
    const res = await this.request({
      method: "POST",
      path: "/api/v1/principals",
      body: json(input),
      // Without ifMissing a retried POST could turn our own first success into a 409.
      retry: opts.ifMissing === true,
      accept: opts.ifMissing ? [409] : [],
    });
    return { created: res.status !== 409 };
  }

  /** Revoke one key from `at` (seconds; default now on the server). Revoking twice keeps the earlier time. */
  async revokeKey(principalId: string, kid: string, at?: number): Promise<void> {
    await this.request({
      method: "POST",
      path: `/api/v1/principals/${encodeURIComponent(principalId)}/keys/${encodeURIComponent(kid)}/revoke`,
      body: json(at === undefined ? {} : { at }),
      retry: true,
    });
  }

  /**
   * Send tokens in order, in batches of at most 1000 tokens and 1 MiB, one after another so that
   * parents reach the server before their children. One result per token, in order.
   */
  async send(tokens: string[]): Promise<TIngestResult[]> {
    const results: TIngestResult[] = [];
    for (const batch of splitBatches(tokens)) {
      const res = await this.request({
        method: "POST",
        path: "/api/v1/events",
        body: json({ events: batch }),
        retry: true,
      });
      results.push(...ingestResults(res.body, batch.length));
    }
    return results;
  }

  /** Send one token as `application/jwt`. */
  async sendOne(token: string): Promise<TIngestResult> {
    const res = await this.request({
      method: "POST",
      path: "/api/v1/events",
      body: { contentType: "application/jwt", data: token },
      retry: true,
    });
    return ingestResults(res.body, 1)[0];
  }

  async listChains(filters: TChainFilters = {}): Promise<TChainList> {
    const res = await this.request({ method: "GET", path: "/api/v1/chains", query: filters, retry: true });
    return res.body as TChainList;
  }

  async getChain(id: string): Promise<TChainDetail> {
    const res = await this.request({ method: "GET", path: `/api/v1/chains/${encodeURIComponent(id)}`, retry: true });
    return res.body as TChainDetail;
  }

  /**
   * Register an AIP identity by its published document (docs/aip.md). With `ifMissing`, an existing
   * id (409) is not an error: the result says `created: false`.
   */
  async registerAipIdentity(
    document: unknown,
    kind: "agent" | "human" | "tool" | "attester" = "agent",
    opts: { ifMissing?: boolean } = {},
  ): Promise<{ created: boolean }> {
    const res = await this.request({
      method: "POST",
      path: "/api/v1/aip/identities",
      body: json({ document, kind }),
      retry: opts.ifMissing === true,
      accept: opts.ifMissing ? [409] : [],
    });
    return { created: res.status !== 409 };
  }

  /** Send AIP tokens (compact or chained) in one request: one result per entry, in order, with both verdicts. */
  async sendAip(entries: (string | { token: string; tool?: string; audience?: string })[]): Promise<TAipTokenResult[]> {
    const res = await this.request({ method: "POST", path: "/api/v1/aip/tokens", body: json({ tokens: entries }), retry: true });
    return (res.body as { results: TAipTokenResult[] }).results;
  }

  async verifyLedger(): Promise<TLedgerVerification> {
    const res = await this.request({ method: "GET", path: "/api/v1/ledger/verify", retry: true });
    return res.body as TLedgerVerification;
  }

  private async request(req: TRequest): Promise<TResponse> {
    const url = new URL(this.baseUrl + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: "application/json" };
    if (req.body) headers["content-type"] = req.body.contentType;

    const startedAt = Date.now();
    for (let attempt = 0; ; attempt++) {
      // A wait that would end past the deadline is not started: the last error is reported instead.
      const canRetry = (wait: number) => req.retry && attempt < this.retries && Date.now() + wait - startedAt <= this.maxElapsedMs;
      let response: Response;
      try {
        response = await this.fetchImpl(url, { method: req.method, headers, body: req.body?.data });
      } catch (err) {
        const wait = this.backoff(attempt);
        if (canRetry(wait)) {
          await sleep(wait);
          continue;
        }
        throw new DelegraphApiError(0, "network_error", `${req.method} ${url.pathname} failed: ${errorMessage(err)}`, { cause: err });
      }
      const body = await readBody(response);
      if (response.ok || req.accept?.includes(response.status)) return { status: response.status, body };
      if (response.status >= 500 || response.status === 429) {
        const wait = this.backoff(attempt, response.headers.get("retry-after"));
        if (canRetry(wait)) {
          await sleep(wait);
          continue;
        }
      }
      throw apiError(response, body);
    }
  }

  private backoff(attempt: number, retryAfter?: string | null): number {
    return retryWaitMs(attempt, retryAfter, this.baseDelayMs, this.maxDelayMs);
  }
}

/**
 * How long to wait before retry `attempt` (from 0), capped at `maxDelayMs`. Without a Retry-After:
 * `baseDelayMs` doubled each attempt, jittered down by up to half. With one: at least what the
 * server asked, and up to half as much again at random, so producers refused in the same instant
 * (the ingest at capacity answers them all `Retry-After: 1`) do not all come back in the same instant
 * and meet a full queue again.
 */
export function retryWaitMs(
  attempt: number,
  retryAfter: string | null | undefined,
  baseDelayMs: number,
  maxDelayMs: number,
  random = Math.random,
): number {
  const seconds = retryAfter ? Number(retryAfter) : NaN;
  const wait = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 * (1 + random() / 2) : baseDelayMs * 2 ** attempt * (0.5 + random() / 2);
  return Math.min(wait, maxDelayMs);
}

/** Split tokens into request bodies of at most 1000 tokens and MAX_BODY_BYTES, keeping order. */
export function splitBatches(tokens: string[], maxBytes = MAX_BODY_BYTES): string[][] {
  const envelope = Buffer.byteLength('{"events":[]}');
  const batches: string[][] = [];
  let current: string[] = [];
  let bytes = envelope;
  for (const token of tokens) {
    // A JSON-quoted token plus its comma; compact JWS characters need no escaping.
    const size = Buffer.byteLength(JSON.stringify(token)) + 1;
    if (current.length > 0 && (current.length >= MAX_EVENTS_PER_REQUEST || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = envelope;
    }
    current.push(token);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function json(data: unknown): { contentType: string; data: string } {
  return { contentType: "application/json", data: JSON.stringify(data) };
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function apiError(response: Response, body: unknown): DelegraphApiError {
  const err = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (err && typeof err.code === "string") {
    return new DelegraphApiError(response.status, err.code, typeof err.message === "string" ? err.message : err.code);
  }
  return new DelegraphApiError(response.status, `http_${response.status}`, response.statusText || `HTTP ${response.status}`);
}

function ingestResults(body: unknown, expected: number): TIngestResult[] {
  const results = (body as { results?: unknown } | null)?.results;
  if (!Array.isArray(results) || results.length !== expected) {
    throw new DelegraphApiError(
      200,
      "invalid_response",
      `expected ${expected} ingest results, got ${Array.isArray(results) ? results.length : "none"}`,
    );
  }
  return results as TIngestResult[];
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
