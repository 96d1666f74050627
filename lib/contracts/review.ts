// The review contract (docs/review.md): a finding's state, assignee, notes and history
// (PATCH /api/v1/findings/{id}, POST /api/v1/findings/bulk), a chain's review and sign-off
// (GET/PUT /api/v1/chains/{id}/review). Shared by the routes, the dashboard and the SDK.
import { z } from "zod";
import { ZTime } from "./common";

export const FINDING_STATES = ["open", "acknowledged", "resolved", "accepted_risk", "false_positive"] as const;
export type TFindingState = (typeof FINDING_STATES)[number];
/** States that close a finding: they need a note when they are a judgement (accepted risk, false positive). */
export const NOTE_REQUIRED_STATES: readonly TFindingState[] = ["accepted_risk", "false_positive"];

export const CHAIN_REVIEW_STATUSES = ["unreviewed", "in_review", "signed_off"] as const;
export type TChainReviewStatus = (typeof CHAIN_REVIEW_STATUSES)[number];

const ZNote = z.string().trim().min(1).max(4000);
const ZAssignee = z.string().trim().max(200);

/**
 * A change of one finding's review. `assignee` "" unassigns. A `note` alone is a comment; with a
 * state it is the reason (required for accepted_risk and false_positive). `acceptedUntil`
 * (NumericDate seconds or ISO time) only with accepted_risk: the finding reopens after it.
 */
export const ZFindingReviewPatch = z
  .object({
    state: z.enum(FINDING_STATES).optional(),
    assignee: ZAssignee.optional(),
    note: ZNote.optional(),
    acceptedUntil: z.union([z.number().finite().positive(), ZTime]).optional(),
  })
  .strict()
  .refine((b) => b.state !== undefined || b.assignee !== undefined || b.note !== undefined, {
    message: "Say what changes: state, assignee or note.",
  });
export type TFindingReviewPatch = z.infer<typeof ZFindingReviewPatch>;

/** The same change applied to several findings of the list (ids as GET /api/v1/findings lists them). */
export const ZFindingReviewBulk = z
  .object({
    ids: z
      .array(z.union([z.number().int().positive(), z.string().min(1).max(400)]))
      .min(1)
      .max(200),
    state: z.enum(FINDING_STATES).optional(),
    assignee: ZAssignee.optional(),
    note: ZNote.optional(),
    acceptedUntil: z.union([z.number().finite().positive(), ZTime]).optional(),
  })
  .strict()
  .refine((b) => b.state !== undefined || b.assignee !== undefined || b.note !== undefined, {
    message: "Say what changes: state, assignee or note.",
  });
export type TFindingReviewBulk = z.infer<typeof ZFindingReviewBulk>;

/** Why a stored state reads as open again. */
export type TReopenReason = { kind: "expired"; at: number } | { kind: "changed"; was: string; now: string };

/** A finding's review as read now: `state` is the effective one (open after a reopen). */
export type TFindingReview = {
  state: TFindingState;
  assignee: string | null;
  note: string | null;
  acceptedUntil: number | null;
  updatedAt: string | null;
  updatedBy: string | null;
  /** set when the stored state no longer holds: the accepted risk expired, or a re-check changed the finding */
  reopened: TReopenReason | null;
};

export type TReviewEntry = {
  id: number;
  at: string;
  actor: string;
  action: "state" | "assign" | "comment" | "review_status" | "sign_off";
  fromState: string | null;
  toState: string | null;
  assignee: string | null;
  note: string | null;
  acceptedUntil: number | null;
};

export type TFindingWithHistory = {
  id: string | number;
  code: string;
  severity: string;
  message: string;
  eventJti: string;
  chainId: string;
  review: TFindingReview;
  history: TReviewEntry[];
};

export type TBulkReviewResult = {
  results: (
    { id: string | number; ok: true; review: TFindingReview } | { id: string | number; ok: false; error: { code: string; message: string } }
  )[];
};

export const ZChainReviewBody = z
  .object({
    status: z.enum(CHAIN_REVIEW_STATUSES),
    statement: z.string().trim().min(1).max(4000).optional(),
  })
  .strict()
  .refine((b) => b.status !== "signed_off" || b.statement !== undefined, { message: "A sign-off needs a statement.", path: ["statement"] });
export type TChainReviewBody = z.infer<typeof ZChainReviewBody>;

export type TChainReview = {
  chainId: string;
  status: TChainReviewStatus;
  reviewer: string | null;
  statement: string | null;
  signedOffAt: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
  /** findings of the chain per effective state (stored and read-time) */
  findingStates: Record<TFindingState, number>;
  history: TReviewEntry[];
};

/** GET /api/v1/stream: `since` a cursor from the last line of a previous answer; `limit` events and findings each (≤ 5000). */
export const ZStreamQuery = z.object({
  since: z.string().max(40).optional(),
  limit: z.coerce
    .number()
    .int()
    .catch(500)
    .transform((n) => Math.min(Math.max(n, 1), 5000))
    .default(500),
});
export type TStreamQuery = z.infer<typeof ZStreamQuery>;

export const SAVED_VIEW_PAGES = ["chains", "findings"] as const;
export type TSavedViewPage = (typeof SAVED_VIEW_PAGES)[number];

/** POST /api/v1/views: `query` is the list's query string (with or without "?"); paging is dropped. */
export const ZSavedViewBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    page: z.enum(SAVED_VIEW_PAGES),
    query: z.string().max(2000),
    shared: z.boolean().default(false),
  })
  .strict();
export type TSavedViewBody = z.infer<typeof ZSavedViewBody>;

export type TSavedView = {
  id: string;
  name: string;
  page: TSavedViewPage;
  query: string;
  /** the view's URL: it reproduces the list */
  href: string;
  owner: string;
  shared: boolean;
  isMine: boolean;
  createdAt: string;
};
export type TSavedViewList = { items: TSavedView[] };
