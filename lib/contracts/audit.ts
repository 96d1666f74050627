// The self-audit contract: GET /api/v1/audit.
import { z } from "zod";
import { ZIntCursor, ZLimit, ZTime } from "./common";

/** Filters of the self-audit (and its CSV): actor and target as substrings, action as a prefix, a time range. */
export const ZAuditFilters = z.object({
  actor: z.string().trim().min(1).max(200).optional(),
  action: z.string().trim().min(1).max(100).optional(),
  target: z.string().trim().min(1).max(400).optional(),
  since: ZTime.optional(),
  until: ZTime.optional(),
});
export type TAuditFilters = z.infer<typeof ZAuditFilters>;

export const ZAuditQuery = ZAuditFilters.extend({ cursor: ZIntCursor.optional(), limit: ZLimit });
export type TAuditQuery = z.infer<typeof ZAuditQuery>;

export type TAuditEntry = { id: number; at: string; actor: string; action: string; target: string | null; detail: unknown; ip: string | null };
export type TAuditPage = { items: TAuditEntry[]; nextCursor: string | null };
