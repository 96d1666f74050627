// The chain list's total is counted up to a cap (TOTAL_AT_MOST, docs/api.md "The chain list's total
// is counted up to 10,000"): below the cap it must be the exact number of matching chains, at or
// above it the cap with `isTotalExact: false`, never a silently wrong number; the same on every page,
// sorted or not, whatever the filters. A small cap is passed in, so a handful of chains crosses it.
// The exact number is what walking every page finds. Run on SQLite (list-total.sqlite.db.test.ts)
// and PostgreSQL (list-total.postgres.db.test.ts).
import { beforeAll, describe, expect, it } from "vitest";
import { ingest, registerActor, type TActor } from "@/lib/reports/test-fixtures";
import { signToken } from "@/lib/protocol/test-helpers";
import { ZChainListQuery, type TChainFilters } from "@/lib/contracts/chains";

export function defineListTotalTests(database: "sqlite" | "postgres"): void {
  let human: TActor;
  let common: TActor;
  let rare: TActor;
  let queries: typeof import("./queries");
  const t0 = Math.floor(Date.now() / 1000);
  const tag = `total${database}${t0.toString(36)}`;
  const sign = (a: TActor, claims: Record<string, unknown>) => signToken(a.key, { v: 1, iss: a.id, ...claims });

  beforeAll(async () => {
    queries = await import("./queries");
    human = await registerActor(`user:${tag}-human`, "human");
    common = await registerActor(`agent:${tag}-common`, "agent");
    rare = await registerActor(`agent:${tag}-rare`, "agent");
    // 9 chains: every third to `rare`, every other one with an out-of-scope invoke (a violation).
    const tokens: string[] = [];
    for (let i = 0; i < 9; i++) {
      const chain = `${tag}-c${i}`;
      const agent = i % 3 === 0 ? rare : common;
      tokens.push(
        sign(human, {
          kind: "authorize",
          jti: chain,
          chain,
          aud: agent.id,
          iat: t0 - 100 - (i % 4),
          exp: t0 + 3600,
          scope: ["fin/*:read"],
          purpose: { code: i < 5 ? "fin.q1" : "ops", text: "Q1" },
        }),
      );
      if (i % 2 === 0) {
        const action = i % 4 === 0 ? "hr/salaries:read" : "fin/q1:read";
        tokens.push(sign(agent, { kind: "invoke", jti: `${chain}.i`, chain, grant: chain, iat: t0 - 50, action, resource: `db://${action}` }));
      }
    }
    await ingest(tokens);
  }, 120_000);

  const filterSets = (): TChainFilters[] => [
    { q: tag },
    { q: tag, status: "violation" },
    { principal: rare.id },
    { principal: common.id, q: tag },
    { q: tag, purpose: "fin" },
    { q: tag, scope: "fin/q1:read" },
    { principal: `agent:${tag}-nobody` },
  ];

  /** Every chain the filters match, by walking every page (the exact answer the capped total must agree with). */
  async function walkAll(filters: TChainFilters): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await queries.listChains(ZChainListQuery.parse({ ...filters, limit: 2, cursor }), t0);
      ids.push(...page.items.map((c) => c.id));
      if (!page.nextCursor) return ids;
      cursor = page.nextCursor;
    }
  }

  describe(`chain list total, counted up to a cap (${database})`, () => {
    it("is exact, and says so, below the cap; the cap and a flag at or above it; on every page and sort", async () => {
      let flagged = 0;
      for (const filters of filterSets()) {
        const exact = (await walkAll(filters)).length;
        const label = JSON.stringify(filters);
        // The real cap: these few chains are far below it.
        expect(await queries.listChains(ZChainListQuery.parse(filters), t0), label).toMatchObject({ total: exact, isTotalExact: true });
        for (const cap of [1, 2, exact - 1, exact, exact + 1, 50].filter((c) => c >= 1)) {
          const want = exact <= cap ? { total: exact, isTotalExact: true } : { total: cap, isTotalExact: false };
          if (!want.isTotalExact) flagged++;
          const first = await queries.listChains(ZChainListQuery.parse({ ...filters, limit: 2 }), t0, cap);
          expect(first, `${label} cap ${cap}`).toMatchObject(want);
          if (first.nextCursor) {
            const second = await queries.listChains(ZChainListQuery.parse({ ...filters, limit: 2, cursor: first.nextCursor }), t0, cap);
            expect(second, `${label} cap ${cap}, second page`).toMatchObject(want);
          }
          const sorted = await queries.listChains(ZChainListQuery.parse({ ...filters, limit: 2, sort: "-hops" }), t0, cap);
          expect(sorted, `${label} cap ${cap}, sorted`).toMatchObject(want);
        }
      }
      expect(flagged, "some caps are crossed").toBeGreaterThan(5);
    });

    it("the store counts at most what it is asked to, and exactly below that", async () => {
      const { stores } = await import("@/lib/db");
      const store = (await stores()).chains;
      for (const filters of filterSets()) {
        const exact = await store.countRows(filters, t0);
        expect(exact, JSON.stringify(filters)).toBe((await walkAll(filters)).length);
        for (const atMost of [1, 3, 100])
          expect(await store.countRows(filters, t0, atMost), `${JSON.stringify(filters)} at most ${atMost}`).toBe(Math.min(exact, atMost));
      }
    });
  });
}
