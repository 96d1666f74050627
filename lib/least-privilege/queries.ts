// Least privilege read models (docs/least-privilege.md): a principal's granted-against-used over a
// window with the suggested grant, and the ranking of principals and purposes by unused authority.
// The decisions are lib/protocol/least-privilege.ts's; this loads the rows and hands them over.
import { stores } from "@/lib/db";
import type { TLpGrantRow, TLpInvokeRow, TLpLinkRow } from "@/lib/db/stores/least-privilege";
import { AppError } from "@/lib/http";
import { nowSeconds } from "@/lib/chains/queries";
import {
  analyseGrants,
  analyseGrantUses,
  countGrantUses,
  grantsForPurpose,
  rankUnusedAuthority,
  suggestGrant,
  type TGrantCounts,
  type TGrantUsage,
  type TLpGrant,
  type TLpInvoke,
  type TLpLink,
} from "@/lib/protocol/least-privilege";
import type { TClaims, TConstraints } from "@/lib/protocol/types";
import { replayDrift } from "@/lib/protocol/drift";
import { egressHost } from "@/lib/protocol/scope";
import {
  LP_DEFAULT_WINDOW_SECONDS,
  LP_MAX_GRANTS,
  type TGrantUsageView,
  type TLeastPrivilegeRanking,
  type TLeastPrivilegeWindow,
  type TDriftView,
  type TPrincipalLeastPrivilege,
} from "@/lib/contracts/least-privilege";

function windowOf(q: { since?: number; until?: number; purpose?: string }, now: number): TLeastPrivilegeWindow {
  const until = q.until ?? now;
  return { since: q.since ?? until - LP_DEFAULT_WINDOW_SECONDS, until, purpose: q.purpose ?? null };
}

function toGrant(row: TLpGrantRow): TLpGrant | null {
  const c = JSON.parse(row.claims) as TClaims;
  if (c.kind !== "authorize" && c.kind !== "delegate") return null;
  return {
    jti: row.jti,
    chain: row.chainId,
    parent: c.kind === "delegate" ? c.parent : null,
    iss: c.iss,
    aud: c.aud,
    iat: c.iat,
    exp: c.exp,
    scope: c.scope,
    purpose: c.purpose.code,
    constraints: c.constraints ?? null,
    maxDepth: c.max_depth ?? null,
  };
}

function toInvoke(row: TLpInvokeRow): TLpInvoke | null {
  const c = JSON.parse(row.claims) as TClaims;
  if (c.kind !== "invoke") return null;
  return { jti: row.jti, grant: c.grant ?? null, iss: c.iss, iat: c.iat, action: c.action, resource: c.resource, data: c.data ?? [] };
}

const present = <T>(x: T | null): x is T => x !== null;

/** The grants `aud` received in the window (every grant when absent), newest first, cut, of the purpose. */
async function targetsOf(
  window: TLeastPrivilegeWindow,
  aud?: string,
): Promise<{ targets: TLpGrant[]; truncated: boolean; grantOf: (row: TLpGrantRow) => TLpGrant | null }> {
  const store = (await stores()).leastPrivilege;
  const rows = await store.grantsReceived({ aud, since: window.since, until: window.until, take: LP_MAX_GRANTS + 1 });
  // The targets come back among their chains' grants: each row's claims are parsed once.
  const parsed = new Map<string, TLpGrant | null>();
  const grantOf = (row: TLpGrantRow): TLpGrant | null => {
    let g = parsed.get(row.jti);
    if (g === undefined) parsed.set(row.jti, (g = toGrant(row)));
    return g;
  };
  const targets = grantsForPurpose(rows.slice(0, LP_MAX_GRANTS).map(grantOf).filter(present), window.purpose);
  return { targets, truncated: rows.length > LP_MAX_GRANTS, grantOf };
}

/**
 * The usages of the grants `aud` received in the window, newest first, from the events themselves:
 * the principal's page, which also replays drift from the invokes (one principal's grants are few).
 */
async function analyseWindow(
  window: TLeastPrivilegeWindow,
  aud?: string,
): Promise<{ usages: TGrantUsage[]; truncated: boolean; targets: TLpGrant[]; invokes: TLpInvoke[] }> {
  const store = (await stores()).leastPrivilege;
  const { targets, truncated, grantOf } = await targetsOf(window, aud);
  if (targets.length === 0) return { usages: [], truncated, targets, invokes: [] };
  const [chainGrants, invokes] = await Promise.all([
    store.grantsOfChains([...new Set(targets.map((g) => g.chain))]),
    store.invokesUnder(targets.map((g) => g.jti)),
  ]);
  const parsedInvokes = invokes.map(toInvoke).filter(present);
  return {
    usages: analyseGrants({ targets, chainGrants: chainGrants.map(grantOf).filter(present), invokes: parsedInvokes }),
    truncated,
    targets,
    invokes: parsedInvokes,
  };
}

const toLink = (row: TLpLinkRow): TLpLink => ({
  jti: row.jti,
  parent: row.kind === "delegate" ? row.ref : null,
  constraints: row.constraints === null ? null : (JSON.parse(row.constraints) as TConstraints),
});

/**
 * The same usages from the counts kept at ingest (GrantUse, docs/least-privilege.md#storage) and
 * the chains' structure, never their invokes or the claims of their chains' grants: the ranking,
 * whose 2,000 grants sit in chains of thousands of hops. `full: false` (the ranking) reads only the
 * invoke and delegate counts and answers the ranking's part of each usage; `full: true` the whole
 * usage (readGrantUsages "counts", held equal to the events by the tests).
 */
async function countWindow(
  window: TLeastPrivilegeWindow,
  aud: string | undefined,
  full: true,
): Promise<{ usages: TGrantUsage[]; truncated: boolean }>;
async function countWindow(
  window: TLeastPrivilegeWindow,
  aud: string | undefined,
  full: false,
): Promise<{ usages: TGrantCounts[]; truncated: boolean }>;
async function countWindow(
  window: TLeastPrivilegeWindow,
  aud: string | undefined,
  full: boolean,
): Promise<{ usages: TGrantCounts[]; truncated: boolean }> {
  const store = (await stores()).leastPrivilege;
  // The targets' claims are read whole: extracting only the scope in the database was no cheaper
  // on either (measured on the 1M-event bench databases).
  const { targets, truncated } = await targetsOf(window, aud);
  if (targets.length === 0) return { usages: [], truncated };
  const jtis = targets.map((g) => g.jti);
  if (!full) return { usages: countGrantUses(targets, await store.usesOf(jtis, ["invoke", "delegate"])), truncated };
  const [uses, links] = await Promise.all([
    store.usesOf(jtis, ["invoke", "delegate", "data", "resource"]),
    store.linksOfChains([...new Set(targets.map((g) => g.chain))]),
  ]);
  return { usages: analyseGrantUses({ targets, uses, links: links.map(toLink) }), truncated };
}

/**
 * A window's usages read both ways: from the events (the principal page's reading) or from the
 * counts kept at ingest (the ranking's and the report's). The equivalence tests hold them equal.
 */
export async function readGrantUsages(
  window: TLeastPrivilegeWindow,
  aud: string | undefined,
  from: "events" | "counts",
): Promise<{ usages: TGrantUsage[]; truncated: boolean }> {
  if (from === "counts") return countWindow(window, aud, true);
  const { usages, truncated } = await analyseWindow(window, aud);
  return { usages, truncated };
}

function grantView(u: TGrantUsage): TGrantUsageView {
  return {
    jti: u.jti,
    chain: u.chain,
    purpose: u.purpose,
    iat: u.iat,
    exp: u.exp,
    granted: u.granted,
    used: u.used,
    unused: u.unused,
    outside: u.outside,
    effectiveConstraints: u.effectiveConstraints,
  };
}

/**
 * Behavioural drift in the window, computed when read (lib/protocol/drift.ts): the principal's own
 * invokes under the grants it received, replayed per purpose. The baseline starts with the window.
 */
function driftOf(principal: string, targets: TLpGrant[], invokes: TLpInvoke[]): TDriftView[] {
  const grantOf = new Map(targets.map((g) => [g.jti, g]));
  const events = invokes.flatMap((i) => {
    const g = i.grant !== null ? grantOf.get(i.grant) : undefined;
    if (!g || i.iss !== principal) return [];
    return [
      { jti: i.jti, principal, purpose: g.purpose, iat: i.iat, action: i.action, resource: i.resource, data: i.data, host: egressHost(i.resource) },
    ];
  });
  const chainOf = new Map(invokes.map((i) => [i.jti, i.grant !== null ? (grantOf.get(i.grant)?.chain ?? "") : ""]));
  return replayDrift(events).map((d) => ({
    jti: d.jti,
    chain: chainOf.get(d.jti) ?? "",
    purpose: d.purpose,
    iat: d.iat,
    aspects: d.aspects,
    baseline: d.baseline,
    message: d.message,
  }));
}

export async function getPrincipalLeastPrivilege(
  id: string,
  query: { since?: number; until?: number; purpose?: string },
  now = nowSeconds(),
): Promise<TPrincipalLeastPrivilege> {
  if (!(await (await stores()).registry.exists(id))) throw new AppError("not_found", `No principal ${id}.`);
  const window = windowOf(query, now);
  const { usages, truncated, targets, invokes } = await analyseWindow(window, id);
  return {
    principal: id,
    drift: driftOf(id, targets, invokes),
    ...window,
    grants: usages.map(grantView),
    suggested: suggestGrant(usages, window.purpose),
    totals: {
      grants: usages.length,
      granted: usages.reduce((n, u) => n + u.granted.length, 0),
      unused: usages.reduce((n, u) => n + u.unused.length, 0),
      uses: usages.reduce((n, u) => n + u.used.reduce((m, s) => m + s.invocations + s.delegations, 0), 0),
    },
    truncated,
  };
}

export async function getLeastPrivilegeRanking(
  query: { since?: number; until?: number; purpose?: string },
  now = nowSeconds(),
): Promise<TLeastPrivilegeRanking> {
  const window = windowOf(query, now);
  const { usages, truncated } = await countWindow(window, undefined, false);
  return { ...window, items: rankUnusedAuthority(usages), analysedGrants: usages.length, truncated };
}

/** The report's rows: every grant of the window (of one principal when asked), with its usage. */
export async function readLeastPrivilegeReport(
  query: { since?: number; until?: number; purpose?: string; principal?: string },
  now = nowSeconds(),
): Promise<TLeastPrivilegeWindow & { principal: string | null; usages: TGrantUsage[]; truncated: boolean }> {
  if (query.principal !== undefined && !(await (await stores()).registry.exists(query.principal)))
    throw new AppError("not_found", `No principal ${query.principal}.`);
  const window = windowOf(query, now);
  // From the events, not the counts: measured interleaved on the 1M bench databases the counted
  // reading (readGrantUsages "counts") was no faster for the report (SQLite 175 vs 144 ms, PostgreSQL
  // 231 vs 188 ms, p50 with the CSV rows): its cost is the analysis and the rows of 2,000 grants,
  // not the reads. docs/benchmarks.md, "Least privilege from counts kept at ingest".
  const { usages, truncated } = await analyseWindow(window, query.principal);
  return { ...window, principal: query.principal ?? null, usages, truncated };
}
