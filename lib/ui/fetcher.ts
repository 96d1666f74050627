// The one way the dashboard talks to its API: same-origin cookie, JSON, a typed error.
// React Query hands every queryFn an AbortSignal; forwarding it cancels stale requests
// (a filter typed fast, a page left) instead of letting them race.

import type { TErrorBody, TErrorCode } from "@/lib/contracts/errors";

/** The server's error codes (lib/contracts/errors.ts), "network" when no answer came, or http_<status>. */
export type TApiErrorCode = TErrorCode | "network" | `http_${number}`;

export class ApiError extends Error {
  readonly status: number;
  readonly code: TApiErrorCode;
  constructor(status: number, code: TApiErrorCode, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
  get isUnauthorized(): boolean {
    return this.status === 401;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

type TQueryValue = string | number | null | undefined | readonly string[];

/** `?a=1&b=x` from a record, skipping empty values; arrays become repeated keys. */
export function toQueryString(params: Record<string, TQueryValue>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === "") continue;
    if (Array.isArray(v)) for (const item of v as readonly string[]) sp.append(k, item);
    else sp.set(k, String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : "";
}

async function toApiError(res: Response): Promise<ApiError> {
  let code: TApiErrorCode = `http_${res.status}`;
  let message = res.statusText || `Request failed with status ${res.status}`;
  try {
    const body = (await res.json()) as Partial<TErrorBody>;
    if (body?.error?.code) code = body.error.code;
    if (body?.error?.message) message = body.error.message;
  } catch {
    // Not JSON (a proxy page, an empty body): keep the status-derived code and message.
  }
  return new ApiError(res.status, code, message);
}

type TRequestInit = { signal?: AbortSignal; method?: string; body?: unknown; csrfToken?: string };

export async function apiRequest<T>(path: string, init: TRequestInit = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (init.csrfToken) headers["x-csrf-token"] = init.csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? "GET",
      credentials: "same-origin",
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
      cache: "no-store",
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError(0, "network", "The server could not be reached. Check your connection and try again.");
  }
  if (!res.ok) throw await toApiError(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export function apiGet<T>(path: string, signal?: AbortSignal): Promise<T> {
  return apiRequest<T>(path, { signal });
}

/** Where to send someone whose session is gone, keeping the page they were on. */
export function signInUrl(next?: string): string {
  const target = next ?? (typeof window === "undefined" ? "/" : window.location.pathname + window.location.search);
  return target && target !== "/" ? `/sign-in?next=${encodeURIComponent(target)}` : "/sign-in";
}

// C0 and C1 controls: browsers strip TAB, CR and LF from URLs ("/\t/evil.host" becomes the
// protocol-relative "//evil.host"), and CR/LF must never reach a Location header.
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
const PROBE_ORIGIN = "http://delegraph.invalid";

/**
 * Only same-origin paths: `next` is resolved against the origin the way a browser would, and
 * anything that leaves it (`https://evil.example`, `//evil.example`, `/\evil.example`,
 * `/%09/evil.example` once decoded) or carries control characters becomes "/".
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || CONTROL.test(next) || next.includes("\\")) return "/";
  let url: URL;
  try {
    url = new URL(next, PROBE_ORIGIN);
  } catch {
    return "/";
  }
  if (url.origin !== PROBE_ORIGIN || url.pathname.startsWith("//")) return "/";
  const path = url.pathname + url.search + url.hash;
  return path.startsWith("/sign-in") ? "/" : path;
}
