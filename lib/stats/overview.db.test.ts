// The overview's figures from migration 0030 (docs/benchmarks.md "Growth"): chains per status from
// the counts triggers keep on Chain, findings over 30 days down (lastEventAt, id), read-time
// missing_evidence by day down ChainOpenExp's exp index. Each must equal a brute-force recount from
// the rows (what the reads before 0030 computed, without their 50,000-row cap), after every step of
// a story: new chains, violations, pending chains whose root arrives later, a verified chain that
// turns into a violation, a grant closed by a complete, duplicates, a rejected entry, an AIP token,
// observed chains written, rewritten and removed, a finding stored before its event; and the
// migration's backfill of the rows must count what the triggers counted. Principals with the most
// findings likewise, from the per-signer counts. On SQLite and on PostgreSQL (skipped without a server); on
// SQLite the plans must read the new indexes' ranges, no scan of Chain or Finding.
import { describe, expect, it } from "vitest";
import { migrate } from "@/scripts/migrate";
import { postgresTestUrl } from "@/scripts/postgres";
import { openBothDatabases, replayMigration } from "@/lib/db/both-databases-cases";
import { jwkThumbprint } from "@/lib/protocol/envelope";
import { makeKey, signToken } from "@/lib/protocol/test-helpers";
import { ed25519Jwk, importAipToken } from "@/lib/protocol/aip";
import { compactToken, makeAipKey } from "@/lib/protocol/aip/test-helpers";
import type { TClaims } from "@/lib/protocol/types";
import { ingestSteps, type TCandidate } from "@/lib/ingest/steps";
import { registerSigners, verifiedCandidates as candidates, type TTestSigner } from "@/lib/ingest/test-helpers";
import { openDatabase, type TDatabase } from "@/lib/db/connect";
import { createStores, type TStores } from "@/lib/db/stores";
import { FINDING_DAYS_SQL, OVERDUE_DAYS_SQL, OVERDUE_VERIFIED_SQL } from "@/lib/db/stores/insights";
import type { TObservedWrite } from "@/lib/db/stores/observed";
import { toSqliteDate } from "@/lib/db/sqlite";

const pg = await postgresTestUrl();
const DAY = 86_400;
const NOW = 1_800_000_000; // 2027-01-15T08:00:00Z: the reads' clock
const at = (secondsBeforeNow: number) => new Date((NOW - secondsBeforeNow) * 1000);
type TWho = TTestSigner;
const human: TWho = { id: "user:overview@bank.example", key: makeKey() };
const agent: TWho = { id: "agent:overview", key: makeKey() };
const tool: TWho = { id: "tool:overview", key: makeKey() };
const aipKey = makeAipKey();
const AIP_WEB = "aip:web:overview.example/alice";
const PURPOSE = { code: "fin", text: "Q1" };
const sign = (w: TWho, claims: Record<string, unknown>) => signToken(w.key, { v: 1, iss: w.id, ...claims });

const root = (chain: string, iat: number, exp: number) =>
  sign(human, { kind: "authorize", jti: chain, chain, aud: agent.id, iat, exp, scope: ["fin/*:read"], purpose: PURPOSE });
const invoke = (chain: string, jti: string, iat: number, action = "fin/q1:read") =>
  sign(agent, { kind: "invoke", jti, chain, grant: chain, iat, action, resource: `db://${action}` });
const complete = (chain: string, jti: string, iat: number) =>
  sign(agent, {
    kind: "complete",
    jti,
    chain,
    grant: chain,
    iat,
    status: "completed",
    result_hash: `sha256:${"ab".repeat(32)}`,
    evidence: { summary: "done" },
  });

/** Signed once: both databases must hold the same bytes (and ES256 signatures differ at each signing). */
function story() {
  const old = NOW - 40 * DAY; // before the 30-day window
  const tenDays = NOW - 10 * DAY;
  const yesterday = NOW - DAY;
  const b = {
    // 40 days ago: a violation that stays there, one that moves into the window later, a pending chain.
    a: [
      root("a-old", old - 100, NOW + 3600),
      invoke("a-old", "a-old.i", old - 50, "hr/salaries:read"),
      root("a-moved", old - 100, NOW + 3600),
      invoke("a-moved", "a-moved.i", old - 50, "hr/salaries:read"),
      invoke("a-late", "a-late.i", old - 40),
    ],
    // 10 days ago: verified; overdue 5 days ago (in the window); overdue 35 days ago (before it);
    // a root open past now with a delegate overdue 2 days ago (two open exps, one in the window).
    b: [
      root("b-ok", tenDays - 100, NOW + 3600),
      invoke("b-ok", "b-ok.i", tenDays - 50),
      root("b-due", tenDays - 100, NOW - 5 * DAY),
      root("b-due-old", NOW - 36 * DAY, NOW - 35 * DAY),
      root("b-two", tenDays - 100, NOW + 3600),
      sign(agent, {
        kind: "delegate",
        jti: "b-two.d",
        chain: "b-two",
        parent: "b-two",
        aud: tool.id,
        iat: tenDays - 90,
        exp: NOW - 2 * DAY,
        scope: ["fin/q1/*:read"],
        purpose: { code: "fin.q1", text: "Q1 only" },
      }),
      invoke("b-hit", "b-hit.i", tenDays - 50, "hr/salaries:read"),
      root("b-hit", tenDays - 100, NOW + 3600),
    ],
    // Yesterday: a-late's root (pending → verified or warning), b-ok out of scope (verified →
    // violation, its findings replaced and its day moved), a-moved's next event (its day moves).
    c: [
      root("a-late", old - 100, NOW + 3600),
      sign(tool, { kind: "invoke", jti: "b-two.t", chain: "b-two", grant: "b-two.d", iat: yesterday - 40, action: "hr/x:read", resource: "db://x" }),
      invoke("b-ok", "b-ok.j", yesterday - 50, "hr/salaries:read"),
      invoke("a-moved", "a-moved.j", yesterday - 50, "hr/payroll:read"),
    ],
    // 12 hours ago: b-due's grant closed (its exp leaves the open list), and a duplicate.
    d: [complete("b-due", "b-due.done", NOW - DAY / 2), root("b-ok", tenDays - 100, NOW + 3600)],
    f: root("f-new", NOW - DAY / 5 - 10, NOW + 3600),
  };
  return b;
}
const STORY = story();

type TSide = { name: "sqlite" | "postgres"; db: TDatabase; s: TStores; drop?: () => Promise<void> };
const sides: TSide[] = [];

async function aipCandidates(): Promise<TCandidate[]> {
  const token = compactToken(aipKey, { iss: AIP_WEB, sub: "aip:web:overview.example/bob", scope: ["tool:*"], iat: NOW - 3 * DAY, exp: NOW + 3600 });
  const keyRow = { kid: "key-1", publicKey: aipKey.publicKey, validFrom: null, validUntil: null, revokedAt: null };
  const imported = await importAipToken(
    token,
    {},
    { now: NOW - 3 * DAY, resolveIdentity: (id) => (id === AIP_WEB ? { id, kind: "human", keys: [keyRow] } : undefined), isStored: () => false },
  );
  return imported.store.map((e, index) => ({
    index,
    kind: "verified",
    raw: e.token,
    claims: e.claims as unknown as TClaims,
    alg: "EdDSA",
    kid: "key-1",
    keyRevokedAt: null,
    aip: true,
  }));
}

function observedChain(id: string, lastEventAt: Date, warnings: number): TObservedWrite["chains"][number] {
  return {
    id,
    source: "otel",
    rootIss: "alice@example.com",
    rootAud: "support",
    purposeText: "observed (genai)",
    startedAt: NOW - 5 * DAY,
    lastEventAt,
    hopCount: 2,
    eventCount: 3,
    warningCount: warnings,
    findingCodes: warnings > 0 ? "unauthorized_activity" : "",
    searchText: `${id} support`,
    findings: Array.from({ length: warnings }, (_, i) => ({
      eventJti: `tool_call:agent:${i}->tool:x`,
      code: "unauthorized_activity",
      severity: "warning",
      message: `call ${i}`,
    })),
    traceIds: [id],
    data: JSON.stringify({ id }),
  };
}
const observedWrite = (chains: TObservedWrite["chains"], removeChainIds: string[] = []): TObservedWrite => ({
  spans: [],
  keys: [],
  chains,
  removeChainIds,
  chainOfTrace: [],
});

/** Every step of the story, in order; the checks run after each. */
function steps(): { name: string; run: (side: TSide) => Promise<unknown> }[] {
  const batch = (tokens: string[], when: Date) => (side: TSide) => side.s.ingest.run(ingestSteps(candidates(tokens), when, "token:overview"));
  return [
    { name: "old chains", run: batch(STORY.a, at(40 * DAY)) },
    { name: "ten days ago", run: batch(STORY.b, at(10 * DAY)) },
    {
      name: "observed",
      run: (side) => side.s.observed.write(observedWrite([observedChain("obs:1", at(4 * DAY), 2), observedChain("obs:2", at(3 * DAY), 1)])),
    },
    { name: "aip", run: async (side) => side.s.ingest.run(ingestSteps(await aipCandidates(), at(3 * DAY), "token:overview")) },
    { name: "status changes", run: batch(STORY.c, at(DAY)) },
    { name: "a complete and a duplicate", run: batch(STORY.d, at(DAY / 2)) },
    {
      name: "a rejected entry",
      run: (side) =>
        side.s.ingest.run(
          ingestSteps(
            [{ index: 0, kind: "rejected", rawEntry: "garbage", jti: null, code: "malformed", message: "not a JWS" }],
            at(DAY / 3),
            "token:overview",
          ),
        ),
    },
    {
      name: "observed rewritten and removed",
      run: (side) => side.s.observed.write(observedWrite([observedChain("obs:1", at(DAY / 4), 1)], ["obs:2"])),
    },
    {
      // No writer does this today: a finding naming a jti no stored event has (it counts for no one),
      // then that event arrives in another chain (now it counts for its signer, as the join would).
      name: "a finding before its event",
      run: async (side) => {
        await side.db.prisma.finding.create({
          data: { chainId: "a-old", eventJti: "f-new", code: "scope_violation", severity: "critical", message: "x" },
        });
        expect(await read(side, NOW), side.name).toEqual(await recount(side, NOW));
        await side.s.ingest.run(ingestSteps(candidates([STORY.f]), at(DAY / 5), "token:overview"));
      },
    },
  ];
}

async function open(name: TSide["name"], url: string, drop?: () => Promise<void>): Promise<TSide> {
  migrate(url);
  const db = await openDatabase(url);
  const s = createStores(db);
  await registerSigners(s.registry, [human, agent, tool]);
  const jwk = ed25519Jwk(aipKey.publicKey, "key-1");
  await s.aip.register({
    id: AIP_WEB,
    kind: "human",
    name: "Alice",
    keys: [{ kid: "key-1", jwk: JSON.stringify(jwk), thumbprint: jwkThumbprint(jwk), validFrom: null, validUntil: null }],
    document: `{"id":"${AIP_WEB}"}`,
    signatureForm: "python",
    signedBy: "key-1",
  });
  return { name, db, s, drop };
}

openBothDatabases(sides, pg, "overview", open);

/** Code point order, the databases' (SQLite's binary, PostgreSQL's C collation). */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const dayOf = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);
const byKey = <T extends { day: string; code?: string }>(rows: T[]) =>
  [...rows].sort((a, b) => a.day.localeCompare(b.day) || (a.code ?? "").localeCompare(b.code ?? ""));

/** The figures recounted from every Chain and Finding row, as the reads before 0030 did (without a cap). */
async function recount(side: TSide, now: number) {
  const prisma = side.db.prisma;
  const since = now - 30 * DAY;
  const chains = await prisma.chain.findMany({ select: { id: true, status: true, evidenceDue: true, openGrantExps: true, lastEventAt: true } });
  const byStatus = new Map<string, number>();
  for (const c of chains) byStatus.set(c.status, (byStatus.get(c.status) ?? 0) + 1);
  const lastOf = new Map(chains.map((c) => [c.id, c.lastEventAt]));
  const findingDays = new Map<string, number>();
  for (const f of await prisma.finding.findMany({ select: { code: true, chainId: true } })) {
    const last = lastOf.get(f.chainId)!;
    if (last.getTime() < since * 1000) continue;
    const key = `${last.toISOString().slice(0, 10)} ${f.code}`;
    findingDays.set(key, (findingDays.get(key) ?? 0) + 1);
  }
  const overdueDays = new Map<string, number>();
  for (const c of chains) {
    if (c.evidenceDue === null || c.evidenceDue >= now) continue;
    for (const exp of JSON.parse(c.openGrantExps) as number[]) {
      if (exp >= now || exp < since) continue;
      overdueDays.set(dayOf(exp), (overdueDays.get(dayOf(exp)) ?? 0) + 1);
    }
  }
  // The statement the per-signer counts replace, and the old ranking (ties by id in code point order).
  const bySigner = await prisma.$queryRawUnsafe<{ iss: string; n: unknown }[]>(
    `SELECT e."iss" AS iss, COUNT(*) AS n FROM "Finding" f JOIN "Event" e ON e."jti" = f."eventJti" GROUP BY e."iss"`,
  );
  const kindOf = new Map((await prisma.principal.findMany({ select: { id: true, kind: true } })).map((p) => [p.id, p.kind]));
  const signers = bySigner
    .flatMap((r) => {
      const kind = kindOf.get(r.iss);
      return kind === undefined || Number(r.n) === 0 ? [] : [{ id: r.iss, kind, findings: Number(r.n) }];
    })
    .sort((x, y) => y.findings - x.findings || cmp(x.id, y.id));
  return {
    topSigners: signers.slice(0, 8),
    topSigner: signers.slice(0, 1),
    signerCounts: signers.map((r) => [r.id, r.findings]).sort(),
    chains: chains.length,
    byStatus: [...byStatus].map(([status, count]) => ({ status, count })).sort((a, b) => a.status.localeCompare(b.status)),
    overdueVerified: chains.filter((c) => c.status === "verified" && c.evidenceDue !== null && c.evidenceDue < now).length,
    findingDays: byKey([...findingDays].map(([key, count]) => ({ day: key.split(" ")[0], code: key.split(" ")[1], count }))),
    overdueDays: byKey([...overdueDays].map(([day, count]) => ({ day, count }))),
    openExps: chains
      .flatMap((c) => (JSON.parse(c.openGrantExps) as number[]).map((exp, idx) => ({ chainId: c.id, idx, exp })))
      .sort((a, b) => cmp(a.chainId, b.chainId) || a.idx - b.idx),
  };
}

/** The same figures from the stores' reads and the trigger-kept tables. */
async function read(side: TSide, now: number) {
  const counts = await side.s.insights.counts(now);
  const since = now - 30 * DAY;
  const ids = (await side.db.prisma.principal.findMany({ select: { id: true } })).map((p) => p.id);
  return {
    topSigners: await side.s.insights.topFindingIssuers(8),
    topSigner: await side.s.insights.topFindingIssuers(1),
    signerCounts: [...(await side.s.insights.findingCountsByIssuer([...ids, "agent:nobody"]))].sort(),
    chains: counts.chains,
    byStatus: [...counts.byStatus].sort((a, b) => a.status.localeCompare(b.status)),
    overdueVerified: counts.overdueVerified,
    findingDays: byKey(await side.s.insights.findingDays(new Date(since * 1000))),
    overdueDays: byKey(await side.s.insights.overdueExpiries({ since, now })),
    openExps: (await side.db.prisma.chainOpenExp.findMany({ orderBy: [{ chainId: "asc" }, { idx: "asc" }] })).map((r) => ({
      chainId: r.chainId,
      idx: r.idx,
      exp: r.exp,
    })),
  };
}

// The reads' clocks: now, a week ago (the window then held the 40-day-old chains' day), a month on.
const CLOCKS = [NOW, NOW - 7 * DAY, NOW + 30 * DAY];

describe("overview figures from migration 0030", () => {
  it("equal a recount from the rows after every step, on both databases", async () => {
    const seen: Record<string, unknown[]> = {};
    for (const step of steps()) {
      for (const side of sides) {
        await step.run(side);
        for (const now of CLOCKS) {
          const expected = await recount(side, now);
          expect(await read(side, now), `${side.name} after "${step.name}" at ${now}`).toEqual(expected);
          (seen[`${step.name} ${now}`] ??= []).push(expected);
        }
      }
    }
    for (const [key, answers] of Object.entries(seen)) if (answers.length === 2) expect(answers[1], key).toEqual(answers[0]);
  }, 120_000);

  it("the story moved statuses, days and open exps as it meant to", async () => {
    for (const side of sides) {
      const status = async (id: string) => (await side.db.prisma.chain.findUnique({ where: { id }, select: { status: true } }))?.status;
      expect(await status("b-ok"), side.name).toBe("violation");
      expect(await status("a-late"), side.name).not.toBe("pending");
      expect(await status("obs:2"), side.name).toBeUndefined();
      expect(await status("obs:1"), side.name).toBe("observed");
      expect((await side.db.prisma.chain.findMany({ where: { source: "aip" } })).length, side.name).toBe(1);
      const due = await side.db.prisma.chain.findUnique({ where: { id: "b-due" }, select: { openGrantExps: true } });
      expect(due?.openGrantExps, side.name).toBe("[]");
      const two = await side.db.prisma.chainOpenExp.findMany({ where: { chainId: "b-two" }, orderBy: { idx: "asc" } });
      expect(
        two.map((r) => r.exp),
        side.name,
      ).toEqual([NOW - 2 * DAY, NOW + 3600]);
      const figures = await recount(side, NOW);
      expect(figures.overdueDays, side.name).toEqual([{ day: dayOf(NOW - 2 * DAY), count: 1 }]);
      expect(figures.overdueVerified, side.name).toBeGreaterThanOrEqual(1); // b-due-old
      expect(
        figures.findingDays.map((r) => r.day),
        side.name,
      ).toContain(dayOf(NOW - DAY)); // b-ok and a-moved, moved
    }
  });

  it("the migration's backfill of existing rows counts what the triggers counted, and the triggers go on from it", async () => {
    for (const side of sides) {
      const prisma = side.db.prisma;
      const snapshot = async () => ({
        counts: await prisma.chainStatusCount.findMany({ where: { count: { not: 0 } }, orderBy: { status: "asc" } }),
        exps: await prisma.chainOpenExp.findMany({ orderBy: [{ chainId: "asc" }, { idx: "asc" }] }),
        signers: await prisma.principalFindingCount.findMany({ where: { count: { not: 0 } }, orderBy: { principalId: "asc" } }),
      });
      const kept = await snapshot();
      expect(kept.signers.length, side.name).toBeGreaterThan(1);
      await prisma.chainStatusCount.deleteMany();
      await prisma.chainOpenExp.deleteMany();
      await prisma.principalFindingCount.deleteMany();
      // the backfill's three INSERTs, not the triggers' (which insert NEW. values)
      expect(await replayMigration(side.db, side.name, "0030_overview_counts", "INSERT", (st) => !st.includes("NEW.")), side.name).toBe(3);
      expect(await snapshot(), side.name).toEqual(kept);
      // Once more after the backfill: a new pending chain and a verified chain turned violation.
      await side.s.ingest.run(
        ingestSteps(
          candidates([invoke("e-new", "e-new.i", NOW - 60), invoke("a-late", "a-late.x", NOW - 60, "hr/x:read")]),
          at(60),
          "token:overview",
        ),
      );
      for (const now of CLOCKS) expect(await read(side, now), side.name).toEqual(await recount(side, now));
    }
  });
});

describe("SQLite plans of the overview's reads", () => {
  const plan = (sql: string, params: unknown[]) =>
    (sides[0].db.sqlite!.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join("\n");

  it("findings over time walk the window's chains down (lastEventAt, id), then their findings by chainId", () => {
    const detail = plan(FINDING_DAYS_SQL.sqlite, [toSqliteDate(at(30 * DAY))]);
    expect(detail).toMatch(/SEARCH c USING COVERING INDEX Chain_lastEventAt_id_idx \(lastEventAt>\?\)/);
    expect(detail).toMatch(/SEARCH f USING INDEX Finding_chainId_idx \(chainId=\?\)/);
    expect(detail).not.toMatch(/SCAN/);
  });

  it("overdue exps read the window of the exp index; overdue verified chains a range of (status, evidenceDue)", () => {
    expect(plan(OVERDUE_DAYS_SQL.sqlite, [NOW - 30 * DAY, NOW])).toMatch(
      /SEARCH ChainOpenExp USING COVERING INDEX ChainOpenExp_exp_idx \(exp>\? AND exp<\?\)/,
    );
    expect(
      plan(
        `SELECT c."principalId", p."kind", c."count" FROM "PrincipalFindingCount" c JOIN "Principal" p ON p."id" = c."principalId"
         WHERE c."count" > 0 ORDER BY c."count" DESC, c."principalId" LIMIT 8`,
        [],
      ),
    ).toMatch(
      /SEARCH c USING COVERING INDEX PrincipalFindingCount_count_principalId_idx \(count>\?\)[\s\S]*SEARCH p USING INDEX sqlite_autoindex_Principal_1 \(id=\?\)/,
    );
    expect(plan(OVERDUE_VERIFIED_SQL.sqlite, [NOW])).toMatch(
      /SEARCH Chain USING COVERING INDEX Chain_status_evidenceDue_idx \(status=\? AND evidenceDue<\?\)/,
    );
  });
});
