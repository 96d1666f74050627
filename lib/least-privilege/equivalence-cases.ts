// The least-privilege reads (lib/db/stores/least-privilege.ts) against the statements they replaced
// (docs/least-privilege.md#cost): on seeded random histories ingested through the real pipeline,
// each store method and each answer built on it (principal page, purpose, ranking, report) must be
// identical, ties of iat and the `take` cut included. The counts kept at ingest (GrantUse) are held
// to the events too: the table against a recount of every stored event and against the migration's
// backfill, and the ranking's and the report's answers from the counts against the answers from
// the events, over histories with re-deliveries, rejected entries and events arriving out of order.
// Run on SQLite and on PostgreSQL by queries.sqlite.db.test.ts and queries.postgres.db.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { grantUsesOf, rankUnusedAuthority, type TLpUse } from "@/lib/protocol/least-privilege";
import type { TClaims } from "@/lib/protocol/types";
import { ingest, registerActor, type TActor } from "@/lib/reports/test-fixtures";
import { mulberry32, signToken } from "@/lib/protocol/test-helpers";
import type { TLeastPrivilegeStore } from "@/lib/db/stores/least-privilege";
import type { TPrisma } from "@/lib/db/connect";
import { replayMigration } from "@/lib/db/both-databases-cases";

const GRANT_SELECT = { jti: true, chainId: true, iss: true, aud: true, ref: true, iat: true, exp: true, claims: true } as const;
const INVOKE_SELECT = { jti: true, ref: true, iss: true, iat: true, claims: true } as const;
const GRANT_KINDS = ["authorize", "delegate"];

/** The store as it was before the direct reads (commit 48ec3ff), verbatim but for the slicing helper. */
function oldStore(prisma: TPrisma): Pick<TLeastPrivilegeStore, "grantsReceived" | "grantsOfChains" | "invokesUnder"> {
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
// http(s) resources on several hosts (one in capitals, one outside every egress list) and non-http ones.
const RESOURCES = [
  "https://api.bank.example/r",
  "http://files.bank.example/x",
  "HTTPS://API.BANK.EXAMPLE/u",
  "https://exfil.example/up",
  "db://ledger/q1",
  "s3://bucket/k",
];
const DATA = [["financial"], ["financial", "pii"], ["pii", "pii"], [], ["health"]];

const useKey = (u: TLpUse) => JSON.stringify([u.grantJti, u.kind, u.iss, u.chainId, u.use, u.detail]);
const byKey = (rows: TLpUse[]) =>
  rows.map((u) => ({ ...u, count: Number(u.count), last: Number(u.last) })).sort((a, b) => (useKey(a) < useKey(b) ? -1 : 1));

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
          const r = rand();
          const constraints =
            r < 0.3
              ? { data: ["financial", "pii"].slice(0, 1 + Math.floor(rand() * 2)) }
              : r < 0.45
                ? { egress: ["*.bank.example"], data: ["financial"] }
                : undefined;
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
                resource: pick(RESOURCES),
                data: pick(DATA),
              }),
            );
          else if (k < 0.85)
            tokens.push(
              signToken(by.key, { ...common, kind: "complete", grant: g.jti, status: "completed", result_hash: `sha256:${"0".repeat(64)}` }),
            );
          else tokens.push(signToken(g.aud.key, { ...common, iss: g.aud.id, kind: "revoke", target: g.jti }));
        }
      }
      // The third history arrives backwards, one event per batch: invokes and delegates before
      // the grants they name (stored pending, then their chains re-checked as parents arrive).
      if (seed === 3) for (const token of [...tokens].reverse()) await ingest([token]);
      else await ingest(tokens);
      all.push(...tokens);
    }
    // Re-deliveries (duplicates) and refused entries (a replayed jti, a bad signature) store nothing
    // and must count nothing.
    const { ingestBatch } = await import("@/lib/ingest/ingest");
    const again = await ingestBatch(all.filter((_, i) => i % 3 === 0));
    expect(again.every((r) => r.status === "duplicate")).toBe(true);
    const claimsOf = (tk: string) => JSON.parse(Buffer.from(tk.split(".")[1], "base64url").toString()) as Record<string, unknown>;
    const victim = all.find((tk) => claimsOf(tk).kind === "invoke")!;
    const claims = claimsOf(victim);
    const signer = actors.find((a) => a.id === claims.iss)!;
    const replay = signToken(signer.key, { ...claims, iat: Number(claims.iat) + 1 });
    const forged = `${victim.split(".").slice(0, 2).join(".")}.${"A".repeat(86)}`;
    const refused = await ingestBatch([replay, forged, victim]);
    expect(refused.map((r) => r.status)).toEqual(["rejected", "rejected", "duplicate"]);
  }, 180_000);
  const all: string[] = [];

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
      // The links the counted reads use: each chain grant's parent and constraints, as its claims say.
      expect(
        (await now.linksOfChains(chainIds)).map((l) => ({
          ...l,
          constraints: l.constraints === null ? null : (JSON.parse(l.constraints) as unknown),
        })),
      ).toEqual(
        (await old.grantsOfChains(chainIds)).map((r) => {
          const c = JSON.parse(r.claims) as { kind: string; parent?: string; constraints?: unknown };
          return { jti: r.jti, kind: c.kind, ref: c.kind === "delegate" ? (c.parent ?? null) : null, constraints: c.constraints ?? null };
        }),
      );
      expect(await now.invokesUnder([])).toEqual([]);
    });

    it("GrantUse holds exactly what the stored events add up to, and the migration's backfill counts the same", async () => {
      const events = await prisma.event.findMany({ select: { claims: true }, orderBy: { seq: "asc" } });
      const recount = byKey(grantUsesOf(events.map((e) => JSON.parse(e.claims) as TClaims)));
      const stored = byKey((await prisma.grantUse.findMany()) as TLpUse[]);
      expect(stored).toEqual(recount);
      expect(new Set(stored.map((u) => u.kind))).toEqual(new Set(["invoke", "delegate", "data", "resource"]));
      // An upgraded database: the table emptied and refilled by 0027's own statements.
      await prisma.grantUse.deleteMany();
      expect(await replayMigration({ prisma }, kind, "0027_grant_use", "INSERT")).toBe(4);
      expect(byKey((await prisma.grantUse.findMany()) as TLpUse[])).toEqual(recount);
    });

    it("the counts answer what the events answer: every usage of random windows, audiences and purposes, and the ranking", async () => {
      const queries = await import("./queries");
      const rand = mulberry32(7);
      let used = 0;
      let hosts = 0;
      for (let i = 0; i < 30; i++) {
        const since = T0 + Math.floor(rand() * 10) * 60 - 30;
        const window = { since, until: since + Math.floor(rand() * 12) * 60, purpose: rand() < 0.3 ? "finance" : null };
        const aud = rand() < 0.4 ? actors[1 + Math.floor(rand() * 5)].id : undefined;
        const events = await queries.readGrantUsages(window, aud, "events");
        expect(await queries.readGrantUsages(window, aud, "counts")).toEqual(events);
        if (aud === undefined) {
          const ranking = await queries.getLeastPrivilegeRanking(
            { since: window.since, until: window.until, purpose: window.purpose ?? undefined },
            t,
          );
          expect(ranking.items).toEqual(rankUnusedAuthority(events.usages));
        }
        used += events.usages.filter((u) => u.used.length > 0).length;
        hosts += events.usages.filter((u) => u.hostsUsed.length > 0 || u.dataUsed.length > 0).length;
      }
      expect(used).toBeGreaterThan(0);
      expect(hosts).toBeGreaterThan(0);
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
