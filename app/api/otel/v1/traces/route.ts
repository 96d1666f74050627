// POST /api/otel/v1/traces — the OTLP/HTTP trace receiver (docs/observed.md). An OpenTelemetry
// exporter configured with the endpoint `http://<host>/api/otel` and the header
// `Authorization=Bearer <ingest token>` posts here unchanged. Who: admin and ingest tokens.
// Body: ExportTraceServiceRequest as application/x-protobuf or application/json, gzip or not.
// Answer: 200 with an ExportTraceServiceResponse in the request's encoding (partial_success for
// spans refused one by one); a refused body is 400/413 with a google.rpc.Status in the request's
// encoding, never a 5xx. Authentication comes first and answers in the house JSON envelope.
// Not apiRoute: the body is binary and the answers are OTLP's, not the house envelope.
import type { NextRequest } from "next/server";
import { requireActor } from "@/lib/auth/authenticate";
import { env } from "@/lib/env";
import { handleApiError } from "@/lib/http";
import { ingestObservedSpans } from "@/lib/observations/ingest";
import { stripAipAttributes } from "@/lib/observed/capture";
import { readBodyBytes } from "@/lib/observations/body";
import { decodeExportRequest, DEFAULT_OTLP_LIMITS, encodeErrorStatus, encodeExportResponse, encodingOf } from "@/lib/observed";

export const dynamic = "force-dynamic";

function otlp(status: number, r: { body: Buffer; contentType: string }): Response {
  return new Response(new Uint8Array(r.body), { status, headers: { "content-type": r.contentType } });
}

export async function POST(req: NextRequest): Promise<Response> {
  try {
    await requireActor(req, "events:write");
  } catch (error) {
    return handleApiError(error);
  }
  const encoding = encodingOf(req.headers.get("content-type")) ?? "json";
  const body = await readBodyBytes(req, DEFAULT_OTLP_LIMITS.maxBodyBytes);
  if (!body.ok) return otlp(body.status, encodeErrorStatus(body, encoding));
  const receivedAtMs = Date.now();
  const decoded = decodeExportRequest(body.bytes, req.headers.get("content-type"), req.headers.get("content-encoding"), {
    keepContent: env().DELEGRAPH_KEEP_CONTENT,
    receivedAtMs,
  });
  if (!decoded.ok) return otlp(decoded.status, encodeErrorStatus(decoded, decoded.encoding));
  try {
    // Only the capture service says whether an AIP token verified: a producer's span cannot.
    stripAipAttributes(decoded.spans);
    await ingestObservedSpans(decoded.spans, "otel", receivedAtMs);
  } catch (error) {
    return handleApiError(error);
  }
  return otlp(200, encodeExportResponse(decoded, decoded.encoding));
}
