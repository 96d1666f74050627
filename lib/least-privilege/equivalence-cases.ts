// The least-privilege reads (lib/db/stores/least-privilege.ts) against the statements they replaced
// (docs/least-privilege.md#cost): on seeded random histories ingested through the real pipeline,
// each store method and each answer built on it (principal page, purpose, ranking, report) must be
// identical, ties of iat and the `take` cut included. Run on SQLite and on PostgreSQL by
// queries.sqlite.db.test.ts and queries.postgres.db.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { ingest, registerActor, type TActor } from "@/lib/reports/test-fixtures";
import { mulberry32, signToken } from "@/lib/protocol/test-helpers";
import type { TLeastPrivilegeStore } from "@/lib/db/stores/least-privilege";
import type { TPrisma } from "@/lib/db/connect";

const GRANT_SELECT = { jti: true, chainId: true, iss: true, aud: true, ref: true, iat: true, exp: true, claims: true } as const;
const INVOKE_SELECT = { jti: true, ref: true, iss: true, iat: true, claims: true } as const;
const GRANT_KINDS = ["authorize", "delegate"];

/** The store as it was before the direct reads (commit 48ec3ff), verbatim but for the slicing helper. */
function oldStore(prisma: TPrisma): TLeastPrivilegeStore {
  const sliced = async <T>(ids: string[], read: (slice: string[]) => Promise<T[]>) => {
    const unique = [...new Set(ids)];
    const out: T[] = [];
    for (let i = 0; i < unique.length; i += 500) out.push(...(await read(unique.slice(i, i + 500))));
    return out;
  };
  return {
    grantsReceived: (q) =>
      prisma.event.findMany({
        where: { kind: { in: GRANT_KINDS }, iat: { gte: q.since, lte: q.until }, ...(q.aud !== undefined ? { aud: q.aud } : {}) },
        orderBy: [{ iat: "desc" }, { seq: "desc" }],
        take: q.take,
        select: GRANT_SELECT,
      }),
    grantsOfChains: (chainIds) =>
      sliced(chainIds, (slice) =>
        prisma.event.findMany({ where: { chainId: { in: slice }, kind: { in: GRANT_KINDS } }, orderBy: { seq: "asc" }, select: GRANT_SELECT }),
      ),
    invokesUnder: (grantJtis) =>
      sliced(grantJtis, (slice) =>
        prisma.event.findMany({ where: { ref: { in: slice }, kind: "invoke" }, orderBy: { seq: "asc" }, select: INVOKE_SELECT }),
      ),
  };
}

const SCOPES = ["fin/*:read", "fin/q1/*:read", "fin/q1/rev:read", "fin/q2/cost:read", "hr/*:read", "hr/pay:write", "mail/out:send", "*:read"];
const ACTIONS = ["fin/q1/rev:read", "fin/q2/cost:read", "fin/q1/x:read", "hr/pay:write", "hr/a:read", "mail/out:send", "ops/k:read"];
const PURPOSES = ["finance.reporting", "finance.audit", "hr.payroll", "finance"];

export function defineLeastPrivilegeEquivalenceTests(kind: "sqlite" | "postgres") {
  const t = Math.floor(Date.now() / 1000);
  // Far before the other cases' windows, so neither history enters the other's answers.
  const T0 = t - 40 * 86400;
  const tag = `eq-${kind}-${t.toString(36)}`;
  const actors: TActor[] = [];
  const grants: { jti: string; chain: string; aud: string; iat: number }[] = [];
  const chains: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 6; i++) actors.push(await registerActor(`agent:${tag}-${i}`, i === 0 ? "human" : "agent"));
    // Seeded random histories: chains of authorize/delegate trees with invokes by the audience or
    // by somebody else, completes and revokes (both name a grant in `ref`), iat ties across chains.
    for (const seed of [1, 2, 3]) {
      const rand = mulberry32(seed);
      const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
      const tokens: string[] = [];
      for (let c = 0; c < 12; c++) {
        const chain = `${tag}-s${seed}c${c}`;
        chains.push(chain);
        const base = T0 + Math.floor(rand() * 8) * 60; // few distinct iats: ties
        const local: { jti: string; aud: TActor }[] = [];
        const nGrants = 1 + Math.floor(rand() * 5);
        for (let g = 0; g < nGrants; g++) {
          const jti = g === 0 ? chain : `${chain}.g${g}`;
          const parent = g === 0 ? null : pick(local);
          const iss = parent ? parent.aud : actors[0];
          const aud = pick(actors.slice(1));
          const iat = base + (rand() < 0.5 ? 0 : g);
          const scope = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(SCOPES)))];
          const constraints = rand() < 0.3 ? { data: ["financial", "pii"].slice(0, 1 + Math.floor(rand() * 2)) } : undefined;
          tokens.push(
            signToken(iss.key, {
              v: 1,
              iss: iss.id,
              kind: g === 0 ? "authorize" : "delegate",
              jti,
              chain,
              ...(parent ? { parent: parent.jti } : {}),
              aud: aud.id,
              iat,
              exp: t + 3600,
              scope,
              purpose: { code: pick(PURPOSES), text: "Random history" },
              ...(constraints ? { constraints } : {}),
            }),
          );
          local.push({ jti, aud });
          grants.push({ jti, chain, aud: aud.id, iat });
        }
        for (let i = 0; i < Math.floor(rand() * 6); i++) {
          const g = pick(local);
          const by = rand() < 0.8 ? g.aud : pick(actors);
          const k = rand();
          const common = { v: 1, iss: by.id, jti: `${chain}.e${i}`, chain, iat: base + 10 + i };
          if (k < 0.7)
            tokens.push(
              signToken(by.key, {
                ...common,
                kind: "invoke",
                grant: g.jti,
                action: pick(ACTIONS),
                resource: `https://api.bank.example/${i}`,
                data: ["financial"],
              }),
            );
          else if (k < 0.85)
            tokens.push(
              signToken(by.key, { ...common, kind: "complete", grant: g.jti, status: "completed", result_hash: `sha256:${"0".repeat(64)}` }),
            );
          else tokens.push(signToken(g.aud.key, { ...common, iss: g.aud.id, kind: "revoke", target: g.jti }));
        }
      }
      await ingest(tokens);
    }
  }, 120_000);

  describe(`least-privilege reads on ${kind}: the new statements answer what the old ones did`, () => {
    let stores: typeof import("@/lib/db").stores;
    let prisma: TPrisma;
    beforeAll(async () => {
      const db = await import("@/lib/db");
      stores = db.stores;
      prisma = (await db.database()).prisma;
    });

    it("each store method, over random windows, audiences, cuts and id lists", async () => {
      const now = (await stores()).leastPrivilege;
      const old = oldStore(prisma);
      const rand = mulberry32(99);
      for (let i = 0; i < 40; i++) {
        const since = T0 + Math.floor(rand() * 10) * 60 - 30;
        const until = since + Math.floor(rand() * 12) * 60;
        const q = { since, until, take: 1 + Math.floor(rand() * 20), ...(rand() < 0.5 ? { aud: actors[1 + Math.floor(rand() * 5)].id } : {}) };
        expect(await now.grantsReceived(q)).toEqual(await old.grantsReceived(q));
      }
      const everyGrant = { since: T0 - 60, until: T0 + 3600, take: 10_000 };
      expect((await now.grantsReceived(everyGrant)).length).toBe(grants.length);
      const jtis = [...grants.map((g) => g.jti), ...Array.from({ length: 1200 }, (_, i) => `none-${i}`), grants[0].jti];
      expect(await now.invokesUnder(jtis)).toEqual(await old.invokesUnder(jtis));
      expect((await now.invokesUnder(jtis)).length).toBeGreaterThan(0);
      const chainIds = [...chains, ...Array.from({ length: 1200 }, (_, i) => `none-${i}`), chains[0]];
      expect(await now.grantsOfChains(chainIds)).toEqual(await old.grantsOfChains(chainIds));
      expect(await now.grantsOfChains([])).toEqual([]);
      expect(await now.invokesUnder([])).toEqual([]);
    });

    it("every answer built on them: principal page, purpose, ranking and report", async () => {
      const queries = await import("./queries");
      const store = (await stores()).leastPrivilege;
      const current = { ...store };
      const answers = async () => {
        const out: unknown[] = [];
        for (const a of actors.slice(1))
          for (const purpose of [undefined, "finance", "hr.payroll"])
            out.push(await queries.getPrincipalLeastPrivilege(a.id, { since: T0 - 60, until: T0 + 600, ...(purpose ? { purpose } : {}) }, t));
        for (const purpose of [undefined, "finance"]) {
          out.push(await queries.getLeastPrivilegeRanking({ since: T0 - 60, until: T0 + 600, ...(purpose ? { purpose } : {}) }, t));
          out.push(await queries.readLeastPrivilegeReport({ since: T0 + 120, until: T0 + 300, ...(purpose ? { purpose } : {}) }, t));
        }
        out.push(await queries.readLeastPrivilegeReport({ since: T0 - 60, until: T0 + 600, principal: actors[2].id }, t));
        return out;
      };
      const fresh = await answers();
      Object.assign(store, oldStore(prisma));
      try {
        expect(fresh).toEqual(await answers());
      } finally {
        Object.assign(store, current);
      }
      const used = fresh.flatMap((a) => ((a as { grants?: { used: unknown[] }[] }).grants ?? []).flatMap((g) => g.used));
      expect(used.length).toBeGreaterThan(0);
    });
  });
}
