// The quarantine contract: GET /api/v1/quarantine.
import { z } from "zod";
import { REJECT_CODES } from "@/lib/protocol/types";
import { ZIntCursor, ZLimit } from "./common";

export const ZQuarantineQuery = z.object({ code: z.enum(REJECT_CODES).optional(), cursor: ZIntCursor.optional(), limit: ZLimit });
export type TQuarantineQuery = z.infer<typeof ZQuarantineQuery>;

export type TQuarantineItem = { id: number; receivedAt: string; jti: string | null; code: string; message: string; raw: string };
export type TQuarantinePage = { items: TQuarantineItem[]; nextCursor: string | null };
