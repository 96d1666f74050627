// The captures contract: POST /api/v1/captures (docs/observed.md, "Captures"). MCP request/response
// records and A2A task messages, as a proxy or gateway saw them; each becomes observed spans.
import { z } from "zod";

export const MAX_CAPTURES = 1000;

const ZHeaders = z.record(z.string(), z.union([z.string(), z.array(z.string())]));
const ZTimeValue = z.union([z.number().positive(), z.string().min(1).max(64)]);

export const ZCaptureRecord = z.object({
  kind: z.enum(["mcp", "a2a"]),
  startedAt: ZTimeValue,
  endedAt: ZTimeValue.optional(),
  server: z.string().max(2048).optional(),
  service: z.string().min(1).max(200).optional(),
  client: z.string().min(1).max(200).optional(),
  request: z.object({ headers: ZHeaders.optional(), body: z.unknown() }),
  response: z
    .object({
      status: z.number().int().min(100).max(599).optional(),
      headers: ZHeaders.optional(),
      body: z.unknown().optional(),
      isError: z.boolean().optional(),
    })
    .optional(),
});
export type TCaptureRecordInput = z.infer<typeof ZCaptureRecord>;

export const ZCaptureBatch = z.object({ captures: z.array(ZCaptureRecord).min(1).max(MAX_CAPTURES) });

/**
 * An AIP token presented with the call (docs/observed.md "AIP tokens in captures"): `verified` when
 * the AIP import accepted it (the call is then the invoke `invoke` of AIP chain `chain`, with the
 * codes of its findings), `rejected` with the import's reason (the call stays observed).
 */
export type TCaptureAipResult =
  { status: "verified"; from: string; chain: string; invoke: string; findings: string[] } | { status: "rejected"; from: string; reason: string };
export type TCaptureResultItem = { index: number; status: "accepted" | "rejected"; reason?: string; aip?: TCaptureAipResult };
export type TCaptureResponse = { accepted: number; rejected: number; results: TCaptureResultItem[]; chains: string[] };
