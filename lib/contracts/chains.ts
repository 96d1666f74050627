// The chains contract: the filters of GET /api/v1/chains (docs/protocol.md §6, §8), shared by the list, the
// CSV export and the period report so that every export covers exactly the chains on screen, and
// the read models the API returns (chain-models.ts, re-exported here).
import { z } from "zod";
import { CHAIN_SOURCES } from "@/lib/protocol/grammar";
import { FINDING_CODES } from "@/lib/protocol/types";
import { ZLimit, ZTime } from "./common";
import { CHAIN_REVIEW_STATUSES } from "./review";

export { searchParamsObject } from "./common";
export type * from "./chain-models";

export const ZChainFilters = z.object({
  status: z.enum(["verified", "warning", "pending", "violation", "observed"]).optional(),
  principal: z.string().min(1).max(200).optional(),
  scope: z.string().min(1).max(500).optional(),
  purpose: z.string().min(1).max(200).optional(),
  finding: z.enum(FINDING_CODES as [string, ...string[]]).optional(),
  since: ZTime.optional(),
  until: ZTime.optional(),
  q: z.string().trim().min(1).max(200).optional(),
  source: z.enum(CHAIN_SOURCES).optional(),
  review: z.enum(CHAIN_REVIEW_STATUSES).optional(),
});
export type TChainFilters = z.infer<typeof ZChainFilters>;

/**
 * The list's orders (`sort`; absent means newest first, the spec's order). A key sorts ascending,
 * `-key` descending; ties go by start time then id in the same direction, except `status`, whose
 * groups each list newest first. docs/api.md "Sorting the chain list" says what each one means.
 */
export const CHAIN_SORTS = ["started", "-started", "status", "-status", "hops", "-hops", "findings", "-findings", "purpose", "-purpose"] as const;
export type TChainSortParam = (typeof CHAIN_SORTS)[number];

export const ZChainListQuery = ZChainFilters.extend({
  // A sorted list's cursor carries its last row's sort key (a purpose code and a chain id, up to 200 characters each).
  cursor: z.string().max(1200).optional(),
  limit: ZLimit,
  sort: z
    .enum(CHAIN_SORTS)
    .optional()
    .describe(
      "The order: started (oldest first), status (worst first: violation, pending, warning, verified, observed; each newest first), hops (fewest first), findings (fewest critical, then error, then warning first), purpose (A to Z, chains without a purpose code last); a leading - reverses it (chains without a purpose stay last). Ties go by start time, then id, in the same direction. Absent: newest first.",
    ),
});
export type TChainListQuery = z.infer<typeof ZChainListQuery>;

/**
 * GET /api/v1/chains/{id}: `include=raw` adds every event's raw token (roles that may read them;
 * others get 403). Without it tokens are empty strings: the dashboard reads the one it shows from
 * GET /api/v1/events/{jti}, and a thousand-hop chain's answer is a third smaller.
 */
export const ZChainDetailQuery = z.object({ include: z.enum(["raw"]).optional() });
export type TChainDetailQuery = z.infer<typeof ZChainDetailQuery>;
