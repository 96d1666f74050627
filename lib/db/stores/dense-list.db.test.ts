// A chain-list filter on a value shared by many chains (docs/benchmarks.md "A value in thousands of
// chains"): on SQLite a principal's or a stored finding's page beside plain column tests is read from
// the value's own rows (the principal's in the list's order; a finding's after a bounded walk of
// Chain), and its count in one statement. Every page, its order (ties in startedAt by id), its
// cursor and every count must be exactly what the Prisma-only store (the reads before) and the plain
// Chain walk give, on both sides of each choice the store makes: a value in more and in fewer rows
// than the status's chains, statuses with many, few and no matches, and a finding whose matches the
// bounded walk does not reach. PostgreSQL (skipped without a server) must give the same answers.
import { describe, expect, it } from "vitest";
import { migrate } from "@/scripts/migrate";
import { postgresTestUrl } from "@/scripts/postgres";
import { openBothDatabases, quietChainRow } from "@/lib/db/both-databases-cases";
import type { TChainFilters } from "@/lib/contracts/chains";
import { openDatabase, type TDatabase } from "../connect";
import { createStores, type TStores } from ".";
import { chainWhere, prismaChainStore, sqliteDrivenFilters, type TChainRow, type TChainStore } from "./chains";

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
  // Not of the driven shape (two values, or a value the store does not drive): the reads before.
  { finding: "unknown_principal", principal: "agent:dense" },
  { finding: "missing_evidence", principal: "agent:dense" },
  { principal: "agent:dense", review: "unreviewed" },
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
  it("the store's shapes: principal or finding with plain column tests are driven on SQLite, others are not", () => {
    expect(sqliteDrivenFilters({ principal: "a", status: "verified", since: 1 }, T)?.driver.key).toBe("principal");
    expect(sqliteDrivenFilters({ finding: "ghost_permission", status: "violation" }, T)?.driver.key).toBe("finding");
    expect(sqliteDrivenFilters({ finding: "ghost_permission", principal: "a" }, T)).toBeNull();
    expect(sqliteDrivenFilters({ finding: "missing_evidence" }, T)).toBeNull();
    expect(sqliteDrivenFilters({ principal: "a", scope: "x:read" }, T)).toBeNull();
    expect(sqliteDrivenFilters({ status: "verified" }, T)).toBeNull();
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
});
