// The dashboard audits itself: who did what, when (sign-ins, chain views, exports, token and
// principal changes). Admins read it at GET /api/v1/audit.
import { db } from "@/lib/db";
import type { TActor } from "@/lib/auth/authenticate";

export async function recordAudit(actor: Pick<TActor, "kind" | "name"> | string, action: string, target?: string, detail?: unknown) {
  const prisma = await db();
  await prisma.auditEntry.create({
    data: {
      actor: typeof actor === "string" ? actor : `${actor.kind}:${actor.name}`,
      action,
      target: target ?? null,
      detail: detail === undefined ? null : JSON.stringify(detail),
    },
  });
}

export async function listAudit({ cursor, limit }: { cursor?: number; limit: number }) {
  const prisma = await db();
  const rows = await prisma.auditEntry.findMany({
    orderBy: { id: "desc" },
    take: limit + 1,
    ...(cursor ? { where: { id: { lt: cursor } } } : {}),
  });
  const items = rows.slice(0, limit).map((r) => ({ ...r, at: r.at.toISOString(), detail: r.detail ? JSON.parse(r.detail) : null }));
  return { items, nextCursor: rows.length > limit ? String(items[items.length - 1].id) : null };
}
