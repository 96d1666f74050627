// The two places where the databases' SQL differs in what a Prisma filter means, written once.
import type { Prisma } from "@/generated/sqlite/client";
import type { TDatabase } from "./connect";

/** A case-insensitive substring filter: SQLite's LIKE already ignores ASCII case; PostgreSQL needs ILIKE. */
export function containsText(db: TDatabase, value: string): { contains: string } {
  return db.kind === "postgres" ? ({ contains: value, mode: "insensitive" } as { contains: string }) : { contains: value };
}

/** The first string after every string that starts with `prefix` (ASCII scopes, byte order). */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/**
 * Values that start with `prefix`: a range on SQLite, which compares text bytewise and so reads it
 * off the index; LIKE 'p%' on PostgreSQL, right under any collation. `isExact` is false when LIKE
 * would also match other strings (Prisma does not escape "_").
 */
export function startsWithText<M extends "ChainScope" | "ChainPurpose" = "ChainScope">(
  db: TDatabase,
  prefix: string,
): { where: Prisma.StringFilter<M>; isExact: boolean } {
  if (db.kind === "postgres") return { where: { startsWith: prefix }, isExact: !prefix.includes("_") };
  return { where: { gte: prefix, lt: prefixEnd(prefix) }, isExact: true };
}
