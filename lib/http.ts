// Response helpers and the one error mapper: every API error leaves as {"error": {code, message}}.
import { NextResponse } from "next/server";
import { z } from "zod";
import { jsonDepth } from "@/lib/text";
import { isUnavailableError, RETRY_AFTER_SECONDS, stores } from "@/lib/db";
import { ERROR_STATUS, type TErrorCode } from "@/lib/contracts/errors";
import { INGEST_AT_CAPACITY_MESSAGE, INGEST_RETRY_AFTER_SECONDS } from "@/lib/ingest/admission";

export type { TErrorCode } from "@/lib/contracts/errors";

export class AppError extends Error {
  constructor(
    readonly code: TErrorCode,
    message: string,
    /** sent as Retry-After: when a client should come back (a 503 of a server at capacity) */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function errorResponse(code: TErrorCode, message: string, headers?: HeadersInit): NextResponse {
  return NextResponse.json({ error: { code, message } }, { status: ERROR_STATUS[code], headers });
}

export function json(data: unknown, init?: ResponseInit): NextResponse {
  return NextResponse.json(data, init);
}

/**
 * A JSON answer already serialised, with a weak ETag that makes it revalidatable: a request whose
 * If-None-Match names it gets 304 and no body. The chain page polls its chain every few seconds;
 * the browser revalidates by itself (`cache-control: no-cache`) and keeps the body it has.
 * No compression here: the server leaves it to the proxy (next.config.js), and a route could not
 * send bytes it compressed itself anyway (Next strips a Content-Encoding a route sets).
 */
export type TJsonBody = { json: Buffer; etag: string };

export function sendJson(req: Request, body: TJsonBody, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json");
  headers.set("etag", body.etag);
  headers.set("cache-control", "private, no-cache");
  const match = (req.headers.get("if-none-match") ?? "").split(",").map((t) => t.trim());
  if (match.includes(body.etag) || match.includes("*")) return new Response(null, { status: 304, headers });
  // One chunk of a stream over the kept bytes, not `new Response(bytes)`: for a byte array Node's
  // fetch copies the whole body into a fresh buffer per response (3.4 MB for a 1,000-hop chain:
  // ~10 ms of the server's CPU per read with the GC it brings, two-thirds of a cached read's;
  // docs/benchmarks.md). A default stream hands the same bytes to the socket. They are safe to
  // share: a kept body is never written after it is made (the cache replaces an entry, never edits
  // one), and neither Next nor Node's HTTP response detaches or writes a chunk it sends.
  const bytes = new Uint8Array(body.json.buffer, body.json.byteOffset, body.json.length);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
  return new Response(stream, { ...init, headers });
}

function describeZod(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
}

/**
 * Maps anything thrown inside a route to the envelope. A database that is down, locked or out of
 * connections is a 503 with Retry-After (clients come back); an error no rule knows is checked
 * against the database once more, since a dropped connection does not always carry a code, and is
 * otherwise a logged, generic 500.
 */
export async function handleApiError(error: unknown): Promise<NextResponse> {
  if (error instanceof AppError)
    return errorResponse(
      error.code,
      error.message,
      error.retryAfterSeconds === undefined ? undefined : { "retry-after": String(error.retryAfterSeconds) },
    );
  if (error instanceof z.ZodError) return errorResponse("invalid_request", describeZod(error));
  const prismaCode = (error as { code?: unknown } | null)?.code;
  if (prismaCode === "P2002") return errorResponse("conflict", "That record already exists.");
  if (prismaCode === "P2025") return errorResponse("not_found", "Not found.");
  if (isUnavailableError(error) || !(await databaseAnswers())) return unavailable();
  console.error("[delegraph] unhandled API error", error);
  return errorResponse("internal", "Internal error.");
}

/** Never throws: an error while opening the database means it does not answer. */
async function databaseAnswers(): Promise<boolean> {
  try {
    return (await (await stores()).check()).ok;
  } catch {
    return false;
  }
}

export function unavailable(): NextResponse {
  return errorResponse("service_unavailable", `The database is not available right now. Try again in ${RETRY_AFTER_SECONDS} s.`, {
    "retry-after": String(RETRY_AFTER_SECONDS),
  });
}

/** The ingest's admission control refused a request (lib/ingest/admission.ts): nothing of it was stored. */
export function ingestAtCapacity(): NextResponse {
  return errorResponse("service_unavailable", INGEST_AT_CAPACITY_MESSAGE, { "retry-after": String(INGEST_RETRY_AFTER_SECONDS) });
}

const MAX_JSON_BYTES = 1024 * 1024;
/** No request body of the API needs more; a deeper one would only exercise recursive code. */
export const MAX_JSON_DEPTH = 32;

/** Reads a request body as text, bounded: over `limit` bytes is a 413, whatever Content-Length says. */
export async function readBodyText(req: Request, limit = MAX_JSON_BYTES): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) throw new AppError("payload_too_large", `Body exceeds ${limit} bytes.`);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new AppError("payload_too_large", `Body exceeds ${limit} bytes.`);
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new AppError("invalid_request", "Body is not valid UTF-8.");
  }
}

/** An id cursor of a list ordered by an integer key: a positive 32-bit integer, as the columns hold. */
export const ZIntCursor = z.coerce
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1, { error: "cursor is not valid; use nextCursor from a previous page." });

/** Parses a bounded JSON body against a zod schema. */
export async function readJson<T>(req: Request, schema: z.ZodType<T>, limit = MAX_JSON_BYTES): Promise<T> {
  const text = await readBodyText(req, limit);
  let value: unknown;
  try {
    value = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new AppError("invalid_request", "Body is not valid JSON.");
  }
  if (jsonDepth(value, MAX_JSON_DEPTH + 1) > MAX_JSON_DEPTH) {
    throw new AppError("invalid_request", `Body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep.`);
  }
  assertStorableText(value);
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError("invalid_request", describeZod(parsed.error));
  return parsed.data;
}

/** Lone surrogates and NUL cannot be stored (PostgreSQL refuses NUL); they are refused at the edge. */
export function assertStorableText(value: unknown): void {
  if (hasUnstorableText(value)) {
    throw new AppError("invalid_request", "Strings must be well-formed Unicode without NUL characters.");
  }
}

function hasUnstorableText(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return !value.isWellFormed() || value.includes("\u0000");
  if (depth > 64 || value === null || typeof value !== "object") return false;
  for (const [k, v] of Object.entries(value)) if (hasUnstorableText(k, depth + 1) || hasUnstorableText(v, depth + 1)) return true;
  return false;
}
