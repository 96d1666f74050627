// The overview's contract: GET /api/v1/stats.
import type { TChainSummary } from "./chain-models";
import type { TChainStatus, TFindingCode, TPrincipalKind } from "@/lib/protocol/types";

export type TStats = {
  totalChains: number;
  totalEvents: number;
  chainsByStatus: Record<TChainStatus, number>;
  recentViolations: TChainSummary[];
  findingsOverTime: { day: string; code: TFindingCode; count: number }[];
  topPrincipals: { principalId: string; kind: TPrincipalKind | null; findings: number }[];
};
