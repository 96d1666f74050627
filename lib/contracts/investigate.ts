// The investigation contracts: who touched a resource, and a principal's blast radius.
import { z } from "zod";
import type { TChainSummary } from "./chain-models";
import type { TEventKind, TFindingCode, TSeverity } from "@/lib/protocol/types";
import { ZTime } from "./common";

export const ZResourceQuery = z.object({ resource: z.string().trim().min(1).max(2048) });
export const ZPrincipalActivityQuery = z.object({
  principal: z.string().min(1).max(200),
  since: ZTime.default(0),
  /** one key of the principal: only what was signed with it (a compromised key's blast radius) */
  kid: z.string().min(1).max(200).optional(),
});

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
/** One event of a blast radius and everything under it. */
export type TBlastNode = {
  jti: string;
  chainId: string;
  kind: TEventKind;
  iss: string;
  aud: string | null;
  action: string | null;
  resource: string | null;
  purpose: string | null;
  iat: number;
  /** signed (by the principal, with the key when one is named), received (a grant to it), or downstream of either */
  relation: "signed" | "received" | "downstream";
  findings: TFindingBrief[];
  children: TBlastNode[];
};
/** A submission refused at ingest that the principal (or the key) signed, as its unverified header and payload say. */
export type TBlastRefusal = {
  id: number;
  receivedAt: string;
  jti: string | null;
  chainId: string | null;
  kid: string | null;
  code: string;
  message: string;
};
export type TPrincipalInvestigation = {
  events: TPrincipalActivity[];
  chains: TChainSummary[];
  truncated: boolean;
  kid: string | null;
  tree: { roots: TBlastNode[]; direct: number; downstream: number; truncated: boolean };
  refused: TBlastRefusal[];
  /** the refusals were searched back to `since` or this many rows, whichever came first */
  refusedScanLimitReached: boolean;
};
