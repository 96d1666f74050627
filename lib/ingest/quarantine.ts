// Rejected submissions, kept with their raw bytes and reason (spec §4: nothing sent is lost).
import { db } from "@/lib/db";

export async function listQuarantine({ cursor, limit, code }: { cursor?: number; limit: number; code?: string }) {
  const prisma = await db();
  const rows = await prisma.quarantine.findMany({
    where: { ...(cursor ? { id: { lt: cursor } } : {}), ...(code ? { code } : {}) },
    orderBy: { id: "desc" },
    take: limit + 1,
  });
  const items = rows.slice(0, limit).map((r) => ({
    id: r.id,
    receivedAt: r.receivedAt.toISOString(),
    jti: r.jti,
    code: r.code,
    message: r.message,
    raw: r.raw,
  }));
  return { items, nextCursor: rows.length > limit ? String(items[items.length - 1].id) : null };
}
