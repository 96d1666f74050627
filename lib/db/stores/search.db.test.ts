// The chain list's `q` filter is a plain substring match of the lowercased query on the stored
// searchText, whatever path a query takes (PostgreSQL: LIKE with its wildcards escaped, which the
// pg_trgm GIN index of migration 0031 serves; SQLite: LIKE over every chain, or the exact-match
// lists for a text holding LIKE's wildcards). The same chains, in the same order, through every
// cursor and page size, with the other filters, on both databases (PostgreSQL skipped without a
// server). The PostgreSQL index must follow a chain whose text changes, and its migration must apply
// to a database that already holds chains.
import { describe, expect, it } from "vitest";
import { migrate } from "@/scripts/migrate";
import { postgresTestUrl } from "@/scripts/postgres";
import { openBothDatabases, quietChainRow } from "@/lib/db/both-databases-cases";
import { makeKey, signToken } from "@/lib/protocol/test-helpers";
import { ingestSteps } from "@/lib/ingest/steps";
import { registerSigners, verifiedCandidates as candidates, type TTestSigner } from "@/lib/ingest/test-helpers";
import type { TChainFilters, TChainSortParam } from "@/lib/contracts/chains";
import { openDatabase, type TDatabase } from "../connect";
import { createStores, type TStores } from ".";
import { chainWhere, SEARCH_IDS_AT_MOST, type TChainRow, type TSortPosition } from "./chains";

const pg = await postgresTestUrl();
const T = 1_800_000_000;
const AT = new Date("2026-01-02T03:04:05.000Z");
type TWho = TTestSigner;
const human: TWho = { id: "user:Search@Bank.example", key: makeKey() };
const agentA: TWho = { id: "agent:search_a", key: makeKey() };
const agentB: TWho = { id: "agent:search%b", key: makeKey() };
const sign = (w: TWho, claims: Record<string, unknown>) => signToken(w.key, { v: 1, iss: w.id, ...claims });

/** Purpose texts and resources with LIKE's wildcards, a backslash, quotes, case and non-ASCII text. */
const TEXTS = [
  "Zürich Q1 report",
  "100% coverage",
  "under_score here",
  "back\\slash path",
  "ÉTÉ summer",
  "plain text",
  "axb not a_b",
  "a_b literal",
  "50%off",
  "naïve café",
  "emoji 😀 party",
  'quote "x" here',
  "İstanbul ΣΊΣΥΦΟΣ",
  "ab",
];

/**
 * 28 chains over the texts (ties in startedAt), every third with an out-of-scope invoke (findings,
 * violations); then a second batch that adds a resource to some chains, changing their searchText.
 */
function batches(): string[][] {
  const first: string[] = [];
  const later: string[] = [];
  for (let i = 0; i < 28; i++) {
    const chain = `S${String(i).padStart(2, "0")}`;
    const agent = i % 2 === 0 ? agentA : agentB;
    const text = TEXTS[i % TEXTS.length];
    first.push(
      sign(human, {
        kind: "authorize",
        jti: chain,
        chain,
        aud: agent.id,
        iat: T - 100 - (i % 5),
        exp: T + 3600,
        scope: ["fin/*:read"],
        purpose: { code: i % 4 === 0 ? "fin.audit" : "ops", text },
      }),
    );
    if (i % 3 === 0) {
      const action = i % 6 === 0 ? "hr/salaries:read" : "fin/q1:read";
      first.push(
        sign(agent, {
          kind: "invoke",
          jti: `${chain}.i`,
          chain,
          grant: chain,
          iat: T - 50,
          action,
          resource: `db://${TEXTS[(i + 5) % TEXTS.length]}`,
        }),
      );
    }
    if (i % 4 === 1) {
      later.push(
        sign(agent, {
          kind: "invoke",
          jti: `${chain}.late`,
          chain,
          grant: chain,
          iat: T - 40,
          action: "fin/q2:read",
          resource: `db://Late-Addition_Ω/${i}`,
        }),
      );
    }
  }
  return [first, later];
}

type TSide = { name: "sqlite" | "postgres"; url: string; db: TDatabase; s: TStores; drop?: () => Promise<void> };
const sides: TSide[] = [];

/** Chains written directly (no events): enough to pass the index's bound, so the other paths run too. */
const BULK = SEARCH_IDS_AT_MOST + 100;
const bulkChain = (i: number) =>
  quietChainRow({
    id: `bulk${String(i).padStart(4, "0")}`,
    status: "verified",
    startedAt: T - 1000 - (i % 50),
    // every bulk chain holds "bulk filler"; 590 hold "x_y", 10 "xzy" (LIKE's `_` matches both)
    searchText: `bulk${String(i).padStart(4, "0")}\nbulk filler\n${i < 10 ? "xzy" : "x_y"}`,
  });

async function open(name: TSide["name"], url: string, drop?: () => Promise<void>): Promise<TSide> {
  migrate(url);
  const db = await openDatabase(url);
  const s = createStores(db);
  await registerSigners(s.registry, [human, agentA, agentB]);
  const [first, later] = batches();
  await s.ingest.run(ingestSteps(candidates(first), AT, "token:search"));
  await db.prisma.chain.createMany({ data: Array.from({ length: BULK }, (_, i) => bulkChain(i)) });
  await s.ingest.run(ingestSteps(candidates(later), AT, "token:search"));
  return { name, url, db, s, drop };
}

openBothDatabases(sides, pg, "search", open, 180_000);

/** The brute-force answer: the list without `q` (newest first, every other filter), kept where searchText contains the lowercased query. */
async function bruteForce(side: TSide, filters: TChainFilters): Promise<string[]> {
  const { q, ...rest } = filters;
  const rows = await side.db.prisma.chain.findMany({
    where: await chainWhere(side.db, rest, T),
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    select: { id: true, searchText: true },
  });
  const text = (q ?? "").toLowerCase();
  return rows.filter((r) => r.searchText.includes(text)).map((r) => r.id);
}

async function chainsByPages(side: TSide, filters: TChainFilters, take: number): Promise<string[]> {
  const out: string[] = [];
  let after: { startedAt: number; id: string } | undefined;
  for (;;) {
    const page: TChainRow[] = await side.s.chains.listRows(filters, T, { after, take });
    out.push(...page.map((r) => r.id));
    if (page.length < take) return out;
    const last = page[page.length - 1];
    after = { startedAt: last.startedAt, id: last.id };
  }
}

async function sortedByPages(side: TSide, filters: TChainFilters, sort: TChainSortParam, take: number): Promise<string[]> {
  const out: string[] = [];
  let after: TSortPosition | undefined;
  for (;;) {
    const page = await side.s.chains.listSorted(filters, T, { sort, now: T, after, take });
    out.push(...page.map((r) => r.row.id));
    if (page.length < take) return out;
    after = page[page.length - 1].at;
  }
}

const QUERIES = [
  "zür",
  "ZÜRICH",
  "100%",
  "%",
  "0%o",
  "_",
  "a_b",
  "under_",
  "\\",
  "back\\slash",
  "été",
  "ÉTÉ SUM",
  "ï",
  "naïve",
  "😀",
  "😀 p",
  '"x"',
  "istanbul",
  "σίσυφος",
  "ab",
  "a",
  "q1",
  "s0",
  "s1",
  "agent:search",
  "search%b",
  "late-addition_ω",
  "late",
  "db://",
  "bulk filler",
  "bulk00",
  "x_y",
  "xzy",
  "no such text anywhere",
];

describe("the q filter: a substring match on both databases (migration 0031 on PostgreSQL)", () => {
  it("every query gives the brute-force substring match, in order, through every cursor, on both databases", async () => {
    for (const q of QUERIES) {
      const answers: string[][] = [];
      for (const side of sides) {
        const expected = await bruteForce(side, { q });
        // Pages of 1 through a few chains, of 50 through the hundreds (every cursor either way).
        for (const take of expected.length > 60 ? [50] : [1, 3, 7, 50])
          expect(await chainsByPages(side, { q }, take), `${side.name} q=${q} by ${take}`).toEqual(expected);
        expect(await side.s.chains.countRows({ q }, T), `${side.name} count q=${q}`).toBe(expected.length);
        const keys = await side.s.chains.listKeys({ q }, T, { take: 5 });
        expect(
          keys.map((k) => k.id),
          `${side.name} keys q=${q}`,
        ).toEqual(expected.slice(0, 5));
        answers.push(expected);
      }
      if (answers.length === 2) expect(answers[1], `q=${q}`).toEqual(answers[0]);
    }
  }, 300_000);

  it("the queries reach every path: few chains, none, many, and wildcards", async () => {
    const side = sides[0];
    const count = async (q: string) => (await bruteForce(side, { q })).length;
    expect(await count("zür")).toBeGreaterThan(0);
    // Prisma's LIKE read `_` as any character: the substring does not.
    expect(await count("x_y")).toBe(BULK - 10);
    expect(await count("xzy")).toBe(10);
    expect(await side.db.prisma.chain.count({ where: { searchText: { contains: "x_y" } } })).toBe(BULK);
    expect(await count("bulk filler")).toBe(BULK);
    expect(await count("_")).toBeGreaterThan(SEARCH_IDS_AT_MOST);
    expect(await count("late-addition_ω")).toBe(7);
  }, 60_000);

  it("with the other filters, and in every sort", async () => {
    const combos: TChainFilters[] = [
      { q: "fin", status: "violation" },
      { q: "zür", principal: agentA.id },
      { q: "agent:search", principal: agentB.id, status: "warning" },
      { q: "a_b", purpose: "fin" },
      { q: "db://", finding: "scope_escalation" },
      { q: "s0", finding: "missing_evidence" },
      { q: "x_y", since: T - 1020, until: T - 1010 },
      { q: "late", source: "dep" },
      { q: "é", review: "unreviewed" },
    ];
    const stored = await sides[0].db.prisma.finding.findFirst({ select: { code: true } });
    expect(stored).not.toBeNull();
    combos.push({ q: "db://", finding: stored!.code }, { q: "a_b", finding: stored!.code });
    for (const filters of combos) {
      const answers: string[][] = [];
      for (const side of sides) {
        const expected = await bruteForce(side, filters);
        for (const take of [2, 50])
          expect(await chainsByPages(side, filters, take), `${side.name} ${JSON.stringify(filters)} by ${take}`).toEqual(expected);
        expect(await side.s.chains.countRows(filters, T)).toBe(expected.length);
        answers.push(expected);
      }
      if (answers.length === 2) expect(answers[1], JSON.stringify(filters)).toEqual(answers[0]);
    }
    for (const side of sides) {
      for (const sort of ["hops", "-findings", "status", "purpose"] as const) {
        for (const q of ["zür", "a_b", "late", "x_y", "%"]) {
          const all = await sortedByPages(side, {}, sort, 1000);
          const keep = new Set(await bruteForce(side, { q }));
          const expected = all.filter((id) => keep.has(id));
          expect(await sortedByPages(side, { q }, sort, expected.length > 60 ? 50 : 3), `${side.name} sort=${sort} q=${q}`).toEqual(expected);
        }
      }
    }
  }, 300_000);

  it("finding counts over a search count the same chains", async () => {
    for (const side of sides) {
      for (const q of ["fin", "a_b", "s0"]) {
        const ids = await bruteForce(side, { q });
        const grouped = await side.db.prisma.finding.groupBy({ by: ["code"], where: { chainId: { in: ids } }, _count: { _all: true } });
        const expected = grouped.map((g) => ({ code: g.code, count: g._count._all })).sort((a, b) => a.code.localeCompare(b.code));
        const got = (await side.s.chains.findingCounts({ q }, T)).sort((a, b) => a.code.localeCompare(b.code));
        expect(got, `${side.name} q=${q}`).toEqual(expected);
      }
    }
  });

  it("follows a chain's text through insert, update and delete", async () => {
    for (const side of sides) {
      const row = { ...bulkChain(9999), id: "trigger-probe", searchText: "first wording ☃" };
      await side.db.prisma.chain.create({ data: row });
      expect(await chainsByPages(side, { q: "wording ☃" }, 50), side.name).toEqual(["trigger-probe"]);
      await side.db.prisma.chain.update({ where: { id: row.id }, data: { searchText: "second phrasing ☂" } });
      expect(await chainsByPages(side, { q: "wording ☃" }, 50), side.name).toEqual([]);
      expect(await chainsByPages(side, { q: "phrasing ☂" }, 50), side.name).toEqual(["trigger-probe"]);
      await side.db.prisma.chain.update({ where: { id: row.id }, data: { status: "warning" } });
      expect(await chainsByPages(side, { q: "phrasing ☂" }, 50), side.name).toEqual(["trigger-probe"]);
      await side.db.prisma.chain.delete({ where: { id: row.id } });
      expect(await chainsByPages(side, { q: "phrasing ☂" }, 50), side.name).toEqual([]);
    }
  });

  it.runIf(pg)(
    "PostgreSQL: the migration applies to a database that already holds chains",
    async () => {
      for (const side of sides.filter((s) => s.name === "postgres")) {
        const before = await Promise.all(QUERIES.map((q) => bruteForce(side, { q })));
        await side.db.prisma.$executeRawUnsafe(`DROP INDEX "Chain_searchText_trgm_idx"`);
        await side.db.prisma.$executeRawUnsafe(`DROP EXTENSION pg_trgm`);
        await side.db.prisma.$executeRawUnsafe(`DELETE FROM "_prisma_migrations" WHERE "migration_name" = '0031_chain_search'`);
        await side.db.close();
        migrate(side.url);
        side.db = await openDatabase(side.url);
        side.s = createStores(side.db);
        for (const [i, q] of QUERIES.entries())
          expect(await chainsByPages(side, { q }, 7), `${side.name} q=${q} after re-migrating`).toEqual(before[i]);
      }
    },
    180_000,
  );
});

describe("plans", () => {
  it.runIf(pg)("PostgreSQL: the LIKE Prisma sends for the filter can read the trigram index", async () => {
    const side = sides.find((s) => s.name === "postgres")!;
    const rows = await side.db.prisma.$transaction([
      side.db.prisma.$executeRawUnsafe(`SET LOCAL enable_seqscan = off`),
      side.db.prisma.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(
        `EXPLAIN SELECT "id" FROM "public"."Chain" WHERE "public"."Chain"."searchText" LIKE $1`,
        "%a\\_b%",
      ),
    ]);
    expect(rows[1].map((r) => r["QUERY PLAN"]).join("\n")).toMatch(/Bitmap Index Scan on "Chain_searchText_trgm_idx"/);
  });
});
