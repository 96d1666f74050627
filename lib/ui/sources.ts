// How the UI names where a chain's hops come from. Only dep and aip hops are signed by a key
// Delegraph knows; otel and capture hops are observed, drawn dashed and never called verified.
import { CHAIN_SOURCES, type TChainSource } from "@/lib/protocol/grammar";

export { CHAIN_SOURCES };

export const SOURCE_LABEL: Record<TChainSource, { word: string; long: string; signed: boolean }> = {
  dep: { word: "Signed events", long: "Delegation events signed with registered keys", signed: true },
  aip: { word: "AIP tokens", long: "Agent Identity Protocol tokens", signed: true },
  otel: { word: "OpenTelemetry", long: "Observed from OpenTelemetry spans, not verified", signed: false },
  capture: { word: "MCP/A2A capture", long: "Observed from captured MCP and A2A traffic, not verified", signed: false },
};

export function isChainSource(s: string | null | undefined): s is TChainSource {
  return !!s && (CHAIN_SOURCES as readonly string[]).includes(s);
}
