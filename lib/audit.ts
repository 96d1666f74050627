// The dashboard audits itself: who did what, when (sign-ins, chain views, exports, token and
// principal changes). Admins read it at GET /api/v1/audit.
import { stores } from "@/lib/db";
import type { TAuditFilters, TAuditPage } from "@/lib/contracts/audit";
import type { TActor } from "@/lib/auth/authenticate";

export async function recordAudit(actor: Pick<TActor, "kind" | "name"> | string, action: string, target?: string, detail?: unknown) {
  await (
    await stores()
  ).audit.append({
    actor: typeof actor === "string" ? actor : `${actor.kind}:${actor.name}`,
    action,
    target: target ?? null,
    detail: detail === undefined ? null : JSON.stringify(detail),
  });
}

const FAILED_SIGN_IN = "auth.sign_in_failed";
const AGGREGATE_SECONDS = 15 * 60;
const MAX_ADDRESSES = 10;

type TFailedSignIns = { count: number; firstAt: string; lastAt: string; addresses: string[]; reasons: Record<string, number> };

/**
 * Failed sign-ins are aggregated: one audit row per account and 15-minute burst, counting the
 * attempts, their reasons and up to ten client addresses, so a brute-force run cannot flood the
 * log and still shows in it. `target` is the account as emailKey() allows it to be stored.
 */
export async function recordFailedSignIn(target: string, address: string, reason: "wrong_password" | "throttled") {
  const store = (await stores()).audit;
  const now = new Date();
  const latest = await store.latest(FAILED_SIGN_IN, target, new Date(now.getTime() - AGGREGATE_SECONDS * 1000));
  if (latest?.detail) {
    const d = JSON.parse(latest.detail) as TFailedSignIns;
    const addresses = d.addresses.includes(address) || d.addresses.length >= MAX_ADDRESSES ? d.addresses : [...d.addresses, address];
    const detail: TFailedSignIns = {
      ...d,
      count: d.count + 1,
      lastAt: now.toISOString(),
      addresses,
      reasons: { ...d.reasons, [reason]: (d.reasons[reason] ?? 0) + 1 },
    };
    await store.updateDetail(latest.id, JSON.stringify(detail), address);
    return;
  }
  const detail: TFailedSignIns = { count: 1, firstAt: now.toISOString(), lastAt: now.toISOString(), addresses: [address], reasons: { [reason]: 1 } };
  await store.append({ actor: "anonymous", action: FAILED_SIGN_IN, target, detail: JSON.stringify(detail), ip: address });
}

const toDate = (seconds: number | undefined) => (seconds === undefined ? undefined : new Date(seconds * 1000));

export async function listAudit({ cursor, limit, ...f }: TAuditFilters & { cursor?: number; limit: number }): Promise<TAuditPage> {
  const rows = await (
    await stores()
  ).audit.list({
    before: cursor,
    take: limit + 1,
    actor: f.actor,
    action: f.action,
    target: f.target,
    since: toDate(f.since),
    until: toDate(f.until),
  });
  const items = rows.slice(0, limit).map((r) => ({ ...r, at: r.at.toISOString(), detail: r.detail ? (JSON.parse(r.detail) as unknown) : null }));
  return { items, nextCursor: rows.length > limit ? String(items[items.length - 1].id) : null };
}
