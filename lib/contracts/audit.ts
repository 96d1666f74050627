// The self-audit contract: GET /api/v1/audit.
import { z } from "zod";
import { ZIntCursor, ZLimit } from "./common";

export const ZAuditQuery = z.object({ cursor: ZIntCursor.optional(), limit: ZLimit });
export type TAuditQuery = z.infer<typeof ZAuditQuery>;

export type TAuditEntry = { id: number; at: string; actor: string; action: string; target: string | null; detail: unknown; ip: string | null };
export type TAuditPage = { items: TAuditEntry[]; nextCursor: string | null };
