// Captures → observed spans → the observed store (lib/observations/ingest.ts), source "capture".
import type { TCaptureRecordInput, TCaptureResponse, TCaptureResultItem } from "@/lib/contracts/captures";
import { env } from "@/lib/env";
import { captureToSpans } from "@/lib/observed/capture";
import type { TObservedSpan } from "@/lib/observed/types";
import { ingestObservedSpans } from "./ingest";

export async function ingestCaptures(records: TCaptureRecordInput[], now = Date.now()): Promise<TCaptureResponse> {
  const keepContent = env().DELEGRAPH_KEEP_CONTENT;
  const spans: TObservedSpan[] = [];
  const results: TCaptureResultItem[] = records.map((record, index) => {
    const r = captureToSpans(record, { keepContent, receivedAtMs: now });
    if (!r.ok) return { index, status: "rejected", reason: r.reason };
    spans.push(...r.spans);
    return { index, status: "accepted" };
  });
  const stored = await ingestObservedSpans(spans, "capture", now);
  const accepted = results.filter((r) => r.status === "accepted").length;
  return { accepted, rejected: results.length - accepted, results, chains: stored.chains };
}
