// The ingest contract: POST /api/v1/events (docs/protocol.md §6, §8).
import { z } from "zod";
import type { TFinding, TRejectCode } from "@/lib/protocol/types";

export const MAX_BATCH = 1000;
export const ZEventBatch = z.object({ events: z.array(z.unknown()) });

export type TIngestStatus = "accepted" | "duplicate" | "pending" | "rejected";
export type TIngestResult = {
  jti: string | null;
  status: TIngestStatus;
  chain?: string;
  findings: Pick<TFinding, "code" | "severity" | "message">[];
  error?: { code: TRejectCode; message: string };
};
export type TIngestResponse = { results: TIngestResult[] };
