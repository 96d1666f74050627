// The review workflow (docs/review.md): triage a finding (state, assignee, notes), the same for
// many at once, and a chain's review up to its sign-off. Every change writes the finding's or
// chain's history and a row of the self-audit, with who and when.
import { recordAudit } from "@/lib/audit";
import type { TActor } from "@/lib/auth/authenticate";
import { loadChainInputs } from "@/lib/chains/load";
import { getChain, nowSeconds } from "@/lib/chains/queries";
import type {
  TBulkReviewResult,
  TChainReview,
  TChainReviewBody,
  TFindingReview,
  TFindingReviewBulk,
  TFindingReviewPatch,
  TFindingState,
  TFindingWithHistory,
  TReviewEntry,
} from "@/lib/contracts/review";
import { FINDING_STATES } from "@/lib/contracts/review";
import { stores } from "@/lib/db";
import { chainTarget, findingTarget, type TFindingKey, type TFindingReviewRow, type TReviewEntryRow } from "@/lib/db/stores/review";
import { AppError } from "@/lib/http";
import { checkChain, readTimeFindings } from "@/lib/protocol/chain";
import { notify } from "@/lib/webhooks/service";
import { effectiveReview, planChange, type TFindingFacts, type TStoredReview } from "./state";

type TResolvedFinding = TFindingKey & TFindingFacts & { id: string | number; chainId: string };

export const actorName = (actor: Pick<TActor, "kind" | "name">) => `${actor.kind}:${actor.name}`;

export function toStoredReview(r: TFindingReviewRow): TStoredReview {
  return { ...r, state: r.state as TFindingState };
}

export function toEntry(e: TReviewEntryRow): TReviewEntry {
  return {
    id: e.id,
    at: e.at.toISOString(),
    actor: e.actor,
    action: e.action as TReviewEntry["action"],
    fromState: e.fromState,
    toState: e.toState,
    assignee: e.assignee,
    note: e.note,
    acceptedUntil: e.acceptedUntil,
  };
}

/**
 * The finding an id of GET /api/v1/findings names: a stored finding's number, or "<chain>#<grant>"
 * for a missing_evidence judged now (reviewable while it holds).
 */
async function resolveFinding(id: string | number, now: number): Promise<TResolvedFinding> {
  const s = await stores();
  const raw = String(id);
  if (/^\d{1,10}$/.test(raw)) {
    const f = await s.review.finding(Number(raw));
    if (!f) throw new AppError("not_found", `No finding ${raw}.`);
    return { id: f.id, eventJti: f.eventJti, code: f.code, chainId: f.chainId, severity: f.severity, message: f.message };
  }
  const hash = raw.indexOf("#");
  if (hash > 0) {
    const chainId = raw.slice(0, hash);
    const jti = raw.slice(hash + 1);
    const input = (await loadChainInputs(s.chains, [chainId])).get(chainId);
    const f = input && input.events.length ? readTimeFindings(checkChain(input), now).get(jti) : undefined;
    if (f) return { id: raw, eventJti: jti, code: f.code, chainId, severity: f.severity, message: f.message };
  }
  throw new AppError("not_found", `No finding ${raw}; use an id from GET /api/v1/findings.`);
}

async function withHistory(f: TResolvedFinding, now: number): Promise<TFindingWithHistory> {
  const s = await stores();
  const [[stored], history] = await Promise.all([s.review.reviews([f]), s.review.history(findingTarget(f))]);
  return {
    id: f.id,
    code: f.code,
    severity: f.severity,
    message: f.message,
    eventJti: f.eventJti,
    chainId: f.chainId,
    review: effectiveReview(stored ? toStoredReview(stored) : null, f, now),
    history: history.map(toEntry),
  };
}

export async function getFindingReview(id: string, now = nowSeconds()): Promise<TFindingWithHistory> {
  return withHistory(await resolveFinding(id, now), now);
}

type TChange = Omit<TFindingReviewPatch, "acceptedUntil"> & { acceptedUntil?: number };

async function applyChange(f: TResolvedFinding, change: TChange, actor: TActor, now: number): Promise<TFindingReview> {
  const s = await stores();
  const [stored] = await s.review.reviews([f]);
  const who = actorName(actor);
  const plan = planChange(stored ? toStoredReview(stored) : null, f, change, who, now);
  if (!plan.ok) throw new AppError(plan.error.code, plan.error.message);
  await s.review.writeFinding({ eventJti: f.eventJti, code: f.code, chainId: f.chainId, ...plan.row }, plan.entries);
  for (const e of plan.entries) {
    await recordAudit(e.actor === "system" ? "system" : actor, `finding.${e.action}`, findingTarget(f), {
      id: f.id,
      chain: f.chainId,
      from: e.fromState ?? undefined,
      to: e.toState ?? undefined,
      assignee: e.action === "assign" ? e.assignee : undefined,
      note: e.note ?? undefined,
      acceptedUntil: e.acceptedUntil ?? undefined,
    });
  }
  // After the commit, outside it: a webhook queue that fails does not undo a decision (docs/review.md#webhooks).
  for (const e of plan.entries) {
    if (e.action !== "state") continue;
    await notify("finding.state_changed", {
      finding: { id: f.id, chain: f.chainId, event: f.eventJti, code: f.code, severity: f.severity, message: f.message },
      from: e.fromState,
      to: e.toState,
      actor: e.actor,
      note: e.note,
      assignee: plan.row.assignee,
      acceptedUntil: e.acceptedUntil,
    });
  }
  return effectiveReview(plan.row, f, now);
}

export async function reviewFinding(id: string, patch: TFindingReviewPatch, actor: TActor, now = nowSeconds()): Promise<TFindingWithHistory> {
  const f = await resolveFinding(id, now);
  await applyChange(f, patch, actor, now);
  return withHistory(f, now);
}

/** The same change to each finding; one failing (not found, a rule) does not stop the others. */
export async function reviewFindings(bulk: TFindingReviewBulk, actor: TActor, now = nowSeconds()): Promise<TBulkReviewResult> {
  const { ids, ...change } = bulk;
  const results: TBulkReviewResult["results"] = [];
  for (const id of [...new Set(ids)]) {
    try {
      const f = await resolveFinding(id, now);
      results.push({ id, ok: true, review: await applyChange(f, change, actor, now) });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      results.push({ id, ok: false, error: { code: error.code, message: error.message } });
    }
  }
  return { results };
}

// ---------------------------------------------------------------------------------------------
// Chains

/** Every finding of the chain (stored and read-time) with its review as it reads now. */
export async function chainFindingReviews(chainId: string, now = nowSeconds()) {
  const detail = await getChain(chainId, { now, includeRaw: false });
  const reviews = await (await stores()).review.chainFindingReviews(chainId);
  const byKey = new Map(reviews.map((r) => [`${r.eventJti}\n${r.code}`, r]));
  return detail.findings.map((f) => {
    const stored = byKey.get(`${f.eventJti}\n${f.code}`);
    return { finding: f, review: effectiveReview(stored ? toStoredReview(stored) : null, f, now) };
  });
}

export async function getChainReview(chainId: string, now = nowSeconds()): Promise<TChainReview> {
  const s = await stores();
  const findings = await chainFindingReviews(chainId, now);
  const [row, history] = await Promise.all([s.review.chainReview(chainId), s.review.chainHistory(chainId)]);
  const findingStates = Object.fromEntries(FINDING_STATES.map((st) => [st, 0])) as Record<TFindingState, number>;
  for (const f of findings) findingStates[f.review.state]++;
  return {
    chainId,
    status: (row?.status ?? "unreviewed") as TChainReview["status"],
    reviewer: row?.reviewer ?? null,
    statement: row?.statement ?? null,
    signedOffAt: row?.signedOffAt?.toISOString() ?? null,
    updatedAt: row?.updatedAt.toISOString() ?? null,
    updatedBy: row?.updatedBy ?? null,
    findingStates,
    history: history.filter((e) => e.target === chainTarget(chainId)).map(toEntry),
  };
}

/**
 * Moves a chain's review. Signing off needs a statement and no open or acknowledged finding: every
 * finding has been decided (resolved, accepted as a risk or a false positive). A signed-off chain
 * goes back to in_review (or unreviewed) before it is signed again.
 */
export async function setChainReview(chainId: string, body: TChainReviewBody, actor: TActor, now = nowSeconds()): Promise<TChainReview> {
  const s = await stores();
  const current = await getChainReview(chainId, now);
  if (current.status === body.status) throw new AppError("conflict", `The chain is already ${body.status.replace("_", " ")}.`);
  if (body.status === "signed_off") {
    const undecided = current.findingStates.open + current.findingStates.acknowledged;
    if (undecided > 0) {
      throw new AppError(
        "conflict",
        `${undecided} finding${undecided === 1 ? " is" : "s are"} still open or acknowledged: decide each before signing off.`,
      );
    }
  }
  const who = actorName(actor);
  const at = new Date(now * 1000);
  const signed = body.status === "signed_off";
  await s.review.writeChainReview(
    {
      chainId,
      status: body.status,
      reviewer: signed ? actor.name : null,
      statement: signed ? (body.statement ?? null) : null,
      signedOffAt: signed ? at : null,
      updatedAt: at,
      updatedBy: who,
    },
    {
      actor: who,
      action: signed ? "sign_off" : "review_status",
      fromState: current.status,
      toState: body.status,
      assignee: null,
      note: body.statement ?? null,
      acceptedUntil: null,
    },
  );
  await recordAudit(actor, signed ? "chain.sign_off" : "chain.review_status", chainId, {
    from: current.status,
    to: body.status,
    statement: body.statement,
  });
  if (signed)
    await notify("chain.signed_off", {
      chain: chainId,
      reviewer: actor.name,
      statement: body.statement ?? null,
      signedOffAt: at.toISOString(),
      actor: who,
    });
  return getChainReview(chainId, now);
}
