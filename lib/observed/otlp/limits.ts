// Bounds on an OTLP request, and the structured failure every decoder step returns instead of
// throwing. Sizes over a bound are 413 (the client may split the batch and retry); everything else
// wrong with a body is 400. Nothing here is a 5xx: a hostile body is the client's problem.

export type TOtlpLimits = {
  /** the body as received (compressed or not) */
  maxBodyBytes: number;
  /** the body after gzip; a zip bomb stops here */
  maxDecompressedBytes: number;
  maxSpans: number;
  /** entries of one attribute list (span, event, link, resource, scope) or one kvlist value */
  maxAttributes: number;
  maxEventsPerSpan: number;
  maxLinksPerSpan: number;
  /** elements of one array value (embedding vectors are long arrays) */
  maxArrayItems: number;
  /** every KeyValue and AnyValue of the whole request */
  maxValues: number;
  /** AnyValue nesting: a scalar attribute is depth 1, a list of scalars depth 2 */
  maxValueDepth: number;
  maxKeyLength: number;
  /** longer strings are cut (and counted in the span's truncatedValues), not refused */
  maxStringLength: number;
};

export const DEFAULT_OTLP_LIMITS: Readonly<TOtlpLimits> = Object.freeze({
  maxBodyBytes: 8 * 1024 * 1024,
  maxDecompressedBytes: 16 * 1024 * 1024,
  maxSpans: 10_000,
  maxAttributes: 4096,
  maxEventsPerSpan: 1024,
  maxLinksPerSpan: 1024,
  maxArrayItems: 65_536,
  maxValues: 1_000_000,
  maxValueDepth: 16,
  maxKeyLength: 1024,
  maxStringLength: 65_536,
});

export type TOtlpFailure = { ok: false; status: 400 | 413; reason: string };

export const badRequest = (reason: string): TOtlpFailure => ({ ok: false, status: 400, reason });
export const tooLarge = (reason: string): TOtlpFailure => ({ ok: false, status: 413, reason });

/** Thrown inside a decoding pass and caught at its edge, so deep walks stop at the first problem. */
export class OtlpLimitError extends Error {
  constructor(readonly failure: TOtlpFailure) {
    super(failure.reason);
  }
}

export const limitMessages = {
  spans: (max: number) => `the request holds more than ${max} spans`,
  values: (max: number) => `the request holds more than ${max} attribute values`,
  attributes: (where: string, max: number) => `${where} holds more than ${max} attributes`,
  events: (max: number) => `a span holds more than ${max} events`,
  links: (max: number) => `a span holds more than ${max} links`,
  arrayItems: (max: number) => `an array value holds more than ${max} items`,
  depth: (max: number) => `an attribute value nests deeper than ${max} levels`,
  key: (max: number) => `an attribute key is longer than ${max} characters`,
};
