// A chain-list filter on a value shared by many chains (docs/benchmarks.md "A value in thousands of
// chains", "Two values together, and a common scope or purpose"): on SQLite a page is read from one
// value's own rows (a principal's in the list's order; a finding's, a scope's or a purpose's after a
// bounded walk of Chain), the other filters tested per chain, and its count in one statement; no
// filter or a status alone is counted from counters. Every page, its order (ties in startedAt by
// id), its cursor and every count must be exactly what the Prisma-only store (the reads before) and
// the plain Chain walk give, on both sides of each choice the store makes: a value in more and in
// fewer rows than the status's chains, statuses with many, few and no matches, two values that
// never meet, a scope whose rule differs by the chain's source, purposes with codes below them, and
// values whose matches the bounded walk does not reach. PostgreSQL (skipped without a server) must
// give the same answers.
import { describe, expect, it } from "vitest";
import { migrate } from "@/scripts/migrate";
import { postgresTestUrl } from "@/scripts/postgres";
import { openBothDatabases, quietChainRow } from "@/lib/db/both-databases-cases";
import type { TChainFilters } from "@/lib/contracts/chains";
import { openDatabase, type TDatabase } from "../connect";
import { createStores, type TStores } from ".";
import { chainWhere, plainChainWhere, prismaChainStore, scopeWheres, type TChainRow, type TChainStore } from "./chains";
import { sqliteListPlan } from "./chain-list-sqlite";

const pg = await postgresTestUrl();
const T = 1_800_000_000;
const N = 2_400;

type TSide = { name: "sqlite" | "postgres"; db: TDatabase; s: TStores; drop?: () => Promise<void> };
const sides: TSide[] = [];

const id = (i: number) => `d${String(i).padStart(4, "0")}`;
/** Chain i: a violation when i % 20 = 13, pending when i % 50 = 29, a stored warning when i % 50 = 11, else verified (overdue when i % 20 = 7); one in 9 from AIP. */
const statusOf = (i: number) => (i % 20 === 13 ? "violation" : i % 50 === 29 ? "pending" : i % 50 === 11 ? "warning" : "verified");
/** Principals: `dense` in every even chain (1,200, past 800), `sparse` in 60, `anti` only where no violation is. */
const principalsOf = (i: number) => [
  ...(i % 2 === 0 ? ["agent:dense"] : []),
  ...(i % 40 === 1 ? ["agent:sparse"] : []),
  ...(i % 20 < 3 ? ["agent:anti"] : []),
  `user:u${i % 7}`,
];
/** Findings: scope_escalation on violations (two on some), unknown_principal on odd chains (1,200), ghost_permission only where no violation is. */
const findingsOf = (i: number) => [
  ...(i % 20 === 13 ? ["scope_escalation", ...(i % 40 === 13 ? ["scope_escalation"] : [])] : []),
  ...(i % 2 === 1 ? ["unknown_principal"] : []),
  ...(i % 20 === 2 || i % 20 === 4 ? ["ghost_permission"] : []),
];

/**
 * Scopes: DEP chains hold `d<i%5>/p<i%13>/ledger:read` and `…:write`, a second resource on every
 * third, `z/anti:read` only where no violation is; AIP chains (one in 9) hold opaque strings that
 * DEP's grammar and AIP's prefix rule judge differently (`d3/*` covers `d3/p1/ledger:read` only by
 * AIP's rule, a DEP chain holding it matches by DEP's).
 */
const scopesOf = (i: number) =>
  i % 9 === 4
    ? [`d${i % 5}/*`, `d${i % 5}/p${i % 13}/ledger:read`]
    : [
        `d${i % 5}/p${i % 13}/ledger:read`,
        `d${i % 5}/p${i % 13}/ledger:write`,
        ...(i % 3 === 0 ? [`d${i % 5}/p${i % 13}/files:read`] : []),
        ...(i % 20 < 3 ? ["z/anti:read"] : []),
        ...(i % 11 === 5 ? [`d${i % 5}/*`] : []),
      ];
/** Purposes: `ops.d<i%5>` on DEP chains, a code below it on every third, `ops_x.y` on one in 7; none on AIP chains. */
const purposesOf = (i: number) =>
  i % 9 === 4 ? [] : [`ops.d${i % 5}`, ...(i % 3 === 0 ? [`ops.d${i % 5}.sub`] : []), ...(i % 7 === 2 ? ["ops_x.y"] : [])];

async function open(name: TSide["name"], url: string, drop?: () => Promise<void>): Promise<TSide> {
  migrate(url);
  const db = await openDatabase(url);
  const chains = Array.from({ length: N }, (_, i) =>
    quietChainRow({
      id: id(i),
      status: statusOf(i),
      source: i % 9 === 4 ? "aip" : "dep",
      // Ties: 97 distinct starts, so a page boundary falls inside a tie.
      startedAt: T - 1_000 - (i % 97),
      evidenceDue: i % 20 === 7 ? T - 10 : i % 20 === 8 ? T + 10 : null,
    }),
  );
  for (let k = 0; k < N; k += 500) await db.prisma.chain.createMany({ data: chains.slice(k, k + 500) });
  const principals = chains.flatMap((c, i) => principalsOf(i).map((principalId) => ({ chainId: c.id, principalId, startedAt: c.startedAt })));
  for (let k = 0; k < principals.length; k += 500) await db.prisma.chainPrincipal.createMany({ data: principals.slice(k, k + 500) });
  const findings = chains.flatMap((c, i) =>
    findingsOf(i).map((code, j) => ({ chainId: c.id, eventJti: `${c.id}.${j}`, code, severity: "error", message: "m", iat: c.startedAt })),
  );
  for (let k = 0; k < findings.length; k += 500) await db.prisma.finding.createMany({ data: findings.slice(k, k + 500) });
  const scopes = chains.flatMap((c, i) => scopesOf(i).map((scope) => ({ chainId: c.id, scope })));
  for (let k = 0; k < scopes.length; k += 500) await db.prisma.chainScope.createMany({ data: scopes.slice(k, k + 500) });
  const purposes = chains.flatMap((c, i) => purposesOf(i).map((purposeCode) => ({ chainId: c.id, purposeCode })));
  for (let k = 0; k < purposes.length; k += 500) await db.prisma.chainPurpose.createMany({ data: purposes.slice(k, k + 500) });
  // Reviews on a few chains: `review=` is a test beside a driving value.
  await db.prisma.chainReview.createMany({
    data: chains
      .filter((_, i) => i % 17 === 3)
      .map((c, j) => ({ chainId: c.id, status: j % 3 === 0 ? "unreviewed" : "in_review", updatedAt: new Date(0), updatedBy: "t" })),
  });
  return { name, db, s: createStores(db), drop };
}

openBothDatabases(sides, pg, "dense", open);

const STATUSES = [undefined, "verified", "violation", "pending", "warning"] as const;
const FILTERS: TChainFilters[] = [
  ...["agent:dense", "agent:sparse", "agent:anti", "agent:nobody"].flatMap((principal) => STATUSES.map((status) => ({ principal, status }))),
  { principal: "agent:dense", since: T - 1_050, until: T - 1_020 },
  { principal: "agent:dense", status: "verified", source: "aip" },
  { principal: "agent:anti", status: "violation", source: "dep" },
  ...(["scope_escalation", "unknown_principal", "ghost_permission", "stale_grant"] as const).flatMap((finding) =>
    STATUSES.map((status) => ({ finding, status })),
  ),
  { finding: "unknown_principal", status: "verified", source: "dep", since: T - 1_060 },
  { finding: "ghost_permission", status: "violation", until: T - 1_030 },
  // Two values together: each may drive, the other tested per chain (some never meet).
  ...[
    { finding: "unknown_principal", principal: "agent:dense" },
    { finding: "scope_escalation", principal: "agent:anti" },
    { finding: "scope_escalation", principal: "agent:sparse" },
    { principal: "agent:dense", scope: "d3/*:read" },
    { principal: "agent:anti", scope: "z/anti:read" },
    { principal: "agent:sparse", scope: "d1/p3/ledger:read" },
    { principal: "agent:dense", purpose: "ops.d3" },
    { principal: "agent:anti", purpose: "ops.d3.sub" },
    { finding: "unknown_principal", scope: "d3/*:read" },
    { finding: "scope_escalation", scope: "z/anti:read" },
    { finding: "ghost_permission", purpose: "ops.d2" },
    { scope: "d3/*:read", purpose: "ops.d3" },
    { scope: "d3/*:read", purpose: "ops.d2" },
    { principal: "user:u3", scope: "d2/*:*", purpose: "ops" },
  ].flatMap((f) => [f, { ...f, status: "verified" }, { ...f, status: "violation" }]),
  { finding: "unknown_principal", principal: "agent:dense", status: "warning", source: "dep", since: T - 1_080 },
  // A scope or a purpose alone and beside plain tests: common, rare, none, by DEP's and AIP's rules.
  ...["d3/*:read", "d3/p7/ledger:read", "d3/p7/ledger:*", "z/anti:read", "d3/*", "nothing/*:read", "d3/p7/ledger"].flatMap((scope) =>
    STATUSES.map((status) => ({ scope, status })),
  ),
  { scope: "d4/*:read", source: "aip" },
  { scope: "d4/*:read", status: "warning", until: T - 1_040 },
  ...["ops.d3", "ops.d3.sub", "ops", "ops.d9"].flatMap((purpose) => STATUSES.map((status) => ({ purpose, status }))),
  { purpose: "ops.d1", source: "dep", since: T - 1_050 },
  // Tests beside a driving value, a scope that is a test only (it matches every scope), a purpose
  // with LIKE's wildcard (the reads before). Not `OPS.D3` or `ops.d_`: the reads before answer them
  // from the code's range, chainWhere's LIKE otherwise, and PostgreSQL's LIKE as the range.
  { principal: "agent:dense", review: "unreviewed" },
  { scope: "d3/*:read", review: "in_review", status: "verified" },
  { finding: "missing_evidence", principal: "agent:dense" },
  { finding: "missing_evidence", scope: "d2/*:read" },
  { scope: "*:*", status: "violation" },
  { scope: "*:*", principal: "agent:sparse" },
  { purpose: "ops_x" },
  { purpose: "ops_x", status: "verified" },
  // No value: counted from counters (a status alone) or through Prisma.
  ...STATUSES.map((status) => ({ status })),
  { status: "verified", source: "aip" },
  { review: "unreviewed" },
  ...STATUSES.map((status) => ({ status, review: "unreviewed" as const })),
  { status: "verified", review: "in_review" },
].map((f) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as TChainFilters);

/** Every matching chain: Chain walked newest first (startedAt, id) with chainWhere, in one statement. */
async function walk(side: TSide, filters: TChainFilters): Promise<string[]> {
  const rows = await side.db.prisma.chain.findMany({
    where: await chainWhere(side.db, filters, T),
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

/** A store's pages of `take`, each after the previous one's last row; at most `pages` of them. */
async function pages(store: TChainStore, filters: TChainFilters, take: number, pages = Infinity): Promise<TChainRow[]> {
  const out: TChainRow[] = [];
  let after: { startedAt: number; id: string } | undefined;
  for (let n = 0; n < pages; n++) {
    const page = await store.listRows(filters, T, { after, take });
    out.push(...page);
    if (page.length < take) break;
    const last = page[page.length - 1];
    after = { startedAt: last.startedAt, id: last.id };
  }
  return out;
}

describe("chain list: a value in many chains beside other filters", () => {
  it("the store's shapes: which filters can drive a read from their rows on SQLite, and which are tests only", async () => {
    const db = sides[0].db;
    const shape = async (filters: TChainFilters) => {
      const plan = await sqliteListPlan(db, { scopeWheres, plainChainWhere }, filters, T);
      return plan && { values: plan.values.map((v) => v.key), plain: plan.plain.length, other: plan.other.length };
    };
    expect(await shape({ principal: "a", status: "verified", since: 1 })).toEqual({ values: ["principal"], plain: 2, other: 0 });
    expect(await shape({ finding: "ghost_permission", principal: "a", scope: "x:read", purpose: "ops" })).toEqual({
      values: ["principal", "finding", "scope", "purpose"],
      plain: 0,
      other: 0,
    });
    expect(await shape({ finding: "missing_evidence", review: "unreviewed" })).toEqual({ values: [], plain: 0, other: 2 });
    // A scope every chain can match: a test only. A purpose with LIKE's wildcard or outside the grammar: the reads before.
    expect(await shape({ scope: "*:*", status: "violation" })).toEqual({ values: [], plain: 1, other: 1 });
    expect(await shape({ purpose: "ops_x", principal: "a" })).toBeNull();
    expect(await shape({ purpose: "OPS.D3" })).toBeNull();
    expect(await shape({ status: "verified" })).toEqual({ values: [], plain: 1, other: 0 });
    expect(await shape({ principal: "a", q: "x" })).toBeNull();
  });

  it("pages, order, ties, cursors and counts equal the Prisma-only store's and the Chain walk's, on both databases", async () => {
    const answers = new Map<string, string[]>();
    let empty = 0;
    let many = 0;
    for (const side of sides) {
      const before = prismaChainStore(side.db);
      for (const filters of FILTERS) {
        const label = `${side.name} ${JSON.stringify(filters)}`;
        const expected = await walk(side, filters);
        if (expected.length === 0) empty++;
        if (expected.length > 400) many++;
        // Pages of 7 (the first 20), of 51 (the list's own, a limit of 50 and one more) and of 400, to the end.
        for (const [take, most] of [
          [7, 20],
          [51, Infinity],
          [400, Infinity],
        ]) {
          const now = await pages(side.s.chains, filters, take, most);
          expect(
            now.map((r) => r.id),
            `${label} by ${take}`,
          ).toEqual(expected.slice(0, take * most));
          // The rows themselves, as the reads before gave them.
          expect(now, `${label} by ${take}, rows`).toEqual(await pages(before, filters, take, most));
        }
        expect(
          (await pages(side.s.chains, filters, 1, 5)).map((r) => r.id),
          `${label} by 1`,
        ).toEqual(expected.slice(0, 5));
        expect(await side.s.chains.countRows(filters, T), label).toBe(expected.length);
        for (const atMost of [1, 50, 10_001]) {
          expect(await side.s.chains.countRows(filters, T, atMost), `${label} at most ${atMost}`).toBe(Math.min(atMost, expected.length));
          expect(await before.countRows(filters, T, atMost), `${label} at most ${atMost}, before`).toBe(Math.min(atMost, expected.length));
        }
        const key = JSON.stringify(filters);
        if (answers.has(key)) expect(expected, `${key}: PostgreSQL as SQLite`).toEqual(answers.get(key));
        else answers.set(key, expected);
      }
    }
    expect(empty, "filters that match nothing").toBeGreaterThan(3);
    expect(many, "filters that match many pages").toBeGreaterThan(3);
  }, 600_000);

  it("SQLite plans: the principal's page walks its index in order and looks each chain up by id; a count reads the value's rows", () => {
    const conn = sides[0].db.sqlite!;
    const plan = (sql: string, ...params: unknown[]) =>
      (conn.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join("\n");
    const page = plan(
      `SELECT d."chainId" FROM "ChainPrincipal" d CROSS JOIN "Chain" c ON c."id" = d."chainId" WHERE d."principalId" = ? AND c."status" = ?
       ORDER BY d."startedAt" DESC, d."chainId" DESC LIMIT ?`,
      "agent:dense",
      "verified",
      51,
    );
    expect(page).toMatch(/SEARCH d USING COVERING INDEX ChainPrincipal_principalId_startedAt_chainId_idx \(principalId=\?\)/);
    expect(page).toMatch(/SEARCH c USING INDEX sqlite_autoindex_Chain_1 \(id=\?\)/);
    expect(page).not.toMatch(/TEMP B-TREE|SCAN/);
    const count = plan(
      `SELECT COUNT(*) FROM (SELECT DISTINCT c."id" FROM "Finding" d CROSS JOIN "Chain" c ON c."id" = d."chainId" WHERE d."code" = ? AND c."status" = ?)`,
      "ghost_permission",
      "violation",
    );
    expect(count).toMatch(/SEARCH d USING COVERING INDEX Finding_code_chainId_idx \(code=\?\)/);
    expect(count).toMatch(/SEARCH c USING INDEX sqlite_autoindex_Chain_1 \(id=\?\)/);
  });

  it("SQLite plans: a scope's and a purpose's rows are read off their index, never by scanning the table, with exact statistics too", async () => {
    const db = sides[0].db;
    const plan = await sqliteListPlan(db, { scopeWheres, plainChainWhere }, { scope: "d3/*:read", purpose: "ops.d3" }, T);
    expect(plan!.values.map((v) => v.key)).toEqual(["scope", "purpose"]);
    for (const v of plan!.values) {
      const detail = (db.sqlite!.prepare(`EXPLAIN QUERY PLAN ${v.rows[0]}`).all(...v.rows[1]) as { detail: string }[])
        .map((r) => r.detail)
        .join("\n");
      expect(detail, v.key).toMatch(v.key === "scope" ? /ChainScope_scope_idx/ : /ChainPurpose_purposeCode_idx/);
      expect(detail, v.key).not.toMatch(/SCAN d\b/);
    }
    // With statistics taken over every row, one OR of the scope's ranges was planned as a scan of
    // ChainScope; each branch of the UNION ALL is one range of the index whatever the statistics.
    db.sqlite!.exec("ANALYZE");
    for (const v of plan!.values)
      expect(
        (db.sqlite!.prepare(`EXPLAIN QUERY PLAN ${v.rows[0]}`).all(...v.rows[1]) as { detail: string }[]).map((r) => r.detail).join("\n"),
      ).not.toMatch(/SCAN d\b/);
  });
});
