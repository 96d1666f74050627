// The investigation contracts: who touched a resource, and a principal's blast radius.
import { z } from "zod";
import type { TChainSummary } from "./chain-models";
import type { TEventKind, TFindingCode, TSeverity } from "@/lib/protocol/types";
import { ZTime } from "./common";

export const ZResourceQuery = z.object({ resource: z.string().trim().min(1).max(2048) });
export const ZPrincipalActivityQuery = z.object({ principal: z.string().min(1).max(200), since: ZTime.default(0) });

export type TFindingBrief = { code: TFindingCode; severity: TSeverity };

export type TResourceTouch = {
  jti: string;
  chainId: string;
  iss: string;
  action: string;
  resource: string;
  iat: number;
  status: string;
  findings: TFindingBrief[];
};
/** `truncated`: the server stopped at its row limit; the UI must say so. */
export type TResourceInvestigation = { items: TResourceTouch[]; truncated: boolean };

export type TPrincipalActivity = {
  jti: string;
  kind: TEventKind;
  chainId: string;
  iss: string;
  aud: string | null;
  ref: string | null;
  iat: number;
  findings: TFindingBrief[];
};
export type TPrincipalInvestigation = { events: TPrincipalActivity[]; chains: TChainSummary[]; truncated: boolean };
