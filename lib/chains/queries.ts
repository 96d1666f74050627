// Read models for the UI and the exports. Reads flow route → here → db; nothing here writes.
import { db, isPostgres } from "@/lib/db";
import { AppError } from "@/lib/http";
import { chainInputsFrom, loadChainDetail } from "@/lib/chains/load";
import { sqliteStatement } from "@/lib/ingest/sqlite";
import type { TChainFilters, TChainListQuery } from "@/lib/chains/filters";
import type {
  TChainDetail,
  TChainEvent,
  TChainFinding,
  TChainList,
  TChainNode,
  TChainSummary,
  THop,
} from "@/lib/chains/types";
import { chainStatus, checkChain, readTimeFindings } from "@/lib/protocol/chain";
import { checkLedgerRun, GENESIS_HASH } from "@/lib/protocol/ledger";
import { checkpointAuditor } from "@/lib/ledger/checkpoints";
import { parseScope, scopeCovers, scopeDiff } from "@/lib/protocol/scope";
import type { TChainStatus, TFinding, TFindingCode, TSeverity } from "@/lib/protocol/types";
import { sha256Hex } from "@/lib/auth/secrets";
import type { Prisma } from "@/generated/sqlite/client";

const SEVERITY_RANK: Record<TSeverity, number> = { critical: 3, error: 2, warning: 1 };

export function nowSeconds(): number {
  return Date.now() / 1000;
}

// ---------------------------------------------------------------------------------------------
// The list

type TChainRow = {
  id: string;
  status: string;
  rootIss: string | null;
  rootAud: string | null;
  purposeCode: string | null;
  purposeText: string | null;
  startedAt: number;
  hopCount: number;
  eventCount: number;
  criticalCount: number;
  errorCount: number;
  warningCount: number;
  findingCodes: string;
  evidenceDue: number | null;
  openGrantExps: string;
  lastEventAt: Date;
};

/** The summary columns a list row needs; shared by every read that returns chain summaries. */
export const CHAIN_ROW_SELECT = {
  id: true,
  status: true,
  rootIss: true,
  rootAud: true,
  purposeCode: true,
  purposeText: true,
  startedAt: true,
  hopCount: true,
  eventCount: true,
  criticalCount: true,
  errorCount: true,
  warningCount: true,
  findingCodes: true,
  evidenceDue: true,
  openGrantExps: true,
  lastEventAt: true,
} as const;

/** Applies the read-time `missing_evidence` rule to a stored summary. */
export function toChainSummary(row: TChainRow, now: number): TChainSummary {
  const overdue = row.evidenceDue !== null && now > row.evidenceDue ? countOverdue(row.openGrantExps, now) : 0;
  const codes = row.findingCodes ? (row.findingCodes.split(",") as TFindingCode[]) : [];
  if (overdue > 0 && !codes.includes("missing_evidence")) codes.push("missing_evidence");
  let status = row.status as TChainStatus;
  if (overdue > 0 && status === "verified") status = "warning";
  return {
    id: row.id,
    status,
    rootIss: row.rootIss,
    rootAud: row.rootAud,
    purposeCode: row.purposeCode,
    purposeText: row.purposeText,
    startedAt: row.startedAt,
    hopCount: row.hopCount,
    eventCount: row.eventCount,
    counts: { critical: row.criticalCount, error: row.errorCount, warning: row.warningCount + overdue },
    findingCodes: codes.sort(),
    lastEventAt: row.lastEventAt.toISOString(),
  };
}

function countOverdue(openGrantExps: string, now: number): number {
  const exps = JSON.parse(openGrantExps) as number[];
  let n = 0;
  for (const e of exps) if (now > e) n++;
  return n;
}

/**
 * Where the stored scopes related to a filter scope can be, so the lookup reads a few index
 * ranges instead of every distinct scope (tens of thousands, and re-parsed, on a big store):
 * - scopes that cover it are finitely many: a wildcard over each prefix of its resource (a proper
 *   prefix when the filter is concrete), or its own concrete resource, with its action or `*`;
 * - scopes it covers all start with its resource and "/" (a wildcard filter), or are its own
 *   resource with any action (a concrete filter with action `*`), or are itself.
 * `prefix` "" means every scope can match (a bare `*` filter); null means no prefix is needed.
 * Stored scopes are valid, hence canonical strings, so exact lookups are sound. The candidates are
 * a superset: the caller keeps those that cover or are covered (spec §8).
 */
export function scopeFilterCandidates(filter: string): { exact: string[]; prefix: string | null } | null {
  const f = parseScope(filter);
  if (!f) return null;
  const fp = f.resource === "*" ? [] : f.resource;
  const actions = f.action === "*" ? ["*"] : [f.action, "*"];
  const resource = (segments: string[], wildcard: boolean) => (segments.length === 0 ? "*" : segments.join("/") + (wildcard ? "/*" : ""));
  const exact = new Set<string>();
  for (let k = 0; k <= (f.wildcard ? fp.length : fp.length - 1); k++) for (const a of actions) exact.add(`${resource(fp.slice(0, k), true)}:${a}`);
  if (!f.wildcard) for (const a of actions) exact.add(`${resource(fp, false)}:${a}`);
  let prefix: string | null = null;
  if (f.wildcard) prefix = fp.length === 0 ? "" : fp.join("/") + "/";
  else if (f.action === "*") prefix = fp.join("/") + ":";
  return { exact: [...exact], prefix };
}

/** The first string after every string that starts with `prefix` (ASCII scopes, byte order). */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/**
 * Stored scopes that start with `prefix`: a range on SQLite, which compares text bytewise and so
 * reads it off the index; LIKE 'p%' on PostgreSQL, right under any collation. `isExact` is false
 * when LIKE would also match other strings (Prisma does not escape "_").
 */
function startingWith(prefix: string): { where: Prisma.StringFilter<"ChainScope">; isExact: boolean } {
  if (isPostgres()) return { where: { startsWith: prefix }, isExact: !prefix.includes("_") };
  return { where: { gte: prefix, lt: prefixEnd(prefix) }, isExact: true };
}

/**
 * The ChainScope condition of the `scope` filter (§8: a stored scope that covers the filter or that
 * it covers). Written as index lookups: the covering scopes exactly, the covered ones as a prefix
 * (and an action suffix). Stored scopes are lowercase, so SQLite's case-blind LIKE is exact; where
 * LIKE's "_" could match more, the candidates are read and checked one by one instead.
 */
async function scopeMatchWhere(scope: string): Promise<Prisma.ChainScopeWhereInput> {
  const candidates = scopeFilterCandidates(scope);
  if (!candidates) return { scope: { in: [] } };
  const { exact, prefix } = candidates;
  const f = parseScope(scope)!;
  const covered: Prisma.StringFilter<"ChainScope">[] = [];
  let isExact = true;
  if (prefix !== null) {
    if (prefix !== "") {
      const range = startingWith(prefix);
      covered.push(range.where);
      isExact &&= range.isExact;
    }
    // A wildcard filter covers only scopes with its action; a concrete one with action * (the
    // only kind that needs a prefix) covers every action of its resource.
    if (f.wildcard && f.action !== "*") {
      covered.push({ endsWith: `:${f.action}` });
      isExact &&= !f.action.includes("_");
    }
  }
  // A bare `*:*` filter covers every scope: any chain with one matches.
  if (prefix === "" && covered.length === 0) return {};
  const coveredWhere: Prisma.ChainScopeWhereInput | null = prefix === null ? null : { AND: covered.map((c) => ({ scope: c })) };
  if (isExact) return coveredWhere ? { OR: [{ scope: { in: exact } }, coveredWhere] } : { scope: { in: exact } };
  const prisma = await db();
  const distinct = await prisma.chainScope.findMany({
    where: { OR: [{ scope: { in: exact } }, ...(coveredWhere ? [coveredWhere] : [])] },
    distinct: ["scope"],
    select: { scope: true },
  });
  return { scope: { in: distinct.map((d) => d.scope).filter((s) => scopeCovers(s, scope) || scopeCovers(scope, s)) } };
}

export async function chainWhere(filters: TChainFilters, now: number): Promise<Prisma.ChainWhereInput> {
  const and: Prisma.ChainWhereInput[] = [];
  switch (filters.status) {
    case "violation":
    case "pending":
      and.push({ status: filters.status });
      break;
    case "warning":
      and.push({ OR: [{ status: "warning" }, { status: "verified", evidenceDue: { lt: now } }] });
      break;
    case "verified":
      and.push({ status: "verified", OR: [{ evidenceDue: null }, { evidenceDue: { gte: now } }] });
      break;
  }
  if (filters.principal) and.push({ principals: { some: { principalId: filters.principal } } });
  if (filters.scope) and.push({ scopes: { some: await scopeMatchWhere(filters.scope) } });
  if (filters.purpose) {
    and.push({
      purposes: {
        some: { OR: [{ purposeCode: filters.purpose }, { purposeCode: { startsWith: filters.purpose + "." } }] },
      },
    });
  }
  if (filters.finding) {
    and.push(
      filters.finding === "missing_evidence"
        ? { evidenceDue: { lt: now } }
        : { findings: { some: { code: filters.finding } } },
    );
  }
  if (filters.since !== undefined) and.push({ startedAt: { gte: filters.since } });
  if (filters.until !== undefined) and.push({ startedAt: { lte: filters.until } });
  if (filters.q) and.push({ searchText: { contains: filters.q.toLowerCase() } });
  return and.length ? { AND: and } : {};
}

type TCursor = { s: number; i: string };

function encodeCursor(c: TCursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

function decodeCursor(raw: string): TCursor {
  try {
    const c = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as TCursor;
    if (typeof c.s === "number" && Number.isFinite(c.s) && typeof c.i === "string" && c.i.length <= 200) return c;
  } catch {
    // fall through
  }
  throw new AppError("invalid_request", "cursor is not valid; use nextCursor from a previous page.");
}

export async function listChains(query: TChainListQuery, now = nowSeconds()): Promise<TChainList> {
  const prisma = await db();
  const where = await chainWhere(query, now);
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  const page = await prisma.chain.findMany({
    where: cursor
      ? { AND: [where, { OR: [{ startedAt: { lt: cursor.s } }, { startedAt: cursor.s, id: { lt: cursor.i } }] }] }
      : where,
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: query.limit + 1,
    select: CHAIN_ROW_SELECT,
  });
  const items = page.slice(0, query.limit);
  const last = items[items.length - 1];
  return {
    items: items.map((r) => toChainSummary(r, now)),
    nextCursor: page.length > query.limit && last ? encodeCursor({ s: last.startedAt, i: last.id }) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// One chain

function worst(findings: { severity: TSeverity }[]): TSeverity | null {
  let best: TSeverity | null = null;
  for (const f of findings) if (!best || SEVERITY_RANK[f.severity] > SEVERITY_RANK[best]) best = f.severity;
  return best;
}

export async function getChain(id: string, options: { now?: number; includeRaw?: boolean } = {}): Promise<TChainDetail> {
  return (await readChain(id, options)).detail;
}

/**
 * The chain's detail, and until when it stays what a read would return if the chain's stored rows
 * do not change: read-time findings (`missing_evidence`) appear when a grant no complete has
 * closed passes its exp, so the answer holds up to the earliest such exp still ahead.
 */
export async function readChain(id: string, options: { now?: number; includeRaw?: boolean } = {}): Promise<{ detail: TChainDetail; validUntil: number }> {
  const now = options.now ?? nowSeconds();
  const { startedAt, events: parsed, head, externalRows, principals, keys } = await loadChainDetail(id);
  if (startedAt === null || parsed.length === 0) throw new AppError("not_found", `No chain ${id}.`);
  const input = chainInputsFrom([id], parsed, externalRows, principals).get(id)!;
  const analysis = checkChain(input);
  const late = readTimeFindings(analysis, now);

  const principalIds = new Set<string>();
  for (const e of input.events) {
    principalIds.add(e.claims.iss);
    if ("aud" in e.claims) principalIds.add(e.claims.aud);
  }
  const thumbprintOf = new Map(keys.map((k) => [`${k.principalId}\u0000${k.kid}`, k.thumbprint]));
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
  const events: TChainEvent[] = parsed.map((r) => {
    const claims = r.claims;
    return {
      seq: r.seq,
      jti: r.jti,
      kind: r.kind as TChainEvent["kind"],
      iss: r.iss,
      aud: r.aud,
      ref: r.ref,
      iat: r.iat,
      exp: r.exp,
      status: (analysis.events.get(r.jti)?.status ?? r.status) as TChainEvent["status"],
      receivedAt: r.receivedAt.toISOString(),
      alg: r.alg,
      kid: r.kid,
      keyRevokedAt: r.keyRevokedAt,
      keyThumbprint: thumbprintOf.get(`${r.iss}\u0000${r.kid}`) ?? null,
      token: options.includeRaw === false ? "" : r.token,
      tokenSha256: sha256Hex(r.token),
      claims,
      prevHash: r.prevHash,
      hash: r.hash,
      findings: findingsOf.get(r.jti) ?? [],
    };
  });

  const hops: THop[] = [];
  const attached = new Set<string>();
  for (const e of events) {
    const c = e.claims;
    if (c.kind !== "authorize" && c.kind !== "delegate") continue;
    const verdict = analysis.events.get(e.jti);
    const parentClaims = c.kind === "delegate" ? claimsOf.get(c.parent) : undefined;
    const parentScope = parentClaims && (parentClaims.kind === "authorize" || parentClaims.kind === "delegate") ? parentClaims.scope : null;
    const diff = parentScope ? scopeDiff(c.scope, parentScope) : { removed: [], added: [] };
    hops.push({
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
      effectiveConstraints: verdict?.effectiveConstraints ?? {},
      maxDepth: c.max_depth ?? (c.kind === "authorize" ? 3 : null),
      depth: verdict?.depth ?? null,
      status: e.status,
      revokedAt: verdict?.revokedAt ?? null,
      signature: { alg: e.alg, kid: e.kid, thumbprint: e.keyThumbprint, verified: true },
      findings: e.findings,
      invocations: [],
      completions: [],
    });
  }
  const hopOf = new Map(hops.map((h) => [h.jti, h]));
  for (const e of events) {
    const c = e.claims;
    if (c.kind === "invoke" && c.grant && hopOf.has(c.grant)) {
      hopOf.get(c.grant)!.invocations.push({
        jti: e.jti,
        iss: c.iss,
        iat: c.iat,
        action: c.action,
        resource: c.resource,
        purpose: c.purpose ?? null,
        data: c.data ?? [],
        findings: e.findings,
      });
      attached.add(e.jti);
    } else if (c.kind === "complete" && hopOf.has(c.grant)) {
      hopOf.get(c.grant)!.completions.push({
        jti: e.jti,
        iss: c.iss,
        iat: c.iat,
        status: c.status,
        resultHash: c.result_hash,
        attestation: analysis.events.get(e.jti)?.attestation ?? null,
        evidence: c.evidence ?? null,
      });
      attached.add(e.jti);
    } else if (c.kind === "authorize" || c.kind === "delegate") {
      attached.add(e.jti);
    }
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
    if (c.kind === "authorize" || c.kind === "delegate") touch(c.aud, e.findings.filter((f) => f.code !== "principal_mismatch"));
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
      worstSeverity: worst(fs),
      findingCodes: [...new Set(fs.map((f) => f.code))],
    });
  }
  for (const r of resources) {
    if (principalIds.has(r)) continue;
    const fs = nodeFindings.get(r) ?? [];
    nodes.push({ id: r, kind: "resource", name: null, worstSeverity: worst(fs), findingCodes: [...new Set(fs.map((f) => f.code))] });
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
    root,
    startedAt,
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
  return { detail, validUntil };
}

// ---------------------------------------------------------------------------------------------
// The ledger

const LEDGER_PAGE = 5000;

type TLedgerRow = { seq: number; prevHash: string; hash: string; token: string };

/**
 * One page of the ledger after `afterSeq`. On SQLite through the direct connection: a million
 * events through Prisma's row mapping took ~14 s and grew the server by hundreds of MB of garbage.
 */
async function ledgerPage(afterSeq: number): Promise<TLedgerRow[]> {
  if (!isPostgres()) {
    const rows = sqliteStatement(`SELECT "seq", "prevHash", "hash", "token" FROM "Event" WHERE "seq" > ? ORDER BY "seq" LIMIT ?`)
      .raw(true)
      .all(afterSeq, LEDGER_PAGE) as [number, string, string, string][];
    // Yield between pages: the walk is synchronous per page and must not hold the server.
    await new Promise((r) => setImmediate(r));
    return rows.map(([seq, prevHash, hash, token]) => ({ seq, prevHash, hash, token }));
  }
  const prisma = await db();
  return prisma.event.findMany({
    where: { seq: { gt: afterSeq } },
    orderBy: { seq: "asc" },
    take: LEDGER_PAGE,
    select: { seq: true, prevHash: true, hash: true, token: true },
  });
}

/**
 * Re-walks the whole ledger in pages (constant memory), checks the stored head against it, and
 * checks every signed checkpoint (lib/ledger/checkpoints.ts) against the re-walked hashes: a ledger
 * rewritten consistently from some seq on still links up, but no longer matches what was signed.
 */
export async function verifyLedger() {
  const auditor = await checkpointAuditor();
  let cursor = { seq: 0, hash: GENESIS_HASH };
  let count = 0;
  for (;;) {
    const page = await ledgerPage(cursor.seq);
    const run = checkLedgerRun(page, cursor);
    count += run.count;
    if (!run.ok) return { ok: false, count, head: run.head, brokenAt: run.brokenAt, reason: run.reason, checkpoints: auditor.summary() };
    if (page.length === 0) break;
    await auditor.check(page);
    cursor = { seq: page[page.length - 1].seq, hash: run.head };
    if (page.length < LEDGER_PAGE) break;
  }
  const { summary: checkpoints, firstBad } = await auditor.finish();
  const prisma = await db();
  const stored = await prisma.ledgerHead.findUnique({ where: { id: 1 } });
  if (!stored || stored.seq !== cursor.seq || stored.hash !== cursor.hash) {
    return { ok: false, count, head: cursor.hash, reason: "the stored ledger head does not match the last event (events were removed from the end)", checkpoints };
  }
  if (firstBad) return { ok: false, count, head: cursor.hash, brokenAt: firstBad.seq, reason: firstBad.reason, checkpoints };
  return { ok: true, count, head: cursor.hash, checkpoints };
}
