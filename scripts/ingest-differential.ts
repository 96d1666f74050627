// A differential run of the ingest path: two versions of the code fed the same batches on fresh
// databases must give byte-identical results, rows and ledger (docs/benchmarks.md, "Behaviour").
//
//   tsx scripts/ingest-differential.ts generate <plan.json>
//       signs a fixed workload once (keys are random, so the plan is the one thing both sides share)
//   DATABASE_URL=<fresh, migrated database> tsx scripts/ingest-differential.ts run <plan.json> <dump.json>
//       registers the plan's principals, runs every step through lib/ingest (verifyBatch, then the
//       store's runner with ingestSteps: exactly what ingestBatch does, with the clock the plan
//       gives, so the stored times repeat), and writes every batch's results and every row ingest
//       writes, each table in a fixed order, values as the database prints them
//
// Run `run` from each version's tree against its own fresh database, then compare the dumps byte
// for byte (`cmp`). The workload covers new chains, interleaved chains (every batch re-checks a
// hundred stored chains), children before their parents (pending, then accepted), duplicates,
// rejected entries (quarantine and its usage), a revoked key (events read back with their receipt
// time), a 300-hop tree and the behavioural-drift baselines the invokes build.
import { readFileSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import pg from "pg";
import { principal, sign } from "./bench/tokens";
import { chainBatches, population, slices, smallChain, treeChain, allPrincipals } from "./bench/workload";

type TStep = { batch: unknown[]; now: number; source: string | null } | { revoke: { principalId: string; kid: string; revokedAt: number } };
type TPlan = { principals: { id: string; kind: string; jwk: Record<string, string> }[]; steps: TStep[] };

/** The tables ingest writes, each with the columns that order it completely. */
const TABLES: Record<string, string> = {
  Event: `"seq"`,
  Chain: `"id"`,
  Finding: `"id"`,
  ChainScope: `"chainId", "scope"`,
  ChainPrincipal: `"chainId", "principalId"`,
  ChainPurpose: `"chainId", "purposeCode"`,
  LedgerHead: `"id"`,
  Quarantine: `"id"`,
  QuarantineUsage: `"source"`,
  DriftBaseline: `"key"`,
  DriftValue: `"key", "aspect", "value"`,
  DriftBucket: `"key", "bucket"`,
  GrantUse: `"grantJti", "kind", "iss", "chainId", "use", "detail"`,
  // Written by triggers on Chain within ingest's transaction (migration 0030).
  ChainStatusCount: `"status"`,
  ChainOpenExp: `"chainId", "idx"`,
};

function generate(file: string) {
  const base = 1_790_000_000; // a fixed clock: verification, receipt and check times repeat
  const pop = population({ humans: 10, agents: 60, tools: 10 });
  const steps: TStep[] = [];
  let now = base;
  const batch = (entries: unknown[], source: string | null = null) => steps.push({ batch: entries, now: (now += 7), source });
  const chains = (from: number, count: number) => Array.from({ length: count }, (_, i) => smallChain(from + i, pop, base));

  // New chains, parents first, batches of 100.
  for (const b of slices(chains(0, 200).flat(), 100)) batch(b);
  // Interleaved: each batch holds one event of each of 100 chains, every chain re-checked per batch.
  for (const b of chainBatches(1000, 2000, 100, pop, base, true).batches) batch(b);
  // Children before their parents: everything but the roots (pending), then the roots.
  const late = chains(2000, 20);
  batch(late.flatMap((c) => c.slice(1)));
  batch(late.map((c) => c[0]));
  // Duplicates: a whole batch again, then half old and half new.
  const again = chains(0, 10).flat();
  batch(again);
  batch([...again.slice(0, 50), ...chains(2100, 5).flat()]);
  // Rejected entries beside good ones, from a named sender (quarantine and its usage).
  const good = chains(2200, 3).flat();
  const tampered = good[5].slice(0, -4) + (good[5].endsWith("AAAA") ? "BBBB" : "AAAA");
  const stranger = sign(
    {
      jti: "x1",
      iss: "agent:stranger",
      iat: base - 60,
      chain: "x1",
      kind: "authorize",
      aud: "agent:a1",
      scope: ["x/*:read"],
      purpose: { code: "x", text: "x" },
      exp: base + 3600,
      max_depth: 2,
    } as never,
    principal("agent:stranger", "agent"),
  );
  batch(["garbage", 42, null, { nested: [1, 2] }, tampered, stranger, ...good], "token:differential");
  // A key revoked after it signed: its events are stored with keyRevokedAt, and the chains they are
  // in are read back (receipt times included) by the second half of each chain.
  steps.push({ revoke: { principalId: pop.agents[5].id, kid: "k1", revokedAt: now + 1 } });
  const revoked = chains(3000, 60);
  batch(revoked.flatMap((c) => c.slice(0, 5)));
  batch(revoked.flatMap((c) => c.slice(5)));
  // A 300-hop tree with its leaves' invokes and completes.
  const tree = treeChain("t300", 300, base, { leaves: true });
  for (const b of slices(tree.tokens, 100)) batch(b);
  batch([tree.laterInvoke(1), tree.laterInvoke(2)]);

  const principals = [...allPrincipals(pop), ...tree.principals].map((p) => ({ id: p.id, kind: p.kind, jwk: p.key.publicJwk }));
  writeFileSync(file, JSON.stringify({ principals, steps } satisfies TPlan));
  console.log(
    `plan: ${principals.length} principals, ${steps.length} steps, ${steps.reduce((n, s) => n + ("batch" in s ? s.batch.length : 0), 0)} entries`,
  );
}

async function dumpPostgres(url: string): Promise<Record<string, unknown[]>> {
  // Every value as the server prints it (no parsing into JavaScript numbers or dates).
  const client = new pg.Client({ connectionString: url, types: { getTypeParser: () => (v: string) => v } });
  await client.connect();
  try {
    const out: Record<string, unknown[]> = {};
    for (const [table, order] of Object.entries(TABLES)) out[table] = (await client.query(`SELECT * FROM "${table}" ORDER BY ${order}`)).rows;
    return out;
  } finally {
    await client.end();
  }
}

function dumpSqlite(path: string): Record<string, unknown[]> {
  const conn = new Database(path, { readonly: true });
  try {
    return Object.fromEntries(
      Object.entries(TABLES).map(([table, order]) => [table, conn.prepare(`SELECT * FROM "${table}" ORDER BY ${order}`).all()]),
    );
  } finally {
    conn.close();
  }
}

async function run(planFile: string, out: string) {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL must name a fresh, migrated database");
  const plan = JSON.parse(readFileSync(planFile, "utf8")) as TPlan;
  const { stores, closeDatabase } = await import("@/lib/db");
  const { verifyBatch, driftSettings } = await import("@/lib/ingest/ingest");
  const { ingestSteps } = await import("@/lib/ingest/steps");
  const { jwkThumbprint } = await import("@/lib/protocol/envelope");
  const s = await stores();
  for (const part of slices(plan.principals, 500)) {
    await s.registry.createMany(
      part.map((p) => ({
        id: p.id,
        kind: p.kind,
        name: null,
        keys: [{ kid: p.jwk.kid, jwk: JSON.stringify(p.jwk), thumbprint: jwkThumbprint(p.jwk as never) }],
      })),
    );
  }
  const results: unknown[] = [];
  for (const step of plan.steps) {
    if ("revoke" in step) {
      await s.registry.setKeyRevokedAt(step.revoke.principalId, step.revoke.kid, step.revoke.revokedAt);
      continue;
    }
    const candidates = await verifyBatch(step.batch, { now: step.now });
    results.push(await s.ingest.run(ingestSteps(candidates, new Date(step.now * 1000), step.source, driftSettings())));
  }
  await closeDatabase();
  const rows = url.startsWith("file:") ? dumpSqlite(url.slice("file:".length)) : await dumpPostgres(url);
  writeFileSync(out, JSON.stringify({ results, rows }, null, 1) + "\n");
  const counts = Object.entries(rows).map(([t, r]) => `${t} ${r.length}`);
  console.log(`${results.length} batches; rows: ${counts.join(", ")}`);
}

const [command, a, b] = process.argv.slice(2);
if (command === "generate" && a) generate(a);
else if (command === "run" && a && b)
  run(a, b).then(
    () => process.exit(0),
    (e: Error) => {
      console.error(e.stack ?? e.message);
      process.exit(1);
    },
  );
else {
  console.error("usage: tsx scripts/ingest-differential.ts generate <plan.json> | run <plan.json> <dump.json>");
  process.exit(2);
}
