// The filters of GET /api/v1/chains (spec §6, §8), shared by the list, the CSV export and the
// period report so that every export covers exactly the chains on screen.
import { z } from "zod";
import { FINDING_CODES } from "@/lib/protocol/types";

/** NumericDate seconds or an ISO 8601 date/time. */
const ZTime = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const n = /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
    if (Number.isFinite(n)) return n;
    if (!Number.isNaN(n)) {
      ctx.addIssue({ code: "custom", message: "must be a NumericDate (seconds) that fits a finite number" });
      return z.NEVER;
    }
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: "custom", message: "must be a NumericDate (seconds) or an ISO 8601 time" });
      return z.NEVER;
    }
    return ms / 1000;
  });

export const ZChainFilters = z.object({
  status: z.enum(["verified", "warning", "pending", "violation"]).optional(),
  principal: z.string().min(1).max(200).optional(),
  scope: z.string().min(1).max(500).optional(),
  purpose: z.string().min(1).max(200).optional(),
  finding: z.enum(FINDING_CODES as [string, ...string[]]).optional(),
  since: ZTime.optional(),
  until: ZTime.optional(),
  q: z.string().trim().min(1).max(200).optional(),
});
export type TChainFilters = z.infer<typeof ZChainFilters>;

export const ZChainListQuery = ZChainFilters.extend({
  cursor: z.string().max(500).optional(),
  limit: z.coerce
    .number()
    .int()
    .catch(50)
    .transform((n) => Math.min(Math.max(n, 1), 200))
    .default(50),
});
export type TChainListQuery = z.infer<typeof ZChainListQuery>;

/** Reads query parameters, ignoring empty ones, into the schema. */
export function searchParamsObject(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) if (v !== "") out[k] = v;
  return out;
}
