// The demo data set: the stories our users tell, built through the SDK and sent through the real
// ingest API, so the demo exercises exactly what producers do.
//
// Re-running is safe: principals are registered `ifMissing`, every run mints fresh event ids (so
// each run adds its own six chains), and the keys of the stable principals are returned so the
// caller can save them and pass them back next time (the server keeps the keys it was first given,
// and there is no way to add one). The compromised agent of story f is a new instance each run,
// because its key ends up revoked.
import { randomUUID } from "node:crypto";
import type { TChainStatus, TFindingCode, TPrincipalKind } from "@/lib/protocol/types";
import {
  authorize,
  complete,
  delegate,
  exportSigningKey,
  generateSigningKey,
  importSigningKey,
  invoke,
  nowSeconds,
  revoke,
  sha256Digest,
  type DelegraphClient,
  type TIngestResult,
  type TPrivateJwk,
  type TSignedEvent,
  type TSigner,
  type TSigningAlg,
} from "@delegraph/sdk";

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

type TDemoPrincipal = { id: string; kind: TPrincipalKind; name: string; alg: TSigningAlg };

/** Principals that persist across runs. Humans and agents of each story, a tool and an attester. */
export const DEMO_PRINCIPALS: readonly TDemoPrincipal[] = [
  // a. treasury reporting
  { id: "user:maria.chen@treasury.example", kind: "human", name: "Maria Chen, Treasury Manager", alg: "EdDSA" },
  { id: "agent:treasury-planner", kind: "agent", name: "Treasury planning agent", alg: "EdDSA" },
  { id: "agent:treasury-visualizer", kind: "agent", name: "Treasury chart agent", alg: "EdDSA" },
  { id: "agent:treasury-comms", kind: "agent", name: "Treasury communications agent", alg: "EdDSA" },
  { id: "attester:finance-controls", kind: "attester", name: "Finance Controls attestation service", alg: "EdDSA" },
  // b. least-privilege payment; the payer signs with a P-256 platform key
  { id: "user:daniel.okafor@northwind.example", kind: "human", name: "Daniel Okafor, Accounts Payable Lead", alg: "ES256" },
  { id: "agent:northwind-bookkeeper", kind: "agent", name: "Northwind bookkeeping agent", alg: "EdDSA" },
  { id: "agent:northwind-banking", kind: "agent", name: "Northwind banking agent", alg: "EdDSA" },
  { id: "tool:bank-payments-api", kind: "tool", name: "Bank payments API connector", alg: "EdDSA" },
  // c. ghost permission
  { id: "user:lena.fischer@acme-finance.example", kind: "human", name: "Lena Fischer, Financial Controller", alg: "EdDSA" },
  { id: "agent:finance-assistant", kind: "agent", name: "Finance assistant", alg: "EdDSA" },
  { id: "agent:doc-summarizer", kind: "agent", name: "Document summarization agent", alg: "EdDSA" },
  // d. scope drift
  { id: "user:sofia.alvarez@meridian.bank.example", kind: "human", name: "Sofia Alvarez, Head of FP&A", alg: "EdDSA" },
  { id: "agent:revenue-analyst", kind: "agent", name: "Revenue analysis agent", alg: "EdDSA" },
  { id: "agent:chart-builder", kind: "agent", name: "Chart building agent", alg: "EdDSA" },
  { id: "agent:slide-designer", kind: "agent", name: "Slide design agent", alg: "EdDSA" },
  // e. broken audit trail
  { id: "user:james.whitfield@northwind.example", kind: "human", name: "James Whitfield, Customer Operations", alg: "EdDSA" },
  { id: "agent:customer-comms", kind: "agent", name: "Customer communications agent", alg: "EdDSA" },
  { id: "agent:email-dispatcher", kind: "agent", name: "Email dispatch agent", alg: "EdDSA" },
  // f. compromised agent key (the compromised instance itself is minted per run)
  { id: "user:ravi.patel@ledgerworks.example", kind: "human", name: "Ravi Patel, Close Manager", alg: "EdDSA" },
  { id: "agent:ledger-writer", kind: "agent", name: "Ledger posting agent", alg: "EdDSA" },
];

/** Private JWKs of the demo principals, by principal id. Secret: store like any signing key. */
export type TDemoKeys = Record<string, TPrivateJwk>;

export type TDemoStoryId =
  "treasury-reporting" | "least-privilege-payment" | "ghost-permission" | "scope-drift" | "broken-audit-trail" | "compromised-key";

export type TDemoStory = {
  id: TDemoStoryId;
  title: string;
  chain: string;
  /** Chain status the verifier should reach (missing_evidence is computed when read). */
  expectedStatus: TChainStatus;
  /** Findings the chain should carry at least. */
  expectedFindings: TFindingCode[];
  events: TSignedEvent[];
  /** Events the story sends to be refused at ingest, by jti. */
  expectedRejections: Record<string, string>;
  results: TIngestResult[];
  /** Results that differ from what the story expects; empty when all went as planned. */
  problems: string[];
};

export type TDemoSummary = {
  chains: string[];
  results: TIngestResult[];
  stories: TDemoStory[];
  /** Keys of DEMO_PRINCIPALS, to save and pass back as `keys` on the next run. */
  keys: TDemoKeys;
};

/** Keep the saved keys, generate the missing ones. */
export async function prepareDemoKeys(saved: TDemoKeys = {}): Promise<TDemoKeys> {
  const keys: TDemoKeys = {};
  for (const p of DEMO_PRINCIPALS) {
    keys[p.id] = saved[p.id] ?? (await exportSigningKey(await generateSigningKey({ alg: p.alg })));
  }
  return keys;
}

export type TSeedDemoOptions = {
  /** NumericDate (seconds) the stories are told relative to; every event is issued at or before it. */
  now?: number;
  /** Keys saved from an earlier run against the same server; missing ones are generated. */
  keys?: TDemoKeys;
  /** Called with the complete key set before anything is registered: the moment to save it. */
  onKeys?: (keys: TDemoKeys) => void | Promise<void>;
};

/**
 * Seed the six demo stories. A principal that is already registered but whose key this run had
 * to generate makes it throw before any event is sent (nothing it signed could be verified).
 */
export async function seedDemo(client: DelegraphClient, opts: TSeedDemoOptions = {}): Promise<TDemoSummary> {
  const now = opts.now ?? nowSeconds();
  if (!Number.isFinite(now) || now < 10 * DAY || now > 1e11) {
    throw new TypeError(`now must be a NumericDate in seconds, got ${now}`);
  }
  const keys = await prepareDemoKeys(opts.keys);
  await opts.onKeys?.(keys);
  const signers = new Map<string, TSigner>();
  for (const p of DEMO_PRINCIPALS) signers.set(p.id, { id: p.id, key: await importSigningKey(keys[p.id]) });

  const instanceId = `agent:reconciler/instance-${randomUUID().slice(0, 8)}`;
  const instance: TSigner = { id: instanceId, key: await generateSigningKey() };

  const notOurs: string[] = [];
  for (const p of DEMO_PRINCIPALS) {
    const { created } = await client.registerPrincipal(
      { id: p.id, kind: p.kind, name: p.name, keys: [signers.get(p.id)!.key.publicJwk] },
      { ifMissing: true },
    );
    if (!created && opts.keys?.[p.id] === undefined) notOurs.push(p.id);
  }
  if (notOurs.length > 0) {
    throw new Error(
      `already registered with keys this run does not hold: ${notOurs.join(", ")}. ` +
        "Pass the keys saved by the first seeding of this server, or seed a fresh database.",
    );
  }
  await client.registerPrincipal(
    { id: instanceId, kind: "agent", name: "Reconciliation agent (ephemeral instance)", keys: [instance.key.publicJwk] },
    { ifMissing: true },
  );

  const who = (id: string): TSigner => {
    const signer = signers.get(id);
    if (!signer) throw new Error(`no demo principal ${id}`);
    return signer;
  };
  const ctx: TStoryContext = { now, who, instance, day: isoDay(now), month: previousMonth(now) };

  const stories: TDemoStory[] = [];
  for (const build of [treasuryReporting, leastPrivilegePayment, ghostPermission, scopeDrift, brokenAuditTrail]) {
    const plan = await build(ctx);
    stories.push(finish(plan, await client.send(plan.events.map((e) => e.token))));
  }

  // Story f in two sends around the key revocation, the order in which it happens.
  const { before, after, revokedAt, ...compromised } = await compromisedKey(ctx);
  const sentBefore = await client.send(before.map((e) => e.token));
  await client.revokeKey(instanceId, instance.key.kid, revokedAt);
  const sentAfter = await client.send(after.map((e) => e.token));
  stories.push(finish({ ...compromised, events: [...before, ...after] }, [...sentBefore, ...sentAfter]));

  return {
    chains: stories.map((s) => s.chain),
    results: stories.flatMap((s) => s.results),
    stories,
    keys,
  };
}

type TStoryContext = {
  now: number;
  who: (id: string) => TSigner;
  instance: TSigner;
  /** YYYY-MM-DD of now, for realistic resource names */
  day: string;
  /** YYYY-MM of the month before now */
  month: string;
};

type TStoryPlan = Omit<TDemoStory, "results" | "problems" | "expectedRejections"> & {
  expectedRejections?: Record<string, string>;
};

function finish(plan: TStoryPlan, results: TIngestResult[]): TDemoStory {
  const expectedRejections = plan.expectedRejections ?? {};
  const problems: string[] = [];
  plan.events.forEach((event, i) => {
    const result = results[i];
    const jti = event.claims.jti;
    const expected = expectedRejections[jti];
    if (expected !== undefined) {
      if (result.status !== "rejected" || result.error?.code !== expected) {
        problems.push(`${jti} (${event.claims.kind}): expected rejection ${expected}, got ${result.status}`);
      }
    } else if (result.status === "rejected") {
      problems.push(`${jti} (${event.claims.kind}): rejected ${result.error?.code}: ${result.error?.message}`);
    } else if (result.status === "pending") {
      problems.push(`${jti} (${event.claims.kind}): pending, its parent did not arrive`);
    }
  });
  return { ...plan, expectedRejections, results, problems };
}

// a. A treasury manager asks for the weekly liquidity report. The planner splits the work between a
// chart agent and a communications agent, each getting only what its part needs. Every grant is
// closed with evidence at each attestation level.
async function treasuryReporting({ now, who, day }: TStoryContext): Promise<TStoryPlan> {
  const maria = who("user:maria.chen@treasury.example");
  const planner = who("agent:treasury-planner");
  const viz = who("agent:treasury-visualizer");
  const comms = who("agent:treasury-comms");
  const controls = who("attester:finance-controls");
  const t0 = now - 3 * HOUR;

  const root = await authorize(maria, {
    iat: t0,
    exp: now + 5 * HOUR,
    aud: planner.id,
    scope: ["treasury/positions/*:read", "treasury/forecasts/*:read", "treasury/reports/liquidity/*:write", "comms/email/internal:send"],
    purpose: { code: "finance.reporting.liquidity", text: "Prepare the weekly liquidity report for the CFO staff meeting" },
    max_depth: 2,
    constraints: { data: ["treasury.positions", "treasury.forecasts"], egress: ["*.treasury.example"] },
    instruction:
      "Pull this week's cash positions and the 13-week forecast, chart them, and send the liquidity summary to the CFO office by Friday noon.",
  });
  const plannerRead = await invoke(root.claims, planner, {
    iat: t0 + 2 * MINUTE,
    action: "treasury/forecasts/13-week:read",
    resource: `https://fpa.treasury.example/api/forecasts/13-week?as_of=${day}`,
    purpose: "finance.reporting.liquidity",
    data: ["treasury.forecasts"],
  });
  const toViz = await delegate(root.claims, planner, {
    iat: t0 + 5 * MINUTE,
    exp: now + 2 * HOUR,
    aud: viz.id,
    scope: ["treasury/positions/daily:read", "treasury/reports/liquidity/charts:write"],
    purpose: { code: "finance.reporting.liquidity.charts", text: "Chart daily cash positions for the liquidity report" },
    max_depth: 0,
    constraints: { data: ["treasury.positions"] },
  });
  const toComms = await delegate(root.claims, planner, {
    iat: t0 + 6 * MINUTE,
    exp: now + 2 * HOUR,
    aud: comms.id,
    scope: ["treasury/reports/liquidity/summary:write", "comms/email/internal:send"],
    purpose: { code: "finance.reporting.liquidity.briefing", text: "Draft the liquidity briefing and send it to the CFO office" },
    max_depth: 0,
    constraints: { data: [], egress: ["mail.treasury.example"] },
  });
  const vizRead = await invoke(toViz.claims, viz, {
    iat: t0 + 12 * MINUTE,
    action: "treasury/positions/daily:read",
    resource: `https://ledger.treasury.example/api/v2/positions/daily?window=7d&as_of=${day}`,
    purpose: "finance.reporting.liquidity.charts",
    data: ["treasury.positions"],
  });
  const chartUri = `s3://treasury-reports/liquidity/${day}/cash-positions.svg`;
  const vizWrite = await invoke(toViz.claims, viz, {
    iat: t0 + 20 * MINUTE,
    action: "treasury/reports/liquidity/charts:write",
    resource: chartUri,
    purpose: "finance.reporting.liquidity.charts",
  });
  const vizDone = await complete(toViz.claims, controls, {
    iat: t0 + 30 * MINUTE,
    result: `cash-positions chart ${day}: 7 daily positions, EUR 412.6m closing balance`,
    evidence: {
      summary: "Finance Controls reconciled every charted value against the ledger's daily positions: 7 of 7 days match.",
      artifacts: [{ name: "cash-positions.svg", hash: sha256Digest(`cash-positions.svg ${day}`), uri: chartUri }],
    },
  });
  const summaryUri = `s3://treasury-reports/liquidity/${day}/summary.md`;
  const commsWrite = await invoke(toComms.claims, comms, {
    iat: t0 + 40 * MINUTE,
    action: "treasury/reports/liquidity/summary:write",
    resource: summaryUri,
  });
  const commsSend = await invoke(toComms.claims, comms, {
    iat: t0 + 45 * MINUTE,
    action: "comms/email/internal:send",
    resource: "https://mail.treasury.example/api/v1/messages?to=cfo-office",
    purpose: "finance.reporting.liquidity.briefing",
  });
  const commsDone = await complete(toComms.claims, planner, {
    iat: t0 + 55 * MINUTE,
    result: `liquidity briefing ${day} sent to cfo-office@treasury.example`,
    evidence: {
      summary: "Planner checked the briefing's figures against the charted positions before release.",
      artifacts: [{ name: "summary.md", hash: sha256Digest(`liquidity summary ${day}`), uri: summaryUri }],
    },
  });
  const rootDone = await complete(root.claims, planner, {
    iat: t0 + 60 * MINUTE,
    result: `weekly liquidity report ${day}: chart and briefing delivered`,
    evidence: { summary: "Chart attested by Finance Controls; briefing delivered to the CFO office." },
  });

  return {
    id: "treasury-reporting",
    title: "Treasury reporting: a planner splits the liquidity report between two narrower agents",
    chain: root.claims.chain,
    expectedStatus: "verified",
    expectedFindings: [],
    events: [root, plannerRead, toViz, toComms, vizRead, vizWrite, vizDone, commsWrite, commsSend, commsDone, rootDone],
  };
}

// b. A payer approves this week's vendor payments; each hop hands on less: the bookkeeper, then a
// banking agent for one vendor, then the bank's API connector for one payment instruction.
async function leastPrivilegePayment({ now, who }: TStoryContext): Promise<TStoryPlan> {
  const daniel = who("user:daniel.okafor@northwind.example");
  const bookkeeper = who("agent:northwind-bookkeeper");
  const banking = who("agent:northwind-banking");
  const gateway = who("tool:bank-payments-api");
  const t0 = now - 2 * HOUR;

  const root = await authorize(daniel, {
    iat: t0,
    exp: now + 6 * HOUR,
    aud: bookkeeper.id,
    scope: ["accounts/payable/*:read", "accounts/payable/*:write", "banking/payments/*:create", "banking/payments/*:read"],
    purpose: { code: "finance.payables.vendor-payments", text: "Pay the vendor invoices approved for this week's payment run" },
    max_depth: 2,
    constraints: {
      data: ["payables.invoices", "banking.payment_instructions", "vendor.bank_details"],
      egress: ["*.bank.example"],
    },
    instruction: "Run this week's payment run for the approved invoices. Nothing above EUR 25,000 without me.",
  });
  const readInvoice = await invoke(root.claims, bookkeeper, {
    iat: t0 + 3 * MINUTE,
    action: "accounts/payable/invoices/inv-20931:read",
    resource: "erp://northwind/ap/invoices/INV-20931",
    purpose: "finance.payables.vendor-payments",
    data: ["payables.invoices"],
  });
  const toBanking = await delegate(root.claims, bookkeeper, {
    iat: t0 + 8 * MINUTE,
    exp: now + 1 * HOUR,
    aud: banking.id,
    scope: ["banking/payments/vendors/acme-supplies:create", "banking/payments/vendors/acme-supplies:read"],
    purpose: { code: "finance.payables.vendor-payments.acme", text: "Pay Acme Supplies invoice INV-20931 (EUR 18,450.00)" },
    max_depth: 1,
    constraints: { data: ["banking.payment_instructions", "vendor.bank_details"], egress: ["api.bank.example"] },
  });
  const checkPayee = await invoke(toBanking.claims, banking, {
    iat: t0 + 9 * MINUTE,
    action: "banking/payments/vendors/acme-supplies:read",
    resource: "https://api.bank.example/v2/beneficiaries/acme-supplies",
    purpose: "finance.payables.vendor-payments.acme",
    data: ["vendor.bank_details"],
  });
  const toGateway = await delegate(toBanking.claims, banking, {
    iat: t0 + 10 * MINUTE,
    exp: now + 30 * MINUTE,
    aud: gateway.id,
    scope: ["banking/payments/vendors/acme-supplies:create"],
    purpose: { code: "finance.payables.vendor-payments.acme", text: "Submit the Acme Supplies payment instruction" },
    max_depth: 0,
    constraints: { data: ["banking.payment_instructions"] },
  });
  const pay = await invoke(toGateway.claims, gateway, {
    iat: t0 + 12 * MINUTE,
    action: "banking/payments/vendors/acme-supplies:create",
    resource: "https://api.bank.example/v2/payments",
    purpose: "finance.payables.vendor-payments.acme",
    data: ["banking.payment_instructions"],
  });
  const gatewayDone = await complete(toGateway.claims, banking, {
    iat: t0 + 15 * MINUTE,
    result: "payment PAY-7781 accepted: EUR 18,450.00 to Acme Supplies",
    evidence: {
      summary: "Banking agent matched the bank's confirmation PAY-7781 to the instruction it delegated.",
      artifacts: [{ name: "bank-confirmation-PAY-7781.json", hash: sha256Digest("PAY-7781 accepted") }],
    },
  });
  const bankingDone = await complete(toBanking.claims, banking, {
    iat: t0 + 16 * MINUTE,
    result: "INV-20931 paid",
  });
  const rootDone = await complete(root.claims, daniel, {
    iat: t0 + 40 * MINUTE,
    result: "payment run closed: 1 invoice, EUR 18,450.00",
    evidence: { summary: "Daniel checked the remittance advice against the approved invoice list." },
  });

  return {
    id: "least-privilege-payment",
    title: "Least privilege: a payment run narrowed to one vendor and one instruction",
    chain: root.claims.chain,
    expectedStatus: "verified",
    expectedFindings: [],
    events: [root, readInvoice, toBanking, checkPayee, toGateway, pay, gatewayDone, bankingDone, rootDone],
  };
}

// c. A summarization agent, asked to summarize the monthly accounts, also reads customer
// transactions: an authority no one in the chain ever gave it.
async function ghostPermission({ now, who, month }: TStoryContext): Promise<TStoryPlan> {
  const lena = who("user:lena.fischer@acme-finance.example");
  const assistant = who("agent:finance-assistant");
  const summarizer = who("agent:doc-summarizer");
  const t0 = now - 90 * MINUTE;

  const root = await authorize(lena, {
    iat: t0,
    exp: now + 4 * HOUR,
    aud: assistant.id,
    scope: ["reports/monthly/*:read", "reports/summaries/*:write"],
    purpose: { code: "finance.reporting.monthly", text: `Summarize the ${month} management accounts for the board pack` },
    constraints: { data: ["finance.management_accounts"] },
  });
  const toSummarizer = await delegate(root.claims, assistant, {
    iat: t0 + 4 * MINUTE,
    exp: now + 1 * HOUR,
    aud: summarizer.id,
    scope: [`reports/monthly/${month}:read`, `reports/summaries/${month}:write`],
    purpose: { code: "finance.reporting.monthly.summary", text: "Draft a one-page summary of the management accounts" },
  });
  const readReport = await invoke(toSummarizer.claims, summarizer, {
    iat: t0 + 6 * MINUTE,
    action: `reports/monthly/${month}:read`,
    resource: `docs://finance/reports/monthly/${month}.pdf`,
    data: ["finance.management_accounts"],
  });
  const ghost = await invoke(
    toSummarizer.claims,
    summarizer,
    {
      iat: t0 + 9 * MINUTE,
      action: "customers/transactions:read",
      resource: `db://crm/customers/transactions?since=${month}-01`,
      purpose: "finance.reporting.monthly.summary",
    },
    { force: true },
  );
  const writeSummary = await invoke(toSummarizer.claims, summarizer, {
    iat: t0 + 11 * MINUTE,
    action: `reports/summaries/${month}:write`,
    resource: `docs://finance/reports/summaries/${month}-board-summary.md`,
  });
  const summarizerDone = await complete(toSummarizer.claims, summarizer, {
    iat: t0 + 12 * MINUTE,
    result: `${month} board summary, 1 page`,
  });
  const rootDone = await complete(root.claims, assistant, {
    iat: t0 + 15 * MINUTE,
    result: `${month} board pack summary delivered`,
  });

  return {
    id: "ghost-permission",
    title: "Ghost permission: a summarizer reads customer transactions it was never granted",
    chain: root.claims.chain,
    expectedStatus: "violation",
    expectedFindings: ["ghost_permission"],
    events: [root, toSummarizer, readReport, ghost, writeSummary, summarizerDone, rootDone],
  };
}

// d. Q1 revenue may only leave through the bank's own hosts; the charting agent sends it to an
// external rendering service anyway, then hands on more than it holds.
async function scopeDrift({ now, who }: TStoryContext): Promise<TStoryPlan> {
  const sofia = who("user:sofia.alvarez@meridian.bank.example");
  const analyst = who("agent:revenue-analyst");
  const charts = who("agent:chart-builder");
  const slides = who("agent:slide-designer");
  const t0 = now - 70 * MINUTE;

  const root = await authorize(sofia, {
    iat: t0,
    exp: now + 4 * HOUR,
    aud: analyst.id,
    scope: ["finance/revenue/q1/*:read", "finance/reports/q1/*:write"],
    purpose: { code: "finance.reporting.revenue.q1", text: "Prepare the Q1 revenue review for the audit committee" },
    constraints: { data: ["finance.revenue"], egress: ["*.bank.example"] },
  });
  const toCharts = await delegate(root.claims, analyst, {
    iat: t0 + 5 * MINUTE,
    exp: now + 1 * HOUR,
    aud: charts.id,
    scope: ["finance/revenue/q1/*:read", "finance/reports/q1/charts:write"],
    purpose: { code: "finance.reporting.revenue.q1.charts", text: "Chart Q1 revenue by region" },
    constraints: { egress: ["*.bank.example"] },
  });
  const readRevenue = await invoke(toCharts.claims, charts, {
    iat: t0 + 8 * MINUTE,
    action: "finance/revenue/q1/by-region:read",
    resource: "https://warehouse.meridian.bank.example/q1/revenue/by-region",
    data: ["finance.revenue"],
  });
  const drift = await invoke(
    toCharts.claims,
    charts,
    {
      iat: t0 + 10 * MINUTE,
      action: "finance/reports/q1/charts:write",
      resource: "https://render.chartcloud.io/v1/charts?template=stacked-bar&dataset=q1-revenue-by-region",
      purpose: "finance.reporting.revenue.q1.charts",
      data: ["finance.revenue"],
    },
    { force: true },
  );
  const escalation = await delegate(
    toCharts.claims,
    charts,
    {
      iat: t0 + 14 * MINUTE,
      exp: now + 1 * HOUR,
      aud: slides.id,
      scope: ["finance/revenue/*:read"],
      purpose: { code: "finance.reporting.revenue.q1.charts.slides", text: "Lay out the revenue charts as committee slides" },
    },
    { force: true },
  );
  const chartsDone = await complete(toCharts.claims, charts, {
    iat: t0 + 20 * MINUTE,
    result: "q1 revenue by region: 4 charts",
  });

  return {
    id: "scope-drift",
    title: "Scope drift: Q1 revenue sent to an external rendering API outside the allowed egress",
    chain: root.claims.chain,
    expectedStatus: "violation",
    expectedFindings: ["scope_drift", "scope_escalation"],
    events: [root, toCharts, readRevenue, drift, escalation, chartsDone],
  };
}

// e. A customer notice went out three days ago; the grants expired two days ago and nobody ever
// reported back: nothing proves what was sent.
async function brokenAuditTrail({ now, who }: TStoryContext): Promise<TStoryPlan> {
  const james = who("user:james.whitfield@northwind.example");
  const comms = who("agent:customer-comms");
  const dispatcher = who("agent:email-dispatcher");
  const t0 = now - 3 * DAY;

  const root = await authorize(james, {
    iat: t0,
    exp: t0 + 1 * DAY,
    aud: comms.id,
    scope: ["customers/notices/rate-change:write", "customers/contacts/*:read", "comms/email/customers:send"],
    purpose: { code: "customer.communications.rate-change", text: "Notify affected customers of the savings rate change" },
    constraints: { data: ["customer.contact_details"], egress: ["*.northwind.example"] },
  });
  const readContacts = await invoke(root.claims, comms, {
    iat: t0 + 10 * MINUTE,
    action: "customers/contacts/savings:read",
    resource: "crm://northwind/segments/savings-rate-affected",
    data: ["customer.contact_details"],
  });
  const writeNotice = await invoke(root.claims, comms, {
    iat: t0 + 15 * MINUTE,
    action: "customers/notices/rate-change:write",
    resource: "docs://northwind/customer-notices/savings-rate-change.html",
  });
  const toDispatcher = await delegate(root.claims, comms, {
    iat: t0 + 20 * MINUTE,
    exp: t0 + 12 * HOUR,
    aud: dispatcher.id,
    scope: ["comms/email/customers:send"],
    purpose: { code: "customer.communications.rate-change.email", text: "Send the approved rate-change notice by email" },
  });
  const send = await invoke(toDispatcher.claims, dispatcher, {
    iat: t0 + 30 * MINUTE,
    action: "comms/email/customers:send",
    resource: "https://mail.northwind.example/api/campaigns/savings-rate-change",
    data: ["customer.contact_details"],
  });

  return {
    id: "broken-audit-trail",
    title: "Broken audit trail: customer notices sent, grants expired, no completion ever reported",
    chain: root.claims.chain,
    expectedStatus: "warning",
    expectedFindings: ["missing_evidence"],
    events: [root, readContacts, writeNotice, toDispatcher, send],
  };
}

// f. A reconciliation agent instance's key leaks. Its key is revoked at T: what it signed before
// stands, what is signed with the key after is refused at the door. The human then revokes the
// grant, and the downstream ledger writer that keeps working under it is caught.
async function compromisedKey({ now, who, instance, month }: TStoryContext) {
  const ravi = who("user:ravi.patel@ledgerworks.example");
  const writer = who("agent:ledger-writer");
  const t0 = now - 2 * HOUR;
  const revokedAt = t0 + 30 * MINUTE;

  const root = await authorize(ravi, {
    iat: t0,
    exp: now + 6 * HOUR,
    aud: instance.id,
    scope: ["ledger/entries/*:read", "ledger/reconciliations/*:write"],
    purpose: { code: "finance.close.reconciliation", text: `Reconcile the ${month} bank statements against the general ledger` },
  });
  const readEntries = await invoke(root.claims, instance, {
    iat: t0 + 5 * MINUTE,
    action: `ledger/entries/${month}:read`,
    resource: `ledger://ledgerworks/gl/entries?period=${month}`,
  });
  const toWriter = await delegate(root.claims, instance, {
    iat: t0 + 10 * MINUTE,
    exp: now + 3 * HOUR,
    aud: writer.id,
    scope: [`ledger/reconciliations/${month}:write`],
    purpose: { code: "finance.close.reconciliation.postings", text: "Post the reconciliation adjustments" },
  });
  const writerPost = await invoke(toWriter.claims, writer, {
    iat: t0 + 20 * MINUTE,
    action: `ledger/reconciliations/${month}:write`,
    resource: `ledger://ledgerworks/reconciliations/${month}/draft-1`,
  });
  const stolen = await invoke(root.claims, instance, {
    iat: t0 + 40 * MINUTE,
    action: `ledger/entries/${month}:read`,
    resource: `ledger://ledgerworks/gl/entries?period=${month}&export=full`,
  });
  const pulled = await revoke(root.claims, ravi, {
    iat: t0 + 45 * MINUTE,
    reason: "Reconciler instance signing key reported compromised (incident SEC-4471)",
  });
  const writerLate = await invoke(toWriter.claims, writer, {
    iat: t0 + 60 * MINUTE,
    action: `ledger/reconciliations/${month}:write`,
    resource: `ledger://ledgerworks/reconciliations/${month}/final`,
  });

  return {
    id: "compromised-key" as const,
    title: "Compromised agent key: revoked mid-chain, then the grant itself is revoked",
    chain: root.claims.chain,
    expectedStatus: "violation" as const,
    expectedFindings: ["revoked_grant"] as TFindingCode[],
    before: [root, readEntries, toWriter, writerPost],
    after: [stolen, pulled, writerLate],
    revokedAt,
    expectedRejections: { [stolen.claims.jti]: "key_revoked" },
  };
}

function isoDay(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

function previousMonth(seconds: number): string {
  const d = new Date(seconds * 1000);
  const prev = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1));
  return prev.toISOString().slice(0, 7);
}
