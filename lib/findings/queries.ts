// The findings list: stored findings newest first, and the read-time broken audit trails
// (missing_evidence), computed now from the chains whose evidence is overdue.
import { stores } from "@/lib/db";
import { AppError } from "@/lib/http";
import { loadChainInputs } from "@/lib/chains/load";
import { nowSeconds } from "@/lib/chains/queries";
import type { TFindingItem, TFindingList, TFindingsQuery } from "@/lib/contracts/findings";
import { anyReadTimeFindings, checkAnyChain } from "@/lib/protocol/any-chain";
import type { TEventKind, TFindingCode, TSeverity } from "@/lib/protocol/types";
import type { TFindingReview } from "@/lib/contracts/review";
import { effectiveReview } from "@/lib/review/state";
import { toStoredReview } from "@/lib/review/service";

/** The reviews of these findings as they read at `now` (open for those nobody touched). */
async function reviewsOf(findings: { eventJti: string; code: string; severity: string; message: string }[], now: number) {
  const rows = await (await stores()).review.reviews(findings.map((f) => ({ eventJti: f.eventJti, code: f.code })));
  const byKey = new Map(rows.map((r) => [`${r.eventJti}\n${r.code}`, r]));
  return (f: { eventJti: string; code: string; severity: string; message: string }): TFindingReview => {
    const stored = byKey.get(`${f.eventJti}\n${f.code}`);
    return effectiveReview(stored ? toStoredReview(stored) : null, f, now);
  };
}

const READ_TIME_CHAIN_PAGE = 50;

/**
 * Findings, newest first. Stored findings page by id; `code=missing_evidence` lists the read-time
 * broken audit trails instead, paged by chain. Without a code filter the answer also says how many
 * chains have overdue evidence.
 */
export async function listFindings(q: TFindingsQuery, now = nowSeconds()): Promise<TFindingList> {
  if (q.code === "missing_evidence") return listMissingEvidence(q, now);
  const cursor = q.cursor === undefined ? undefined : Number(q.cursor);
  if (cursor !== undefined && !(Number.isSafeInteger(cursor) && cursor > 0)) {
    throw new AppError("invalid_request", "cursor is not valid; use nextCursor from a previous page.");
  }
  const s = await stores();
  const store = s.insights;
  const rows = await s.review.findings({
    code: q.code,
    severity: q.severity,
    chain: q.chain,
    principal: q.principal,
    state: q.state,
    assignee: q.assignee === undefined ? undefined : q.assignee === "none" ? "" : q.assignee,
    before: cursor,
    take: q.limit + 1,
    now,
  });
  const page = rows.slice(0, q.limit);
  const eventOf = new Map((await store.eventBriefs([...new Set(page.map((f) => f.eventJti))])).map((e) => [e.jti, e]));
  const reviewOf = await reviewsOf(page, now);
  const overdueChains = q.severity && q.severity !== "warning" ? 0 : await store.overdueChainCount({ now, chain: q.chain, principal: q.principal });
  const items: TFindingItem[] = page.map((f) => ({
    id: f.id,
    code: f.code as TFindingCode,
    severity: f.severity as TSeverity,
    message: f.message,
    eventJti: f.eventJti,
    chainId: f.chainId,
    eventKind: (eventOf.get(f.eventJti)?.kind ?? null) as TEventKind | null,
    iss: eventOf.get(f.eventJti)?.iss ?? null,
    iat: eventOf.get(f.eventJti)?.iat ?? null,
    isReadTime: false,
    review: reviewOf(f),
  }));
  return { items, nextCursor: rows.length > q.limit ? String(page[page.length - 1].id) : null, readTime: { missingEvidenceChains: overdueChains } };
}

async function listMissingEvidence(q: TFindingsQuery, now: number): Promise<TFindingList> {
  if (q.severity && q.severity !== "warning") return { items: [], nextCursor: null, readTime: { missingEvidenceChains: 0 } };
  const s = await stores();
  const take = Math.min(q.limit, READ_TIME_CHAIN_PAGE);
  const ids = await s.insights.overdueChainIds({ now, chain: q.chain, principal: q.principal, after: q.cursor, take: take + 1 });
  const page = ids.slice(0, take);
  const inputs = await loadChainInputs(s.chains, page);
  let items: TFindingItem[] = [];
  for (const input of inputs.values()) {
    const late = anyReadTimeFindings(input, checkAnyChain(input), now);
    const claimsOf = new Map(input.events.map((e) => [e.jti, e.claims]));
    for (const [jti, f] of late) {
      const c = claimsOf.get(jti);
      items.push({
        id: `${input.chainId}#${jti}`,
        code: f.code,
        severity: f.severity,
        message: f.message,
        eventJti: jti,
        chainId: input.chainId,
        eventKind: c?.kind ?? null,
        iss: c?.iss ?? null,
        iat: c?.iat ?? null,
        isReadTime: true,
        review: effectiveReview(null, f, now),
      });
    }
  }
  // Reviews of read-time findings are looked up per page; the state and assignee filters apply to
  // the page (a filtered page may hold fewer than `limit` items, its cursor still pages on).
  const reviewOf = await reviewsOf(items, now);
  items = items.map((i) => ({ ...i, review: reviewOf(i) }));
  if (q.state) items = items.filter((i) => i.review.state === q.state);
  if (q.assignee) items = items.filter((i) => (q.assignee === "none" ? i.review.assignee === null : i.review.assignee === q.assignee));
  return { items, nextCursor: ids.length > page.length ? page[page.length - 1] : null, readTime: { missingEvidenceChains: null } };
}
