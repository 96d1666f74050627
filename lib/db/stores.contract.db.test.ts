// The store contract suite: every operation of every store, run on a fresh SQLite database and a
// fresh PostgreSQL database filled the same way, must give the same answer (values that the
// database itself chooses, such as timestamps of the moment, are compared as "a date"). A store
// operation without a case here fails the suite, so a new operation cannot skip it.
// Needs a PostgreSQL server (DATABASE_URL_POSTGRES or 127.0.0.1:5432); skipped without one.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "@/scripts/migrate";
import { dropDatabase, postgresTestUrl } from "@/scripts/postgres";
import { jwkThumbprint } from "@/lib/protocol/envelope";
import { makeKey, rawToken, signToken, type TTestKey } from "@/lib/protocol/test-helpers";
import { ingestSteps, judgeDrifts, type TCandidate, type TFresh } from "@/lib/ingest/steps";
import { verifiedCandidates as candidates } from "@/lib/ingest/test-helpers";
import { DEFAULT_DRIFT_SETTINGS, driftKey, driftWindow } from "@/lib/protocol/drift";
import { openDatabase, type TDatabase } from "./connect";
import { createStores, type TStores } from "./stores";
import {
  ask,
  driftOnlyWrite,
  postgresIngestStore,
  sqliteIngestStore,
  type TIngestStore,
  type TAsyncIngestStore,
  type TLockedReadQuery,
} from "./stores/ingest";
import { exportStoresOf } from "./stores/exports";
import { csvColumnsOf, type TCsvColumns, type TCsvSource } from "./csv-columns";
import { replayMigration } from "./both-databases-cases";
import { ed25519Jwk, importAipToken } from "@/lib/protocol/aip";
import { compactToken, makeAipKey } from "@/lib/protocol/aip/test-helpers";
import type { TClaims } from "@/lib/protocol/types";
import type { TObservedWrite } from "./stores/observed";
import { prismaChainStore, type TChainStore, type TSortPosition } from "./stores/chains";
import { CHAIN_SORTS, type TChainFilters } from "@/lib/contracts/chains";
import { findingTarget, type TFindingReviewRow } from "./stores/review";
import type { TScanFinding, TWebhookRow } from "./stores/webhooks";

const pg = await postgresTestUrl();

type TPair = { sqlite: TDatabase; postgres: TDatabase; s: TStores; p: TStores };
let pair: TPair;
let pgUrl = "";

const T = Math.floor(Date.now() / 1000);
const FIXED = new Date("2026-01-02T03:04:05.000Z");
const key = (k: TTestKey) => ({ kid: k.kid, jwk: JSON.stringify(k.publicJwk), thumbprint: jwkThumbprint(k.publicJwk) });
const human = { id: "user:contract@bank.example", key: makeKey() };
const planner = { id: "agent:contract-planner", key: makeKey("P-256") };
const attester = { id: "attester:contract", key: makeKey() };
const aipKeys = [makeAipKey(), makeAipKey(), makeAipKey()];
const aipKey = (i: number, kid: string, validFrom: number | null = null, validUntil: number | null = null) => {
  const jwk = ed25519Jwk(aipKeys[i].publicKey, kid);
  return { kid, jwk: JSON.stringify(jwk), thumbprint: jwkThumbprint(jwk), validFrom, validUntil };
};
const AIP_WEB = "aip:web:contract.example/alice";

function sign(who: { id: string; key: TTestKey }, claims: Record<string, unknown>): string {
  return signToken(who.key, { v: 1, iss: who.id, ...claims });
}

/** The same story in both databases: a chain with findings, a cross-chain reference, an orphan, a revocation. */
function storyTokens(): string[] {
  const root = {
    kind: "authorize",
    jti: "c1",
    chain: "c1",
    aud: planner.id,
    iat: T - 600,
    exp: T - 60,
    scope: ["finance/*:read", "mail/out:send"],
    purpose: { code: "finance.reporting", text: "Q1 report" },
    constraints: { egress: ["*.bank.example"], data: ["financial"] },
  };
  return [
    sign(human, root),
    sign(planner, {
      kind: "delegate",
      jti: "c1.d1",
      chain: "c1",
      parent: "c1",
      aud: "agent:contract-viz",
      iat: T - 500,
      exp: T + 3600,
      scope: ["finance/q1/*:read", "payments/*:write"],
      purpose: { code: "finance.reporting.charts", text: "Charts" },
    }),
    sign(planner, {
      kind: "invoke",
      jti: "c1.i1",
      traceparent: `00-${"ab".repeat(16)}-${"cd".repeat(8)}-01`,
      chain: "c1",
      grant: "c1",
      iat: T - 400,
      action: "finance/q1/revenue:read",
      resource: "https://render.chartcloud.io/x",
      data: ["financial", "pii"],
    }),
    sign(attester, {
      kind: "complete",
      jti: "c1.done",
      chain: "c1",
      grant: "c1.d1",
      iat: T - 300,
      status: "completed",
      result_hash: `sha256:${"ab".repeat(32)}`,
      evidence: { summary: "done" },
    }),
    sign(human, { kind: "revoke", jti: "c1.r", chain: "c1", target: "c1.d1", iat: T - 200 }),
    sign(human, {
      kind: "authorize",
      jti: "c2",
      chain: "c2",
      aud: planner.id,
      iat: T - 100,
      exp: T + 3600,
      scope: ["hr/*:read"],
      purpose: { code: "hr", text: "HR" },
    }),
    sign(planner, {
      kind: "delegate",
      jti: "c2.x",
      chain: "c2",
      parent: "c1",
      aud: "agent:x",
      iat: T - 90,
      exp: T + 60,
      scope: ["hr/a:read"],
      purpose: { code: "hr.a", text: "cross" },
    }),
    sign(planner, { kind: "invoke", jti: "c3.orphan", chain: "c3", grant: "nowhere", iat: T - 80, action: "x:read", resource: "db://x" }),
  ];
}

// Signed once: ES256 signatures differ at every signing, and both databases must hold the same bytes.
const STORY = storyTokens();

/**
 * Behavioural drift: the planner's history under one grant (25 invokes of one action on one
 * resource, past the warm-up), sent in two batches, then an invoke on a resource it never touched.
 */
function driftTokens(): string[][] {
  const grant = sign(human, {
    kind: "authorize",
    jti: "cd",
    chain: "cd",
    aud: planner.id,
    iat: T - 30 * 3600,
    exp: T + 3600,
    scope: ["finance/*:read"],
    purpose: { code: "finance.audit", text: "audit" },
  });
  const invoke = (i: number, resource = "db://finance/ledger") =>
    sign(planner, {
      kind: "invoke",
      jti: `cd.i${i}`,
      chain: "cd",
      grant: "cd",
      iat: T - 30 * 3600 + i * 3600,
      action: "finance/ledger:read",
      resource,
    });
  const history = Array.from({ length: 25 }, (_, i) => invoke(i));
  return [[grant, ...history.slice(0, 12)], history.slice(12), [invoke(26, "db://finance/payroll")]];
}
const DRIFT = driftTokens();
const DRIFT_KEY = `${planner.id}\nfinance.audit`;

/** Replaces what the database chooses by itself (now-timestamps, bigint counts) so answers compare. */
function normalise(v: unknown): unknown {
  if (v instanceof Date) return v.getTime() === FIXED.getTime() ? "fixed date" : "a date";
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Map) return normalise([...v.entries()].sort(([a], [b]) => String(a).localeCompare(String(b))));
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)]));
  return v;
}

async function seed(stores: TStores, db: TDatabase) {
  for (const p of [human, planner, attester])
    await stores.registry.create({
      id: p.id,
      kind: p.id.split(":")[0] === "user" ? "human" : p.id.split(":")[0],
      name: `name of ${p.id}`,
      keys: [key(p.key)],
    });
  await stores.registry.createMany([{ id: "agent:bulk", kind: "agent", name: null, keys: [key(makeKey())] }]);
  await stores.aip.register({
    id: AIP_WEB,
    kind: "human",
    name: "Alice",
    keys: [aipKey(0, "key-1", T - 3600, T + 3600), aipKey(1, "key-2")],
    document: '{"id":"aip:web:contract.example/alice"}',
    signatureForm: "python",
    signedBy: "key-1",
  });
  // An AIP chain (source "aip") through the same batch steps, sent twice: the second is a duplicate.
  const aipToken = compactToken(aipKeys[0], { iss: AIP_WEB, sub: "aip:web:contract.example/bob", scope: ["tool:*"], iat: T - 100, exp: T + 3600 });
  const aipKeyRow = { kid: "key-1", publicKey: aipKeys[0].publicKey, validFrom: null, validUntil: null, revokedAt: null };
  const imported = await importAipToken(
    aipToken,
    {},
    { now: T, resolveIdentity: (id) => (id === AIP_WEB ? { id, kind: "human", keys: [aipKeyRow] } : undefined), isStored: () => false },
  );
  const aipCandidates = (): TCandidate[] =>
    imported.store.map((e, index) => ({
      index,
      kind: "verified",
      raw: e.token,
      claims: e.claims as unknown as TClaims,
      alg: "EdDSA",
      kid: "key-1",
      keyRevokedAt: null,
      aip: true,
    }));
  await stores.ingest.run(ingestSteps(aipCandidates(), FIXED, "token:t1"));
  await stores.ingest.run(ingestSteps(aipCandidates(), FIXED, "token:t1"));
  await stores.ingest.run(ingestSteps(candidates(STORY), FIXED, "token:t1"));
  for (const batch of DRIFT) await stores.ingest.run(ingestSteps(candidates(batch), FIXED, "token:t1"));
  await stores.ingest.run(
    ingestSteps(
      [
        { index: 0, kind: "rejected", rawEntry: "garbage", jti: null, code: "malformed", message: "not a JWS" },
        // A refusal that names chain c1 in its (unverified) payload.
        {
          index: 1,
          kind: "rejected",
          rawEntry: rawToken({ alg: "EdDSA" }, { jti: "c1.x", chain: "c1" }),
          jti: "c1.x",
          code: "key_revoked",
          message: "the key was revoked",
        },
      ],
      FIXED,
      "token:t1",
    ),
  );
  await stores.auth.createToken({ id: "tok1", name: "t", role: "viewer", hash: "h1", createdBy: "me" });
  await stores.auth.createUser({ id: "u1", email: "u1@x.example", name: "U", role: "viewer", passwordHash: "scrypt$x" });
  await stores.auth.createSession({ id: "s1", userId: "u1", csrf: "c", expiresAt: FIXED });
  await stores.auth.createThrottle({ key: "email:u1@x.example", failures: 2, lastAttemptAt: T, nextAllowedAt: T });
  await stores.audit.append({ actor: "system", action: "a.b", target: "x", detail: "{}", ip: "1.2.3.4" });
  await stores.ledger.addKey("kid1", '{"kty":"OKP"}');
  const head = await stores.ledger.head();
  await stores.ledger.addCheckpoint({ seq: head!.seq, hash: head!.hash, at: FIXED, kid: "kid1", signature: "sig" });
  void db;
}

const FILTERS = [
  {},
  { status: "violation" as const },
  { scope: "finance/q1/*:read" },
  { scope: "*:*" },
  { principal: planner.id },
  { purpose: "finance" },
  { finding: "missing_evidence" },
  { finding: "scope_drift" },
  { q: "REPORT" },
  { since: T - 150 },
  { source: "dep" as const },
  { source: "aip" as const },
  { scope: "tool:search" },
  { scope: "tool*" },
  { scope: "tools:*" },
  { review: "unreviewed" as const },
  { review: "signed_off" as const },
];

/** Two observed writes (lib/db/stores/observed.ts): a chain per trace, then a span that joins them. */
function observedChainWrite(id: string, traceIds: string[], warnings: number): TObservedWrite["chains"][number] {
  return {
    id,
    source: "otel",
    rootIss: "alice@example.com",
    rootAud: "support",
    purposeText: "observed (genai)",
    startedAt: T - 100,
    lastEventAt: FIXED,
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
    traceIds,
    data: JSON.stringify({ id, traceIds }),
  };
}
const OBSERVED_WRITES: TObservedWrite[] = [
  {
    spans: [
      { traceId: "t1", spanId: "s1", source: "otel", data: '{"a":1}' },
      { traceId: "t1", spanId: "s2", source: "otel", data: '{"a":2}' },
      { traceId: "t2", spanId: "s3", source: "capture", data: '{"a":3}' },
    ],
    keys: [
      { key: "t:t1", traceId: "t1" },
      { key: "t:t2", traceId: "t2" },
      { key: "conversation:k", traceId: "t1" },
    ],
    chains: [observedChainWrite("obs:t1", ["t1"], 2), observedChainWrite("obs:t2", ["t2"], 1)],
    removeChainIds: [],
    chainOfTrace: [
      { traceId: "t1", chainId: "obs:t1" },
      { traceId: "t2", chainId: "obs:t2" },
    ],
  },
  {
    spans: [
      { traceId: "t2", spanId: "s3", source: "capture", data: '{"a":"re-sent"}' },
      { traceId: "t2", spanId: "s4", source: "capture", data: '{"a":4}' },
      { traceId: "t3", spanId: "s5", source: "otel", data: '{"a":5}' },
    ],
    keys: [
      { key: "t:t2", traceId: "t2" },
      { key: "conversation:k", traceId: "t2" },
      { key: "t:t3", traceId: "t3" },
    ],
    chains: [observedChainWrite("obs:t1", ["t1", "t2"], 1), observedChainWrite("c1", ["t3"], 0)],
    removeChainIds: ["obs:t2", "c1"],
    chainOfTrace: [
      { traceId: "t1", chainId: "obs:t1" },
      { traceId: "t2", chainId: "obs:t1" },
      { traceId: "t3", chainId: "c1" },
    ],
  },
];

const prismaOf = (s: TStores) => (s.kind === "postgres" ? pair.postgres : pair.sqlite).prisma;
const webhookRow = (id: string, events: string, minSeverity: string | null = null): TWebhookRow => ({
  id,
  url: `https://hooks.example/${id}`,
  events,
  minSeverity,
  secret: `whsec_${id}`,
  createdAt: FIXED,
  createdBy: "session:admin@x.example",
});
const delivery = (webhookId: string, eventId: string, dueInSeconds: number) => ({
  webhookId,
  eventId,
  type: "finding.state_changed",
  body: JSON.stringify({ id: eventId }),
  createdAt: FIXED,
  nextAttemptAt: new Date(FIXED.getTime() + dueInSeconds * 1000),
  expiresAt: new Date(FIXED.getTime() + 86_400_000),
});

/** One case per operation: what to call it with. The suite checks every operation has one. */
const CASES: {
  [S in Exclude<keyof TStores, "kind" | "check" | "eventCount" | "ingest">]: { [O in keyof TStores[S]]: (s: TStores) => Promise<unknown> };
} = {
  chains: {
    listRows: (s) => Promise.all(FILTERS.map((f) => s.chains.listRows(f, T, { take: 10 }))),
    // Every sort, walked two rows a page to the end: the same rows, positions and pages on both.
    listSorted: (s) =>
      Promise.all(
        CHAIN_SORTS.map(async (sort) => {
          const pages: { id: string; at: unknown }[][] = [];
          let after: TSortPosition | undefined;
          for (let i = 0; i < 50; i++) {
            const page = await s.chains.listSorted({}, T, { sort, now: T, after, take: 2 });
            if (page.length === 0) break;
            pages.push(page.map((r) => ({ id: r.row.id, at: r.at })));
            after = page[page.length - 1].at;
          }
          return { sort, pages };
        }),
      ),
    // SQLite writes the plain column filters (status, source, since, until) as SQL itself
    // (plainChainWhere); the rest go through Prisma: every filter, and a keyset walk.
    listKeys: async (s) => {
      const pages = [];
      for (let after: { startedAt: number; id: string } | undefined, i = 0; i < 50; i++) {
        const page = await s.chains.listKeys({ source: "dep" }, T, { after, take: 2 });
        pages.push(page);
        if (page.length < 2) break;
        after = { startedAt: page[1].startedAt, id: page[1].id };
      }
      const filters = [
        ...FILTERS,
        ...(["verified", "warning", "pending", "observed"] as const).map((status) => ({ status })),
        { status: "verified" as const, source: "dep" as const, since: T - 150, until: T + 10 },
        { until: T - 150 },
      ];
      return [
        await s.chains.listKeys({}, T, { after: { startedAt: T, id: "zzz" }, take: 1 }),
        await Promise.all(filters.map((f) => s.chains.listKeys(f, T + 3600, { take: 100 }))),
        pages,
      ];
    },
    findingCounts: (s) => Promise.all(FILTERS.map((f) => s.chains.findingCounts(f, T).then((r) => r.sort((a, b) => a.code.localeCompare(b.code))))),
    countRows: (s) => Promise.all(FILTERS.map((f) => s.chains.countRows(f, T))),
    detailRows: (s) =>
      Promise.all(
        ["c1", "c2", "missing"].map((id) =>
          s.chains.detailRows(id).then((r) => ({
            ...r,
            keys: [...r.keys].sort((a, b) => a.kid.localeCompare(b.kid)),
            principals: [...r.principals].sort((a, b) => a.id.localeCompare(b.id)),
          })),
        ),
      ),
    rawEvent: (s) => Promise.all(["c1", "c1.d1", "nowhere"].map((jti) => s.chains.rawEvent(jti))),
    checkEvents: (s) => s.chains.checkEvents(["c1", "c2", "c3"]),
    eventKinds: (s) => s.chains.eventKinds(["c1", "c1.d1", "nowhere"]).then((r) => r.sort((a, b) => a.jti.localeCompare(b.jti))),
    principalKinds: (s) => s.chains.principalKinds([human.id, planner.id, "unknown"]).then((r) => r.sort((a, b) => a.id.localeCompare(b.id))),
    stamp: (s) => Promise.all(["c1", "missing"].map((id) => s.chains.stamp(id))),
    detailEvents: (s) => Promise.all([s.chains.detailEvents("c1", 0), s.chains.detailEvents("c1", 2), s.chains.detailEvents("missing", 0)]),
    detailLookups: (s) =>
      s.chains
        .detailLookups({ refs: ["c1", "c1.d1", "nowhere"], principalIds: [human.id, planner.id, "unknown"], issuers: [human.id, planner.id] })
        .then((r) => ({
          externalRows: [...r.externalRows].sort((a, b) => a.jti.localeCompare(b.jti)),
          principals: [...r.principals].sort((a, b) => a.id.localeCompare(b.id)),
          keys: [...r.keys].sort((a, b) => a.kid.localeCompare(b.kid)),
        })),
    ledgerPage: (s) => Promise.all([s.chains.ledgerPage(0, 3), s.chains.ledgerPage(3, 100)]),
    ledgerHead: (s) => s.chains.ledgerHead(),
  },
  exports: {
    chainExists: (s) => Promise.all([s.exports.chainExists("c1"), s.exports.chainExists("nope")]),
    isObserved: (s) => Promise.all([s.exports.isObserved("c1"), s.exports.isObserved("nope"), s.exports.isObserved("obs:t1")]),
    chainEvents: (s) => s.exports.chainEvents("c1", 1, 2),
    eventsOfChains: (s) => s.exports.eventsOfChains(["c2", "c1"]),
    csvChainEvents: (s) => s.exports.csvChainEvents("c1", 1, 2),
    csvEventsOfChains: (s) => s.exports.csvEventsOfChains(["c2", "c1"]),
    signers: (s) => s.exports.signers([human.id, planner.id, attester.id, "nope", AIP_WEB]).then((rows) => rows.map((r) => r.join("\u0000")).sort()),
    chainsWithFindings: (s) => s.exports.chainsWithFindings(["c1", "c2", "c3", "nope", "c1"]).then((ids) => [...new Set(ids)].sort()),
    findings: (s) =>
      s.exports.findings(["c1", "c1.d1", "c1.i1"]).then((r) => r.sort((a, b) => `${a.eventJti}${a.code}`.localeCompare(`${b.eventJti}${b.code}`))),
    events: (s) => s.exports.events(["c1", "c1.d1"]).then((r) => r.sort((a, b) => a.jti.localeCompare(b.jti))),
    completesOf: (s) => s.exports.completesOf(["c1.d1"]),
    keys: (s) => s.exports.keys([human.id, planner.id]).then((r) => r.sort((a, b) => a.kid.localeCompare(b.kid))),
    kinds: (s) => s.exports.kinds([human.id, attester.id]).then((r) => r.sort((a, b) => a.id.localeCompare(b.id))),
    externalEvents: (s) => s.exports.externalEvents(["c1"]),
    principals: (s) => s.exports.principals([planner.id, human.id]),
    fullKeys: (s) => s.exports.fullKeys([human.id, planner.id]),
    ledgerHead: (s) => s.exports.ledgerHead(),
    checkpointCovering: (s) => Promise.all([s.exports.checkpointCovering(1, 100), s.exports.checkpointCovering(50, 100)]),
  },
  insights: {
    counts: (s) => s.insights.counts(T).then((c) => ({ ...c, byStatus: c.byStatus.sort((a, b) => a.status.localeCompare(b.status)) })),
    recentViolations: (s) => s.insights.recentViolations(8),
    // Days of the test run's clock (lastEventAt), which the two databases may straddle: codes and counts only.
    findingDays: (s) => s.insights.findingDays(new Date(0)).then((r) => r.map((x) => `${x.code} ${x.count}`).sort()),
    overdueExpiries: (s) =>
      Promise.all([s.insights.overdueExpiries({ since: 0, now: T }), s.insights.overdueExpiries({ since: 0, now: T + 7200 })]).then((r) =>
        r.map((days) => days.sort((a, b) => a.day.localeCompare(b.day))),
      ),
    overdueGrantExps: (s) =>
      Promise.all([
        s.insights.overdueGrantExps({ now: T + 7200, take: 10 }),
        s.insights.overdueGrantExps({ now: T + 7200, principal: planner.id, take: 10 }),
      ]),
    topFindingIssuers: (s) => Promise.all([s.insights.topFindingIssuers(8), s.insights.topFindingIssuers(1)]),
    findingCountsByIssuer: (s) => s.insights.findingCountsByIssuer([human.id, planner.id, attester.id]),
    principal: (s) => Promise.all([s.insights.principal(planner.id), s.insights.principal("nobody")]),
    chainsOfPrincipal: (s) => s.insights.chainsOfPrincipal(planner.id, 10),
    findingsOfIssuer: (s) => s.insights.findingsOfIssuer(planner.id, 10),
    findings: (s) =>
      Promise.all([
        s.insights.findings({ take: 100 }),
        s.insights.findings({ code: "scope_drift", take: 10 }),
        s.insights.findings({ principal: planner.id, severity: "critical", take: 10 }),
        s.insights.findings({ before: 3, take: 10 }),
      ]),
    eventBriefs: (s) => s.insights.eventBriefs(["c1", "c1.i1"]).then((r) => r.sort((a, b) => a.jti.localeCompare(b.jti))),
    overdueChainCount: (s) =>
      Promise.all([s.insights.overdueChainCount({ now: T }), s.insights.overdueChainCount({ now: T, principal: planner.id })]),
    overdueChainIds: (s) => s.insights.overdueChainIds({ now: T + 7200, take: 10 }),
    findingBriefs: (s) =>
      s.insights.findingBriefs(["c1.i1", "c1.d1"]).then((r) => r.sort((a, b) => `${a.eventJti}${a.code}`.localeCompare(`${b.eventJti}${b.code}`))),
    invokesMentioning: (s) => Promise.all([s.insights.invokesMentioning("CHARTCLOUD", 10), s.insights.invokesMentioning("db://", 10)]),
    eventsOfPrincipal: (s) => s.insights.eventsOfPrincipal(planner.id, 0, 100),
    chainRows: (s) => s.insights.chainRows(["c1", "c2", "c3"]),
  },
  registry: {
    exists: (s) => Promise.all([s.registry.exists(human.id), s.registry.exists("nobody")]),
    create: (s) => s.registry.create({ id: "agent:made-in-case", kind: "agent", name: null, keys: [{ kid: "k", jwk: "{}", thumbprint: "t" }] }),
    key: (s) => s.registry.key(human.id, human.key.kid),
    setKeyRevokedAt: (s) => s.registry.setKeyRevokedAt(planner.id, planner.key.kid, T + 1),
    list: (s) =>
      Promise.all([s.registry.list({ take: 100 }), s.registry.list({ q: "PLANNER", take: 10 }), s.registry.list({ after: human.id, take: 2 })]),
    createMany: (s) =>
      s.registry.createMany([{ id: "agent:many-in-case", kind: "agent", name: "m", keys: [] }]).then(() => s.registry.exists("agent:many-in-case")),
    chainCounts: (s) => s.registry.chainCounts([planner.id, human.id, "nobody"]),
  },
  auth: {
    createToken: (s) => s.auth.createToken({ id: "tok-case", name: "case", role: "ingest", hash: "hcase", createdBy: null }),
    tokenByHash: (s) => Promise.all([s.auth.tokenByHash("h1"), s.auth.tokenByHash("none")]),
    token: (s) => s.auth.token("tok1"),
    findBootstrapToken: (s) => s.auth.findBootstrapToken("bootstrap", "bootstrap", "first start"),
    tokens: (s) => s.auth.tokens().then((r) => r.sort((a, b) => a.id.localeCompare(b.id))),
    setTokenRevokedAt: (s) => s.auth.setTokenRevokedAt("tok1", FIXED),
    users: (s) => s.auth.users(),
    userCount: (s) => s.auth.userCount(),
    user: (s) => s.auth.user("u1"),
    userByEmail: (s) => s.auth.userByEmail("u1@x.example"),
    createUser: (s) => s.auth.createUser({ id: "u-case", email: "case@x.example", name: null, role: "admin", passwordHash: "p" }),
    updateUser: (s) => s.auth.updateUser("u-case", { role: "viewer", disabledAt: FIXED }),
    createSession: (s) => s.auth.createSession({ id: "s-case", userId: "u1", csrf: "x", expiresAt: FIXED }).then(() => s.auth.session("s-case")),
    session: (s) => Promise.all([s.auth.session("s1"), s.auth.session("none")]),
    deleteSession: (s) => s.auth.deleteSession("s-case").then(() => s.auth.session("s-case")),
    deleteSessionsOf: (s) => s.auth.deleteSessionsOf("nobody"),
    deleteExpiredSessions: (s) => s.auth.deleteExpiredSessions(new Date(0)).then(() => s.auth.session("s1")),
    throttle: (s) => s.auth.throttle("email:u1@x.example"),
    // Two concurrent creates: exactly one wins, and which one is up to the scheduler (sorted, so the
    // case compares the outcome, not the race).
    createThrottle: (s) =>
      Promise.all([
        s.auth.createThrottle({ key: "ip:case", failures: 1, lastAttemptAt: T, nextAllowedAt: T }),
        s.auth.createThrottle({ key: "ip:case", failures: 1, lastAttemptAt: T, nextAllowedAt: T }),
      ]).then((won) => won.sort()),
    swapThrottle: async (s) => [
      await s.auth.swapThrottle("ip:case", 0, { failures: 2, lastAttemptAt: T, nextAllowedAt: T + 1 }),
      await s.auth.swapThrottle("ip:case", 0, { failures: 9, lastAttemptAt: T, nextAllowedAt: T }),
    ],
    clearThrottle: (s) => s.auth.clearThrottle("ip:case").then(() => s.auth.throttle("ip:case")),
    uncountThrottle: (s) => s.auth.uncountThrottle("email:u1@x.example").then(() => s.auth.throttle("email:u1@x.example")),
    pruneThrottles: (s) => s.auth.pruneThrottles(T + 10).then(() => s.auth.throttle("ip:case")),
    createOidcLogin: (s) =>
      Promise.all([
        s.auth.createOidcLogin({
          state: "st-case",
          codeVerifier: "v",
          nonce: "n",
          returnTo: "/chains",
          expiresAt: new Date(FIXED.getTime() + 600_000),
        }),
        s.auth.createOidcLogin({ state: "st-old", codeVerifier: "v", nonce: "n", returnTo: "/", expiresAt: new Date(0) }),
      ]),
    takeOidcLogin: async (s) => [
      await s.auth.takeOidcLogin("st-case", FIXED),
      await s.auth.takeOidcLogin("st-case", FIXED),
      await s.auth.takeOidcLogin("none", FIXED),
    ],
    deleteExpiredOidcLogins: (s) => s.auth.deleteExpiredOidcLogins(FIXED).then(() => s.auth.takeOidcLogin("st-old", new Date(-1))),
    createIdentity: (s) =>
      s.auth.createIdentity({ issuer: "https://idp.example", subject: "sub-1", userId: "u1" }).then((i) => ({ ...i, createdAt: 0, lastSignInAt: 0 })),
    identity: (s) =>
      Promise.all([s.auth.identity("https://idp.example", "sub-1"), s.auth.identity("https://idp.example", "none")]).then(([a, b]) => [a?.userId, b]),
    touchIdentity: (s) =>
      s.auth
        .touchIdentity("https://idp.example", "sub-1", FIXED)
        .then(() => s.auth.identity("https://idp.example", "sub-1"))
        .then((i) => i?.lastSignInAt),
  },
  audit: {
    append: (s) => s.audit.append({ actor: "a", action: "case", target: "t", detail: null }).then(() => s.audit.latest("case", "t", new Date(0))),
    latest: (s) => Promise.all([s.audit.latest("a.b", "x", new Date(0)), s.audit.latest("a.b", "x", new Date(Date.now() + 60_000))]),
    updateDetail: (s) =>
      s.audit
        .latest("a.b", "x", new Date(0))
        .then((e) => s.audit.updateDetail(e!.id, '{"n":1}', null))
        .then(() => s.audit.latest("a.b", "x", new Date(0))),
    list: (s) =>
      Promise.all([
        s.audit.list({ take: 10 }),
        s.audit.list({ before: 2, take: 10 }),
        s.audit.list({ take: 10, actor: "SYSTEM", action: "a.", target: "x" }),
        s.audit.list({ take: 10, since: new Date(0), until: new Date(Date.now() + 60_000) }),
        s.audit.list({ take: 10, until: new Date(0) }),
      ]),
  },
  ledger: {
    head: (s) => s.ledger.head(),
    latestCheckpoint: (s) => s.ledger.latestCheckpoint(),
    addCheckpoint: (s) => s.ledger.addCheckpoint({ seq: 1, hash: "h", at: FIXED, kid: "kid1", signature: "s" }),
    checkpoints: (s) => s.ledger.checkpoints(0, 10),
    keys: (s) => s.ledger.keys(),
    hasKey: (s) => Promise.all([s.ledger.hasKey("kid1"), s.ledger.hasKey("nope")]),
    addKey: (s) => s.ledger.addKey("kid1", "{}").then(() => s.ledger.keys()),
  },
  aip: {
    identities: (s) => s.aip.identities([AIP_WEB, human.id, "nobody"]),
    register: (s) =>
      s.aip.register({
        id: "aip:web:contract.example/case",
        kind: "agent",
        name: null,
        keys: [aipKey(2, "k")],
        document: "{}",
        signatureForm: "draft",
        signedBy: "k",
      }),
    replace: (s) =>
      Promise.all([
        s.aip
          .replace({
            id: AIP_WEB,
            keys: [aipKey(1, "key-2", T, null), aipKey(2, "key-3")],
            document: '{"v":2}',
            signatureForm: "rust",
            signedBy: "key-3",
            at: T + 5,
          })
          .then(async (r) => [r, await s.aip.document(AIP_WEB)]),
        s.aip.replace({ id: "aip:web:nobody", keys: [], document: "{}", signatureForm: "python", signedBy: "k", at: T }),
      ]),
    document: (s) => Promise.all([s.aip.document(AIP_WEB), s.aip.document(human.id)]),
    ensureKeyIdentities: (s) =>
      s.aip
        .ensureKeyIdentities([
          { id: "aip:key:ed25519:zcase", kind: "agent", key: aipKey(2, "zcase") },
          { id: AIP_WEB, kind: "agent", key: aipKey(2, "other") },
        ])
        .then(() => s.aip.identities(["aip:key:ed25519:zcase", AIP_WEB])),
  },
  review: {
    // Written first: the reads below see these rows. Three findings of the story: one acknowledged
    // and assigned, one accepted as a risk against a finding that has changed since (reads open),
    // one accepted as a risk that has expired (reads open).
    writeFinding: async (s) => {
      const all = await s.insights.findings({ take: 100 });
      const [a, b, c] = all.slice(-3);
      const row = (f: typeof a, over: Partial<TFindingReviewRow>): TFindingReviewRow => ({
        eventJti: f.eventJti,
        code: f.code,
        chainId: f.chainId,
        state: "acknowledged",
        assignee: null,
        note: null,
        acceptedUntil: null,
        basis: `${f.severity}|${f.message}`,
        updatedAt: FIXED,
        updatedBy: "user:a",
        ...over,
      });
      const entry = { actor: "user:a", action: "state", fromState: "open", toState: "acknowledged", assignee: null, note: null, acceptedUntil: null };
      await s.review.writeFinding(row(a, { assignee: "ana@x.example" }), [entry]);
      await s.review.writeFinding(row(a, { assignee: "ana@x.example", state: "resolved", note: "fixed" }), [
        { ...entry, toState: "resolved", note: "fixed" },
      ]);
      await s.review.writeFinding(row(b, { state: "accepted_risk", note: "n", basis: "error|old" }), [entry]);
      await s.review.writeFinding(row(c, { state: "accepted_risk", note: "n", acceptedUntil: T - 1 }), [entry]);
      return s.review.reviews([a, b, c].map((f) => ({ eventJti: f.eventJti, code: f.code })));
    },
    findings: (s) =>
      Promise.all([
        s.review.findings({ take: 100, now: T }),
        s.review.findings({ take: 100, now: T, state: "open" }),
        s.review.findings({ take: 100, now: T, state: "resolved" }),
        s.review.findings({ take: 100, now: T - 10, state: "accepted_risk" }),
        s.review.findings({ take: 100, now: T, assignee: "ana@x.example" }),
        s.review.findings({ take: 100, now: T, assignee: "" }),
        s.review.findings({ take: 5, now: T, principal: planner.id, severity: "critical", before: 100 }),
        s.review.findings({ take: 5, now: T, code: "scope_drift", chain: "c1" }),
        s.review.findings({ take: 100, now: T, beforeTime: "start" }),
        s.review.findings({ take: 100, now: T, beforeTime: { iat: T + 1, id: null } }),
        s.review.findings({ take: 100, now: T, beforeTime: { iat: T, id: 3 } }),
      ]),
    finding: (s) => Promise.all([s.review.finding(1), s.review.finding(99_999)]),
    reviews: (s) => s.review.reviews([{ eventJti: "nope", code: "orphan" }]),
    chainFindingReviews: (s) =>
      Promise.all(
        ["c1", "c2", "c3", "nope"].map((c) =>
          s.review.chainFindingReviews(c).then((r) => r.sort((x, y) => `${x.eventJti}${x.code}`.localeCompare(`${y.eventJti}${y.code}`))),
        ),
      ),
    history: (s) => s.review.findings({ take: 100, now: T }).then((all) => s.review.history(findingTarget(all[all.length - 1]))),
    writeChainReview: (s) =>
      s.review
        .writeChainReview(
          {
            chainId: "c2",
            status: "signed_off",
            reviewer: "ana@x.example",
            statement: "ok",
            signedOffAt: FIXED,
            updatedAt: FIXED,
            updatedBy: "user:a",
          },
          { actor: "user:a", action: "sign_off", fromState: "unreviewed", toState: "signed_off", assignee: null, note: "ok", acceptedUntil: null },
        )
        .then(() =>
          Promise.all([s.chains.listRows({ review: "signed_off" }, T, { take: 10 }), s.chains.listRows({ review: "unreviewed" }, T, { take: 10 })]),
        ),
    chainReview: (s) => Promise.all([s.review.chainReview("c2"), s.review.chainReview("c1")]),
    chainHistory: (s) => Promise.all(["c1", "c2", "nope"].map((c) => s.review.chainHistory(c))),
    streamEvents: (s) => Promise.all([s.review.streamEvents(0, 3), s.review.streamEvents(3, 100), s.review.streamEvents(10_000, 10)]),
    streamFindings: (s) => Promise.all([s.review.streamFindings(0, 2), s.review.streamFindings(2, 100)]),
    createView: (s) =>
      Promise.all([
        s.review.createView({ id: "v1", name: "Violations", page: "chains", query: "status=violation", owner: "session:a@x.example", shared: false }),
        s.review.createView({ id: "v2", name: "Open findings", page: "findings", query: "state=open", owner: "session:b@x.example", shared: true }),
        s.review.createView({ id: "v3", name: "B private", page: "findings", query: "state=resolved", owner: "session:b@x.example", shared: false }),
      ]),
    views: (s) => Promise.all([s.review.views("session:a@x.example"), s.review.views("session:b@x.example"), s.review.views("nobody")]),
    view: (s) => Promise.all([s.review.view("v1"), s.review.view("nope")]),
    deleteView: (s) => s.review.deleteView("v3").then(() => Promise.all([s.review.view("v3"), s.review.deleteView("nope")])),
  },
  quarantine: {
    ofChain: (s) => Promise.all([s.quarantine.ofChain("c1", 10), s.quarantine.ofChain("c2", 10)]),
    countOfChain: (s) => Promise.all([s.quarantine.countOfChain("c1"), s.quarantine.countOfChain("nope")]),
    list: (s) =>
      Promise.all([s.quarantine.list({ take: 10 }), s.quarantine.list({ code: "malformed", take: 10 }), s.quarantine.list({ before: 1, take: 10 })]),
    usage: (s) => Promise.all([s.quarantine.usage("token:t1"), s.quarantine.usage("none")]),
    sizes: (s) => s.quarantine.sizes("token:t1", undefined, 10),
    dropUpTo: (s) => s.quarantine.dropUpTo("token:t1", 1).then(async (r) => [r, await s.quarantine.usage("token:t1")]),
  },
  // Written first (object order is run order), then read back; the second write merges obs:t2 into
  // obs:t1, re-sends a span and tries to take the signed chain c1's id (refused: skipped).
  observed: {
    write: async (s) => [
      await s.observed.write(OBSERVED_WRITES[0]),
      await s.observed.write(OBSERVED_WRITES[1]),
      await s.chains.listRows({ source: "otel" }, T, { take: 10 }),
      await s.chains.listRows({ status: "observed" }, T, { take: 10 }),
      await s.chains.findingCounts({ source: "otel" }, T),
      await s.chains.detailRows("c1").then((r) => r.source),
    ],
    tracesWithKeys: (s) => Promise.all([s.observed.tracesWithKeys(["conversation:k", "t:t2", "nope"]), s.observed.tracesWithKeys([])]),
    keysOfTraces: (s) => s.observed.keysOfTraces(["t1", "t2", "t9"]),
    spansOfTraces: (s) => s.observed.spansOfTraces(["t2", "t1"]),
    traceIdsOfChains: (s) => Promise.all([s.observed.traceIdsOfChains(["obs:t1"]), s.observed.traceIdsOfChains(["obs:t2", "c1"])]),
    chain: (s) => Promise.all(["obs:t1", "obs:t2", "c1"].map((id) => s.observed.chain(id))),
    signedEventsOfTraces: (s) => Promise.all([s.observed.signedEventsOfTraces(["ab".repeat(16), "t1"]), s.observed.signedEventsOfTraces([])]),
  },
  leastPrivilege: {
    grantsReceived: (s) =>
      Promise.all([
        s.leastPrivilege.grantsReceived({ aud: planner.id, since: 0, until: T + 10, take: 10 }),
        s.leastPrivilege.grantsReceived({ since: T - 550, until: T, take: 10 }),
        s.leastPrivilege.grantsReceived({ since: 0, until: T, take: 1 }),
      ]),
    // More ids than one statement may bind on SQLite through Prisma (999): read in slices.
    grantsOfChains: (s) => s.leastPrivilege.grantsOfChains(["c1", ...Array.from({ length: 1200 }, (_, i) => `none-${i}`), "c2", "nope"]),
    invokesUnder: (s) => s.leastPrivilege.invokesUnder(["c1", ...Array.from({ length: 1200 }, (_, i) => `none-${i}`), "c1.d1", "nowhere"]),
    // Counted at ingest (GrantUse): the same rows on both databases, every kind and a subset.
    usesOf: (s) =>
      Promise.all([
        s.leastPrivilege.usesOf(
          ["c1", ...Array.from({ length: 1200 }, (_, i) => `none-${i}`), "c1.d1", "nowhere"],
          ["invoke", "delegate", "data", "resource"],
        ),
        s.leastPrivilege.usesOf(["c1", "c1.d1"], ["delegate"]),
        s.leastPrivilege.usesOf([], ["invoke"]),
      ]),
    linksOfChains: (s) => Promise.all([s.leastPrivilege.linksOfChains(["c1", "c2", "nope"]), s.leastPrivilege.linksOfChains([])]),
  },
  // Run in this order: a webhook on state changes only, then one on new findings (which marks the
  // stored findings announced), deliveries through a claim, a failed and a successful try, expiry,
  // and the scan with one finding made new again (cursor back at 0, its mark removed).
  webhooks: {
    create: (s) =>
      Promise.all([
        s.webhooks.create(webhookRow("wh_states", "finding.state_changed,chain.signed_off")),
        s.webhooks.create(webhookRow("wh_findings", "finding.created", "error")),
      ]).then(async (r) => [r, await prismaOf(s).webhookFindingSeen.count(), await prismaOf(s).webhookScan.findUnique({ where: { id: 1 } })]),
    list: (s) => s.webhooks.list(),
    get: (s) => Promise.all([s.webhooks.get("wh_findings"), s.webhooks.get("nope")]),
    enqueue: (s) =>
      Promise.all([
        s.webhooks.enqueue([delivery("wh_states", "evt_1", 0), delivery("wh_findings", "evt_1", 0), delivery("wh_states", "evt_2", 3600)]),
        s.webhooks.enqueue([]),
      ]),
    due: (s) => Promise.all([s.webhooks.due(FIXED, 10), s.webhooks.due(FIXED, 1), s.webhooks.due(new Date(FIXED.getTime() - 1000), 10)]),
    claim: async (s) => {
      const until = new Date(FIXED.getTime() + 30_000);
      const first = await s.webhooks.claim(1, FIXED, until);
      const again = await s.webhooks.claim(1, FIXED, until);
      return [first, again, await s.webhooks.due(FIXED, 10), await s.webhooks.claim(1, new Date(until.getTime() + 1), until)];
    },
    recordAttempt: async (s) => {
      await s.webhooks.recordAttempt(
        1,
        { at: FIXED, durationMs: 12, httpStatus: 503, error: null },
        {
          status: "queued",
          attempts: 1,
          nextAttemptAt: new Date(FIXED.getTime() + 10_000),
          deliveredAt: null,
          lastStatus: 503,
          lastError: "HTTP 503",
        },
      );
      await s.webhooks.recordAttempt(
        2,
        { at: FIXED, durationMs: 7, httpStatus: 204, error: null },
        { status: "delivered", attempts: 1, nextAttemptAt: FIXED, deliveredAt: FIXED, lastStatus: 204, lastError: null },
      );
      return s.webhooks.due(new Date(FIXED.getTime() + 20_000), 10);
    },
    summaries: (s) => Promise.all([s.webhooks.summaries(["wh_states", "wh_findings", "nope"]), s.webhooks.summaries([])]),
    deliveries: (s) =>
      Promise.all([s.webhooks.deliveries("wh_states", 10), s.webhooks.deliveries("wh_states", 1), s.webhooks.deliveries("nope", 10)]),
    expire: (s) => Promise.all([s.webhooks.expire(FIXED), s.webhooks.expire(new Date(FIXED.getTime() + 7 * 86_400_000))]),
    scanFindings: async (s) => {
      const idle = await s.webhooks.scanFindings(100, () => []);
      const prisma = prismaOf(s);
      const first = await prisma.finding.findFirst({ orderBy: { id: "asc" } });
      await prisma.webhookScan.update({ where: { id: 1 }, data: { findingId: 0 } });
      await prisma.webhookFindingSeen.delete({ where: { eventJti_code: { eventJti: first!.eventJti, code: first!.code } } });
      const seenFindings: unknown[] = [];
      const plan = (findings: TScanFinding[], subscribers: TWebhookRow[]) => {
        seenFindings.push(
          findings.map(({ id: _id, ...f }) => f),
          subscribers.map((w) => w.id),
        );
        return findings.flatMap((f) => subscribers.map((w) => ({ ...delivery(w.id, `evt_${f.eventJti}_${f.code}`, 0), type: "finding.created" })));
      };
      const page = await s.webhooks.scanFindings(2, plan);
      const rest = await s.webhooks.scanFindings(1000, plan);
      const after = await s.webhooks.scanFindings(1000, plan);
      return [idle, page, rest, after, seenFindings, await s.webhooks.deliveries("wh_findings", 10).then((d) => d.rows.map((r) => r.eventId))];
    },
    remove: (s) =>
      Promise.all([s.webhooks.remove("wh_states"), s.webhooks.remove("nope")]).then(async (r) => [r, await prismaOf(s).webhookDelivery.count()]),
  },
};

/** The ingest store's own operations, on each database's implementation. */
const INGEST_CASES: { [O in keyof TIngestStore]: (store: TIngestStore | TAsyncIngestStore) => unknown } = {
  lockHead: (st) => st.lockHead(),
  lockHeadAndRead: async (st) => {
    const version = new Map((await st.chainVersions(["c1", "c2"])).map((v) => [v.id, v.version]));
    const [c1, c2] = [version.get("c1")!, version.get("c2")!];
    const read = (q: Pick<TLockedReadQuery, "affected" | "readVersions">) =>
      Promise.resolve(
        st.lockHeadAndRead({
          watched: ["c1", "c2.x", "nope"],
          driftKeys: [DRIFT_KEY, "nobody\nnothing"],
          freshJtis: ["c1"],
          findingsOf: ["c1.i1", "c1.d1", "c2.x"],
          ...q,
        }),
      ).then((r) => ({
        ...r,
        stored: r.stored.sort(),
        dependants: r.dependants.sort(),
        versions: r.versions.sort((a, b) => a.id.localeCompare(b.id)),
        findings: r.findings.map(({ id: _id, ...f }) => f),
        changed: {
          chainIds: r.changed.chainIds.sort(),
          events: r.changed.events,
          refs: r.changed.refs.sort((a, b) => a.jti.localeCompare(b.jti)),
          principals: r.changed.principals.sort((a, b) => a.id.localeCompare(b.id)),
        },
      }));
    return [
      // c1 as read, c2 moved since, "nope" still absent: c2's facts come with the lock.
      await read({ affected: ["c1", "c2", "nope"], readVersions: [c1, c2 + 1000, null] }),
      // c1 absent when read (it is there now), c2 a new dependant of c1: both.
      await read({ affected: ["c1"], readVersions: [null] }),
      // Nothing changed: no chain facts.
      await read({ affected: ["c1", "c2"], readVersions: [c1, c2] }),
    ];
  },
  storedTokens: (st) => Promise.resolve(st.storedTokens(["c1", "c2", "nope"])).then((r) => r.sort((a, b) => a.jti.localeCompare(b.jti))),
  chainVersions: (st) => Promise.resolve(st.chainVersions(["c1", "c2", "nope"])).then((r) => r.sort((a, b) => a.id.localeCompare(b.id))),
  dependantChains: (st) => Promise.resolve(st.dependantChains(["c1"])).then((r) => r.sort()),
  chainEvents: (st) => st.chainEvents(["c1", "c2"]),
  jtiFacts: (st) =>
    Promise.all([st.jtiFacts(["c1", "c2", "nope"]), st.jtiFacts(["nope"])]).then((all) =>
      all.map((r) => ({ stored: r.stored.sort((a, b) => a.jti.localeCompare(b.jti)), dependants: r.dependants.sort() })),
    ),
  chainState: (st) =>
    Promise.all([st.chainState(["c1", "c2", "nope"]), st.chainState(["nope"])]).then((all) =>
      all.map((r) => ({ versions: r.versions.sort((a, b) => a.id.localeCompare(b.id)), events: r.events })),
    ),
  eventKinds: (st) => Promise.resolve(st.eventKinds(["c1", "c2.x"])).then((r) => r.sort((a, b) => a.jti.localeCompare(b.jti))),
  principalKinds: (st) => Promise.resolve(st.principalKinds([human.id, planner.id])).then((r) => r.sort((a, b) => a.id.localeCompare(b.id))),
  kindsOf: (st) =>
    Promise.all([
      st.kindsOf({ jtis: ["c1", "c2.x", "nope"], ids: [human.id, planner.id, "nobody"] }),
      st.kindsOf({ jtis: ["c1"], ids: [] }),
      st.kindsOf({ jtis: [], ids: [human.id] }),
    ]).then((all) =>
      all.map((r) => ({
        events: r.events.sort((a, b) => a.jti.localeCompare(b.jti)),
        principals: r.principals.sort((a, b) => a.id.localeCompare(b.id)),
      })),
    ),
  chainFacts: (st) =>
    Promise.all([st.chainFacts(["c1", "c2"]), st.chainFacts(["nope"])]).then((all) =>
      all.map((r) => ({
        events: r.events,
        refs: r.refs.sort((a, b) => a.jti.localeCompare(b.jti)),
        principals: r.principals.sort((a, b) => a.id.localeCompare(b.id)),
      })),
    ),
  findingsOf: (st) => Promise.resolve(st.findingsOf(["c1.i1", "c1.d1", "c2.x"])).then((r) => r.map(({ id: _id, ...f }) => f)),
  driftFacts: (st) =>
    Promise.resolve(
      st.driftFacts({
        keys: [DRIFT_KEY, "nobody\nnothing"],
        values: [
          { key: DRIFT_KEY, aspect: "resource", value: "db://finance/ledger" },
          { key: DRIFT_KEY, aspect: "action", value: "finance/ledger:read" },
          { key: DRIFT_KEY, aspect: "resource", value: "db://never" },
        ],
        fromBucket: Math.floor((T - 20 * 3600) / 3600),
        recentBucket: Math.floor((T - 8 * 3600) / 3600),
      }),
    ).then((r) => ({
      baselines: r.baselines,
      earlier: r.earlier.map((e) => ({ ...e, events: Number(e.events), resource: Number(e.resource) })),
      values: r.values.sort((a, b) => a.aspect.localeCompare(b.aspect)),
      buckets: r.buckets.sort((a, b) => a.bucket - b.bucket),
    })),
  driftVersions: (st) => st.driftVersions([DRIFT_KEY, "nobody\nnothing"]),
  // Written in seed() through run(); here the row it wrote is compared.
  write: (st) => st.storedTokens(["c1.r"]),
};

describe.runIf(pg)("every store operation gives the same answer on SQLite and PostgreSQL", () => {
  beforeAll(async () => {
    const sqliteUrl = "file:" + join(mkdtempSync(join(tmpdir(), "delegraph-contract-")), "contract.db");
    pgUrl = await pg!.fresh();
    migrate(sqliteUrl);
    migrate(pgUrl);
    const [sqlite, postgres] = await Promise.all([openDatabase(sqliteUrl), openDatabase(pgUrl)]);
    pair = { sqlite, postgres, s: createStores(sqlite), p: createStores(postgres) };
    await seed(pair.s, sqlite);
    await seed(pair.p, postgres);
  }, 120_000);

  afterAll(async () => {
    await pair?.sqlite.close();
    await pair?.postgres.close();
    if (pgUrl) await dropDatabase(pgUrl);
  });

  it("has a case for every operation of every store", () => {
    const stores = createStores(pair.sqlite);
    for (const [name, store] of Object.entries(stores)) {
      if (["kind", "check", "eventCount", "ingest"].includes(name)) continue;
      const ops = Object.keys(store as object).sort();
      expect(Object.keys(CASES[name as keyof typeof CASES] ?? {}).sort(), name).toEqual(ops);
    }
    expect(Object.keys(INGEST_CASES).sort()).toEqual(Object.keys(sqliteIngestStore(pair.sqlite.sqlite!)).sort());
  });

  for (const [storeName, ops] of Object.entries(CASES)) {
    describe(storeName, () => {
      for (const [op, run] of Object.entries(ops)) {
        it(op, async () => {
          const [a, b] = [await run(pair.s), await run(pair.p)];
          expect(normalise(b)).toEqual(normalise(a));
        });
      }
    });
  }

  describe("ingest", () => {
    for (const [op, run] of Object.entries(INGEST_CASES)) {
      it(op, async () => {
        const a = await run(sqliteIngestStore(pair.sqlite.sqlite!));
        const b = await run(postgresIngestStore(pair.postgres.pg!));
        expect(normalise(b)).toEqual(normalise(a));
      });
    }
    it("jtiFacts and chainState answer as the two reads each pairs", async () => {
      for (const st of [sqliteIngestStore(pair.sqlite.sqlite!), postgresIngestStore(pair.postgres.pg!)]) {
        const ids = ["c1", "c2", "nope"];
        const byJti = (a: { jti: string }, b: { jti: string }) => a.jti.localeCompare(b.jti);
        const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
        const facts = await st.jtiFacts(ids);
        expect(facts.stored.sort(byJti)).toEqual((await st.storedTokens(ids)).sort(byJti));
        expect(facts.dependants.sort()).toEqual((await st.dependantChains(ids)).sort());
        expect(facts.dependants).toEqual(["c1", "c2"]);
        const state = await st.chainState(ids);
        expect(state.versions.sort(byId)).toEqual((await st.chainVersions(ids)).sort(byId));
        expect(state.events).toEqual(await st.chainEvents(ids));
      }
    });
    it("lockHeadAndRead reads the facts of the chains changed since the batch read them, and only those", async () => {
      for (const st of [sqliteIngestStore(pair.sqlite.sqlite!), postgresIngestStore(pair.postgres.pg!)]) {
        type TRead = { changed: { chainIds: string[]; events: unknown[]; refs: { jti: string }[]; principals: { id: string }[] } };
        const [moved, added, none] = (await INGEST_CASES.lockHeadAndRead(st)) as TRead[];
        const facts = async (ids: string[]) => {
          const f = await st.chainFacts(ids);
          return {
            chainIds: ids,
            events: f.events,
            refs: f.refs.sort((a, b) => a.jti.localeCompare(b.jti)),
            principals: f.principals.sort((a, b) => a.id.localeCompare(b.id)),
          };
        };
        expect(moved.changed).toEqual(await facts(["c2"]));
        expect(added.changed).toEqual(await facts(["c1", "c2"]));
        expect(none.changed).toEqual({ chainIds: [], events: [], refs: [], principals: [] });
      }
    });
    it("the drift baseline holds the planner's history, and its novel invoke carries behavior_drift with the baseline", async () => {
      for (const st of [sqliteIngestStore(pair.sqlite.sqlite!), postgresIngestStore(pair.postgres.pg!)]) {
        const versions = await st.driftVersions([DRIFT_KEY]);
        expect(versions).toEqual([{ key: DRIFT_KEY, events: 26 }]);
        const facts = await st.driftFacts({ keys: [DRIFT_KEY], values: [], fromBucket: 0, recentBucket: Math.floor((T - 10 * 3600) / 3600) });
        expect(facts.baselines[0]).toMatchObject({
          principal: planner.id,
          purpose: "finance.audit",
          first: T - 30 * 3600,
          latest: T - 30 * 3600 + 26 * 3600,
        });
        // Buckets from recentBucket one by one, the earlier ones summed: 26 events, 2 new resources in all.
        expect(facts.buckets.length).toBeGreaterThan(0);
        expect(facts.buckets.every((b) => b.bucket >= Math.floor((T - 10 * 3600) / 3600))).toBe(true);
        expect(facts.buckets.reduce((n, b) => n + b.events, 0) + Number(facts.earlier[0].events)).toBe(26);
        expect(facts.buckets.reduce((n, b) => n + b.resource, 0) + Number(facts.earlier[0].resource)).toBe(2);
        const drift = (await st.findingsOf(["cd.i26", "cd.i24"])).map((f) => [f.eventJti, f.code, f.severity]);
        expect(drift).toEqual([["cd.i26", "behavior_drift", "warning"]]);
        const [row] = (await st.chainEvents(["cd"])).filter((e) => e.jti === "cd.i26");
        expect(JSON.parse(row.drift!)).toMatchObject({
          purpose: "finance.audit",
          aspects: [{ aspect: "resource", value: "db://finance/payroll" }],
          baseline: { events: 25, resources: 1 },
        });
      }
    });
    it("registry, eventCount and check", async () => {
      const ids = [human.id, planner.id, "nobody"];
      expect(normalise(await pair.p.ingest.registry(ids))).toEqual(normalise(await pair.s.ingest.registry(ids)));
      expect(await pair.p.eventCount()).toBe(await pair.s.eventCount());
      expect(await pair.p.check()).toEqual(await pair.s.check());
    });
    it("the running sums in DriftBaseline equal a recount of its buckets as the window slides and prunes, and both databases judge alike", async () => {
      // One baseline over 45 days of hourly-ish invokes in batches of 60 (2.5 days each), with a
      // new resource now and then and, once, a batch of events older than the window (stored as
      // buckets below it, which the sums must not count).
      const W = DEFAULT_DRIFT_SETTINGS;
      const key = driftKey("agent:sums-probe", "ops.sums");
      const T0 = 1_900_000_000;
      const batches: { iat: number; resource: string }[][] = [];
      for (let b = 0, k = 0; b < 18; b++) {
        const batch: { iat: number; resource: string }[] = [];
        for (let i = 0; i < 60; i++, k++)
          batch.push({ iat: T0 + k * 3600 + (k % 7) * 60, resource: k % 37 === 0 ? `db://new/${k}` : `db://habit/${k % 4}` });
        batches.push(batch);
        if (b === 14) batches.push([0, 1, 2].map((i) => ({ iat: T0 - 40 * 86_400 + i * 3600, resource: "db://habit/0" })));
      }
      const steps = (batch: { iat: number; resource: string }[], n: number) =>
        (function* () {
          yield* ask("lockHead");
          const fresh: TFresh[] = batch.map((e, i) => ({
            index: i,
            claims: {
              v: 1,
              kind: "invoke",
              jti: `sums.${n}.${i}`,
              chain: "sums",
              iss: "agent:sums-probe",
              iat: e.iat,
              action: "ops/x:read",
              resource: e.resource,
              purpose: "ops.sums",
              data: ["internal"],
            } as unknown as TClaims,
            raw: "",
            alg: "EdDSA",
            kid: "k",
            keyRevokedAt: null,
            drift: null,
            seq: 0,
            prevHash: "",
            hash: "",
          }));
          const judged = yield* judgeDrifts(fresh, [], W);
          yield* ask("write", driftOnlyWrite(FIXED, judged.write));
          return fresh.map((f) => (f.drift ? f.drift.aspects.map((a) => a.aspect).join(",") : null));
        })();
      type TCheck = { since: number; latest: number; sums: number[]; recount: number[]; stale: number };
      const SUMS = `SELECT d."since", d."latest", d."sumEvents", d."sumAction", d."sumResource", d."sumData", d."sumHost",
        (SELECT COALESCE(SUM(b."events"), 0) FROM "DriftBucket" b WHERE b."key" = d."key" AND b."bucket" >= d."since") AS "e",
        (SELECT COALESCE(SUM(b."action"), 0) FROM "DriftBucket" b WHERE b."key" = d."key" AND b."bucket" >= d."since") AS "a",
        (SELECT COALESCE(SUM(b."resource"), 0) FROM "DriftBucket" b WHERE b."key" = d."key" AND b."bucket" >= d."since") AS "r",
        (SELECT COALESCE(SUM(b."data"), 0) FROM "DriftBucket" b WHERE b."key" = d."key" AND b."bucket" >= d."since") AS "d",
        (SELECT COALESCE(SUM(b."host"), 0) FROM "DriftBucket" b WHERE b."key" = d."key" AND b."bucket" >= d."since") AS "h",
        (SELECT COUNT(*) FROM "DriftBucket" b WHERE b."key" = d."key" AND b."bucket" < d."since") AS "stale"
        FROM "DriftBaseline" d WHERE d."key" = `;
      const toCheck = (r: Record<string, unknown>): TCheck => ({
        since: Number(r.since),
        latest: Number(r.latest),
        sums: ["sumEvents", "sumAction", "sumResource", "sumData", "sumHost"].map((c) => Number(r[c])),
        recount: ["e", "a", "r", "d", "h"].map((c) => Number(r[c])),
        stale: Number(r.stale),
      });
      const checks = {
        sqlite: () => toCheck(pair.sqlite.sqlite!.prepare(SUMS + "?").get(key) as Record<string, unknown>),
        postgres: async () => toCheck((await prismaOf(pair.p).$queryRawUnsafe<Record<string, unknown>[]>(SUMS + "$1", key))[0]),
      };
      const verdicts: Record<string, unknown[]> = { sqlite: [], postgres: [] };
      const seen: Record<string, TCheck[]> = { sqlite: [], postgres: [] };
      for (const [name, st] of [
        ["sqlite", pair.s],
        ["postgres", pair.p],
      ] as const) {
        for (const [n, batch] of batches.entries()) {
          verdicts[name].push(await st.ingest.run(steps(batch, n)));
          const c = await checks[name]();
          seen[name].push(c);
          expect(c.sums, `${name} batch ${n}`).toEqual(c.recount);
          // The sums count from the window's first bucket (moved by each prune).
          expect(c.since, `${name} batch ${n}`).toBe(driftWindow(c.latest, c.latest, W).firstBucket);
          // And what driftFacts derives from them is the recount of [fromBucket, recentBucket).
          const recentBucket = Math.floor(c.latest / W.bucketSeconds) - 5;
          for (const fromBucket of [c.since - 400, c.since, c.since + 100]) {
            const facts = await st.ingest.run(
              (function* () {
                return yield* ask("driftFacts", { keys: [key], values: [], fromBucket, recentBucket });
              })(),
            );
            const recount = (await (name === "sqlite"
              ? pair.sqlite
                  .sqlite!.prepare(
                    `SELECT COALESCE(SUM("events"), 0) AS n, COALESCE(SUM("resource"), 0) AS r FROM "DriftBucket" WHERE "key" = ? AND "bucket" >= ? AND "bucket" < ?`,
                  )
                  .get(key, fromBucket, recentBucket)
              : prismaOf(pair.p)
                  .$queryRawUnsafe<{ n: unknown; r: unknown }[]>(
                    `SELECT COALESCE(SUM("events"), 0) AS n, COALESCE(SUM("resource"), 0) AS r FROM "DriftBucket" WHERE "key" = $1 AND "bucket" >= $2 AND "bucket" < $3`,
                    key,
                    fromBucket,
                    recentBucket,
                  )
                  .then((r) => r[0]))) as { n: unknown; r: unknown };
            const earlier = facts.earlier.find((e) => e.key === key);
            expect([Number(earlier?.events ?? 0), Number(earlier?.resource ?? 0)], `${name} batch ${n} from ${fromBucket}`).toEqual([
              Number(recount.n),
              Number(recount.r),
            ]);
          }
        }
      }
      // The window slid (the sums' start moved on), the old batch left buckets below it, then the prune removed them.
      expect(new Set(seen.sqlite.map((c) => c.since)).size).toBeGreaterThan(5);
      expect(seen.sqlite.some((c) => c.stale > 0)).toBe(true);
      expect(seen.sqlite.at(-1)!.stale).toBe(0);
      expect(seen.postgres).toEqual(seen.sqlite);
      expect(verdicts.postgres).toEqual(verdicts.sqlite);
      expect(verdicts.sqlite.flat().filter((v) => v !== null).length).toBeGreaterThan(0);
    });
  });

  it("an AIP token is stored as an aip chain, listed under source aip only, and a second send is a duplicate", async () => {
    for (const st of [pair.s, pair.p]) {
      const aip = await st.chains.listRows({ source: "aip" }, T, { take: 10 });
      expect(aip.map((c) => c.source)).toEqual(["aip"]);
      const chain = await st.chains.detailRows(aip[0].id);
      expect(chain.events).toHaveLength(1);
      expect((await st.chains.listRows({ source: "dep" }, T, { take: 100 })).some((c) => c.id === aip[0].id)).toBe(false);
      // The scope filter on AIP chains follows the prefix-`*` rule: tool:* covers tool:search, tool* covers tool:*.
      for (const [scope, hit] of [
        ["tool:search", true],
        ["tool*", true],
        ["tools:*", false],
        ["*:*", false],
      ] as const)
        expect(
          (await st.chains.listRows({ scope }, T, { take: 100 })).some((c) => c.id === aip[0].id),
          scope,
        ).toBe(hit);
    }
  });

  it("the direct export reads (SQLite's connection, PostgreSQL's plain SQL) equal the Prisma ones on the same database", async () => {
    for (const [db, st] of [
      [pair.sqlite, pair.s],
      [pair.postgres, pair.p],
    ] as const) {
      const both = exportStoresOf(db);
      for (const [op, run] of Object.entries(CASES.exports)) {
        const direct = await run({ ...st, exports: both.direct! });
        const viaPrisma = await run({ ...st, exports: both.prisma });
        expect(normalise(direct), `${db.kind} ${op}`).toEqual(normalise(viaPrisma));
      }
    }
  });

  it("PostgreSQL's plain-SQL list (every page of listRows, countRows at each cap) equals its Prisma one and SQLite's", async () => {
    // Beyond FILTERS: filters side by side (a principal-driven page with others beside it, a rare
    // value with a status), LIKE's wildcards in q and in a scope (the candidates read one by one),
    // purposes below a code, time bounds, a principal in no chain.
    const filters: TChainFilters[] = [
      ...FILTERS,
      { status: "verified", principal: planner.id },
      { status: "violation", principal: planner.id },
      { principal: planner.id, scope: "finance/q1/*:read" },
      { principal: planner.id, q: "report", review: "unreviewed" },
      { finding: "scope_drift", status: "violation" },
      { finding: "missing_evidence", principal: planner.id },
      { purpose: "finance", since: T - 150, until: T + 10 },
      { purpose: "finance.q1" },
      { status: "warning" },
      { status: "pending" },
      { status: "verified" },
      { status: "observed", source: "otel" },
      { status: "observed" },
      { finding: "scope_drift" },
      { q: "_" },
      { q: "%" },
      { q: "c1" },
      { scope: "finance/q_/*:read" },
      { scope: "finance/*:*", status: "violation" },
      { principal: "agent:nobody" },
      { until: T - 150 },
    ];
    const pages = async (store: TChainStore, f: TChainFilters) => {
      const out: { ids: string[]; startedAt: number[] }[] = [];
      let after: { startedAt: number; id: string } | undefined;
      for (let i = 0; i < 50; i++) {
        const rows = await store.listRows(f, T, { after, take: 2 });
        out.push({ ids: rows.map((r) => r.id), startedAt: rows.map((r) => r.startedAt) });
        if (rows.length < 2) break;
        after = { startedAt: rows[1].startedAt, id: rows[1].id };
      }
      return out;
    };
    const prisma = prismaChainStore(pair.postgres);
    let listed = 0;
    for (const f of filters) {
      const label = JSON.stringify(f);
      const first = await pair.p.chains.listRows(f, T, { take: 100 });
      listed += first.length;
      expect(normalise(first), label).toEqual(normalise(await prisma.listRows(f, T, { take: 100 })));
      expect(normalise(first), label).toEqual(normalise(await pair.s.chains.listRows(f, T, { take: 100 })));
      const paged = await pages(pair.p.chains, f);
      expect(paged, label).toEqual(await pages(prisma, f));
      expect(paged, label).toEqual(await pages(pair.s.chains, f));
      for (const atMost of [undefined, 1, 2, 3, 10_001]) {
        const n = await pair.p.chains.countRows(f, T, atMost);
        expect(n, `${label} ${atMost}`).toBe(await prisma.countRows(f, T, atMost));
        expect(n, `${label} ${atMost}`).toBe(await pair.s.chains.countRows(f, T, atMost));
      }
    }
    // The cases list chains, not only empty pages.
    expect(listed).toBeGreaterThan(filters.length);
  });

  it("the CSV columns ingest stores (migration 0029): the export reads the same rows with them as without, and the migration's backfill writes what ingest wrote", async () => {
    const COLS = ["tokenSha256", "csvFromClaims", "csvText1", "csvText2", "csvText3"] as const;
    const SOURCE = ["chainId", "jti", "kind", "iss", "aud", "ref", "iat", "exp", "purposeCode", "kid", "prevHash", "hash"] as const;
    const select = `SELECT "seq", "token", "claims", "alg", ${[...SOURCE, ...COLS].map((c) => `"${c}"`).join(", ")} FROM "Event" ORDER BY "seq"`;
    for (const db of [pair.sqlite, pair.postgres]) {
      type TRow = { seq: number; token: string; claims: string; alg: string } & Omit<TCsvSource, "token"> & TCsvColumns;
      const read = async (): Promise<TRow[]> => (db.sqlite ? (db.sqlite.prepare(select).all() as TRow[]) : (await db.pg!.query<TRow>(select)).rows);
      const run = async (sql: string) => {
        if (db.sqlite) db.sqlite.prepare(sql).run();
        else await db.pg!.query(sql);
      };
      const stored = await read();
      expect(stored.length).toBeGreaterThan(10);
      // Ingest wrote every row's columns, as lib/db/csv-columns.ts derives them; some rows keep their claims (AIP).
      for (const r of stored) {
        const { seq, claims, tokenSha256, csvFromClaims, csvText1, csvText2, csvText3, ...source } = r;
        const columns = { tokenSha256, csvFromClaims, csvText1, csvText2, csvText3 };
        expect(columns, `${db.kind} ${seq}`).toEqual(csvColumnsOf(JSON.parse(claims) as TClaims, claims, source));
      }
      expect(stored.some((r) => r.csvFromClaims === 1)).toBe(true);
      expect(stored.some((r) => r.csvFromClaims === 2)).toBe(true);
      expect(stored.some((r) => r.csvText3 !== null)).toBe(true);

      const { direct, prisma } = exportStoresOf(db);
      const chains = `SELECT DISTINCT "chainId" FROM "Event" ORDER BY "chainId"`;
      const ids = (
        db.sqlite ? (db.sqlite.prepare(chains).all() as { chainId: string }[]) : (await db.pg!.query<{ chainId: string }>(chains)).rows
      ).map((r) => r.chainId);
      const exportRows = async (reads: typeof prisma) => [
        await reads.csvEventsOfChains(ids),
        ...(await Promise.all(ids.map((id) => reads.csvChainEvents(id, 0, 1000)))),
      ];
      const withColumns = await exportRows(direct!);
      expect(withColumns[0].length).toBe(stored.length);
      expect(withColumns).toEqual(await exportRows(prisma));

      // The fallback: rows without their columns (stored before the migration) read the same, but
      // for being plain (the Prisma reads decide it from the row; a stored row is plain only as ingest stored it).
      const unplain = (pages: typeof withColumns) => pages.map((rows) => rows.map((r) => [...r.slice(0, 21), 0]));
      expect(withColumns[0].some((r) => r[21] === 1)).toBe(true);
      await run(`UPDATE "Event" SET ${COLS.map((c) => `"${c}" = NULL`).join(", ")}`);
      expect(await exportRows(direct!)).toEqual(unplain(withColumns));

      // The migration's backfill gives what ingest wrote (but the token's hash on SQLite, which has no SHA-256).
      expect(await replayMigration(db, db.sqlite ? "sqlite" : "postgres", "0029_csv_columns", "UPDATE")).toBe(1);
      const backfilled = await read();
      // (0029 knows only 0 and 1: a plain row, 2, is a 0 it could not tell apart.)
      const as0029 = stored.map((r) => (r.csvFromClaims === 2 ? { ...r, csvFromClaims: 0 } : r));
      expect(backfilled).toEqual(as0029.map((r) => (db.sqlite ? { ...r, tokenSha256: null } : r)));
      expect(await exportRows(direct!)).toEqual(unplain(withColumns));
      if (db.sqlite) {
        // Half the rows hashed, half not: both kinds in one page.
        for (const r of stored.filter((_, i) => i % 2 === 0))
          db.sqlite.prepare(`UPDATE "Event" SET "tokenSha256" = ? WHERE "seq" = ?`).run(r.tokenSha256, r.seq);
        expect(await exportRows(direct!)).toEqual(unplain(withColumns));
        for (const r of stored) db.sqlite.prepare(`UPDATE "Event" SET "tokenSha256" = ? WHERE "seq" = ?`).run(r.tokenSha256, r.seq);
      }
      const plainSeqs = stored.filter((r) => r.csvFromClaims === 2).map((r) => r.seq);
      await run(`UPDATE "Event" SET "csvFromClaims" = 2 WHERE "seq" IN (${plainSeqs.join(", ")})`);
      expect(await read()).toEqual(stored);
      expect(await exportRows(direct!)).toEqual(withColumns);
    }
  });

  it("rows with texts the CSV must quote, strip or neutralise are not stored as plain; plain non-Latin text is", async () => {
    const { csvEventRow } = await import("@/lib/reports/csv");
    const hostile = [
      sign(human, {
        kind: "authorize",
        jti: "c9",
        chain: "c9",
        aud: planner.id,
        iat: T - 50,
        exp: T + 3600,
        scope: ["x/*:read"],
        purpose: { code: "-neg", text: 'Q1, "quoted"\nline' },
      }),
      sign(planner, {
        kind: "delegate",
        jti: "c9.d",
        chain: "c9",
        parent: "c9",
        aud: "agent:z",
        iat: T - 40,
        exp: T + 60,
        scope: ["x/a:read"],
        purpose: { code: "ok", text: "Zürich 東京 😀 'single' ＝not first" },
      }),
      sign(planner, { kind: "invoke", jti: "c9.i", chain: "c9", grant: "c9", iat: T - 30, action: "x:read", resource: '=HYPERLINK("http://e")' }),
      sign(planner, {
        kind: "complete",
        jti: "c9.c",
        chain: "c9",
        grant: "c9",
        iat: T - 20,
        status: "completed",
        result_hash: `sha256:${"cd".repeat(32)}`,
        evidence: { summary: 'said "ok", then\r\nleft \u202Eevil' },
      }),
      sign(planner, {
        kind: "complete",
        jti: "c9.c2",
        chain: "c9",
        grant: "c9",
        iat: T - 15,
        status: "completed",
        result_hash: `sha256:${"ef".repeat(32)}`,
        evidence: { summary: "plain ✓ 東京" },
      }),
      sign(human, { kind: "revoke", jti: "c9.r", chain: "c9", target: "c9.d", iat: T - 10, reason: "@here" }),
    ];
    for (const st of [pair.s, pair.p]) await st.ingest.run(ingestSteps(candidates(hostile), FIXED, "token:t1"));
    const verdict = {
      findings: [{ code: "missing_evidence" as const, severity: "warning" as const, message: '=late, "x"' }],
      attestation: "third_party" as const,
      keyThumbprint: "-thumb",
      issName: "Planner, the \u202Eone",
      humanRoot: "user:a,b",
    };
    for (const db of [pair.sqlite, pair.postgres]) {
      const flags = `SELECT "jti", "csvFromClaims" FROM "Event" WHERE "chainId" = 'c9' ORDER BY "seq"`;
      const stored = db.sqlite ? (db.sqlite.prepare(flags).all() as { jti: string; csvFromClaims: number }[]) : (await db.pg!.query(flags)).rows;
      expect(stored, db.kind).toEqual([
        { jti: "c9", csvFromClaims: 0 },
        { jti: "c9.d", csvFromClaims: 2 },
        { jti: "c9.i", csvFromClaims: 0 },
        { jti: "c9.c", csvFromClaims: 0 },
        { jti: "c9.c2", csvFromClaims: 2 },
        { jti: "c9.r", csvFromClaims: 0 },
      ]);
      // Each row, plain or not, writes the bytes it writes through every cell's test.
      const rows = await exportStoresOf(db).direct!.csvChainEvents("c9", 0, 1000);
      expect(rows.map((r) => r[21])).toEqual([0, 1, 0, 0, 1, 0]);
      for (const r of rows)
        for (const times of ["iso", "excel"] as const)
          for (const v of [verdict, { findings: [], attestation: null, keyThumbprint: null, issName: null, humanRoot: null }])
            expect(csvEventRow(r, v, times)).toBe(csvEventRow([...r.slice(0, 21), 0] as typeof r, v, times));
      if (db.sqlite) {
        // SQLite reads a plain row's texts as one string split on U+001F (lib/db/stores/exports.ts
        // SQLITE_CSV_PACKED): a row stored as plain whose text holds it anyway (ingest never marks
        // one so: a control character makes a row not plain) is read again by seq, whole.
        const text = "a\u001fb\u001e";
        const edit = db.sqlite.prepare(`UPDATE "Event" SET "csvText1" = ? WHERE "jti" = 'c9.d'`);
        edit.run(text);
        const again = await exportStoresOf(db).direct!.csvChainEvents("c9", 0, 1000);
        edit.run(rows[1][17]);
        expect(again[1][17]).toBe(text);
        expect(again.map((r) => r.toSpliced(17, 1))).toEqual(rows.map((r) => r.toSpliced(17, 1)));
        // A page is read as one string (SQLITE_CSV_CHAIN_PAGE) only for rows whose receivedAt is
        // stored as text: one stored as a number (milliseconds) is read again by seq, the same.
        const at = db.sqlite.prepare(`SELECT "receivedAt" FROM "Event" WHERE "jti" = 'c9.c2'`).pluck().get() as string;
        const setAt = db.sqlite.prepare(`UPDATE "Event" SET "receivedAt" = ? WHERE "jti" = 'c9.c2'`);
        setAt.run(Date.parse(rows[4][1]));
        const numeric = await exportStoresOf(db).direct!.csvChainEvents("c9", 0, 1000);
        const grouped = await exportStoresOf(db).direct!.csvEventsOfChains(["c9"]);
        setAt.run(at);
        expect(numeric).toEqual(rows);
        expect(grouped).toEqual(rows);
      }
    }
  });

  // SQLite reads the signers packed into one string (lib/db/stores/exports.ts SQLITE_SIGNERS_PACKED):
  // names and kids that look like its null mark or hold its separator read as they are stored.
  it("the signers read gives back any name and kid as stored, on both databases", async () => {
    const odd = [
      { id: "agent:signer-empty", name: "", kid: "=" },
      { id: "agent:signer-equals", name: "=", kid: "k\u001e" },
      { id: "agent:signer-marks", name: "\u001e", kid: "\u001e" },
      { id: "agent:signer-separator", name: "a\u001fb", kid: "\u001f" },
      { id: "agent:signer-keyless", name: null, kid: null },
    ];
    const ids = [...odd.map((o) => o.id), human.id, "nope"];
    const asStored = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();
    for (const [db, s] of [
      [pair.sqlite, pair.s],
      [pair.postgres, pair.p],
    ] as const) {
      await s.registry.createMany(
        odd.map((o) => ({ id: o.id, kind: "agent", name: o.name, keys: o.kid === null ? [] : [{ kid: o.kid, jwk: "{}", thumbprint: `t${o.id}` }] })),
      );
      const { direct, prisma } = exportStoresOf(db);
      const expected = asStored(await prisma.signers(ids));
      expect(expected.length, db.kind).toBe(6);
      expect(asStored(await direct!.signers(ids)), db.kind).toEqual(expected);
      // Without the one whose name and kid hold the separator, SQLite's packed read is the one that answers.
      const others = ids.filter((id) => id !== "agent:signer-separator");
      expect(asStored(await direct!.signers(others)), db.kind).toEqual(asStored(await prisma.signers(others)));
      expect(await direct!.signers([]), db.kind).toEqual([]);
      expect(await direct!.signers(["nope"]), db.kind).toEqual([]);
    }
  });
});

describe.skipIf(pg)("store contract (no PostgreSQL server)", () => {
  it.skip("needs a PostgreSQL server to compare the two implementations", () => {});
});
