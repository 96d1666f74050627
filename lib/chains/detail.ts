// One chain's detail, assembled from its stored rows (lib/db/stores/chains.ts detailRows): the
// chain check and read-time findings, then the view's hops, nodes and events. Pure, so it is
// tested without a database (detail.test.ts). A detail kept between rebuilds (detail-state.ts)
// hands it events it prepared once and the chain input it keeps, instead of rows.
import type { TChainDetailRows, TEventDetailRow } from "@/lib/db/stores/chains";
import type { TChainDetail, TChainEvent, TChainFinding, TChainNode, TCompletion, THop, TInvocation } from "@/lib/contracts/chains";
import { chainInputsFrom, parseDrift, type TParsed } from "@/lib/chains/load";
import { chainStatus, type TChainAnalysis, type TChainInput } from "@/lib/protocol/chain";
import { anyReadTimeFindings, checkAnyChain, isAipClaims } from "@/lib/protocol/any-chain";
import { aipScopesAdded } from "@/lib/protocol/aip/scope";
import { GENESIS_HASH } from "@/lib/protocol/ledger";
import { scopeDiff } from "@/lib/protocol/scope";
import { worstSeverity, type TChainSource } from "@/lib/protocol/grammar";
import type { TClaims, TFinding } from "@/lib/protocol/types";
import type { TDriftFact } from "@/lib/protocol/drift";
import { sha256Hex } from "@/lib/auth/secrets";

/** A stored event as the detail uses it: claims and drift parsed, the token hashed, the receipt as text, once per event. */
export type TDetailEvent = TParsed<TEventDetailRow> & { tokenSha256: string; receivedIso: string; driftFact: TDriftFact | null };

export function prepareDetailEvents(rows: TEventDetailRow[]): TDetailEvent[] {
  return rows.map((r) => ({
    ...r,
    claims: JSON.parse(r.claims) as TClaims,
    tokenSha256: sha256Hex(r.token),
    receivedIso: r.receivedAt.toISOString(),
    driftFact: parseDrift(r.drift),
  }));
}

/**
 * detailRows with its events prepared; `input`, when given, is the checker's input for exactly these
 * events, and `analysis` checkAnyChain(input) (detail-state.ts has it from the chain's last check).
 */
export type TDetailParts = Omit<TChainDetailRows, "events"> & { events: TDetailEvent[]; input?: TChainInput; analysis?: TChainAnalysis };

/** A hop's scope difference from its parent, kept per hop claims while the parent's claims are the same. */
export type TScopeDiffMemo = WeakMap<object, { parent: object; diff: { removed: string[]; added: string[] } }>;

/**
 * The objects of one chain's last detail (one body: the token is in its events), kept for the next
 * detail, which hands out the same object for a part that reads the same, so a serialiser can keep
 * its text by identity (detail-json.ts): after a change most of a chain's events and hops are those.
 * - an event, by the prepared event it came from, while its check verdict, key state and findings
 *   read the same;
 * - an invocation, by its invoke's event object (it depends on that event alone);
 * - a completion, by its complete's event object, while the check's attestation reads the same;
 * - a hop, by its grant's event object, while the check's depth, revocation and effective
 *   constraints, its scope difference from its parent, and its invocations and completions (the
 *   same objects, in order) read the same.
 */
export type TChainDetailMemo = {
  events: WeakMap<TDetailEvent, TChainEvent>;
  invocations: WeakMap<TChainEvent, TInvocation>;
  completions: WeakMap<TChainEvent, TCompletion>;
  hops: WeakMap<TChainEvent, THop>;
};

export function createChainDetailMemo(): TChainDetailMemo {
  return { events: new WeakMap(), invocations: new WeakMap(), completions: new WeakMap(), hops: new WeakMap() };
}

/** The same object, or two that JSON.stringify writes alike (the check's small verdict objects). */
function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** Two lists of the same items (by identity), in order. */
function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Two finding lists that serialise alike (the members an event's finding carries, in order). */
function sameFindings(a: TChainFinding[], b: TChainFinding[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) return false;
  return true;
}

/**
 * The chain's detail at `now`, and until when it stays what a read would return if the chain's
 * stored rows do not change: read-time findings (`missing_evidence`) appear when a grant no
 * complete has closed passes its exp, so the answer holds up to the earliest such exp still ahead.
 * `includeRaw` false leaves every event's token empty (roles that may not read raw tokens).
 */
export function buildChainDetail(
  id: string,
  rows: TChainDetailRows,
  options: { now: number; includeRaw: boolean },
): { detail: TChainDetail; validUntil: number } {
  return assembleChainDetail(id, { ...rows, events: prepareDetailEvents(rows.events) }, options);
}

/** buildChainDetail from prepared parts (the same answer for the same rows). */
export function assembleChainDetail(
  id: string,
  parts: TDetailParts,
  options: { now: number; includeRaw: boolean; scopeDiffs?: TScopeDiffMemo; memo?: TChainDetailMemo },
): { detail: TChainDetail; validUntil: number; usesStoredStatus: boolean } {
  const { now, memo } = options;
  const { startedAt, source, head, externalRows, principals, keys } = parts;
  const parsed = parts.events;
  const input = parts.input ?? chainInputsFrom([id], parsed, externalRows, principals).get(id)!;
  const analysis = parts.analysis ?? checkAnyChain(input);
  const late = anyReadTimeFindings(input, analysis, now);

  const principalIds = new Set<string>();
  for (const e of input.events) {
    principalIds.add(e.claims.iss);
    if ("aud" in e.claims) principalIds.add(e.claims.aud);
  }
  // Keys by principal, then kid (no key strings built per event).
  const keyOf = new Map<string, Map<string, (typeof keys)[number]>>();
  for (const k of keys) {
    const ofPrincipal = keyOf.get(k.principalId);
    if (ofPrincipal) ofPrincipal.set(k.kid, k);
    else keyOf.set(k.principalId, new Map([[k.kid, k]]));
  }
  const principalOf = new Map(principals.map((p) => [p.id, p]));

  const findingsOf = new Map<string, TChainFinding[]>();
  const allFindings: TChainFinding[] = [];
  const addFinding = (jti: string, f: TFinding, isReadTime: boolean) => {
    const cf: TChainFinding = { ...f, eventJti: jti, isReadTime };
    allFindings.push(cf);
    const list = findingsOf.get(jti) ?? [];
    list.push(cf);
    findingsOf.set(jti, list);
  };
  for (const e of input.events) for (const f of analysis.events.get(e.jti)?.findings ?? []) addFinding(e.jti, f, false);
  for (const [jti, f] of late) addFinding(jti, f, true);

  const claimsOf = new Map(input.events.map((e) => [e.jti, e.claims]));
  // An event the check gave no verdict (a DEP event other than an invoke in an AIP chain) shows its stored status.
  let usesStoredStatus = false;
  const events: TChainEvent[] = parsed.map((r) => {
    const claims = r.claims;
    const key = keyOf.get(r.iss)?.get(r.kid);
    const verdict = analysis.events.get(r.jti);
    if (!verdict) usesStoredStatus = true;
    const status = (verdict?.status ?? r.status) as TChainEvent["status"];
    const findings = findingsOf.get(r.jti) ?? [];
    const kept = memo?.events.get(r);
    if (
      kept &&
      kept.status === status &&
      kept.keyRevokedNow === (key?.revokedAt ?? null) &&
      kept.keyThumbprint === (key?.thumbprint ?? null) &&
      kept.token === (options.includeRaw ? r.token : "") &&
      sameFindings(kept.findings, findings)
    )
      return kept;
    const event: TChainEvent = {
      seq: r.seq,
      jti: r.jti,
      kind: r.kind as TChainEvent["kind"],
      iss: r.iss,
      aud: r.aud,
      ref: r.ref,
      iat: r.iat,
      exp: r.exp,
      status,
      receivedAt: r.receivedIso,
      alg: r.alg,
      kid: r.kid,
      keyRevokedAt: r.keyRevokedAt,
      drift: r.driftFact,
      keyRevokedNow: key?.revokedAt ?? null,
      keyThumbprint: key?.thumbprint ?? null,
      token: options.includeRaw ? r.token : "",
      tokenSha256: r.tokenSha256,
      claims,
      prevHash: r.prevHash,
      hash: r.hash,
      findings,
    };
    memo?.events.set(r, event);
    return event;
  });

  // Invocations and completions first, by the hop they attach to, so a hop is built whole (and
  // kept whole when it reads as it did).
  const hopJtis = new Set<string>();
  for (const e of events) if (e.claims.kind === "authorize" || e.claims.kind === "delegate") hopJtis.add(e.jti);
  const attached = new Set<string>();
  const invocationsOf = new Map<string, TInvocation[]>();
  const completionsOf = new Map<string, TCompletion[]>();
  const attach = <T>(of: Map<string, T[]>, grant: string, item: T) => {
    const list = of.get(grant);
    if (list) list.push(item);
    else of.set(grant, [item]);
  };
  for (const e of events) {
    const c = e.claims;
    if (c.kind === "invoke" && c.grant && hopJtis.has(c.grant)) {
      let invocation = memo?.invocations.get(e);
      if (!invocation) {
        invocation = {
          jti: e.jti,
          iss: c.iss,
          iat: c.iat,
          action: c.action,
          resource: c.resource,
          purpose: c.purpose ?? null,
          data: c.data ?? [],
          findings: e.findings,
        };
        memo?.invocations.set(e, invocation);
      }
      attach(invocationsOf, c.grant, invocation);
      attached.add(e.jti);
    } else if (c.kind === "complete" && hopJtis.has(c.grant)) {
      const attestation = analysis.events.get(e.jti)?.attestation ?? null;
      let completion = memo?.completions.get(e);
      if (!completion || completion.attestation !== attestation) {
        completion = {
          jti: e.jti,
          iss: c.iss,
          iat: c.iat,
          status: c.status,
          resultHash: c.result_hash,
          attestation,
          evidence: c.evidence ?? null,
        };
        memo?.completions.set(e, completion);
      }
      attach(completionsOf, c.grant, completion);
      attached.add(e.jti);
    } else if (c.kind === "authorize" || c.kind === "delegate") {
      attached.add(e.jti);
    }
  }

  const hops: THop[] = [];
  for (const e of events) {
    const c = e.claims;
    if (c.kind !== "authorize" && c.kind !== "delegate") continue;
    const verdict = analysis.events.get(e.jti);
    const parentClaims = c.kind === "delegate" ? claimsOf.get(c.parent) : undefined;
    const parentScope = parentClaims && (parentClaims.kind === "authorize" || parentClaims.kind === "delegate") ? parentClaims.scope : null;
    const aip = isAipClaims(c) ? c.aip : null;
    // AIP scopes are opaque strings compared with the prefix-`*` rule (shared/spec/aip-import.md §5).
    const known = parentClaims ? options.scopeDiffs?.get(c) : undefined;
    let diff: { removed: string[]; added: string[] };
    if (known && known.parent === parentClaims) diff = known.diff;
    else {
      diff = !parentScope
        ? { removed: [], added: [] }
        : aip
          ? { added: aipScopesAdded(c.scope, parentScope), removed: aipScopesAdded(parentScope, c.scope) }
          : scopeDiff(c.scope, parentScope);
      if (parentClaims) options.scopeDiffs?.set(c, { parent: parentClaims, diff });
    }
    const effectiveConstraints = verdict?.effectiveConstraints ?? {};
    const depth = verdict?.depth ?? null;
    const revokedAt = verdict?.revokedAt ?? null;
    const invocations = invocationsOf.get(e.jti) ?? [];
    const completions = completionsOf.get(e.jti) ?? [];
    // Every other member comes from the event object (its claims, status, key state, findings),
    // which is the same object only while those read the same.
    const kept = memo?.hops.get(e);
    if (
      kept &&
      kept.depth === depth &&
      kept.revokedAt === revokedAt &&
      sameJson(kept.effectiveConstraints, effectiveConstraints) &&
      sameJson(kept.scopeRemoved, diff.removed) &&
      sameJson(kept.scopeAdded, diff.added) &&
      sameItems(kept.invocations, invocations) &&
      sameItems(kept.completions, completions)
    ) {
      hops.push(kept);
      continue;
    }
    const hop: THop = {
      jti: e.jti,
      kind: c.kind,
      parent: c.kind === "delegate" ? c.parent : null,
      from: c.iss,
      to: c.aud,
      iat: c.iat,
      exp: c.exp,
      scope: c.scope,
      scopeRemoved: diff.removed,
      scopeAdded: diff.added,
      purpose: c.purpose,
      constraints: c.constraints ?? null,
      effectiveConstraints,
      maxDepth: c.max_depth ?? (c.kind === "authorize" ? 3 : null),
      depth,
      status: e.status,
      revokedAt,
      // An AIP block signed with Biscuit's ephemeral key proves nothing about its delegator.
      signature: { alg: e.alg, kid: e.kid, thumbprint: aip?.unverified ? null : e.keyThumbprint, verified: !aip?.unverified },
      ...(aip
        ? {
            aip: {
              mode: aip.mode,
              role: aip.role,
              block: aip.block,
              typ: aip.typ,
              unverified: aip.unverified,
              onBehalfOf: aip.principal,
              budget: aip.budget,
              datalog: aip.source,
              verifiedBy: aip.verifiedBy,
              iatIsReceipt: aip.iatIsReceipt,
              reference: aip.reference ?? null,
            },
          }
        : {}),
      findings: e.findings,
      invocations,
      completions,
    };
    memo?.hops.set(e, hop);
    hops.push(hop);
  }

  const nodeFindings = new Map<string, TChainFinding[]>();
  const touch = (id: string, fs: TChainFinding[]) => {
    // Appends in place: an agent that acts a thousand times must not copy its list a thousand times.
    const list = nodeFindings.get(id);
    if (list) list.push(...fs);
    else nodeFindings.set(id, [...fs]);
  };
  const nodes: TChainNode[] = [];
  const resources = new Set<string>();
  for (const e of events) {
    const c = e.claims;
    touch(c.iss, e.findings);
    if (c.kind === "authorize" || c.kind === "delegate")
      touch(
        c.aud,
        e.findings.filter((f) => f.code !== "principal_mismatch"),
      );
    if (c.kind === "invoke") {
      resources.add(c.resource);
      touch(c.resource, e.findings);
    }
  }
  for (const pid of principalIds) {
    const p = principalOf.get(pid);
    const fs = nodeFindings.get(pid) ?? [];
    nodes.push({
      id: pid,
      kind: p ? (p.kind as TChainNode["kind"]) : "unregistered",
      name: p?.name ?? null,
      worstSeverity: worstSeverity(fs),
      findingCodes: [...new Set(fs.map((f) => f.code))],
    });
  }
  for (const r of resources) {
    if (principalIds.has(r)) continue;
    const fs = nodeFindings.get(r) ?? [];
    nodes.push({ id: r, kind: "resource", name: null, worstSeverity: worstSeverity(fs), findingCodes: [...new Set(fs.map((f) => f.code))] });
  }

  const rootClaims = claimsOf.get(id);
  const root =
    rootClaims && rootClaims.kind === "authorize"
      ? {
          jti: rootClaims.jti,
          iss: rootClaims.iss,
          aud: rootClaims.aud,
          purpose: rootClaims.purpose,
          scope: rootClaims.scope,
          iat: rootClaims.iat,
          exp: rootClaims.exp,
        }
      : null;
  const counts = { critical: 0, error: 0, warning: 0 };
  for (const f of allFindings) counts[f.severity]++;
  let validUntil = Infinity;
  for (const g of analysis.openGrants) if (g.exp >= now && g.exp < validUntil) validUntil = g.exp;
  const detail: TChainDetail = {
    id,
    status: chainStatus(allFindings, analysis.hasPending),
    source: source as TChainSource,
    root,
    startedAt: startedAt ?? 0,
    hopCount: hops.length,
    eventCount: events.length,
    counts,
    nodes,
    hops,
    looseEvents: events.filter((e) => !attached.has(e.jti)).map((e) => e.jti),
    events,
    findings: allFindings,
    ledgerHead: { seq: head?.seq ?? 0, hash: head?.hash ?? GENESIS_HASH },
    generatedAt: new Date(now * 1000).toISOString(),
  };
  return { detail, validUntil, usesStoredStatus };
}
