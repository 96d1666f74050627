// The least-privilege read models against a real database filled through the real registry and
// ingest: the same story and the same answers on SQLite (queries.sqlite.db.test.ts) and on
// PostgreSQL (queries.postgres.db.test.ts). The caller points DATABASE_URL at a fresh migrated database.
import { beforeAll, describe, expect, it } from "vitest";
import { ingest, registerActor, type TActor } from "@/lib/reports/test-fixtures";
import { signToken } from "@/lib/protocol/test-helpers";
import { scopesWithin } from "@/lib/protocol/scope";

export function defineLeastPrivilegeTests(kind: "sqlite" | "postgres") {
  const t = Math.floor(Date.now() / 1000);
  const tag = `${kind}-${t.toString(36)}`;
  let human: TActor;
  let planner: TActor;
  let viz: TActor;
  let queries: typeof import("./queries");
  let report: typeof import("./report");
  const sign = (a: TActor, claims: Record<string, unknown>) => signToken(a.key, { v: 1, iss: a.id, ...claims });

  beforeAll(async () => {
    queries = await import("./queries");
    report = await import("./report");
    human = await registerActor(`user:lp-${tag}@bank.example`, "human");
    planner = await registerActor(`agent:lp-planner-${tag}`, "agent");
    viz = await registerActor(`agent:lp-viz-${tag}`, "agent");
    const chain = (n: number, iat: number, purpose = "finance.reporting") => {
      const id = `lp-${tag}-${n}`;
      return [
        sign(human, {
          kind: "authorize",
          jti: id,
          chain: id,
          aud: planner.id,
          iat,
          exp: t + 3600,
          scope: ["finance/*:read", "hr/*:read", "mail/out:send"],
          purpose: { code: purpose, text: "Quarterly report" },
          constraints: { data: ["financial"], egress: ["*.bank.example"] },
        }),
        sign(planner, {
          kind: "delegate",
          jti: `${id}.viz`,
          chain: id,
          parent: id,
          aud: viz.id,
          iat: iat + 10,
          exp: t + 1800,
          scope: ["finance/q1/*:read"],
          purpose: { code: `${purpose}.charts`, text: "Charts" },
        }),
        sign(planner, {
          kind: "invoke",
          jti: `${id}.i1`,
          chain: id,
          grant: id,
          iat: iat + 20,
          action: "finance/q1/revenue:read",
          resource: "https://api.bank.example/revenue",
          data: ["financial", "pii"],
        }),
        sign(viz, {
          kind: "invoke",
          jti: `${id}.i2`,
          chain: id,
          grant: `${id}.viz`,
          iat: iat + 30,
          action: "finance/q1/costs:read",
          resource: "db://finance/q1/costs",
        }),
        // a ghost permission: outside what the planner was granted
        sign(planner, {
          kind: "invoke",
          jti: `${id}.ghost`,
          chain: id,
          grant: id,
          iat: iat + 40,
          action: "payments/wire:write",
          resource: "db://payments",
        }),
      ];
    };
    await ingest([...chain(1, t - 600), ...chain(2, t - 300), ...chain(3, t - 100, "hr.onboarding")]);
  }, 60_000);

  describe(`least privilege on ${kind}`, () => {
    it("answers granted against used per grant, with the unused scopes and the uses outside the grant", async () => {
      const lp = await queries.getPrincipalLeastPrivilege(planner.id, { since: t - 1000, purpose: "finance" });
      expect(lp.principal).toBe(planner.id);
      expect(lp.purpose).toBe("finance");
      expect(lp.grants.map((g) => g.jti)).toEqual([`lp-${tag}-2`, `lp-${tag}-1`]);
      for (const g of lp.grants) {
        expect(g.granted).toEqual(["finance/*:read", "hr/*:read", "mail/out:send"]);
        expect(g.used).toEqual([{ scope: "finance/*:read", invocations: 1, delegations: 1, uses: ["finance/q1/*:read", "finance/q1/revenue:read"] }]);
        expect(g.unused).toEqual(["hr/*:read", "mail/out:send"]);
        expect(g.outside).toEqual([{ scope: "payments/wire:write", count: 1 }]);
        expect(g.effectiveConstraints).toEqual({ data: ["financial"], egress: ["*.bank.example"] });
      }
      expect(lp.totals).toEqual({ grants: 2, granted: 6, unused: 4, uses: 4 });
      expect(lp.truncated).toBe(false);
    });

    it("suggests the narrowest delegate claims, within what was granted, covering every use", async () => {
      const lp = await queries.getPrincipalLeastPrivilege(planner.id, { since: t - 1000, purpose: "finance" });
      expect(lp.suggested).toEqual({
        scope: ["finance/q1/*:read"],
        constraints: { data: ["financial"], egress: ["api.bank.example"] },
        max_depth: 1,
        ttl: 60,
        purpose: "finance",
      });
      expect(
        scopesWithin(
          lp.suggested.scope,
          lp.grants.flatMap((g) => g.granted),
        ),
      ).toBe(true);
    });

    it("takes the window and the purpose into account, and 404s an unknown principal", async () => {
      const all = await queries.getPrincipalLeastPrivilege(planner.id, { since: t - 1000 });
      expect(all.grants).toHaveLength(3);
      const late = await queries.getPrincipalLeastPrivilege(planner.id, { since: t - 200, until: t });
      expect(late.grants.map((g) => g.purpose)).toEqual(["hr.onboarding"]);
      const none = await queries.getPrincipalLeastPrivilege(planner.id, { since: t + 10, until: t + 20 });
      expect(none.grants).toEqual([]);
      expect(none.suggested.scope).toEqual([]);
      await expect(queries.getPrincipalLeastPrivilege("agent:nobody", {})).rejects.toMatchObject({ code: "not_found" });
    });

    it("reports behavioural drift of the principal's own invokes, per purpose, after the warm-up", async () => {
      const quiet = await queries.getPrincipalLeastPrivilege(planner.id, { since: t - 1000, purpose: "finance" });
      expect(quiet.drift).toEqual([]);
      const id = `lp-${tag}-drift`;
      const tokens = [
        sign(human, {
          kind: "authorize",
          jti: id,
          chain: id,
          aud: planner.id,
          iat: t - 900,
          exp: t + 3600,
          scope: ["ops/*:read"],
          purpose: { code: "ops.drift", text: "Drift" },
        }),
      ];
      for (let i = 0; i < 25; i++)
        tokens.push(
          sign(planner, {
            kind: "invoke",
            jti: `${id}.i${i}`,
            chain: id,
            grant: id,
            iat: t - 800 + i,
            action: "ops/logs:read",
            resource: "db://ops/logs",
          }),
        );
      tokens.push(
        sign(planner, { kind: "invoke", jti: `${id}.new`, chain: id, grant: id, iat: t - 700, action: "ops/keys:read", resource: "db://ops/keys" }),
      );
      await ingest(tokens);
      const lp = await queries.getPrincipalLeastPrivilege(planner.id, { since: t - 1000, purpose: "ops" });
      expect(lp.drift.map((d) => [d.jti, d.chain, d.purpose, d.aspects])).toEqual([
        [
          `${id}.new`,
          id,
          "ops.drift",
          [
            { aspect: "action", value: "ops/keys:read" },
            { aspect: "resource", value: "db://ops/keys" },
          ],
        ],
      ]);
      expect(lp.drift[0].baseline).toMatchObject({ events: 25, actions: 1, resources: 1 });
    });

    it("ranks principals and purposes by unused authority", async () => {
      const ranking = await queries.getLeastPrivilegeRanking({ since: t - 1000 });
      const mine = ranking.items.filter((r) => r.principal === planner.id || r.principal === viz.id);
      expect(mine.map((r) => [r.principal, r.purpose, r.grants, r.granted, r.unused])).toEqual([
        [planner.id, "finance.reporting", 2, 6, 4],
        [planner.id, "hr.onboarding", 1, 3, 2],
        [planner.id, "ops.drift", 1, 1, 0],
        [viz.id, "finance.reporting.charts", 2, 2, 0],
        [viz.id, "hr.onboarding.charts", 1, 1, 0],
      ]);
      expect(mine[0].neverUsed).toEqual(["hr/*:read", "mail/out:send"]);
    });

    it("writes the CSV report with a row per granted scope and a suggestion", async () => {
      const r = await queries.readLeastPrivilegeReport({ since: t - 1000, principal: planner.id, purpose: "finance" });
      const csv = report.leastPrivilegeCsv(r.usages, { purpose: r.purpose });
      const lines = csv.trimEnd().split("\r\n");
      expect(lines[0]).toBe("record,principal,purpose,chain,grant,scope,status,invocations,delegations,uses,suggestion");
      expect(lines.filter((l) => l.includes(",unused,"))).toHaveLength(4);
      expect(lines.filter((l) => l.includes(",outside,"))).toHaveLength(2);
      const suggestion = lines.find((l) => l.startsWith("suggestion,"))!;
      expect(suggestion).toContain(`suggestion,${planner.id},finance,,,finance/q1/*:read,suggested`);
    });
  });
}
