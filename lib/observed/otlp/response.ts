// What an OTLP/HTTP receiver answers, in the request's encoding. A full success is an empty
// ExportTraceServiceResponse; spans refused one by one are reported in `partial_success`, which
// exporters log (the request is not retried). A refused request (400/413) carries a
// google.rpc.Status, as the OTLP/HTTP specification asks of 4xx bodies.
import type { TOtlpEncoding } from "../types";
import { ExportTraceServiceResponse, RpcStatus } from "./schema";

export type TOtlpResponse = { body: Buffer; contentType: string };

const CONTENT_TYPE: Record<TOtlpEncoding, string> = { protobuf: "application/x-protobuf", json: "application/json" };

export function encodeExportResponse(result: { rejectedSpans: number; errorMessage: string | null }, encoding: TOtlpEncoding): TOtlpResponse {
  const partial = result.rejectedSpans > 0 || (result.errorMessage ?? "") !== "";
  if (encoding === "json") {
    // ProtoJSON writes int64 as a decimal string.
    const body = partial ? { partialSuccess: { rejectedSpans: String(result.rejectedSpans), errorMessage: result.errorMessage ?? "" } } : {};
    return { body: Buffer.from(JSON.stringify(body)), contentType: CONTENT_TYPE.json };
  }
  const message = ExportTraceServiceResponse.create(
    partial ? { partialSuccess: { rejectedSpans: result.rejectedSpans, errorMessage: result.errorMessage ?? "" } } : {},
  );
  return { body: Buffer.from(ExportTraceServiceResponse.encode(message).finish()), contentType: CONTENT_TYPE.protobuf };
}

/** google.rpc.Code for a refused body: INVALID_ARGUMENT (3) for 400, RESOURCE_EXHAUSTED (8) for 413. */
const RPC_CODE: Record<400 | 413, number> = { 400: 3, 413: 8 };

export function encodeErrorStatus(failure: { status: 400 | 413; reason: string }, encoding: TOtlpEncoding): TOtlpResponse {
  const status = { code: RPC_CODE[failure.status], message: failure.reason };
  if (encoding === "json") return { body: Buffer.from(JSON.stringify(status)), contentType: CONTENT_TYPE.json };
  return { body: Buffer.from(RpcStatus.encode(RpcStatus.create(status)).finish()), contentType: CONTENT_TYPE.protobuf };
}
