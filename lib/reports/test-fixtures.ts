// Report tests run against a real embedded database (a fresh SQLite file), filled through the real
// registry and ingest, never mocks. Also used to render sample reports by hand:
//   npx tsx lib/reports/sample-reports.ts
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildObservedDetail } from "@/lib/observations/detail";
import { assembleObserved } from "@/lib/observed/assemble";
import { agentAttrs, makeSpan, toolAttrs } from "@/lib/observed/testing/spans";
import { makeKey, signToken, type TTestKey } from "@/lib/protocol/test-helpers";
import type { TPrincipalKind } from "@/lib/protocol/types";

/** Points DATABASE_URL at a fresh migrated SQLite file. Call before anything opens the database. */
export async function useFreshDatabase(): Promise<string> {
  const url = "file:" + join(mkdtempSync(join(tmpdir(), "delegraph-reports-")), "reports.db");
  process.env.DATABASE_URL = url;
  const { migrate } = await import("@/scripts/migrate");
  migrate(url);
  return url;
}

export type TActor = { id: string; kind: TPrincipalKind; name: string | null; key: TTestKey };

let n = 0;
const unique = (p: string) => `${p}-${Date.now().toString(36)}${(n++).toString(36)}`;

export async function registerActor(
  id: string,
  kind: TPrincipalKind,
  name: string | null = null,
  alg: "Ed25519" | "P-256" = "Ed25519",
): Promise<TActor> {
  const { createPrincipal } = await import("@/lib/principals/queries");
  const key = makeKey(alg, unique("k"));
  await createPrincipal({ id, kind, name, keys: [key.publicJwk] });
  return { id, kind, name, key };
}

export async function ingest(tokens: string[]) {
  const { ingestBatch } = await import("@/lib/ingest/ingest");
  const out = [];
  for (let i = 0; i < tokens.length; i += 1000) out.push(...(await ingestBatch(tokens.slice(i, i + 1000))));
  const rejected = out.filter((r) => r.status === "rejected");
  if (rejected.length) throw new Error(`fixture events rejected: ${JSON.stringify(rejected.slice(0, 3))}`);
  return out;
}

const now = () => Math.floor(Date.now() / 1000);
const sign = (a: TActor, claims: Record<string, unknown>) => signToken(a.key, { v: 1, ...claims });

/**
 * A treasury story with non-Latin names and one of each headline finding: Escalation, Scope drift,
 * Ghost permission, Broken audit trail, and an attested completion.
 */
export async function seedStoryChain() {
  const t = now();
  const tag = unique("s");
  const human = await registerActor(`user:li.xiaolong-${tag}@bank.example`, "human", "李小龙 (Li Xiaolong), Head of Treasury");
  const planner = await registerActor(`agent:treasury-planner-${tag}`, "agent", "Планировщик казначейства", "P-256");
  const writer = await registerActor(`agent:report-writer-${tag}`, "agent", "Élodie Müller — rédactrice");
  const fetcher = await registerActor(`tool:ledger-fetcher-${tag}`, "tool", null);
  const rogue = await registerActor(`agent:payments-helper-${tag}`, "agent", "Payments helper");
  const attester = await registerActor(`attester:finance-controls-${tag}`, "attester", "Finance Controls");
  const chain = `liq-q3-${tag}`;
  const root = {
    kind: "authorize",
    jti: chain,
    chain,
    iss: human.id,
    aud: planner.id,
    iat: t - 900,
    exp: t + 3600,
    scope: ["treasury/*:read", "finance/reports/*:write", "mail/outbox:send"],
    purpose: { code: "treasury.reporting.liquidity", text: "Квартальный отчёт о ликвидности — Q3 liquidity report for the board" },
    constraints: { egress: ["*.bank.example"], data: ["financial", "internal"] },
  };
  const toWriter = {
    kind: "delegate",
    jti: `${chain}.writer`,
    chain,
    parent: chain,
    iss: planner.id,
    aud: writer.id,
    iat: t - 800,
    exp: t + 1800,
    scope: ["treasury/liquidity/*:read", "finance/reports/q3:write"],
    purpose: { code: "treasury.reporting.liquidity.summary", text: "Draft the Q3 liquidity summary" },
  };
  const toFetcher = {
    kind: "delegate",
    jti: `${chain}.fetcher`,
    chain,
    parent: chain,
    iss: planner.id,
    aud: fetcher.id,
    iat: t - 790,
    exp: t - 60,
    scope: ["treasury/liquidity/positions:read"],
    purpose: { code: "treasury.reporting.liquidity", text: "Fetch end-of-quarter positions" },
  };
  const toRogue = {
    kind: "delegate",
    jti: `${chain}.rogue`,
    chain,
    parent: toWriter.jti,
    iss: writer.id,
    aud: rogue.id,
    iat: t - 700,
    exp: t + 1200,
    scope: ["treasury/liquidity/*:read", "payments/wire/very/long/path/segment/that/keeps/going/and/going:write"],
    purpose: { code: "treasury.reporting.liquidity.summary", text: "Help with the numbers" },
  };
  const tokens = [
    sign(human, root),
    sign(planner, toWriter),
    sign(planner, toFetcher),
    sign(writer, toRogue),
    sign(writer, {
      kind: "invoke",
      jti: `${chain}.read`,
      chain,
      grant: toWriter.jti,
      iss: writer.id,
      iat: t - 600,
      action: "treasury/liquidity/positions:read",
      resource: "db://treasury/liquidity/positions",
    }),
    sign(writer, {
      kind: "invoke",
      jti: `${chain}.publish`,
      chain,
      grant: toWriter.jti,
      iss: writer.id,
      iat: t - 500,
      action: "finance/reports/q3:write",
      resource: "https://reports.bank.example/q3/liquidity",
      data: ["financial"],
    }),
    sign(rogue, {
      kind: "invoke",
      jti: `${chain}.wire`,
      chain,
      grant: toRogue.jti,
      iss: rogue.id,
      iat: t - 400,
      action: "treasury/liquidity/summary:read",
      resource: "https://paste.example.net/upload",
    }),
    sign(rogue, {
      kind: "invoke",
      jti: `${chain}.ghost`,
      chain,
      iss: rogue.id,
      iat: t - 300,
      action: "payments/wire:write",
      resource: "bank://payments/wire/42",
    }),
    sign(attester, {
      kind: "complete",
      jti: `${chain}.done`,
      chain,
      grant: toWriter.jti,
      iss: attester.id,
      iat: t - 200,
      status: "completed",
      result_hash: "sha256:" + "5e".repeat(32),
      evidence: {
        summary: "Отчёт проверен. Summary reviewed and filed by Finance Controls, ref FC-2291.",
        artifacts: [{ name: "q3-liquidity.pdf", hash: "sha256:" + "ab".repeat(32) }],
      },
    }),
  ];
  await ingest(tokens);
  return { chain, tokens, principals: [human, planner, writer, fetcher, rogue, attester] };
}

/** A wide chain of about `hops` grants (root → planner → leads → workers), each worker acting and reporting back. */
export async function seedWideChain(hops = 200) {
  const t = now();
  const tag = unique("w");
  const human = await registerActor(`user:ops-${tag}@bank.example`, "human", "Operations lead");
  const planner = await registerActor(`agent:planner-${tag}`, "agent", "Planner");
  const chain = `wide-${tag}`;
  const leadsCount = Math.max(1, Math.round(Math.sqrt(hops)));
  const perLead = Math.max(1, Math.floor((hops - 1 - leadsCount) / leadsCount));
  const leads: TActor[] = [];
  for (let i = 0; i < leadsCount; i++) leads.push(await registerActor(`agent:lead-${i}-${tag}`, "agent", `Lead ${i}`));
  const workers: TActor[] = [];
  for (let i = 0; i < leadsCount * perLead; i++) workers.push(await registerActor(`agent:worker-${i}-${tag}`, "agent", null));
  const tokens: string[] = [];
  tokens.push(
    sign(human, {
      kind: "authorize",
      jti: chain,
      chain,
      iss: human.id,
      aud: planner.id,
      iat: t - 3000,
      exp: t + 7200,
      scope: ["ops/*:read", "ops/*:write"],
      purpose: { code: "ops.batch", text: "Nightly batch" },
    }),
  );
  leads.forEach((lead, li) => {
    const g = `${chain}.l${li}`;
    tokens.push(
      sign(planner, {
        kind: "delegate",
        jti: g,
        chain,
        parent: chain,
        iss: planner.id,
        aud: lead.id,
        iat: t - 2900,
        exp: t + 7000,
        scope: [`ops/region-${li}/*:read`, `ops/region-${li}/*:write`],
        purpose: { code: "ops.batch.region", text: `Region ${li}` },
      }),
    );
    for (let wi = 0; wi < perLead; wi++) {
      const worker = workers[li * perLead + wi];
      const wg = `${g}.w${wi}`;
      tokens.push(
        sign(lead, {
          kind: "delegate",
          jti: wg,
          chain,
          parent: g,
          iss: lead.id,
          aud: worker.id,
          iat: t - 2800,
          exp: t + 6000,
          scope: [`ops/region-${li}/shard-${wi}:write`],
          purpose: { code: "ops.batch.region.shard", text: `Shard ${wi}` },
        }),
      );
      tokens.push(
        sign(worker, {
          kind: "invoke",
          jti: `${wg}.i`,
          chain,
          grant: wg,
          iss: worker.id,
          iat: t - 2000,
          action: `ops/region-${li}/shard-${wi}:write`,
          resource: `db://ops/region-${li}/shard-${wi}`,
        }),
      );
      tokens.push(
        sign(worker, {
          kind: "complete",
          jti: `${wg}.c`,
          chain,
          grant: wg,
          iss: worker.id,
          iat: t - 1000,
          status: "completed",
          result_hash: "sha256:" + "0f".repeat(32),
        }),
      );
    }
  });
  await ingest(tokens);
  return { chain, tokens, hops: 1 + leadsCount + leadsCount * perLead };
}

/** A human granting `scopes` scopes at once: a cover too long for one page. */
export async function seedBroadRootChain(scopes = 45) {
  const t = now();
  const tag = unique("b");
  const human = await registerActor(`user:broad-${tag}@bank.example`, "human", "Broad grantor");
  const agent = await registerActor(`agent:broad-${tag}`, "agent", "Broad agent");
  const chain = `broad-${tag}`;
  const scope = Array.from({ length: scopes }, (_, i) => `archive/d${i}/*:read`);
  await ingest([
    sign(human, {
      kind: "authorize",
      jti: chain,
      chain,
      iss: human.id,
      aud: agent.id,
      iat: t - 600,
      exp: t + 3600,
      scope,
      purpose: { code: "audit.broad", text: "Archive review" },
    }),
  ]);
  return { chain };
}

/** A linear chain `depth` grants deep: far past max_depth, and far too wide to draw on one page. */
export async function seedDeepChain(depth = 60) {
  const t = now();
  const tag = unique("d");
  const human = await registerActor(`user:deep-${tag}@bank.example`, "human", null);
  const agents: TActor[] = [];
  for (let i = 0; i < depth; i++) agents.push(await registerActor(`agent:hop-${i}-${tag}`, "agent", null));
  const chain = `deep-${tag}`;
  const tokens = [
    sign(human, {
      kind: "authorize",
      jti: chain,
      chain,
      iss: human.id,
      aud: agents[0].id,
      iat: t - 5000,
      exp: t + 9000,
      max_depth: 200,
      scope: ["data/*:read"],
      purpose: { code: "research", text: "Deep delegation" },
    }),
  ];
  let parent = chain;
  for (let i = 1; i < depth; i++) {
    const jti = `${chain}.${i}`;
    tokens.push(
      sign(agents[i - 1], {
        kind: "delegate",
        jti,
        chain,
        parent,
        iss: agents[i - 1].id,
        aud: agents[i].id,
        iat: t - 5000 + i,
        exp: t + 9000 - i,
        scope: [`data/${"x/".repeat(Math.min(i, 6))}*:read`],
        purpose: { code: "research", text: `Hop ${i}` },
      }),
    );
    parent = jti;
  }
  await ingest(tokens);
  return { chain, tokens };
}

export const signForTest = {
  /** A one-event chain whose delegate names a grant of `story`'s chain as its parent. */
  async crossChainDelegate(story: Awaited<ReturnType<typeof seedStoryChain>>) {
    const [, planner, writer] = story.principals;
    const t = now();
    const chain = unique("cross");
    const token = sign(planner, {
      kind: "delegate",
      jti: `${chain}.d`,
      chain,
      parent: story.chain,
      iss: planner.id,
      aud: writer.id,
      iat: t - 100,
      exp: t + 600,
      scope: ["treasury/liquidity/*:read"],
      purpose: { code: "treasury.reporting.liquidity", text: "Borrowed authority" },
    });
    await ingest([token]);
    return { chain, token };
  },
};

/**
 * An observed (OpenTelemetry) chain and its detail for the report tests: one agent span in `service`
 * asserting `user`, and a tool span under it for each of `tools` (`errorAt`: that tool's span ends in
 * an error). Pure: no database.
 */
export function observedChain(o: { trace: number; agent: string; user: string; service: string; tools: string[]; errorAt?: number; now: number }) {
  const spans = [
    makeSpan({ trace: o.trace, span: 1, attributes: agentAttrs(o.agent, { "user.id": o.user }), resource: { "service.name": o.service } }),
    ...o.tools.map((tool, i) =>
      makeSpan({ trace: o.trace, span: i + 2, parent: 1, attributes: toolAttrs(tool), status: i === o.errorAt ? "error" : "unset" }),
    ),
  ];
  const [chain] = assembleObserved(spans, { now: o.now }).chains;
  return { chain, detail: buildObservedDetail({ chain, settlingUntilMs: null }, "otel", null, o.now).detail };
}
