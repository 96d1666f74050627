// Migration 0028 (docs/benchmarks.md "Growth"): the Findings page's order now reads Finding's own copy
// of its event's iat down an index, and the chain list's `principal` filter walks ChainPrincipal's
// (principalId, startedAt, chainId) index instead of every chain. Both must give exactly the answers
// of the reads they replace (the join to Event sorted by its iat; the Chain walk newest first),
// order, ties and cursors included, on SQLite and on PostgreSQL (skipped without a server); the
// migration's fill of existing rows must equal what ingest writes; and on SQLite the plans must read
// the new indexes in order, without a scan of the big table or a sort.
import { describe, expect, it } from "vitest";
import { migrate } from "@/scripts/migrate";
import { postgresTestUrl } from "@/scripts/postgres";
import { openBothDatabases, quietChainRow, replayMigration } from "@/lib/db/both-databases-cases";
import { makeKey, signToken } from "@/lib/protocol/test-helpers";
import { ingestSteps } from "@/lib/ingest/steps";
import { registerSigners, verifiedCandidates as candidates, type TTestSigner } from "@/lib/ingest/test-helpers";
import type { TChainFilters } from "@/lib/contracts/chains";
import { openDatabase, type TDatabase } from "../connect";
import { createStores, type TStores } from ".";
import { chainWhere, rareCandidates, type TChainRow } from "./chains";
import { findingsStatement } from "./review";

const pg = await postgresTestUrl();
const T = 1_800_000_000;
const AT = new Date("2026-01-02T03:04:05.000Z");
type TWho = TTestSigner;
const human: TWho = { id: "user:growth@bank.example", key: makeKey() };
const common: TWho = { id: "agent:growth-common", key: makeKey() };
const rare: TWho = { id: "agent:growth-rare", key: makeKey() };
const PURPOSE = { code: "fin", text: "Q1" };
const sign = (w: TWho, claims: Record<string, unknown>) => signToken(w.key, { v: 1, iss: w.id, ...claims });

/**
 * 40 chains whose roots share a few iats (ties in startedAt), most to `common`, every fifth to
 * `rare`; every other one with an out-of-scope invoke (a finding) at iats that tie across chains,
 * some violations. The chain "late" gets its invoke first (pending, started at the invoke) and its
 * root, older, in a later batch: its startedAt moves back, and its principal rows must follow.
 */
function batches(): string[][] {
  const first: string[] = [];
  for (let i = 0; i < 40; i++) {
    const chain = `g${String(i).padStart(2, "0")}`;
    const agent = i % 5 === 0 ? rare : common;
    first.push(
      sign(human, {
        kind: "authorize",
        jti: chain,
        chain,
        aud: agent.id,
        iat: T - 100 - (i % 4),
        exp: T + 3600,
        scope: ["fin/*:read"],
        purpose: PURPOSE,
      }),
    );
    if (i % 2 === 0) {
      const action = i % 6 === 0 ? "hr/salaries:read" : "fin/q1:read";
      first.push(sign(agent, { kind: "invoke", jti: `${chain}.i`, chain, grant: chain, iat: T - 50 - (i % 3), action, resource: `db://${action}` }));
      first.push(
        sign(agent, { kind: "invoke", jti: `${chain}.j`, chain, grant: chain, iat: T - 50 - (i % 3), action: "mail/out:send", resource: "smtp://x" }),
      );
    }
  }
  const late = sign(rare, { kind: "invoke", jti: "late.i", chain: "late", grant: "late", iat: T - 10, action: "fin/q2:read", resource: "db://q2" });
  const lateRoot = sign(human, {
    kind: "authorize",
    jti: "late",
    chain: "late",
    aud: rare.id,
    iat: T - 101,
    exp: T + 3600,
    scope: ["fin/*:read"],
    purpose: PURPOSE,
  });
  return [first, [late], [lateRoot]];
}

type TSide = { name: "sqlite" | "postgres"; db: TDatabase; s: TStores; drop?: () => Promise<void> };
const sides: TSide[] = [];

async function open(name: TSide["name"], url: string, drop?: () => Promise<void>): Promise<TSide> {
  migrate(url);
  const db = await openDatabase(url);
  const s = createStores(db);
  await registerSigners(s.registry, [human, common, rare]);
  for (const b of batches()) await s.ingest.run(ingestSteps(candidates(b), AT, "token:growth"));
  // Two reviewed chains, one a violation (g04), for the `review` filter.
  await db.prisma.chainReview.create({ data: { chainId: "g03", status: "in_review", updatedAt: AT, updatedBy: "test" } });
  await db.prisma.chainReview.create({ data: { chainId: "g04", status: "signed_off", updatedAt: AT, updatedBy: "test" } });
  await db.prisma.chainReview.create({ data: { chainId: "g05", status: "unreviewed", updatedAt: AT, updatedBy: "test" } });
  return { name, db, s, drop };
}

openBothDatabases(sides, pg, "growth", open);

const num = (v: unknown) => Number(v);

/** The tests that walk every filter on both databases: ~20 s on a quiet machine, over 30 s at load 15. */
const WALK_TIMEOUT_MS = 120_000;

/** The statement the Findings page's order used before 0028: every finding joined to its event, sorted by the event's iat. */
async function findingsByJoin(db: TDatabase): Promise<{ id: number; eventJti: string; code: string; iat: number }[]> {
  const rows = await db.prisma.$queryRawUnsafe<{ id: unknown; eventJti: string; code: string; iat: unknown }[]>(
    `SELECT f."id", f."eventJti", f."code", e."iat" FROM "Finding" f JOIN "Event" e ON e."jti" = f."eventJti" ORDER BY e."iat" DESC, f."id" DESC`,
  );
  return rows.map((r) => ({ id: num(r.id), eventJti: r.eventJti, code: r.code, iat: num(r.iat) }));
}

/** Every finding through the store's by-time pages of `take`, each page after the previous one's last row. */
async function findingsByPages(s: TStores, take: number) {
  const out: { id: number; eventJti: string; code: string }[] = [];
  let before: { iat: number; id: number | null } | "start" = "start";
  for (;;) {
    const page = await s.review.findings({ beforeTime: before, take, now: T });
    out.push(...page.map((f) => ({ id: f.id, eventJti: f.eventJti, code: f.code })));
    if (page.length < take) return out;
    const last = page[page.length - 1] as (typeof page)[number] & { iat: number };
    before = { iat: last.iat, id: last.id };
  }
}

/** The list before 0028: Chain walked newest first (startedAt, id) with every filter, page after page. */
async function chainsByWalk(side: TSide, filters: TChainFilters): Promise<string[]> {
  const rows = await side.db.prisma.chain.findMany({
    where: await chainWhere(side.db, filters, T),
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    select: { id: true },
  });
  return rows.map((r) => r.id);
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

const PRINCIPAL_FILTERS: TChainFilters[] = [
  { principal: rare.id },
  { principal: common.id },
  { principal: human.id },
  { principal: "agent:nobody" },
  { principal: common.id, status: "violation" },
  { principal: rare.id, status: "pending" },
  { principal: common.id, since: T - 102, until: T - 101 },
  { principal: common.id, scope: "fin/q1/*:read" },
];

describe("Findings page order from Finding.iat (migration 0028)", () => {
  it("every finding carries its event's iat", async () => {
    for (const side of sides) {
      const joined = await findingsByJoin(side.db);
      const own = await side.db.prisma.finding.findMany({ select: { id: true, iat: true } });
      expect(joined.length, side.name).toBeGreaterThan(20);
      expect(own.length, side.name).toBe(joined.length);
      const iatOf = new Map(joined.map((f) => [f.id, f.iat]));
      for (const f of own) expect(f.iat, side.name).toBe(iatOf.get(f.id));
    }
  });

  it("pages give the join's order, ties in iat by id, at every page size, on both databases", async () => {
    const answers: string[][] = [];
    for (const side of sides) {
      const joined = (await findingsByJoin(side.db)).map((f) => ({ id: f.id, eventJti: f.eventJti, code: f.code }));
      expect(new Set((await findingsByJoin(side.db)).map((f) => f.iat)).size, "iats tie").toBeLessThan(joined.length);
      for (const take of [1, 2, 3, 7, 50]) expect(await findingsByPages(side.s, take), `${side.name}, pages of ${take}`).toEqual(joined);
      answers.push(joined.map((f) => `${f.eventJti} ${f.code}`));
    }
    if (answers.length === 2) expect(answers[1]).toEqual(answers[0]);
  });

  it("the migration's fill of existing rows equals what ingest writes", async () => {
    for (const side of sides) {
      const snapshot = async () => ({
        findings: await side.db.prisma.finding.findMany({ select: { id: true, iat: true }, orderBy: { id: "asc" } }),
        principals: await side.db.prisma.chainPrincipal.findMany({ orderBy: [{ chainId: "asc" }, { principalId: "asc" }] }),
      });
      const written = await snapshot();
      await side.db.prisma.$executeRawUnsafe(`UPDATE "Finding" SET "iat" = NULL`);
      await side.db.prisma.$executeRawUnsafe(`UPDATE "ChainPrincipal" SET "startedAt" = 0`);
      expect(await replayMigration(side.db, side.name, "0028_growth_indexes", "UPDATE"), side.name).toBe(2);
      expect(await snapshot(), side.name).toEqual(written);
    }
  });
});

describe("chain list principal filter from ChainPrincipal (migration 0028)", () => {
  it("principal rows repeat their chain's startedAt, also after a chain's root arrives late", async () => {
    for (const side of sides) {
      const late = await side.db.prisma.chain.findUnique({ where: { id: "late" }, select: { startedAt: true } });
      expect(late?.startedAt, side.name).toBe(T - 101);
      const rows = await side.db.prisma.chainPrincipal.findMany({ select: { startedAt: true, chain: { select: { startedAt: true } } } });
      for (const r of rows) expect(r.startedAt, side.name).toBe(r.chain.startedAt);
    }
  });

  it(
    "pages give the Chain walk's order and cursors, ties in startedAt by id, with other filters, on both databases",
    async () => {
      for (const filters of PRINCIPAL_FILTERS) {
        const answers: string[][] = [];
        for (const side of sides) {
          const walk = await chainsByWalk(side, filters);
          for (const take of [1, 2, 3, 7, 50])
            expect(await chainsByPages(side, filters, take), `${side.name} ${JSON.stringify(filters)} by ${take}`).toEqual(walk);
          const keys = await side.s.chains.listKeys(filters, T, { take: 5 });
          expect(keys.map((k) => k.id)).toEqual(walk.slice(0, 5));
          answers.push(walk);
        }
        if (answers.length === 2) expect(answers[1], JSON.stringify(filters)).toEqual(answers[0]);
      }
      const rareWalk = await chainsByWalk(sides[0], { principal: rare.id });
      expect(rareWalk.length).toBeGreaterThan(5);
      expect(rareWalk).toContain("late");
    },
    WALK_TIMEOUT_MS,
  );
});

/** Filters a rare value drives (rareCandidates), alone and with others; the finding codes the store holds are added. */
const RARE_FILTERS: TChainFilters[] = [
  { purpose: "fin" },
  { purpose: "fi" },
  { purpose: "ops" },
  { scope: "fin/q1:read" },
  { scope: "fin/*:read" },
  { scope: "hr/*:read" },
  { scope: "fin/q1/*:read", status: "violation" },
  { purpose: "fin", since: T - 102, until: T - 101 },
  { purpose: "fin", principal: common.id },
  { review: "in_review", principal: common.id },
];
/** Filters that keep the Chain walk (no rare value to drive them). */
const WALKED_FILTERS: TChainFilters[] = [
  { finding: "missing_evidence" },
  { review: "unreviewed" },
  { review: "in_review" },
  { review: "signed_off" },
  { review: "signed_off", status: "violation" },
  { scope: "*:*" },
  { status: "violation" },
];

async function findingFilters(side: TSide): Promise<TChainFilters[]> {
  const codes = (await side.db.prisma.finding.findMany({ distinct: ["code"], select: { code: true } })).map(
    (f) => f.code as TChainFilters["finding"],
  );
  expect(codes.length, side.name).toBeGreaterThan(0);
  return codes.flatMap((finding) => [
    { finding },
    { finding, status: "violation" as const },
    { finding, purpose: "fin" },
    { finding, principal: rare.id },
  ]);
}

/** The list's pages, first rows of the export keys and counts, against the Chain walk. */
async function expectSameAsWalk(side: TSide, filters: TChainFilters): Promise<string[]> {
  const label = `${side.name} ${JSON.stringify(filters)}`;
  const walk = await chainsByWalk(side, filters);
  for (const take of [1, 2, 3, 7, 50]) expect(await chainsByPages(side, filters, take), `${label} by ${take}`).toEqual(walk);
  expect(
    (await side.s.chains.listKeys(filters, T, { take: 5 })).map((k) => k.id),
    label,
  ).toEqual(walk.slice(0, 5));
  expect(await side.s.chains.countRows(filters, T), label).toBe(walk.length);
  for (const atMost of [1, 3])
    expect(await side.s.chains.countRows(filters, T, atMost), `${label} at most ${atMost}`).toBe(Math.min(atMost, walk.length));
  return walk;
}

describe("chain list: rare scope, purpose and finding values from their own rows", () => {
  it(
    "are driven by their rows: same pages, ties, cursors and counts as the Chain walk, on both databases",
    async () => {
      let nonEmpty = 0;
      for (const [i, side] of sides.entries()) {
        for (const filters of [...RARE_FILTERS, ...(await findingFilters(side))]) {
          if (!filters.principal) expect(await rareCandidates(side.db, filters), `${side.name} ${JSON.stringify(filters)} is driven`).not.toBeNull();
          const walk = await expectSameAsWalk(side, filters);
          if (walk.length > 3) nonEmpty++;
          if (i === 1) expect(walk, JSON.stringify(filters)).toEqual(await chainsByWalk(sides[0], filters));
        }
      }
      expect(nonEmpty, "several filters match several pages").toBeGreaterThan(8);
    },
    WALK_TIMEOUT_MS,
  );

  it(
    "filters without a rare value keep the Chain walk, with the same answers",
    async () => {
      for (const side of sides)
        for (const filters of WALKED_FILTERS) {
          expect(await rareCandidates(side.db, filters), `${side.name} ${JSON.stringify(filters)}`).toBeNull();
          await expectSameAsWalk(side, filters);
        }
    },
    WALK_TIMEOUT_MS,
  );
});

describe("SQLite plans", () => {
  const plan = (side: TSide, sql: string, params: unknown[]) =>
    (side.db.sqlite!.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);

  it("the Findings page reads the (iat, id) index in order: no scan of Finding, no sort", () => {
    const side = sides[0];
    for (const beforeTime of ["start", { iat: T - 50, id: 7 }, { iat: T - 50, id: null }] as const) {
      const { sql, params } = findingsStatement("sqlite", { beforeTime, take: 51, now: T });
      const detail = plan(side, sql, params);
      expect(detail.join("\n")).toMatch(/Finding_iat_id_idx/);
      expect(detail.join("\n")).not.toMatch(/TEMP B-TREE|SCAN f\b(?! USING)/);
    }
  });

  it("the principal walk reads (principalId, startedAt, chainId) in order: no scan, no sort", () => {
    const side = sides[0];
    const sql = `SELECT "chainId", "startedAt" FROM "ChainPrincipal" WHERE "principalId" = ? AND "startedAt" <= ?
      AND ("startedAt" < ? OR ("startedAt" = ? AND "chainId" < ?)) ORDER BY "startedAt" DESC, "chainId" DESC LIMIT ?`;
    const detail = plan(side, sql, [rare.id, T, T, T, "g10", 51]).join("\n");
    expect(detail).toMatch(/SEARCH ChainPrincipal USING COVERING INDEX ChainPrincipal_principalId_startedAt_chainId_idx/);
    expect(detail).not.toMatch(/TEMP B-TREE|SCAN/);
  });
});

describe("chain list: a common value keeps the Chain walk", () => {
  it("a purpose in more chains than the rare bound is walked, with the same pages and counts", async () => {
    for (const side of sides) {
      const n = 820;
      await side.db.prisma.chain.createMany({
        data: Array.from({ length: n }, (_, i) =>
          quietChainRow({
            id: `bulk${String(i).padStart(4, "0")}`,
            status: i % 7 === 0 ? "violation" : "verified",
            startedAt: T - 200 - (i % 13),
          }),
        ),
      });
      await side.db.prisma.chainPurpose.createMany({
        data: Array.from({ length: n }, (_, i) => ({ chainId: `bulk${String(i).padStart(4, "0")}`, purposeCode: "bulk.pay" })),
      });
      for (const filters of [{ purpose: "bulk" }, { purpose: "bulk", status: "violation" as const }]) {
        expect(await rareCandidates(side.db, filters), side.name).toBeNull();
        const walk = await chainsByWalk(side, filters);
        expect(walk.length).toBeGreaterThan(100);
        for (const take of [50, 400])
          expect(await chainsByPages(side, filters, take), `${side.name} ${JSON.stringify(filters)} by ${take}`).toEqual(walk);
        expect(await side.s.chains.countRows(filters, T, 101), side.name).toBe(101);
        expect(await side.s.chains.countRows(filters, T), side.name).toBe(walk.length);
        // The list's count (cap 10,001) reads these 820 candidates by id instead of counting over Chain.
        expect(await rareCandidates(side.db, filters, 10_001), side.name).toHaveLength(n);
        expect(await side.s.chains.countRows(filters, T, 10_001), side.name).toBe(walk.length);
      }
    }
  });
});
