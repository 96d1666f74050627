// Query and body pieces every resource's contract uses, written once.
import { z } from "zod";

export const MAX_PAGE = 200;
export const DEFAULT_PAGE = 50;

/** `limit`: default 50, clamped to 1..200; anything that is not a number means the default. */
export const ZLimit = z.coerce
  .number()
  .int()
  .catch(DEFAULT_PAGE)
  .transform((n) => Math.min(Math.max(n, 1), MAX_PAGE))
  .default(DEFAULT_PAGE);

/** An id cursor of a list ordered by an integer key: a positive 32-bit integer, as the columns hold. */
export const ZIntCursor = z.coerce
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1, { error: "cursor is not valid; use nextCursor from a previous page." });

/** NumericDate seconds or an ISO 8601 date/time, as a finite NumericDate. */
export const ZTime = z
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

/** Query parameters as a plain object for a schema, ignoring empty ones (`?status=` means no filter). */
export function searchParamsObject(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) if (v !== "") out[k] = v;
  return out;
}
