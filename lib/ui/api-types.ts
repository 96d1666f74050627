// Shapes of the API responses the dashboard reads that are not chain read models
// (those live in lib/chains/types.ts and are imported from there, never copied).
import type { TChainSummary } from "@/lib/chains/types";
import type { TEventKind, TFindingCode, TPrincipalKind, TSeverity, TChainStatus } from "@/lib/protocol/types";

export type TRole = "admin" | "investigator" | "viewer" | (string & {});

export type TMe = { user: { id: string; email: string; role: TRole }; csrfToken: string };

export type TStats = {
  totalChains: number;
  totalEvents: number;
  chainsByStatus: Record<TChainStatus, number>;
  recentViolations: TChainSummary[];
  findingsOverTime: { day: string; code: TFindingCode; count: number }[];
  topPrincipals: { principalId: string; kind: TPrincipalKind | null; findings: number }[];
};

export type TPrincipalSummary = {
  id: string;
  kind: TPrincipalKind;
  name: string | null;
  keyCount: number;
  revokedKeyCount: number;
  chainCount: number;
  findingCount: number;
  createdAt: string;
};
export type TPrincipalList = { items: TPrincipalSummary[]; nextCursor: string | null };

export type TPrincipalKey = {
  kid: string;
  kty: string;
  crv: string | null;
  thumbprint: string;
  revokedAt: number | null;
  createdAt: string;
};

export type TPrincipalFinding = {
  code: TFindingCode;
  severity: TSeverity;
  message: string;
  eventJti: string;
  chainId: string;
};

export type TPrincipalDetail = {
  principal: { id: string; kind: TPrincipalKind; name: string | null; createdAt: string };
  keys: TPrincipalKey[];
  chains: TChainSummary[];
  findings: TPrincipalFinding[];
};

export type TFindingRow = {
  id: string | number;
  code: TFindingCode;
  severity: TSeverity;
  message: string;
  eventJti: string;
  chainId: string;
  eventKind: TEventKind;
  iss: string;
  iat: number;
};
export type TFindingList = { items: TFindingRow[]; nextCursor: string | null };

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
export type TResourceInvestigation = { items: TResourceTouch[]; truncated?: boolean };

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
export type TPrincipalInvestigation = { events: TPrincipalActivity[]; chains: TChainSummary[]; truncated?: boolean };
