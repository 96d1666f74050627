// The findings contract: GET /api/v1/findings.
import { z } from "zod";
import { FINDING_CODES, type TEventKind, type TFindingCode, type TSeverity } from "@/lib/protocol/types";
import { SEVERITIES } from "@/lib/protocol/grammar";
import { ZLimit } from "./common";
import { FINDING_STATES, type TFindingReview } from "./review";

export const ZFindingsQuery = z.object({
  code: z.enum(FINDING_CODES as [TFindingCode, ...TFindingCode[]]).optional(),
  severity: z.enum(SEVERITIES).optional(),
  principal: z.string().min(1).max(200).optional(),
  chain: z.string().min(1).max(128).optional(),
  /** the review state as it reads now (docs/review.md) */
  state: z.enum(FINDING_STATES).optional(),
  /** who the finding is assigned to; "none" for unassigned */
  assignee: z.string().trim().min(1).max(200).optional(),
  cursor: z.string().min(1).max(200).optional(),
  limit: ZLimit,
});
export type TFindingsQuery = z.infer<typeof ZFindingsQuery>;

/** A stored finding (`id` a number) or one judged at read time (`id` "<chain>#<grant>"). */
export type TFindingItem = {
  id: string | number;
  code: TFindingCode;
  severity: TSeverity;
  message: string;
  eventJti: string;
  chainId: string;
  eventKind: TEventKind | null;
  iss: string | null;
  iat: number | null;
  /** the time the list shows and sorts by: the flagged event's iat, or a broken audit trail's grant expiry */
  at: number | null;
  isReadTime: boolean;
  review: TFindingReview;
  /** what the finding's sentence is built from (lib/ui/finding-sentence.ts) */
  facts: TFindingFacts;
  /** display names of the principals the facts name */
  names: Record<string, string>;
};

/** One event as a finding's sentence needs it (lib/ui/finding-sentence.ts builds these). */
export type TFactEvent = {
  jti: string;
  kind: TEventKind;
  iss: string;
  aud: string | null;
  ref: string | null;
  iat: number;
  exp: number | null;
  action: string | null;
  resource: string | null;
  /** an action's data classes, a grant's allowed data classes */
  data: string[];
  egress: string[] | null;
  scope: string[];
  purpose: string | null;
  maxDepth: number | null;
  /** a completion's status */
  status: string | null;
  receivedAt: number | null;
  keyRevokedAt: number | null;
};
/** The facts around a finding: its event, the grant it relied on, the revocation that applies. */
export type TFindingFacts = {
  code: TFindingCode;
  event: TFactEvent | null;
  grant: TFactEvent | null;
  revocation: { by: string; at: number; grantJti: string; isOwnGrant: boolean } | null;
  /** the nearest outbound-host list above the event */
  egress: string[] | null;
};
/**
 * `readTime.missingEvidenceChains`: how many chains have overdue evidence (null on the read-time list
 * itself); `merged`: the list holds their broken audit trails among the stored findings;
 * `notMergedChains`: overdue chains past the merge limit, listed only under code=missing_evidence.
 */
export type TFindingList = {
  items: TFindingItem[];
  nextCursor: string | null;
  readTime: { missingEvidenceChains: number | null; merged: boolean; notMergedChains: number };
};
