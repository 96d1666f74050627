// The least-privilege contract (docs/least-privilege.md): what a principal was granted against what
// it used over a window, the grant that would have covered it, and principals and purposes ranked
// by unused authority.
import { z } from "zod";
import { PURPOSE_CODE_PATTERN } from "@/lib/protocol/grammar";
import type { TConstraints } from "@/lib/protocol/types";
import { ZTime } from "./common";

/** Without `since`, the window is the last 30 days up to `until` (default now). */
export const LP_DEFAULT_WINDOW_SECONDS = 30 * 24 * 3600;
/** Grants analysed per answer at most, newest first; `truncated` says when more matched. */
export const LP_MAX_GRANTS = 2000;

export const ZLeastPrivilegeQuery = z
  .object({
    since: ZTime.optional(),
    until: ZTime.optional(),
    purpose: z.string().regex(PURPOSE_CODE_PATTERN, "must be a purpose code such as finance.reporting").max(200).optional(),
  })
  .refine((q) => q.since === undefined || q.until === undefined || q.since <= q.until, { message: "since must not be after until" });
export type TLeastPrivilegeQuery = z.infer<typeof ZLeastPrivilegeQuery>;

export const ZLeastPrivilegeReportQuery = z
  .object({
    since: ZTime.optional(),
    until: ZTime.optional(),
    purpose: z.string().regex(PURPOSE_CODE_PATTERN, "must be a purpose code such as finance.reporting").max(200).optional(),
    principal: z.string().min(1).max(200).optional(),
  })
  .refine((q) => q.since === undefined || q.until === undefined || q.since <= q.until, { message: "since must not be after until" });
export type TLeastPrivilegeReportQuery = z.infer<typeof ZLeastPrivilegeReportQuery>;

export type TScopeUseView = { scope: string; invocations: number; delegations: number; uses: string[] };

export type TGrantUsageView = {
  jti: string;
  chain: string;
  purpose: string;
  iat: number;
  exp: number;
  granted: string[];
  used: TScopeUseView[];
  unused: string[];
  /** actions and delegated scopes the grant did not cover (never counted as use) */
  outside: { scope: string; count: number }[];
  effectiveConstraints: TConstraints;
};

/** `delegate` claims that would have covered the observed use, ready for the SDK's `delegate`. */
export type TSuggestedGrantView = {
  scope: string[];
  constraints: { data: string[]; egress: string[] };
  max_depth: number;
  ttl: number | null;
  purpose: string | null;
};

export type TLeastPrivilegeWindow = { since: number; until: number; purpose: string | null };

/** A behavioural drift found when read (lib/protocol/drift.ts), with the baseline it was compared to. */
export type TDriftView = {
  jti: string;
  chain: string;
  purpose: string;
  iat: number;
  aspects: { aspect: "action" | "resource" | "data" | "host" | "rate"; value: string }[];
  baseline: { since: number; events: number; actions: number; resources: number; dataClasses: number; hosts: number; usualRate: number };
  message: string;
};

export type TPrincipalLeastPrivilege = TLeastPrivilegeWindow & {
  principal: string;
  /** behavioural drift of the principal's invokes in the window, oldest first (computed when read) */
  drift: TDriftView[];
  grants: TGrantUsageView[];
  suggested: TSuggestedGrantView;
  totals: { grants: number; granted: number; unused: number; uses: number };
  /** more grants matched than were analysed (the newest LP_MAX_GRANTS were) */
  truncated: boolean;
};

export type TUnusedRankView = {
  principal: string;
  purpose: string;
  grants: number;
  granted: number;
  unused: number;
  unusedShare: number;
  uses: number;
  neverUsed: string[];
};

export type TLeastPrivilegeRanking = TLeastPrivilegeWindow & {
  items: TUnusedRankView[];
  analysedGrants: number;
  truncated: boolean;
};

/** A suggested grant as the API gives it, for readers of saved JSON (the SDK's delegateFromSuggestion). */
export const ZSuggestedGrant = z.object({
  scope: z.array(z.string().min(1)).max(256),
  constraints: z.object({ data: z.array(z.string()).max(256), egress: z.array(z.string()).max(256) }),
  max_depth: z.number().int().min(0),
  ttl: z.number().positive().nullable(),
  purpose: z.string().regex(PURPOSE_CODE_PATTERN).nullable(),
});
