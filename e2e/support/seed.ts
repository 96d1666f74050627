// Seeding through the public API with the producer SDK, exactly as agents would: register
// principals with their public keys, sign events with their private keys, send them.
import { authorize, complete, delegate, DelegraphClient, generateSigningKey, invoke, type TSigner, type TSigningKey } from "@delegraph/sdk";
import type { TPrincipalKind } from "@/lib/protocol/types";
import { API_TOKEN, BASE_URL } from "./env";

export function client(): DelegraphClient {
  return new DelegraphClient({ baseUrl: BASE_URL, token: API_TOKEN });
}

export async function principal(c: DelegraphClient, id: string, kind: TPrincipalKind, name?: string, key?: TSigningKey): Promise<TSigner> {
  const k = key ?? (await generateSigningKey());
  await c.registerPrincipal({ id, kind, name, keys: [k.publicJwk] });
  return { id, key: k };
}

// The API accepts 1000 tokens per request; smaller requests keep seeding independent of how many
// bound parameters the database allows per query.
const SEED_BATCH = 200;

async function sendAll(c: DelegraphClient, tokens: string[]) {
  const results = [];
  for (let i = 0; i < tokens.length; i += SEED_BATCH) results.push(...(await c.send(tokens.slice(i, i + SEED_BATCH))));
  const rejected = results.filter((r) => r.status === "rejected");
  if (rejected.length) throw new Error(`seed events rejected: ${JSON.stringify(rejected.slice(0, 3))}`);
  return results;
}

export type TViolationChain = {
  chainId: string;
  human: TSigner;
  planner: TSigner;
  viz: TSigner;
  rogue: TSigner;
  /** the delegate from planner to viz (attenuated, fine) */
  vizGrantJti: string;
  /** the delegate from viz to rogue (escalation) */
  rogueGrantJti: string;
  ghostInvokeJti: string;
  purposeCode: string;
  vizScope: string[];
};

/**
 * A violation chain: a human authorizes a planner, which narrows authority to viz; viz then
 * delegates MORE than it has to a rogue agent (Escalation), and the rogue acts outside any grant
 * (Ghost permission). Names and purposes carry markup that must stay inert text.
 */
export async function seedViolationChain(tag: string): Promise<TViolationChain> {
  const c = client();
  const human = await principal(c, `user:alice.${tag}@bank.test`, "human", `Alice <b>Treasurer</b> ${tag}`);
  const planner = await principal(c, `agent:planner-${tag}`, "agent", `<img src=x onerror="window.__xss=1">Planner ${tag}`);
  const viz = await principal(c, `agent:viz-${tag}`, "agent", `Viz ${tag}`);
  const rogue = await principal(c, `agent:rogue-${tag}`, "agent", `Rogue ${tag}`);
  const purposeCode = `finance.reporting.e2e${tag}`;
  const now = Math.floor(Date.now() / 1000);

  const root = await authorize(human, {
    aud: planner.id,
    scope: ["treasury/liquidity/*:read", "treasury/reports/*:write"],
    purpose: { code: purposeCode, text: `Weekly liquidity report <script>window.__xss=2</script> ${tag}` },
    ttl: 3 * 3600,
    max_depth: 4,
    iat: now - 120,
  });
  const vizScope = ["treasury/liquidity/summary:read"];
  const toViz = await delegate(root.claims, planner, {
    aud: viz.id,
    scope: vizScope,
    purpose: { code: `${purposeCode}.charts`, text: "Draw the liquidity charts" },
    iat: now - 100,
  });
  const toRogue = await delegate(
    toViz.claims,
    viz,
    {
      aud: rogue.id,
      scope: ["treasury/*:read"],
      purpose: { code: `${purposeCode}.charts`, text: "Help with the charts" },
      iat: now - 80,
    },
    { force: true },
  );
  const okInvoke = await invoke(toViz.claims, viz, {
    action: "treasury/liquidity/summary:read",
    resource: "https://api.bank.test/treasury/liquidity/summary",
    iat: now - 70,
  });
  const ghost = await invoke(
    toRogue.claims,
    rogue,
    { action: "payments/transfers:write", resource: "https://api.bank.test/payments/transfers", iat: now - 60 },
    { force: true },
  );
  const done = await complete(toViz.claims, viz, {
    result: "charts.png",
    evidence: { summary: "Rendered 3 charts <em>not emphasised</em>", artifacts: [{ name: "charts.png", hash: `sha256:${"a".repeat(64)}` }] },
    iat: now - 50,
  });
  await sendAll(c, [root.token, toViz.token, toRogue.token, okInvoke.token, ghost.token, done.token]);
  return {
    chainId: root.claims.chain,
    human,
    planner,
    viz,
    rogue,
    vizGrantJti: toViz.claims.jti,
    rogueGrantJti: toRogue.claims.jti,
    ghostInvokeJti: ghost.claims.jti,
    purposeCode,
    vizScope,
  };
}

/** A clean chain: authorize, one narrowing delegation, an invoke in scope and a completion. */
export async function seedVerifiedChain(tag: string): Promise<{ chainId: string; purposeCode: string; humanId: string }> {
  const c = client();
  const human = await principal(c, `user:bob.${tag}@bank.test`, "human", `Bob ${tag}`);
  const agent = await principal(c, `agent:clerk-${tag}`, "agent", `Clerk ${tag}`);
  const helper = await principal(c, `agent:helper-${tag}`, "agent", `Helper ${tag}`);
  const purposeCode = `ops.payables.e2e${tag}`;
  const now = Math.floor(Date.now() / 1000);
  const root = await authorize(human, {
    aud: agent.id,
    scope: ["payables/invoices/*:read", "payables/payments:write"],
    purpose: { code: purposeCode, text: "Pay approved invoices" },
    ttl: 3 * 3600,
    iat: now - 30,
  });
  const sub = await delegate(root.claims, agent, { aud: helper.id, scope: ["payables/invoices/*:read"], iat: now - 20 });
  const act = await invoke(sub.claims, helper, { action: "payables/invoices/2026-10:read", resource: "erp://invoices/2026-10", iat: now - 15 });
  const doneSub = await complete(sub.claims, helper, { result: "ok", iat: now - 10 });
  const doneRoot = await complete(root.claims, agent, { result: "ok", iat: now - 5 });
  await sendAll(c, [root.token, sub.token, act.token, doneSub.token, doneRoot.token]);
  return { chainId: root.claims.chain, purposeCode, humanId: human.id };
}

/**
 * A big chain: one human, one lead agent, GROUPS team leads each delegating to LEAVES agents
 * (1 + GROUPS + GROUPS*LEAVES hops), every leaf invoking once. One leaf far from the root
 * escalates, so a finding sits in the part hidden by the node budget.
 */
export async function seedBigChain(
  tag: string,
  groups = 20,
  leaves = 49,
): Promise<{ chainId: string; hops: number; escalationJti: string; teamJtis: string[]; team0WorkerJtis: string[] }> {
  const c = client();
  const shared = await generateSigningKey();
  const signerFor = async (id: string, kind: TPrincipalKind): Promise<TSigner> => {
    const key: TSigningKey = { ...shared, kid: `k-${id.replace(/[^A-Za-z0-9._-]/g, "-")}`, publicJwk: { ...shared.publicJwk } };
    key.publicJwk.kid = key.kid;
    await c.registerPrincipal({ id, kind, keys: [key.publicJwk] });
    return { id, key };
  };
  const human = await signerFor(`user:carol.${tag}@bank.test`, "human");
  const lead = await signerFor(`agent:lead-${tag}`, "agent");
  const now = Math.floor(Date.now() / 1000);
  const tokens: string[] = [];
  const root = await authorize(human, {
    aud: lead.id,
    scope: ["data/*:read"],
    purpose: { code: `analytics.big.e2e${tag}`, text: "Big fan-out analysis" },
    ttl: 6 * 3600,
    max_depth: 5,
    iat: now - 600,
  });
  tokens.push(root.token);
  let escalationJti = "";
  const teamJtis: string[] = [];
  const team0WorkerJtis: string[] = [];
  let hops = 1;
  for (let g = 0; g < groups; g++) {
    const teamLead = await signerFor(`agent:team-${g}-${tag}`, "agent");
    const toTeam = await delegate(root.claims, lead, { aud: teamLead.id, scope: [`data/g${g}/*:read`], iat: now - 500 });
    tokens.push(toTeam.token);
    teamJtis.push(toTeam.claims.jti);
    hops++;
    for (let l = 0; l < leaves; l++) {
      const leaf = await signerFor(`agent:worker-${g}-${l}-${tag}`, "agent");
      const isEscalation = g === groups - 1 && l === leaves - 1;
      const toLeaf = await delegate(
        toTeam.claims,
        teamLead,
        { aud: leaf.id, scope: isEscalation ? ["data/*:read", `data/g${g}/s${l}:read`] : [`data/g${g}/s${l}:read`], iat: now - 400 },
        { force: isEscalation },
      );
      if (isEscalation) escalationJti = toLeaf.claims.jti;
      if (g === 0) team0WorkerJtis.push(toLeaf.claims.jti);
      tokens.push(toLeaf.token);
      hops++;
      const act = await invoke(toLeaf.claims, leaf, { action: `data/g${g}/s${l}:read`, resource: `warehouse://g${g}/s${l}`, iat: now - 300 });
      tokens.push(act.token);
    }
  }
  await sendAll(c, tokens);
  return { chainId: root.claims.chain, hops, escalationJti, teamJtis, team0WorkerJtis };
}

/** `count` one-event chains (a bare authorization each) sharing one purpose code, for paging. */
export async function seedManyChains(tag: string, count: number): Promise<{ purposeCode: string; chainIds: string[] }> {
  const c = client();
  const human = await principal(c, `user:dave.${tag}@bank.test`, "human");
  const agent = await principal(c, `agent:pager-${tag}`, "agent");
  const purposeCode = `ops.paging.e2e${tag}`;
  const now = Math.floor(Date.now() / 1000);
  const tokens: string[] = [];
  const chainIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = await authorize(human, {
      aud: agent.id,
      scope: [`ops/item${i}:read`],
      purpose: { code: purposeCode, text: `Item ${i}` },
      ttl: 3600,
      iat: now - count + i,
    });
    tokens.push(a.token);
    chainIds.push(a.claims.chain);
  }
  await sendAll(c, tokens);
  return { purposeCode, chainIds };
}
