// The chain checks of spec aip-import §5.3 over a chain's stored AIP events: a pure function, so
// the ingest (one token's blocks), the read models (every block stored so far, from many tokens
// that share a prefix) and the exports give the same findings. Each block is judged against its
// ancestry only (blocks 0…i−1 of the token that carried it), on EVERY fact and check it holds.
import { chainStatus, formatTime, makeFinding, quoteList, sortFindings } from "../findings";
import type { TAttestation, TChainAnalysis, TEventVerdict, TFinding, TFindingCode, TInvokeClaims, TPrincipalKind } from "../types";
import { factInts, factStrings, type TBlockReading } from "./datalog";
import { aipScopeAllowedBy, aipScopeCovers } from "./scope";
import type { TAipClaims, TAipGrantClaims } from "./types";

/** Spec §5.3: block 0 without `max_depth` allows three delegation blocks. */
export const AIP_DEFAULT_MAX_DEPTH = 3;

export type TAipChainInput = {
  chainId: string;
  events: { jti: string; claims: TAipClaims }[];
  principalKinds: Map<string, TPrincipalKind>;
  /** DEP `invoke` events acting under this chain's grants, once invocations are recorded */
  invokes?: { jti: string; claims: TInvokeClaims }[];
};

const q = (s: string) => JSON.stringify(s);
const EMPTY: TBlockReading = { facts: {}, oddFacts: [], toolChecks: [], timeChecks: [], otherChecks: [], rules: 0 };

function label(c: TAipClaims): string {
  const a = c.aip;
  if (a.mode === "compact") return "the compact token";
  const role = a.role === "root" ? "root" : a.role === "counter_signature" ? "counter-signature" : a.role;
  return `block ${a.block} (${role})`;
}

const isGrant = (c: TAipClaims): c is TAipGrantClaims => c.kind === "authorize" || c.kind === "delegate";

/** Every finding of spec §5.3 except read-time missing_evidence (see aipReadTimeFindings). */
export function checkAipChain(input: TAipChainInput): TChainAnalysis {
  const byJti = new Map<string, TAipClaims>();
  for (const e of input.events) if (!byJti.has(e.jti)) byJti.set(e.jti, e.claims);

  // The path of each event from block 0, through `aip.prev` (bounded: ids come from signatures,
  // but stored data is not trusted to be acyclic).
  const pathOf = (jti: string): { path: TAipClaims[]; missing: string | null } => {
    const path: TAipClaims[] = [];
    const seen = new Set<string>();
    let cur: string | null = jti;
    while (cur !== null) {
      if (seen.has(cur)) return { path: path.reverse(), missing: cur };
      seen.add(cur);
      const c = byJti.get(cur);
      if (!c) return { path: path.reverse(), missing: cur };
      path.push(c);
      cur = c.aip.prev;
    }
    return { path: path.reverse(), missing: null };
  };

  const verdicts = new Map<string, TEventVerdict>();
  const closed = new Set<string>();
  const all: TFinding[] = [];
  let hasPending = false;

  for (const [jti, c] of byJti) {
    const reasons = new Map<TFindingCode, string[]>();
    const add = (code: TFindingCode, r: string) => (reasons.get(code) ?? reasons.set(code, []).get(code)!).push(r);
    const { path, missing } = pathOf(jti);
    let status: TEventVerdict["status"] = "accepted";
    let depth: number | null = null;
    let attestation: TAttestation | null = null;
    let closes: string | null = null;
    const me = label(c);
    const r = c.aip.reading ?? EMPTY;

    if (missing !== null && path[0] !== undefined && path[0].aip.block !== 0) {
      status = "pending";
      add("orphan", `${me}: the block before it (event ${q(missing)}) is not known yet`);
    } else {
      const ancestors = path.slice(0, -1);
      const root = path[0];
      const grants = path.filter(isGrant);
      const parentGrant = [...ancestors].reverse().find(isGrant);
      depth = isGrant(c) ? grants.filter((g) => g.kind === "delegate").length : null;

      if (c.aip.role === "root" || c.aip.role === "compact") {
        const kind = input.principalKinds.get(c.iss);
        if (kind !== "human") {
          const who = kind ? `a principal of kind ${q(kind)}` : "not a registered principal";
          const onBehalf = factStrings(r, "principal");
          const note = onBehalf.length > 0 ? `; on behalf of ${quoteList(onBehalf)}, asserted in block 0, not signed by that person` : "";
          add("unrooted", `${me} is held by ${q(c.iss)}, ${who}, not a human${note}`);
        }
        const ids = [...new Set(factStrings(r, "identity"))];
        if (ids.length > 1) add("principal_mismatch", `${me} names ${ids.length} identities: ${quoteList(ids)}`);
        const principals = [...new Set(factStrings(r, "principal"))];
        if (principals.length > 1) add("principal_mismatch", `${me} asserts ${principals.length} on-behalf-of principals: ${quoteList(principals)}`);
        for (const b of factInts(r, "budget_ceiling")) if (b < 0) add("constraint_escalation", `${me} declares a negative budget_ceiling(${b})`);
      } else {
        judgeBlock(c, r, me, ancestors, root, parentGrant, add);
        if (c.kind === "complete" && parentGrant) {
          if (c.aip.role === "completion") {
            attestation = "self_reported";
            closes = parentGrant.jti;
            closed.add(parentGrant.jti);
          } else {
            const verifiers = [...new Set(factStrings(r, "verifier"))];
            if (verifiers.length !== 1)
              add(
                "principal_mismatch",
                `${me} names ${verifiers.length === 0 ? "no verifier" : `${verifiers.length} verifiers: ${quoteList(verifiers)}`}`,
              );
            else if (verifiers[0] !== parentGrant.iss)
              add(
                "principal_mismatch",
                `${me} is counter-signed by ${q(verifiers[0])}, but ${label(parentGrant)} was delegated by ${q(parentGrant.iss)}: only the delegator may counter-sign`,
              );
            else {
              attestation = "delegator_verified";
              closes = parentGrant.jti;
              closed.add(parentGrant.jti);
            }
          }
        }
        if (c.aip.role === "delegation" && root) {
          const limits = factInts(root.aip.reading ?? EMPTY, "max_depth");
          const max = Math.max(0, limits.length > 0 ? Math.min(...limits) : AIP_DEFAULT_MAX_DEPTH);
          if (depth !== null && depth > max)
            add(
              "depth_exceeded",
              `${me} is delegation ${depth}, but block 0 allows ${max} (max_depth${limits.length > 0 ? "" : " absent: default 3"})`,
            );
        }
      }
    }

    const findings = sortFindings([...reasons].map(([code, list]) => makeFinding(code, list)));
    if (status === "pending") hasPending = true;
    all.push(...findings);
    verdicts.set(jti, { status, findings, depth, revokedAt: null, attestation, closes, effectiveConstraints: null });
  }

  for (const inv of input.invokes ?? []) {
    const findings = checkInvoke(inv.jti, inv.claims, byJti);
    all.push(...findings);
    verdicts.set(inv.jti, {
      status: "accepted",
      findings,
      depth: null,
      revokedAt: null,
      attestation: null,
      closes: null,
      effectiveConstraints: null,
    });
  }

  const openGrants: { jti: string; exp: number }[] = [];
  for (const [jti, c] of byJti) if (isGrant(c) && c.exp !== null && !closed.has(jti)) openGrants.push({ jti, exp: c.exp });
  return { events: verdicts, status: chainStatus(all, hasPending), hasPending, openGrants };
}

type TAdd = (code: TFindingCode, reason: string) => void;

/** Findings of one block i ≥ 1 against its ancestry. */
function judgeBlock(
  c: TAipClaims,
  r: TBlockReading,
  me: string,
  ancestors: TAipClaims[],
  root: TAipClaims | undefined,
  parentGrant: TAipGrantClaims | undefined,
  add: TAdd,
): void {
  const readingOf = (x: TAipClaims) => x.aip.reading ?? EMPTY;

  if (c.aip.role === "delegation") {
    const delegators = factStrings(r, "delegator");
    const delegates = factStrings(r, "delegate");
    if (delegators.length !== 1)
      add(
        "principal_mismatch",
        `${me} has ${delegators.length === 0 ? "no delegator fact" : `${delegators.length} delegator facts: ${quoteList(delegators)}`}`,
      );
    if (delegates.length !== 1)
      add(
        "principal_mismatch",
        `${me} has ${delegates.length === 0 ? "no delegate fact" : `${delegates.length} delegate facts: ${quoteList(delegates)}`}`,
      );
    if (parentGrant) {
      const holder = parentGrant.aud;
      const wrong = delegators.filter((d) => d !== holder);
      if (wrong.length > 0)
        add("principal_mismatch", `${me} is delegated by ${quoteList(wrong)}, but ${label(parentGrant)} was held by ${q(holder)}`);
    }
    const contexts = factStrings(r, "context");
    if (contexts.length === 0) add("purpose_mismatch", `${me} has no context: the delegation states no purpose`);
    else if (contexts.some((t) => t.trim() === "")) add("purpose_mismatch", `${me} has a blank context`);
    if (r.toolChecks.length === 0) {
      const from = parentGrant ? label(parentGrant) : "its parent";
      add("no_attenuation", `${me} declares no scope check: it passes on everything ${from} holds`);
    }
  }

  // The on-behalf-of principal never changes down the chain.
  const established = ancestors.flatMap((a) => factStrings(readingOf(a), "principal"))[0];
  const own = [...new Set(factStrings(r, "principal"))];
  if (own.length > 1) add("principal_mismatch", `${me} asserts ${own.length} on-behalf-of principals: ${quoteList(own)}`);
  if (established !== undefined)
    for (const p of own)
      if (p !== established) add("principal_mismatch", `${me} changes the on-behalf-of principal from ${q(established)} to ${q(p)}`);

  // Scope: every tool check against the nearest ancestor that declares one (all of its checks).
  const scoped = [...ancestors].reverse().find((a) => readingOf(a).toolChecks.length > 0);
  if (scoped && r.toolChecks.length > 0) {
    const decl = readingOf(scoped).toolChecks;
    const added = [...new Set(r.toolChecks.flat().filter((s) => !aipScopeAllowedBy(s, decl)))];
    if (added.length > 0)
      add(
        "scope_escalation",
        `${me} allows ${quoteList(added)}, which ${label(scoped)}'s scope (${decl.map((d) => `[${quoteList(d)}]`).join(" and ")}) does not cover`,
      );
    else if (c.aip.role === "delegation" && decl.flat().every((s) => r.toolChecks.every((own) => own.some((p) => aipScopeCovers(p, s)))))
      add(
        "no_attenuation",
        `${me} declares the same scope as ${label(scoped)} (${quoteList(r.toolChecks.flat())}): the authority is passed on unchanged`,
      );
  }

  // Budget: never negative, never above the nearest ancestor's ceiling.
  const budgets = factInts(r, "budget_ceiling");
  for (const b of budgets) if (b < 0) add("constraint_escalation", `${me} declares a negative budget_ceiling(${b})`);
  const budgeted = [...ancestors].reverse().find((a) => factInts(readingOf(a), "budget_ceiling").length > 0);
  if (budgeted) {
    const ceiling = Math.min(...factInts(readingOf(budgeted), "budget_ceiling"));
    const above = budgets.filter((b) => b > ceiling);
    if (above.length > 0)
      add("constraint_escalation", `${me} raises the budget ceiling to ${above.join(", ")} cents, above ${label(budgeted)}'s ${ceiling}`);
  }

  // Lifetime: no time check later than what the ancestry already allows.
  const ancestorTimes = ancestors.flatMap((a) => readingOf(a).timeChecks);
  if (ancestorTimes.length > 0) {
    const limit = Math.min(...ancestorTimes);
    const later = r.timeChecks.filter((t) => t > limit);
    if (later.length > 0)
      add("lifetime_escalation", `${me}'s time check allows until ${formatTime(Math.max(...later))}, after its ancestry's ${formatTime(limit)}`);
  }
  void root;
}

function checkInvoke(jti: string, c: TInvokeClaims, byJti: Map<string, TAipClaims>): TFinding[] {
  const reasons = new Map<TFindingCode, string[]>();
  const add = (code: TFindingCode, r: string) => (reasons.get(code) ?? reasons.set(code, []).get(code)!).push(r);
  const g = c.grant === undefined ? undefined : byJti.get(c.grant);
  if (!g || !isGrant(g)) add("ghost_permission", `invoke ${q(jti)} names no grant of this chain`);
  else {
    if (c.iss !== g.aud) add("ghost_permission", `invoke ${q(jti)} is signed by ${q(c.iss)}, but ${label(g)} was granted to ${q(g.aud)}`);
    if (!g.scope.some((s) => aipScopeCovers(s, c.action)))
      add("ghost_permission", `action ${q(c.action)} is not covered by ${label(g)}'s scope (${quoteList(g.scope)})`);
    if (g.exp !== null && c.iat > g.exp)
      add("expired_grant", `invoke ${q(jti)} was issued at ${formatTime(c.iat)}, after ${label(g)} expired at ${formatTime(g.exp)}`);
  }
  return sortFindings([...reasons].map(([code, list]) => makeFinding(code, list)));
}

/** missing_evidence at read time: grants whose exp has passed (now > exp) with no completion. */
export function aipReadTimeFindings(analysis: TChainAnalysis, now: number): Map<string, TFinding> {
  const out = new Map<string, TFinding>();
  for (const g of analysis.openGrants)
    if (now > g.exp)
      out.set(
        g.jti,
        makeFinding("missing_evidence", `grant ${q(g.jti)} expired at ${formatTime(g.exp)} with no completion block: the audit trail is broken`),
      );
  return out;
}
