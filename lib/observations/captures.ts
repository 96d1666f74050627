// Captures → observed spans → the observed store (lib/observations/ingest.ts), source "capture".
//
// An AIP token presented with a captured call (X-AIP-Token, MCP params._meta.aip_token, A2A
// params.metadata.aip_token: lib/observed/capture.ts aipTokenOf) is verified by the AIP import, the
// same path as POST /api/v1/aip/tokens (lib/aip/tokens.ts). Accepted, the call becomes an invoke
// by the token's final delegate under its last grant, in the AIP chain, whose traceparent names the
// call's span: the observed chain then draws that signed invoke solid beside the dashed call and
// does not count the call as unauthorized_activity. Refused, the reason is put on the call span
// (shown with the call) and the call stays observed: never counted as verified. Tokens are verified
// before the spans are stored, so the first assembly already sees the invokes.
import type { TCaptureRecordInput, TCaptureResponse, TCaptureResultItem } from "@/lib/contracts/captures";
import { env } from "@/lib/env";
import { importAipTokensWith } from "@/lib/aip/tokens";
import { AIP_FROM, AIP_REJECTED, captureToSpans, type TCaptureAip } from "@/lib/observed/capture";
import type { TPresentedCall } from "@/lib/protocol/aip";
import type { TObservedSpan } from "@/lib/observed/types";
import { ingestObservedSpans } from "./ingest";

export async function ingestCaptures(records: TCaptureRecordInput[], now = Date.now(), source: string | null = null): Promise<TCaptureResponse> {
  const keepContent = env().DELEGRAPH_KEEP_CONTENT;
  const spans: TObservedSpan[] = [];
  const presented: { index: number; aip: TCaptureAip; callSpan: TObservedSpan }[] = [];
  const results: TCaptureResultItem[] = records.map((record, index) => {
    const r = captureToSpans(record, { keepContent, receivedAtMs: now });
    if (!r.ok) return { index, status: "rejected", reason: r.reason };
    spans.push(...r.spans);
    if (r.aip) presented.push({ index, aip: r.aip, callSpan: r.spans[r.spans.length - 1] });
    return { index, status: "accepted" };
  });

  if (presented.length > 0) {
    const calls: TPresentedCall[] = presented.map(({ aip }) => ({
      via: aip.via,
      action: aip.action,
      resource: aip.resource,
      at: Math.floor(aip.startMs / 1000),
      traceparent: aip.traceparent,
      observedBy: aip.observedBy,
    }));
    const entries = presented.map(({ aip }) => (aip.via === "mcp" ? { token: aip.token, tool: aip.action } : { token: aip.token }));
    const answer = await importAipTokensWith(entries, { now: Math.floor(now / 1000), source, presentations: calls });
    for (const [k, p] of presented.entries()) {
      const token = answer.results[k];
      const invoke = answer.presented[k];
      p.callSpan.attributes[AIP_FROM] = p.aip.from;
      if (token.status === "rejected" || !invoke || invoke.status === "rejected") {
        const reason = token.error
          ? `${token.error.code}: ${token.error.message}`
          : !invoke
            ? "the token holds no grant to act under"
            : "the invoke was refused";
        p.callSpan.attributes[AIP_REJECTED] = reason;
        results[p.index].aip = { status: "rejected", from: p.aip.from, reason };
      } else {
        results[p.index].aip = {
          status: "verified",
          from: p.aip.from,
          chain: invoke.chain,
          invoke: invoke.jti,
          findings: invoke.findings.map((f) => f.code),
        };
      }
    }
  }

  const stored = await ingestObservedSpans(spans, "capture", now);
  const accepted = results.filter((r) => r.status === "accepted").length;
  return { accepted, rejected: results.length - accepted, results, chains: stored.chains };
}
