// The findings list: stored findings newest first, and the read-time broken audit trails
// (missing_evidence), computed now from the chains whose evidence is overdue.
import { stores } from "@/lib/db";
import { AppError } from "@/lib/http";
import { loadChainInputs, type TLoadedChain } from "@/lib/chains/load";
import { chainFactSources, findingFacts } from "@/lib/ui/finding-sentence";
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
/** Overdue chains whose broken audit trails the default list merges in; past it the list says so. */
const READ_TIME_MERGE_CHAINS = 500;

/** The time the Findings page shows for a finding: the flagged event's iat, or a grant's expiry for a broken audit trail. */
type TTimeKey = { t: number; readTime: boolean; id: string };

/** "t~r~id": the last row of a page, in the list's order (time desc; at one time, read-time first; then id desc). */
function encodeCursor(k: TTimeKey): string {
  return `${k.t}~${k.readTime ? "r" : "s"}~${k.id}`;
}
function decodeCursor(c: string | undefined): TTimeKey | null {
  if (c === undefined) return null;
  const m = /^(-?\d+(?:\.\d+)?)~([rs])~(.+)$/.exec(c);
  const t = m ? Number(m[1]) : NaN;
  if (!m || !Number.isFinite(t) || (m[2] === "s" && !/^\d+$/.test(m[3]))) {
    throw new AppError("invalid_request", "cursor is not valid; use nextCursor from a previous page.");
  }
  return { t, readTime: m[2] === "r", id: m[3] };
}
/** a before b in the list's order */
function earlier(a: TTimeKey, b: TTimeKey): boolean {
  if (a.t !== b.t) return a.t > b.t;
  if (a.readTime !== b.readTime) return a.readTime;
  return a.readTime ? a.id > b.id : Number(a.id) > Number(b.id);
}

/** Facts and names for the findings' sentences, from their chains' events. */
async function factsFor(items: { chainId: string; eventJti: string; code: TFindingCode }[], loaded?: Map<string, TLoadedChain>) {
  const s = await stores();
  const need = [...new Set(items.map((i) => i.chainId))].filter((id) => !loaded?.has(id));
  const chains = new Map([...(loaded ?? []), ...(await loadChainInputs(s.chains, need))]);
  const sources = new Map([...chains].map(([id, c]) => [id, chainFactSources(c.events)]));
  const facts = items.map((i) => {
    const src = sources.get(i.chainId);
    return src ? findingFacts(i.code, i.eventJti, src.events, src.revokes) : findingFacts(i.code, i.eventJti, new Map(), new Map());
  });
  const ids = new Set<string>();
  for (const f of facts) for (const e of [f.event, f.grant]) if (e) [e.iss, e.aud].forEach((p) => p && ids.add(p));
  for (const f of facts) if (f.revocation) ids.add(f.revocation.by);
  const names = new Map((await s.exports.principals([...ids])).filter((p) => p.name).map((p) => [p.id, p.name!] as const));
  return facts.map((f) => {
    const own: Record<string, string> = {};
    for (const e of [f.event, f.grant]) if (e) [e.iss, e.aud].forEach((p) => p && names.has(p) && (own[p] = names.get(p)!));
    if (f.revocation && names.has(f.revocation.by)) own[f.revocation.by] = names.get(f.revocation.by)!;
    return { facts: f, names: own };
  });
}

/**
 * Findings, newest first by the time the list shows (the flagged event's iat; a broken audit trail's
 * grant expiry). Without a code filter the read-time broken audit trails (missing_evidence, judged
 * now from the clock) are merged in, as the Overview counts them; `code=missing_evidence` lists only
 * them, paged by chain. Any other code, or an error/critical severity, lists stored findings only.
 */
const MAX_FINDING_ID = 2_147_483_647;

export async function listFindings(q: TFindingsQuery, now = nowSeconds()): Promise<TFindingList> {
  if (q.code === "missing_evidence") return listMissingEvidence(q, now);
  const cursor = decodeCursor(q.cursor);
  const s = await stores();
  const store = s.insights;
  const rows = await s.review.findings({
    code: q.code,
    severity: q.severity,
    chain: q.chain,
    principal: q.principal,
    state: q.state,
    assignee: q.assignee === undefined ? undefined : q.assignee === "none" ? "" : q.assignee,
    // After a read-time row at time t every stored row at t still follows (read-time rows come first at one time):
    // the largest id a Finding can have (a 32-bit SERIAL on PostgreSQL, which refuses a larger parameter) stands for "all".
    beforeTime: cursor === null ? "start" : { iat: cursor.t, id: cursor.readTime ? MAX_FINDING_ID : Number(cursor.id) },
    take: q.limit + 1,
    now,
  });
  const eventOf = new Map((await store.eventBriefs([...new Set(rows.map((f) => f.eventJti))])).map((e) => [e.jti, e]));
  const reviewOf = await reviewsOf(rows, now);
  const stored: (TFindingItem & { key: TTimeKey })[] = rows.map((f) => {
    const ev = eventOf.get(f.eventJti);
    return {
      id: f.id,
      code: f.code as TFindingCode,
      severity: f.severity as TSeverity,
      message: f.message,
      eventJti: f.eventJti,
      chainId: f.chainId,
      eventKind: (ev?.kind ?? null) as TEventKind | null,
      iss: ev?.iss ?? null,
      iat: ev?.iat ?? null,
      at: ev?.iat ?? null,
      isReadTime: false,
      review: reviewOf(f),
      facts: { code: f.code as TFindingCode, event: null, grant: null, revocation: null, egress: null },
      names: {},
      key: { t: ev?.iat ?? 0, readTime: false, id: String(f.id) },
    };
  });
  const mergeReadTime = q.code === undefined && (!q.severity || q.severity === "warning");
  let readTime: (TFindingItem & { key: TTimeKey })[] = [];
  let loaded = new Map<string, TLoadedChain>();
  let overdueChains = 0;
  let notMerged = 0;
  if (mergeReadTime) {
    const overdue = await store.overdueGrantExps({ now, chain: q.chain, principal: q.principal, take: READ_TIME_MERGE_CHAINS + 1 });
    overdueChains = overdue.length;
    notMerged = Math.max(0, overdue.length - READ_TIME_MERGE_CHAINS);
    // Only the chains with an overdue expiry inside this page's time window are loaded and judged.
    const floor = stored.length > q.limit ? stored[q.limit - 1].key.t : -Infinity;
    const inWindow = (t: number) => t < now && t >= floor && (cursor === null || t <= cursor.t);
    const ids = overdue
      .slice(0, READ_TIME_MERGE_CHAINS)
      .filter((c) => (JSON.parse(c.openGrantExps) as number[]).some(inWindow))
      .map((c) => c.id);
    loaded = await loadChainInputs(s.chains, ids);
    readTime = await readTimeItems(loaded, now, q);
    readTime = readTime.filter((i) => cursor === null || earlier(cursor, i.key));
  }
  const page = [...stored, ...readTime].sort((a, b) => (earlier(a.key, b.key) ? -1 : earlier(b.key, a.key) ? 1 : 0));
  const shown = page.slice(0, q.limit);
  const hasMore = page.length > q.limit;
  const withFacts = await factsFor(shown, loaded);
  const items: TFindingItem[] = shown.map(({ key: _key, ...item }, i) => ({ ...item, ...withFacts[i] }));
  return {
    items,
    nextCursor: hasMore ? encodeCursor(shown[shown.length - 1].key) : null,
    readTime: { missingEvidenceChains: mergeReadTime ? overdueChains : 0, merged: mergeReadTime, notMergedChains: notMerged },
  };
}

/** The broken audit trails of loaded chains, as list items with their time keys (the grant's expiry). */
async function readTimeItems(inputs: Map<string, TLoadedChain>, now: number, q: TFindingsQuery): Promise<(TFindingItem & { key: TTimeKey })[]> {
  let items: (TFindingItem & { key: TTimeKey })[] = [];
  for (const input of inputs.values()) {
    const late = anyReadTimeFindings(input, checkAnyChain(input), now);
    const claimsOf = new Map(input.events.map((e) => [e.jti, e.claims]));
    for (const [jti, f] of late) {
      const c = claimsOf.get(jti);
      const exp = c && "exp" in c && typeof c.exp === "number" ? c.exp : now;
      const id = `${input.chainId}#${jti}`;
      items.push({
        id,
        code: f.code,
        severity: f.severity,
        message: f.message,
        eventJti: jti,
        chainId: input.chainId,
        eventKind: c?.kind ?? null,
        iss: c?.iss ?? null,
        iat: c?.iat ?? null,
        at: exp,
        isReadTime: true,
        review: effectiveReview(null, f, now),
        facts: { code: f.code, event: null, grant: null, revocation: null, egress: null },
        names: {},
        key: { t: exp, readTime: true, id },
      });
    }
  }
  // Reviews of read-time findings are looked up per page; the state and assignee filters apply to the page.
  const reviewOf = await reviewsOf(items, now);
  items = items.map((i) => ({ ...i, review: reviewOf(i) }));
  if (q.state) items = items.filter((i) => i.review.state === q.state);
  if (q.assignee) items = items.filter((i) => (q.assignee === "none" ? i.review.assignee === null : i.review.assignee === q.assignee));
  return items;
}

async function listMissingEvidence(q: TFindingsQuery, now: number): Promise<TFindingList> {
  const none = { missingEvidenceChains: 0, merged: false, notMergedChains: 0 };
  if (q.severity && q.severity !== "warning") return { items: [], nextCursor: null, readTime: none };
  const s = await stores();
  const take = Math.min(q.limit, READ_TIME_CHAIN_PAGE);
  const ids = await s.insights.overdueChainIds({ now, chain: q.chain, principal: q.principal, after: q.cursor, take: take + 1 });
  const page = ids.slice(0, take);
  const inputs = await loadChainInputs(s.chains, page);
  // Paged by chain; within a page newest expiry first, like the default list.
  const items = (await readTimeItems(inputs, now, q)).sort((a, b) => b.key.t - a.key.t || (a.id < b.id ? 1 : -1));
  const withFacts = await factsFor(items, inputs);
  return {
    items: items.map(({ key: _key, ...item }, i) => ({ ...item, ...withFacts[i] })),
    nextCursor: ids.length > page.length ? page[page.length - 1] : null,
    readTime: { missingEvidenceChains: null, merged: false, notMergedChains: 0 },
  };
}
