// The chain checks of docs/protocol.md §5 and §8, as one pure function of a chain's stored events.
//
// The verdicts depend on the set of events only, never on their order, so an event that arrives
// late yields exactly what in-order arrival would have. The work is linear in the events and their
// list entries: ancestry facts (depth budget, effective constraints, revocation time, issuers on the
// path) are carried down one depth-first walk of the grant forest instead of being re-derived by
// walking up from each event, and each grant's scope and egress lists are indexed once, so a
// child's entry is one lookup in its parent's index, never a comparison with every parent entry.
import { eventRef } from "./grammar";
import { driftMessage } from "./drift";
import { chainStatus, formatTime, makeFinding, quoteList, sortFindings } from "./findings";
import { egressHost, indexEgress, indexScopes, intersectEgress, isHttpResource, purposeCovers, type TEgressIndex, type TScopeIndex } from "./scope";
import {
  type TAttestation,
  type TChainAnalysis,
  type TChainInput,
  type TCheckEvent,
  type TClaims,
  type TConstraints,
  type TEventKind,
  type TEventVerdict,
  type TFinding,
  type TFindingCode,
  type TGrantClaims,
} from "./types";

export type { TChainAnalysis, TChainInput, TCheckEvent, TEventVerdict } from "./types";
export { chainStatus, findingMessage, FINDING_TITLES } from "./findings";

/** Spec §2: an authorize without `max_depth` allows three levels of delegation below it. */
export const DEFAULT_MAX_DEPTH = 3;

const q = (s: string) => JSON.stringify(s);

export function isGrant(c: TClaims): c is TGrantClaims {
  return c.kind === "authorize" || c.kind === "delegate";
}

const REF_NAME: Record<TEventKind, string> = {
  authorize: "reference",
  delegate: "parent",
  invoke: "grant",
  complete: "grant",
  revoke: "target",
};

// ---------------------------------------------------------------------------------------------
// Constraints.

/** Intersection of two lists where undefined = unconstrained. */
function intersectData(own: string[] | undefined, parent: string[] | undefined): string[] | undefined {
  if (own === undefined) return parent;
  const unique = [...new Set(own)];
  if (parent === undefined) return unique;
  const allowed = new Set(parent);
  return unique.filter((d) => allowed.has(d));
}

function toConstraints(data: string[] | undefined, egress: string[] | undefined): TConstraints {
  const c: TConstraints = {};
  if (data !== undefined) c.data = data;
  if (egress !== undefined) c.egress = egress;
  return c;
}

const listText = (list: string[]) => (list.length === 0 ? "[] (nothing allowed)" : `[${quoteList(list)}]`);

// ---------------------------------------------------------------------------------------------

/**
 * A grant's scope and effective egress list, each indexed once when first compared against (by a
 * child delegate or an invoke), so a grant with n children costs n lookups, not n × |scope|.
 */
type TGrantIndexes = { scope: (jti: string) => TScopeIndex; egress: (jti: string) => TEgressIndex };

type TGrantFacts = {
  depth: number | null;
  /** how many more levels below this grant its ancestry (incl. itself) allows; Infinity = no limit */
  budget: number;
  /** the grant whose max_depth sets the budget, and that max_depth */
  budgetSource: { jti: string; maxDepth: number; depth: number | null } | null;
  effective: TConstraints;
  revokedAt: number | null;
  /** the grant whose authorized revoke sets revokedAt, and that revoke */
  revokedBy: { grant: string; revoke: string; iss: string } | null;
};

/** Every chain check of docs/protocol.md §5 and §8, except read-time missing_evidence (see readTimeFindings). */
export function checkChain(input: TChainInput): TChainAnalysis {
  return startChainCheck(input).analysis;
}

/**
 * What one event's verdict reads besides its own claims: the chain's events by jti, the grant
 * forest's facts and indexes, which revokes are authorised, and the grants closed so far (each
 * complete judged adds the grant it closes).
 */
type TJudge = {
  chainId: string;
  external: TChainInput["external"];
  principalKinds: TChainInput["principalKinds"];
  byJti: Map<string, TClaims>;
  receiptOf: Map<string, TCheckEvent>;
  facts: Map<string, TGrantFacts>;
  cycleOf: Map<string, string[]>;
  indexes: TGrantIndexes;
  revokeAuthorized: Map<string, boolean>;
  closed: Set<string>;
};

/**
 * checkChain's answer and what it worked out on the way, for extendChainCheck. Opaque to callers;
 * extendChainCheck consumes it (it is extended in place and handed back).
 */
export type TChainCheckState = {
  analysis: TChainAnalysis;
  /** the input's events judged, in order (the input's own objects) */
  events: TCheckEvent[];
  principalKinds: TChainInput["principalKinds"];
  /** each reference a judged event makes outside the chain, with what `external` said of it */
  outside: Map<string, { chain: string; kind: TEventKind } | undefined>;
  /** every jti a judged event references */
  refs: Set<string>;
  judge: TJudge;
  all: TFinding[];
};

/** checkChain, keeping what extendChainCheck needs to judge events appended to the chain later. */
export function startChainCheck(input: TChainInput): TChainCheckState {
  const { chainId, external, principalKinds } = input;

  const byJti = new Map<string, TClaims>();
  const receiptOf = new Map<string, TCheckEvent>();
  for (const e of input.events)
    if (!byJti.has(e.jti)) {
      byJti.set(e.jti, e.claims);
      receiptOf.set(e.jti, e);
    }

  // --- Structure: which delegates have a local grant as parent, and which of those form cycles.
  const parentGrant = new Map<string, string>();
  for (const [jti, c] of byJti) {
    if (c.kind !== "delegate") continue;
    const p = byJti.get(c.parent);
    if (p && isGrant(p)) parentGrant.set(jti, c.parent);
  }
  const cycleOf = findCycles(parentGrant);

  // The grant forest: a cycle member is cut from its parent and becomes a root.
  const children = new Map<string, string[]>();
  const roots: string[] = [];
  for (const [jti, c] of byJti) {
    if (!isGrant(c)) continue;
    const p = cycleOf.has(jti) ? undefined : parentGrant.get(jti);
    if (p === undefined) roots.push(jti);
    else {
      const list = children.get(p);
      if (list) list.push(jti);
      else children.set(p, [jti]);
    }
  }

  const revokesOf = new Map<string, string[]>();
  for (const [jti, c] of byJti) {
    if (c.kind !== "revoke") continue;
    const t = byJti.get(c.target);
    if (!t || !isGrant(t)) continue;
    const list = revokesOf.get(c.target);
    if (list) list.push(jti);
    else revokesOf.set(c.target, [jti]);
  }

  // --- One depth-first walk carries ancestry facts down the forest.
  const facts = new Map<string, TGrantFacts>();
  const scopeIndexes = new Map<string, TScopeIndex>();
  const egressIndexes = new Map<string, TEgressIndex>();
  const indexes: TGrantIndexes = {
    scope: (jti) => {
      let index = scopeIndexes.get(jti);
      if (!index) scopeIndexes.set(jti, (index = indexScopes((byJti.get(jti) as TGrantClaims).scope)));
      return index;
    },
    // Only asked for grants whose effective egress list is defined.
    egress: (jti) => {
      let index = egressIndexes.get(jti);
      if (!index) egressIndexes.set(jti, (index = indexEgress(facts.get(jti)!.effective.egress!)));
      return index;
    },
  };
  const revokeAuthorized = new Map<string, boolean>();
  const issuersOnPath = new Map<string, number>();
  const stack: { jti: string; entered: boolean }[] = roots.map((jti) => ({ jti, entered: false })).reverse();
  while (stack.length > 0) {
    const top = stack.pop()!;
    const g = byJti.get(top.jti) as TGrantClaims;
    if (top.entered) {
      const n = issuersOnPath.get(g.iss)! - 1;
      if (n === 0) issuersOnPath.delete(g.iss);
      else issuersOnPath.set(g.iss, n);
      continue;
    }
    issuersOnPath.set(g.iss, (issuersOnPath.get(g.iss) ?? 0) + 1);
    const parentJti = cycleOf.has(top.jti) ? undefined : parentGrant.get(top.jti);
    const pf = parentJti === undefined ? undefined : facts.get(parentJti)!;

    let revokedAt = pf?.revokedAt ?? null;
    let revokedBy = pf?.revokedBy ?? null;
    for (const r of revokesOf.get(top.jti) ?? []) {
      const rc = byJti.get(r)!;
      const ok = issuersOnPath.has(rc.iss);
      revokeAuthorized.set(r, ok);
      if (ok && (revokedAt === null || rc.iat < revokedAt)) {
        revokedAt = rc.iat;
        revokedBy = { grant: top.jti, revoke: r, iss: rc.iss };
      }
    }

    const ownMax = g.kind === "authorize" ? (g.max_depth ?? DEFAULT_MAX_DEPTH) : g.max_depth;
    const depth = g.kind === "authorize" ? 0 : pf && pf.depth !== null ? pf.depth + 1 : null;
    let budget = pf ? pf.budget - 1 : Infinity;
    let budgetSource = pf ? pf.budgetSource : null;
    if (ownMax !== undefined && ownMax < budget) {
      budget = ownMax;
      budgetSource = { jti: top.jti, maxDepth: ownMax, depth };
    }

    const parentEff = pf?.effective ?? {};
    const ownEgress = g.constraints?.egress;
    const effective = toConstraints(
      intersectData(g.constraints?.data, parentEff.data),
      intersectEgress(
        ownEgress,
        parentEff.egress,
        ownEgress !== undefined && parentEff.egress !== undefined ? indexes.egress(parentJti!) : undefined,
      ),
    );

    facts.set(top.jti, { depth, budget, budgetSource, effective, revokedAt, revokedBy });
    stack.push({ jti: top.jti, entered: true });
    const kids = children.get(top.jti);
    if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push({ jti: kids[i], entered: false });
  }

  // --- Verdicts.
  const judge: TJudge = { chainId, external, principalKinds, byJti, receiptOf, facts, cycleOf, indexes, revokeAuthorized, closed: new Set() };
  const verdicts = new Map<string, TEventVerdict>();
  const all: TFinding[] = [];
  let hasPending = false;
  const refs = new Set<string>();
  const outside = new Map<string, { chain: string; kind: TEventKind } | undefined>();
  for (const [jti, c] of byJti) {
    const v = judgeEvent(jti, c, judge);
    if (v.status === "pending") hasPending = true;
    all.push(...v.findings);
    verdicts.set(jti, v);
    const ref = eventRef(c);
    if (ref !== null) {
      refs.add(ref);
      if (!byJti.has(ref)) outside.set(ref, external.get(ref));
    }
  }

  const openGrants: { jti: string; exp: number }[] = [];
  for (const [jti, c] of byJti) if (isGrant(c) && !judge.closed.has(jti)) openGrants.push({ jti, exp: c.exp });

  return {
    analysis: { events: verdicts, status: chainStatus(all, hasPending), hasPending, openGrants },
    events: input.events.slice(),
    principalKinds,
    outside,
    refs,
    judge,
    all,
  };
}

/**
 * checkChain(input) from the state of an earlier check of the same chain, when `input` is that
 * check's input with invokes and completes appended and nothing else changed that an earlier
 * verdict reads: the earlier events (the same objects, in the same order), the principal kinds,
 * what `external` says of their outside references, and no earlier event referencing a new one.
 * Such events never change another event's verdict (nothing is delegated from or revoked by them;
 * a complete only closes a grant), so only they are judged, each as checkChain would judge it.
 * Null when `input` is not such an extension: the caller checks the chain whole. The state is
 * extended in place (the earlier analysis is consumed) and returned. chain.test.ts holds it to
 * checkChain on random sequences of appends.
 */
export function extendChainCheck(state: TChainCheckState, input: TChainInput): TChainCheckState | null {
  const n = state.events.length;
  if (input.chainId !== state.judge.chainId || input.events.length < n) return null;
  for (let i = 0; i < n; i++) if (input.events[i] !== state.events[i]) return null;
  if (input.principalKinds !== state.principalKinds) {
    if (input.principalKinds.size !== state.principalKinds.size) return null;
    for (const [id, kind] of state.principalKinds) if (input.principalKinds.get(id) !== kind) return null;
  }
  for (const [ref, was] of state.outside) {
    const now = input.external.get(ref);
    if (now?.chain !== was?.chain || now?.kind !== was?.kind) return null;
  }
  const added = input.events.slice(n);
  const seen = new Set<string>();
  for (const e of added) {
    const kind = e.claims.kind;
    if ((kind !== "invoke" && kind !== "complete") || "aip" in e.claims) return null;
    if (state.judge.byJti.has(e.jti) || seen.has(e.jti) || state.refs.has(e.jti)) return null;
    seen.add(e.jti);
  }

  const { judge, analysis } = state;
  judge.external = input.external;
  judge.principalKinds = input.principalKinds;
  state.principalKinds = input.principalKinds;
  for (const e of added) {
    judge.byJti.set(e.jti, e.claims);
    judge.receiptOf.set(e.jti, e);
    state.events.push(e);
  }
  let hasPending = analysis.hasPending;
  for (const e of added) {
    const v = judgeEvent(e.jti, e.claims, judge);
    if (v.status === "pending") hasPending = true;
    state.all.push(...v.findings);
    analysis.events.set(e.jti, v);
    const ref = eventRef(e.claims);
    if (ref !== null) {
      state.refs.add(ref);
      if (!judge.byJti.has(ref)) state.outside.set(ref, input.external.get(ref));
    }
  }
  state.analysis = {
    events: analysis.events,
    status: chainStatus(state.all, hasPending),
    hasPending,
    openGrants: analysis.openGrants.filter((g) => !judge.closed.has(g.jti)),
  };
  return state;
}

/** One event's verdict, as checkChain gives it; a complete from an allowed signer adds its grant to `j.closed`. */
function judgeEvent(jti: string, c: TClaims, j: TJudge): TEventVerdict {
  const { chainId, external, principalKinds, byJti, facts, cycleOf, indexes, revokeAuthorized, closed } = j;
  const reasons = new Map<TFindingCode, string[]>();
  const add = (code: TFindingCode, reason: string) => {
    const list = reasons.get(code);
    if (list) list.push(reason);
    else reasons.set(code, [reason]);
  };
  let status: TEventVerdict["status"] = "accepted";
  let attestation: TAttestation | null = null;
  let closes: string | null = null;

  const ref = eventRef(c);
  const target = ref === null ? undefined : byJti.get(ref);
  const refName = REF_NAME[c.kind];
  if (c.kind === "authorize") {
    const kind = principalKinds.get(c.iss);
    if (kind !== "human")
      add(
        "unrooted",
        `authorize ${q(jti)} is signed by ${q(c.iss)}, ${kind ? `a principal of kind ${q(kind)}` : "an unregistered principal"}, not by a human`,
      );
  } else if (ref === null) {
    // Only an invoke may omit its reference.
    add("ghost_permission", `invoke ${q(jti)} by ${q(c.iss)} names no grant: nothing authorised ${q((c as { action: string }).action)}`);
  } else if (target === undefined) {
    const ext = external.get(ref);
    if (ext && ext.chain !== chainId) {
      add("unrooted", `${refName} ${q(ref)} belongs to chain ${q(ext.chain)}, not to this chain ${q(chainId)}`);
      const notGrant = ext.kind !== "authorize" && ext.kind !== "delegate";
      if (notGrant && c.kind === "delegate") add("unrooted", `parent ${q(ref)} is a ${ext.kind} event, not a grant`);
      if (notGrant && c.kind === "invoke") add("ghost_permission", `grant ${q(ref)} is a ${ext.kind} event, not a grant`);
      if (notGrant && (c.kind === "complete" || c.kind === "revoke"))
        add("principal_mismatch", `${refName} ${q(ref)} is a ${ext.kind} event, not a grant`);
    } else {
      status = "pending";
      add("orphan", `${refName} ${q(ref)} is not known yet: this ${c.kind} is re-checked when it arrives`);
    }
  } else if (!isGrant(target)) {
    const what = `${refName} ${q(ref)} is a ${target.kind} event, not a grant`;
    if (c.kind === "delegate") add("unrooted", what);
    else if (c.kind === "invoke") add("ghost_permission", what);
    else add("principal_mismatch", what);
  } else if (c.kind === "delegate") {
    checkDelegate(jti, c, target, facts, cycleOf, indexes, add);
  } else if (c.kind === "invoke") {
    checkInvoke(jti, c, target, facts.get(ref)!, indexes, add);
  } else if (c.kind === "complete") {
    attestation = attestationOf(c.iss, target, principalKinds.get(c.iss));
    if (attestation === null)
      add(
        "principal_mismatch",
        `complete ${q(jti)} for grant ${q(ref)} is signed by ${q(c.iss)}, who is neither the grant's audience ${q(target.aud)}, nor its issuer ${q(target.iss)}, nor an attester`,
      );
    else {
      closes = ref;
      closed.add(ref);
    }
  } else if (c.kind === "revoke") {
    if (!revokeAuthorized.get(jti))
      add(
        "principal_mismatch",
        `revoke ${q(jti)} of grant ${q(ref)} is signed by ${q(c.iss)}, who issued neither that grant (issuer ${q(target.iss)}) nor any of its ancestors`,
      );
  }

  checkReceipt(jti, c, j.receiptOf.get(jti)!, add);
  checkDrift(c, j.receiptOf.get(jti)!, add);

  const findings = sortFindings([...reasons].map(([code, list]) => makeFinding(code, list)));
  const f = isGrant(c) ? facts.get(jti)! : undefined;
  return {
    status,
    findings,
    depth: f ? f.depth : null,
    revokedAt: f ? f.revokedAt : null,
    attestation,
    closes,
    effectiveConstraints: f ? f.effective : null,
  };
}

type TAdd = (code: TFindingCode, reason: string) => void;

function checkDelegate(
  jti: string,
  c: Extract<TClaims, { kind: "delegate" }>,
  parent: TGrantClaims,
  facts: Map<string, TGrantFacts>,
  cycleOf: Map<string, string[]>,
  indexes: TGrantIndexes,
  add: TAdd,
): void {
  const cycle = cycleOf.get(jti);
  if (cycle) {
    // The parent relation itself is broken: comparing against the parent would be meaningless.
    add("unrooted", `parent links form a cycle: ${[...cycle, cycle[0]].map(q).join(" → ")}`);
    return;
  }
  const pj = c.parent;
  const pf = facts.get(pj)!;

  if (c.iss !== parent.aud)
    add("principal_mismatch", `delegate ${q(jti)} is signed by ${q(c.iss)}, but its parent ${q(pj)} was granted to ${q(parent.aud)}`);

  const parentScopes = indexes.scope(pj);
  const added = c.scope.filter((s) => !parentScopes.covers(s));
  if (added.length > 0)
    add(
      "scope_escalation",
      `delegate ${q(jti)} grants ${quoteList(added)}, which no single scope of its parent ${q(pj)} (${quoteList(parent.scope)}) covers`,
    );
  else if (parent.scope.every((s) => indexes.scope(jti).covers(s)))
    add(
      "no_attenuation",
      `delegate ${q(jti)} passes on the same authority as its parent ${q(pj)}: scopes ${quoteList(c.scope)} and ${quoteList(parent.scope)} cover each other`,
    );

  const pe = pf.effective;
  const ownData = c.constraints?.data;
  if (ownData !== undefined && pe.data !== undefined) {
    const allowed = new Set(pe.data);
    const outside = [...new Set(ownData.filter((d) => !allowed.has(d)))];
    if (outside.length > 0)
      add(
        "constraint_escalation",
        `delegate ${q(jti)} allows data ${quoteList(outside)} outside the effective data list of its parent ${q(pj)}: ${listText(pe.data)}`,
      );
  }
  const ownEgress = c.constraints?.egress;
  if (ownEgress !== undefined && pe.egress !== undefined) {
    const parentEgress = pe.egress;
    const covering = indexes.egress(pj);
    const outside = [...new Set(ownEgress.filter((h) => !covering.coversEntry(h)))];
    if (outside.length > 0)
      add(
        "constraint_escalation",
        `delegate ${q(jti)} allows egress to ${quoteList(outside)} outside the effective egress list of its parent ${q(pj)}: ${listText(parentEgress)}`,
      );
  }

  if (!purposeCovers(parent.purpose.code, c.purpose.code))
    add(
      "purpose_mismatch",
      `delegate ${q(jti)} has purpose ${q(c.purpose.code)}, which does not derive from its parent ${q(pj)}'s purpose ${q(parent.purpose.code)}`,
    );

  if (pf.budget < 1 && pf.budgetSource) {
    const src = pf.budgetSource;
    const self = facts.get(jti)!;
    const where =
      self.depth !== null && src.depth !== null
        ? `is at depth ${self.depth}, but ${q(src.jti)} (depth ${src.depth}, max_depth ${src.maxDepth}) allows delegation down to depth ${src.depth + src.maxDepth} only`
        : `is ${src.maxDepth - (pf.budget - 1)} levels below ${q(src.jti)}, whose max_depth ${src.maxDepth} allows ${src.maxDepth} only`;
    add("depth_exceeded", `delegate ${q(jti)} ${where}`);
  }

  if (c.exp > parent.exp)
    add("lifetime_escalation", `delegate ${q(jti)} expires at ${formatTime(c.exp)}, after its parent ${q(pj)} (${formatTime(parent.exp)})`);
  if (c.iat > parent.exp)
    add("parent_expired", `delegate ${q(jti)} was issued at ${formatTime(c.iat)}, after its parent ${q(pj)} expired at ${formatTime(parent.exp)}`);
  if (pf.revokedAt !== null && c.iat > pf.revokedAt)
    add("parent_revoked", `delegate ${q(jti)} was issued at ${formatTime(c.iat)}, after ${revocationText(pf, pj)}`);
}

function revocationText(f: TGrantFacts, grantJti: string): string {
  const by = f.revokedBy!;
  const whose = by.grant === grantJti ? `grant ${q(grantJti)}` : `its ancestor ${q(by.grant)}`;
  return `${whose} was revoked at ${formatTime(f.revokedAt!)} by ${q(by.iss)} (revoke ${q(by.revoke)})`;
}

function checkInvoke(
  jti: string,
  c: Extract<TClaims, { kind: "invoke" }>,
  grant: TGrantClaims,
  gf: TGrantFacts,
  indexes: TGrantIndexes,
  add: TAdd,
): void {
  const gj = grant.jti;
  if (c.iss !== grant.aud) add("ghost_permission", `invoke ${q(jti)} is signed by ${q(c.iss)}, but grant ${q(gj)} was issued to ${q(grant.aud)}`);
  const covered = indexes.scope(c.grant!).covers(c.action);
  if (!covered) add("ghost_permission", `action ${q(c.action)} is not covered by any scope of grant ${q(gj)} (${quoteList(grant.scope)})`);
  else {
    const eff = gf.effective;
    if (eff.egress !== undefined && isHttpResource(c.resource)) {
      const host = egressHost(c.resource);
      const egress = eff.egress;
      if (host === null)
        add(
          "scope_drift",
          `resource ${q(c.resource)} leaves over http(s) with no valid host, and grant ${q(gj)} restricts egress to ${listText(egress)}`,
        );
      else if (!indexes.egress(c.grant!).matchesHost(host))
        add(
          "scope_drift",
          `resource ${q(c.resource)} sends data to host ${q(host)}, outside the effective egress list of grant ${q(gj)}: ${listText(egress)}`,
        );
    }
    if (eff.data !== undefined && c.data !== undefined) {
      const allowed = new Set(eff.data);
      const outside = [...new Set(c.data.filter((d) => !allowed.has(d)))];
      if (outside.length > 0)
        add(
          "scope_drift",
          `invoke ${q(jti)} touches data ${quoteList(outside)}, outside the effective data list of grant ${q(gj)}: ${listText(eff.data)}`,
        );
    }
  }
  if (c.purpose !== undefined && !purposeCovers(grant.purpose.code, c.purpose))
    add(
      "purpose_mismatch",
      `invoke ${q(jti)} has purpose ${q(c.purpose)}, which does not derive from grant ${q(gj)}'s purpose ${q(grant.purpose.code)}`,
    );
  if (c.iat > grant.exp)
    add("expired_grant", `invoke ${q(jti)} was issued at ${formatTime(c.iat)}, after grant ${q(gj)} expired at ${formatTime(grant.exp)}`);
  if (gf.revokedAt !== null && c.iat > gf.revokedAt)
    add("revoked_grant", `invoke ${q(jti)} was issued at ${formatTime(c.iat)}, after ${revocationText(gf, gj)}`);
}

/**
 * late_after_revocation: accepted because its iat is before its key's revocation, but received
 * after it. Spec §8 judges revocation by iat, so a holder of a revoked key can back-date tokens;
 * this makes such an arrival visible. Judged from what was known at receipt (stored with the event),
 * so every later re-check, read and export gives the same answer.
 */
function checkReceipt(jti: string, c: TClaims, e: TCheckEvent, add: TAdd): void {
  const revokedAt = e.keyRevokedAt ?? null;
  const receivedAt = e.receivedAt ?? null;
  if (revokedAt === null || receivedAt === null || !(receivedAt > revokedAt) || !(c.iat < revokedAt)) return;
  add(
    "late_after_revocation",
    `${c.kind} ${q(jti)} by ${q(c.iss)} claims iat ${formatTime(c.iat)}, before its signing key was revoked at ${formatTime(revokedAt)}, but was received at ${formatTime(receivedAt)}, after the revocation: it may have been back-dated with the revoked key`,
  );
}

/**
 * behavior_drift: an invoke unlike its signer's own history under the same purpose. Judged once, at
 * receipt, against the baseline as it stood then (lib/protocol/drift.ts; ingest stores the judgement
 * with the event), so every later re-check, read and export gives the same answer, as with
 * late_after_revocation.
 */
function checkDrift(c: TClaims, e: TCheckEvent, add: TAdd): void {
  if (c.kind !== "invoke" || !e.drift) return;
  add("behavior_drift", driftMessage(c.iss, e.drift));
}

/** Spec §8: the first of self_reported (grant's aud), delegator_verified (grant's iss), third_party. */
export function attestationOf(signer: string, grant: { iss: string; aud: string }, signerKind: string | undefined): TAttestation | null {
  if (signer === grant.aud) return "self_reported";
  if (signer === grant.iss) return "delegator_verified";
  if (signerKind === "attester") return "third_party";
  return null;
}

/**
 * The delegates whose parent links loop back on themselves, each mapped to its cycle (in parent
 * order, starting at that member). Linear: each node is walked once.
 */
function findCycles(parentOf: Map<string, string>): Map<string, string[]> {
  const state = new Map<string, 1 | 2>();
  const out = new Map<string, string[]>();
  for (const start of parentOf.keys()) {
    if (state.has(start)) continue;
    const path: string[] = [];
    let cur: string | undefined = start;
    while (cur !== undefined && !state.has(cur)) {
      state.set(cur, 1);
      path.push(cur);
      cur = parentOf.get(cur);
    }
    if (cur !== undefined && state.get(cur) === 1) {
      const members = path.slice(path.indexOf(cur));
      members.forEach((m, i) => out.set(m, [...members.slice(i), ...members.slice(0, i)]));
    }
    for (const p of path) state.set(p, 2);
  }
  return out;
}

/**
 * Read-time findings (docs/protocol.md §8): missing_evidence, keyed by grant jti, for each grant with no
 * complete from an allowed signer whose exp has passed (now > exp, strictly).
 */
export function readTimeFindings(analysis: TChainAnalysis, now: number): Map<string, TFinding> {
  const out = new Map<string, TFinding>();
  for (const g of analysis.openGrants)
    if (now > g.exp)
      out.set(
        g.jti,
        makeFinding(
          "missing_evidence",
          `grant ${q(g.jti)} expired at ${formatTime(g.exp)} with no complete event from its audience, its issuer or an attester: the audit trail is broken`,
        ),
      );
  return out;
}

/** Chain status including read-time findings: what chain reads, lists and filters show. */
export function chainStatusAt(analysis: TChainAnalysis, now: number): ReturnType<typeof chainStatus> {
  const stored: TFinding[] = [];
  for (const v of analysis.events.values()) stored.push(...v.findings);
  return chainStatus([...stored, ...readTimeFindings(analysis, now).values()], analysis.hasPending);
}
