// decodeExportRequest: an OTLP/HTTP trace request body → normalised spans, or a structured
// 400/413. Synchronous and pure (no I/O, no clock: the caller passes receivedAtMs), so the route
// stays thin and every hostile body has a unit test.
//
// Order of checks, cheapest first: content type (400), raw size (413), content encoding (400),
// bounded gunzip (413 past maxDecompressedBytes; the inflater stops there, so a zip bomb costs
// milliseconds), then the body: for protobuf, a wire scan of structure and counts before
// protobufjs allocates anything (lib/observed/otlp/wire-scan.ts); for JSON, strict UTF-8 and
// JSON.parse (V8's parser is iterative: deep nesting cannot overflow the stack). Both end in the
// same normaliser, which applies every bound again and the OTLP/JSON rules.
import { gunzipSync } from "node:zlib";
import type { TOtlpEncoding } from "../types";
import { badRequest, DEFAULT_OTLP_LIMITS, OtlpLimitError, tooLarge, type TOtlpFailure, type TOtlpLimits } from "./limits";
import { normalizeExportRequest, type TNormalized } from "./normalize";
import { ExportTraceServiceRequest } from "./schema";
import { scanExportRequest } from "./wire-scan";

export type TDecodeOptions = {
  limits?: Partial<TOtlpLimits>;
  /** DELEGRAPH_KEEP_CONTENT=1: keep message contents instead of their digests */
  keepContent?: boolean;
  /** stamped on every span, for the quiet period of assembly */
  receivedAtMs?: number | null;
};

export type TDecodeSuccess = {
  ok: true;
  encoding: TOtlpEncoding;
  spans: TNormalized["spans"];
  /** spans refused one by one (bad ids or times); answered as partial_success */
  rejectedSpans: number;
  /** null when nothing was rejected */
  errorMessage: string | null;
};
/** `encoding` is the one to answer in: the request's, or JSON when its content type was unusable. */
export type TDecodeFailure = TOtlpFailure & { encoding: TOtlpEncoding };
export type TDecodeResult = TDecodeSuccess | TDecodeFailure;

/** The encoding a Content-Type names, or null for anything but OTLP's two. */
export function encodingOf(contentType: string | null | undefined): TOtlpEncoding | null {
  const media = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (media === "application/x-protobuf") return "protobuf";
  if (media === "application/json") return "json";
  return null;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function inflate(body: Buffer, contentEncoding: string | null | undefined, limits: TOtlpLimits): Buffer | TOtlpFailure {
  const coding = (contentEncoding ?? "").trim().toLowerCase();
  if (coding === "" || coding === "identity") {
    return body.length > limits.maxDecompressedBytes ? tooLarge(`the body is larger than ${limits.maxDecompressedBytes} bytes`) : body;
  }
  if (coding !== "gzip" && coding !== "x-gzip") {
    return badRequest(`unsupported content encoding ${JSON.stringify(coding.slice(0, 64))}: send gzip or no Content-Encoding`);
  }
  try {
    return gunzipSync(body, { maxOutputLength: limits.maxDecompressedBytes });
  } catch (e) {
    if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      return tooLarge(`the body inflates to more than ${limits.maxDecompressedBytes} bytes`);
    }
    return badRequest(`the body is not valid gzip: ${(e as Error).message}`);
  }
}

export function decodeExportRequest(
  body: Buffer | Uint8Array,
  contentType: string | null | undefined,
  contentEncoding: string | null | undefined,
  options: TDecodeOptions = {},
): TDecodeResult {
  const limits: TOtlpLimits = { ...DEFAULT_OTLP_LIMITS, ...options.limits };
  const encoding = encodingOf(contentType);
  if (encoding === null) {
    const shown = JSON.stringify((contentType ?? "").slice(0, 100));
    return { ...badRequest(`wrong content type ${shown}: send application/x-protobuf or application/json`), encoding: "json" };
  }
  const failed = (f: TOtlpFailure): TDecodeFailure => ({ ...f, encoding });
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (raw.length > limits.maxBodyBytes) return failed(tooLarge(`the body is larger than ${limits.maxBodyBytes} bytes`));

  const bytes = inflate(raw, contentEncoding, limits);
  if (!Buffer.isBuffer(bytes)) return failed(bytes);

  const normalizeOptions = { limits, keepContent: options.keepContent === true, receivedAtMs: options.receivedAtMs ?? null };
  try {
    let normalized: TNormalized;
    if (encoding === "protobuf") {
      const scan = scanExportRequest(bytes, limits);
      if (!scan.ok) return failed(scan);
      let message: unknown;
      try {
        message = ExportTraceServiceRequest.decode(bytes);
      } catch (e) {
        return failed(badRequest(`malformed protobuf: ${(e as Error).message}`));
      }
      normalized = normalizeExportRequest(message, "protobuf", normalizeOptions);
    } else {
      let document: unknown;
      try {
        document = JSON.parse(utf8.decode(bytes));
      } catch (e) {
        return failed(badRequest(`malformed JSON: ${(e as Error).message.slice(0, 200)}`));
      }
      normalized = normalizeExportRequest(document, "json", normalizeOptions);
    }
    const { spans, rejectedSpans, rejectionReasons } = normalized;
    const errorMessage =
      rejectedSpans === 0 ? null : `${rejectedSpans} span${rejectedSpans === 1 ? "" : "s"} rejected: ${rejectionReasons.join("; ")}`;
    return { ok: true, encoding, spans, rejectedSpans, errorMessage };
  } catch (e) {
    if (e instanceof OtlpLimitError) return failed(e.failure);
    // Decoding is a pure function of the body: whatever else stops it (protobufjs's recursion
    // guard, a bound this module missed) is still the body's fault, and never a 5xx.
    return failed(badRequest(`the body could not be decoded: ${e instanceof Error ? e.message : String(e)}`));
  }
}
