// Seeding through the public API with the producer SDK, exactly as agents would: register
// principals with their public keys, sign events with their private keys, send them.
import { authorize, complete, delegate, DelegraphClient, generateSigningKey, invoke, type TSigner, type TSigningKey } from "@delegraph/sdk";
import type { TGrantClaims, TPrincipalKind } from "@/lib/protocol/types";
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
 * Registers principals that all sign with one generated key (each under its own kid), so seeding a
 * chain of thousands of principals costs one key generation.
 */
async function sharedKeySigners(c: DelegraphClient): Promise<(id: string, kind: TPrincipalKind) => Promise<TSigner>> {
  const shared = await generateSigningKey();
  return async (id, kind) => {
    const key: TSigningKey = { ...shared, kid: `k-${id.replace(/[^A-Za-z0-9._-]/g, "-")}`, publicJwk: { ...shared.publicJwk } };
    key.publicJwk.kid = key.kid;
    await c.registerPrincipal({ id, kind, keys: [key.publicJwk] });
    return { id, key };
  };
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
  const signerFor = await sharedKeySigners(c);
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

/**
 * A chain whose findings alone overflow the opening view's node budget (600): a lead delegates to
 * `workers` workers, every delegation escalating (a critical finding on each), and each worker reads
 * `resources` resources of its own. A worker with its resources is 16 nodes, so past ~37 of them the
 * opening view cannot draw every finding's path: the rest wait behind a stub, listed with "Show".
 * One key for every principal, as seedBigChain does, so seeding stays a few seconds.
 */
export async function seedHiddenFindingsChain(
  tag: string,
  workers = 42,
  resources = 15,
): Promise<{ chainId: string; escalations: { jti: string; worker: string }[] }> {
  const c = client();
  const signerFor = await sharedKeySigners(c);
  const human = await signerFor(`user:erin.${tag}@bank.test`, "human");
  const lead = await signerFor(`agent:hf-lead-${tag}`, "agent");
  const now = Math.floor(Date.now() / 1000);
  const root = await authorize(human, {
    aud: lead.id,
    scope: ["data/*:read"],
    purpose: { code: `analytics.hidden.e2e${tag}`, text: "Findings past the budget" },
    ttl: 6 * 3600,
    max_depth: 3,
    iat: now - 600,
  });
  const tokens = [root.token];
  const escalations: { jti: string; worker: string }[] = [];
  for (let w = 0; w < workers; w++) {
    const worker = await signerFor(`agent:hf-worker-${w}-${tag}`, "agent");
    const down = await delegate(root.claims, lead, { aud: worker.id, scope: [`data/w${w}/*:read`, "mail/*:send"], iat: now - 500 }, { force: true });
    escalations.push({ jti: down.claims.jti, worker: worker.id });
    tokens.push(down.token);
    for (let r = 0; r < resources; r++) {
      const act = await invoke(down.claims, worker, { action: `data/w${w}/r${r}:read`, resource: `warehouse://w${w}/r${r}`, iat: now - 400 });
      tokens.push(act.token);
    }
  }
  await sendAll(c, tokens);
  return { chainId: root.claims.chain, escalations };
}

/**
 * `count` chains sharing one purpose code, for paging: a bare authorization each, the i-th started
 * one second after the (i-1)-th, with `depthOf(i)` delegations under it (none by default).
 */
export async function seedManyChains(
  tag: string,
  count: number,
  depthOf: (i: number) => number = () => 0,
): Promise<{ purposeCode: string; chainIds: string[] }> {
  const c = client();
  const human = await principal(c, `user:dave.${tag}@bank.test`, "human");
  const agent = await principal(c, `agent:pager-${tag}`, "agent");
  const helper = await principal(c, `agent:pager-helper-${tag}`, "agent");
  const purposeCode = `ops.paging.e2e${tag}`;
  const now = Math.floor(Date.now() / 1000);
  const tokens: string[] = [];
  const chainIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = await authorize(human, {
      aud: agent.id,
      scope: depthOf(i) > 0 ? [`ops/item${i}/*:read`] : [`ops/item${i}:read`],
      purpose: { code: purposeCode, text: `Item ${i}` },
      ttl: 3600,
      iat: now - count + i,
    });
    tokens.push(a.token);
    chainIds.push(a.claims.chain);
    let parent: TGrantClaims = a.claims;
    for (let d = 0; d < depthOf(i); d++) {
      const [from, to] = d % 2 === 0 ? [agent, helper] : [helper, agent];
      const down = await delegate(parent, from, { aud: to.id, scope: [`ops/item${i}/${"d/".repeat(d + 1)}*:read`], iat: now - count + i });
      tokens.push(down.token);
      parent = down.claims;
    }
  }
  await sendAll(c, tokens);
  return { purposeCode, chainIds };
}

export type TGraphStories = {
  /** scope drift: human → analyst → charts (drift to an outside host, escalation to slides), attested by a third party */
  drift: {
    chainId: string;
    human: string;
    analyst: string;
    charts: string;
    slides: string;
    attester: string;
    rootPurpose: string;
    chartsGrantJti: string;
    escalationJti: string;
    driftJti: string;
  };
  /** broken audit trail: both grants expired days ago and nobody reported */
  audit: { chainId: string; human: string; comms: string; dispatcher: string; rootJti: string; dispatchJti: string };
  /** a key revoked after it signed: the instance's events stand, its node says so */
  key: { chainId: string; human: string; instance: string; writer: string };
  /** one chain too wide to fit at the opening zoom: a line of 9 agents beside a fan-out of 12 */
  wide: { chainId: string; human: string; lead: string; siblings: string[]; siblingJtis: string[]; lineEnd: string };
};

/** The graph's stories (issue 15 items 2, 5, 7-10), tagged so runs never collide. */
export async function seedGraphStories(tag: string): Promise<TGraphStories> {
  const c = client();
  const now = Math.floor(Date.now() / 1000);
  const HOUR = 3600;
  const DAY = 24 * HOUR;

  // Scope drift, attested.
  const sofia = await principal(c, `user:sofia.${tag}@bank.test`, "human", `Sofia ${tag}`);
  const analyst = await principal(c, `agent:analyst-${tag}`, "agent", `Revenue analyst ${tag}`);
  const charts = await principal(c, `agent:charts-${tag}`, "agent", `Chart builder ${tag}`);
  const slides = await principal(c, `agent:slides-${tag}`, "agent", `Slide designer ${tag}`);
  const controls = await principal(c, `attester:controls-${tag}`, "attester", `Controls ${tag}`);
  const rootPurpose = `finance.revenue.e2e${tag}`;
  const root = await authorize(sofia, {
    iat: now - 3000,
    ttl: 6 * HOUR,
    aud: analyst.id,
    scope: ["finance/revenue/q1/*:read", "finance/reports/q1/*:write"],
    purpose: { code: rootPurpose, text: "Q1 revenue review" },
    constraints: { data: ["finance.revenue"], egress: ["*.bank.test"] },
  });
  const toCharts = await delegate(root.claims, analyst, {
    iat: now - 2900,
    aud: charts.id,
    scope: ["finance/revenue/q1/*:read", "finance/reports/q1/charts:write"],
    purpose: { code: `${rootPurpose}.charts`, text: "Chart Q1 revenue" },
    constraints: { egress: ["*.bank.test"] },
  });
  const read = await invoke(toCharts.claims, charts, {
    iat: now - 2800,
    action: "finance/revenue/q1/by-region:read",
    resource: "https://warehouse.bank.test/q1/revenue/by-region",
    data: ["finance.revenue"],
  });
  const drift = await invoke(
    toCharts.claims,
    charts,
    {
      iat: now - 2700,
      action: "finance/reports/q1/charts:write",
      resource: "https://render.chartcloud.io/v1/charts?template=stacked-bar",
      data: ["finance.revenue"],
    },
    { force: true },
  );
  const escalation = await delegate(
    toCharts.claims,
    charts,
    {
      iat: now - 2600,
      aud: slides.id,
      scope: ["finance/revenue/*:read"],
      purpose: { code: `${rootPurpose}.charts.slides`, text: "Slides" },
    },
    { force: true },
  );
  const attested = await complete(toCharts.claims, controls, { iat: now - 2500, result: "4 charts, reconciled" });
  await sendAll(c, [root.token, toCharts.token, read.token, drift.token, escalation.token, attested.token]);

  // Broken audit trail.
  const james = await principal(c, `user:james.${tag}@bank.test`, "human", `James ${tag}`);
  const comms = await principal(c, `agent:comms-${tag}`, "agent", `Customer comms ${tag}`);
  const dispatcher = await principal(c, `agent:dispatcher-${tag}`, "agent", `Dispatcher ${tag}`);
  const t0 = now - 3 * DAY;
  const notice = await authorize(james, {
    iat: t0,
    exp: t0 + DAY,
    aud: comms.id,
    scope: ["customers/notices/*:write", "comms/email/customers:send"],
    purpose: { code: `customer.notices.e2e${tag}`, text: "Rate change notice" },
  });
  const toDispatcher = await delegate(notice.claims, comms, {
    iat: t0 + 600,
    exp: t0 + 12 * HOUR,
    aud: dispatcher.id,
    scope: ["comms/email/customers:send"],
    purpose: { code: `customer.notices.e2e${tag}.email`, text: "Send it" },
  });
  const send = await invoke(toDispatcher.claims, dispatcher, {
    iat: t0 + 1200,
    action: "comms/email/customers:send",
    resource: "https://mail.bank.test/api/campaigns/rate-change",
  });
  await sendAll(c, [notice.token, toDispatcher.token, send.token]);

  // A key revoked after it signed.
  const ravi = await principal(c, `user:ravi.${tag}@bank.test`, "human", `Ravi ${tag}`);
  const instance = await principal(c, `agent:reconciler-${tag}`, "agent", `Reconciler ${tag}`);
  const writer = await principal(c, `agent:writer-${tag}`, "agent", `Ledger writer ${tag}`);
  const recon = await authorize(ravi, {
    iat: now - 2 * HOUR,
    ttl: 6 * HOUR,
    aud: instance.id,
    scope: ["ledger/*:read", "ledger/reconciliations/*:write"],
    purpose: { code: `finance.close.e2e${tag}`, text: "Reconcile" },
  });
  const toWriter = await delegate(recon.claims, instance, {
    iat: now - 2 * HOUR + 600,
    aud: writer.id,
    scope: ["ledger/reconciliations/*:write"],
    purpose: { code: `finance.close.e2e${tag}.postings`, text: "Post" },
  });
  await sendAll(c, [recon.token, toWriter.token]);
  await c.revokeKey(instance.id, instance.key.kid, now - HOUR);

  // Too wide to fit: a line of 9 agents and a fan-out of 12 under one lead.
  const hana = await principal(c, `user:hana.${tag}@bank.test`, "human", `Hana ${tag}`);
  const lead = await principal(c, `agent:wide-lead-${tag}`, "agent", `Wide lead ${tag}`);
  const wideRoot = await authorize(hana, {
    iat: now - 1000,
    ttl: 6 * HOUR,
    aud: lead.id,
    scope: ["ops/*:read"],
    purpose: { code: `ops.wide.e2e${tag}`, text: "Wide" },
  });
  const tokens = [wideRoot.token];
  let parent: TGrantClaims = wideRoot.claims;
  let holder = lead;
  let lineEnd = lead.id;
  for (let i = 0; i < 9; i++) {
    const next = await principal(c, `agent:line-${i}-${tag}`, "agent", `Line ${i} ${tag}`);
    const d = await delegate(parent, holder, {
      iat: now - 900 + i,
      aud: next.id,
      scope: [
        `ops/${Array(i + 1)
          .fill("l")
          .join("/")}/*:read`,
      ],
      purpose: { code: `ops.wide.e2e${tag}`, text: "Wide" },
    });
    tokens.push(d.token);
    parent = d.claims;
    holder = next;
    lineEnd = next.id;
  }
  const siblings: string[] = [];
  const siblingJtis: string[] = [];
  for (let i = 0; i < 12; i++) {
    const s = await principal(c, `agent:sib-${i}-${tag}`, "agent", `Sibling ${i} ${tag}`);
    const d = await delegate(wideRoot.claims, lead, { iat: now - 800 + i, aud: s.id, scope: [`ops/s${i}:read`] });
    tokens.push(d.token);
    siblings.push(s.id);
    siblingJtis.push(d.claims.jti);
  }
  await sendAll(c, tokens);

  return {
    drift: {
      chainId: root.claims.chain,
      human: sofia.id,
      analyst: analyst.id,
      charts: charts.id,
      slides: slides.id,
      attester: controls.id,
      rootPurpose,
      chartsGrantJti: toCharts.claims.jti,
      escalationJti: escalation.claims.jti,
      driftJti: drift.claims.jti,
    },
    audit: {
      chainId: notice.claims.chain,
      human: james.id,
      comms: comms.id,
      dispatcher: dispatcher.id,
      rootJti: notice.claims.jti,
      dispatchJti: toDispatcher.claims.jti,
    },
    key: { chainId: recon.claims.chain, human: ravi.id, instance: instance.id, writer: writer.id },
    wide: { chainId: wideRoot.claims.chain, human: hana.id, lead: lead.id, siblings, siblingJtis, lineEnd },
  };
}
