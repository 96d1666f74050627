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
  isReadTime: boolean;
  review: TFindingReview;
};
/** `readTime.missingEvidenceChains`: how many chains have overdue evidence (null on the read-time list itself). */
export type TFindingList = { items: TFindingItem[]; nextCursor: string | null; readTime: { missingEvidenceChains: number | null } };
