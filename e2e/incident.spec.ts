// Issue [11], the views around the graph: read-time findings on the Findings page, findings as
// sentences with the verifier's message behind "detail", the blast radius of a key, the phone
// layout, chain tables that sort and open on a row click, roles and wrapping ids, the PDF.
import { authorize, delegate, invoke } from "@delegraph/sdk";
import { API_TOKEN, runTag } from "./support/env";
import { client, principal } from "./support/seed";
import { expect, signIn, test } from "./support/session";

const tag = runTag();
const now = () => Math.floor(Date.now() / 1000);
type TSeeded = {
  chainId: string;
  humanId: string;
  agentId: string;
  agentKid: string;
  rootJti: string;
  lateJti: string;
  earlyJti: string;
  refusedJti: string;
};
let s: TSeeded;

test.beforeAll(async () => {
  const c = client();
  const human = await principal(c, `user:ravi.${tag}@ledger.test`, "human", `Ravi Patel ${tag}, Close Manager`);
  const agent = await principal(c, `agent:ledger-writer-${tag}`, "agent", `Ledger posting agent ${tag}`);
  const sub = await principal(c, `agent:ledger-sub-${tag}`, "agent", `Sub agent ${tag}`);
  const t = now();
  // A grant that expired with no report (a broken audit trail, judged now), two actions outside its
  // scope on either side of its expiry (stored ghost permissions), and a delegation under it.
  const root = await authorize(human, {
    iat: t - 7200,
    exp: t - 3600,
    aud: agent.id,
    scope: [`ledger/entries/*:read`],
    purpose: { code: `finance.close.${tag}`, text: "Reconcile the ledger" },
  });
  const early = await invoke(
    root.claims,
    agent,
    { iat: t - 5400, action: "ledger/reconciliations/2026-11:write", resource: "ledger://works/rec/2026-11/draft" },
    { force: true },
  );
  const down = await delegate(root.claims, agent, {
    iat: t - 5000,
    exp: t - 4000,
    aud: sub.id,
    scope: [`ledger/entries/2026-11:read`],
    purpose: { code: `finance.close.${tag}.sub`, text: "Sub" },
  });
  const subRead = await invoke(down.claims, sub, { iat: t - 4800, action: "ledger/entries/2026-11:read", resource: "ledger://works/gl/entries" });
  const late = await invoke(
    root.claims,
    agent,
    { iat: t - 600, action: "ledger/reconciliations/2026-11:write", resource: "ledger://works/rec/2026-11/final" },
    { force: true },
  );
  const results = await c.send([root.token, early.token, down.token, subRead.token, late.token]);
  expect(results.map((r) => r.status)).toEqual(["accepted", "accepted", "accepted", "accepted", "accepted"]);
  // The agent's key is revoked; what it signs afterwards is refused at ingest.
  await c.revokeKey(agent.id, agent.key.kid, t - 60);
  const refused = await invoke(
    root.claims,
    agent,
    { iat: t - 30, action: "ledger/entries/2026-11:read", resource: "ledger://works/gl/entries?export=full" },
    { force: true },
  );
  const r = await c.send([refused.token]);
  expect(r[0].status).toBe("rejected");
  s = {
    chainId: root.claims.chain,
    humanId: human.id,
    agentId: agent.id,
    agentKid: agent.key.kid,
    rootJti: root.claims.jti,
    lateJti: late.claims.jti,
    earlyJti: early.claims.jti,
    refusedJti: refused.claims.jti,
  };
});

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

const chainUrl = (q = "") => `/chains/${encodeURIComponent(s.chainId)}${q}`;

async function inViewport(page: import("@playwright/test").Page, locator: import("@playwright/test").Locator) {
  const box = await locator.boundingBox();
  const vp = page.viewportSize()!;
  expect(box, "element has a box").not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(vp.width + 1);
  return box!;
}

test("3: the Findings page lists the broken audit trail by default, tagged 'judged now', in the order of the times shown", async ({ page }) => {
  await page.goto(`/findings?chain=${encodeURIComponent(s.chainId)}`);
  const rows = page.locator("tbody tr[data-finding-id]");
  await expect(rows).toHaveCount(5);
  // Newest first by the time shown: the late action's two findings, the root grant's expiry, the sub-grant's expiry, the early action.
  await expect(rows.nth(0).locator("xpath=..")).toContainText("Ghost permission");
  await expect(rows.nth(2)).toContainText("Broken audit trail");
  await expect(rows.nth(2).getByTestId("judged-now")).toBeVisible();
  await expect(rows.nth(2)).toContainText("expired");
  await expect(rows.nth(3)).toContainText("Broken audit trail");
  await expect(rows.nth(4)).toContainText("Ghost permission");
  await expect(rows.nth(0).getByTestId("judged-now")).toHaveCount(0);
  await expect(rows.nth(1).getByTestId("judged-now")).toHaveCount(0);
  await expect(rows.nth(2).getByTestId("finding-sentence")).toContainText(
    `Nobody reported back on the grant Ravi Patel ${tag} gave Ledger posting agent ${tag}`,
  );
});

test("6: a finding reads as a sentence, the verifier's message one 'detail' away; the hop says 'violates policy'; the live dot is live", async ({
  page,
}) => {
  await page.goto(chainUrl(`?hop=${encodeURIComponent(s.lateJti)}`));
  const inspector = page.getByTestId("hop-inspector");
  const sentence = inspector.getByTestId("finding-sentence").first();
  await expect(sentence).toBeVisible();
  await expect(sentence).toContainText(`Ledger posting agent ${tag} wrote …/final at`);
  await expect(sentence).toContainText(`which the grant from Ravi Patel ${tag} does not cover`);
  const raw = inspector.getByText("is not covered by any scope of grant").first();
  await expect(raw).toBeHidden();
  await inspector.getByText("detail", { exact: true }).first().click();
  await expect(raw).toBeVisible();
  await expect(inspector.getByTestId("hop-status")).toHaveText("accepted at ingest · violates policy");
  await expect(page.getByTestId("live-state")).toContainText("live");
  // The timeline says it in words too.
  await page.goto(chainUrl("?tab=timeline"));
  await expect(page.getByTestId("finding-sentence").filter({ hasText: "…/final" }).first()).toBeVisible();
});

test("12: the blast radius of a revoked key opens from its row, from the revocation, with the refused attempt, the tree and a CSV", async ({
  page,
}) => {
  await page.goto(`/principals/${encodeURIComponent(s.agentId)}`);
  const link = page.getByRole("link", { name: `Blast radius of key ${s.agentKid}` });
  await expect(link).toBeVisible();
  await expect(link).toContainText("since revocation");
  await link.click();
  await expect(page).toHaveURL(/kid=/);
  await expect(page).toHaveURL(/since=/);
  await expect(page.getByTestId("blast-summary")).toContainText("1 refused attempt");
  await expect(page.getByTestId("blast-refused")).toContainText(s.refusedJti);
  // From the beginning, the key's whole radius: what it signed and everything under it.
  await page.getByRole("button", { name: "From the beginning" }).click();
  const tree = page.getByRole("tree", { name: "Blast radius" });
  await expect(tree).toBeVisible();
  await expect(tree.locator('[data-relation="signed"]').first()).toContainText("ledger/reconciliations/2026-11:write");
  await expect(tree.locator('[data-relation="downstream"]').first()).toBeVisible();
  await expect(tree).toContainText("ledger://works/gl/entries");
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^blast-radius-agent_ledger-writer/);
});

test("1: a principal with findings opens on them, worst first, each a link to its event, never behind a green check", async ({ page }) => {
  await page.goto(chainUrl());
  await page.locator(`.react-flow__node[data-id="p:${encodeURIComponent(s.agentId)}"]`).click();
  const panel = page.getByTestId("principal-panel");
  await expect(panel).toBeVisible();
  await expect(panel.getByRole("heading", { level: 2 })).toContainText(`Ledger posting agent ${tag} in this chain`);
  // The findings come before the grants, and the "nothing here" check is nowhere.
  const findings = panel.getByRole("heading", { name: /^Findings \([1-9]\d*\)$/ });
  const received = panel.getByRole("heading", { name: /Grants it received/ });
  await expect(findings).toBeVisible();
  expect((await findings.boundingBox())!.y).toBeLessThan((await received.boundingBox())!.y);
  await expect(panel).not.toContainText("carries a finding");
  await expect(panel).toContainText("Ghost permission");
  await expect(panel).toContainText("worst");
  // Each finding opens its own event.
  await panel
    .getByRole("button", { name: `on event ${s.lateJti}` })
    .first()
    .click();
  await expect(page).toHaveURL(new RegExp(`hop=${s.lateJti}`));
  await expect(page.getByTestId("hop-inspector")).toContainText("Ghost permission");
});

test("2: a key revoked later: the refused submission above the chain, the node's badge, 'valid at signing' in the inspector", async ({ page }) => {
  await page.goto(chainUrl(`?hop=${encodeURIComponent(s.earlyJti)}`));
  const banner = page.getByTestId("refusals-banner");
  await expect(banner).toBeVisible();
  await expect(banner).toContainText("1 submission naming this chain was refused at ingest");
  await banner.getByRole("button", { name: "Show" }).click();
  await expect(banner.getByText(s.refusedJti)).toBeVisible();
  await expect(banner.getByText(s.refusedJti)).toHaveCSS("text-decoration-line", "line-through");
  await expect(banner.getByRole("link", { name: "Open the quarantine" })).toHaveAttribute("href", "/quarantine");
  const node = page.locator(`.react-flow__node[data-id="p:${encodeURIComponent(s.agentId)}"]`);
  await expect(node.locator("[data-key-revoked]")).toHaveText(/^key revoked at /);
  // The early action was signed before the revocation: valid then, and the inspector says both.
  await expect(page.getByTestId("hop-inspector")).toContainText("Valid at signing · key revoked later, at");
});

test("13: the timeline is a trace: grants fold their events, offsets from the start, synthetic rows, findings only, find in chain", async ({
  page,
}) => {
  await page.goto(chainUrl("?tab=timeline"));
  const events = page.locator("tbody tr[aria-selected]");
  await expect(events).toHaveCount(5);
  // Synthetic rows: both grants expired without a report, and the refused submission.
  await expect(page.locator('tr[data-synthetic="expiry"]')).toHaveCount(2);
  await expect(page.locator('tr[data-synthetic="expiry"]').first()).toContainText("✗ no report · expired");
  const refused = page.locator('tr[data-synthetic="refused"]');
  await expect(refused).toContainText("refused at ingest");
  await expect(refused).toContainText(s.refusedJti);
  // A time axis: the late action is 1 h 50 min after the root grant.
  const lateRow = events.filter({ hasText: s.lateJti });
  await expect(lateRow).toContainText("+1 h 50 min");
  await expect(events.first()).toContainText(s.rootJti);
  await expect(events.first()).toContainText("+0 s");
  // The root grant folds everything done under it.
  await page.getByRole("button", { name: `Collapse what happened under ${s.rootJti}` }).click();
  await expect(events).toHaveCount(1);
  await expect(lateRow).toHaveCount(0);
  await page.getByRole("button", { name: "Expand all" }).click();
  await expect(events).toHaveCount(5);
  // Findings only: the sub-agent's clean read goes, what has a finding stays.
  await page.getByRole("checkbox", { name: "Findings only" }).check();
  const matching = page.getByRole("status").filter({ hasText: /of 5 events match/ });
  await expect(matching).toBeVisible();
  const n = Number((await matching.textContent())!.match(/(\d+) of 5/)![1]);
  expect(n).toBeLessThan(5);
  await expect(events).toHaveCount(n);
  await expect(lateRow).toBeVisible();
  await page.getByRole("checkbox", { name: "Findings only" }).uncheck();
  // Find in chain.
  await page.getByRole("searchbox", { name: "Find in this chain" }).fill(s.lateJti);
  await expect(page.getByRole("status").filter({ hasText: "1 of 5 events match" })).toBeVisible();
  await expect(events).toHaveCount(1);
  // Selecting it opens the inspector, and the findings column stays in view beside it.
  await lateRow.click();
  const inspector = page.getByTestId("hop-inspector");
  await expect(inspector).toBeVisible();
  const findingsHeader = page.getByRole("columnheader", { name: "Findings" });
  await expect(findingsHeader).toBeInViewport();
  const headerBox = await inViewport(page, findingsHeader);
  expect(headerBox.x + headerBox.width).toBeLessThanOrEqual((await inspector.boundingBox())!.x + 1);
});

test("16: the sign-in page says where first-run credentials come from", async ({ browser, baseURL }) => {
  const ctx = await browser.newContext({ baseURL });
  const page = await ctx.newPage();
  await page.goto("/sign-in");
  const hint = page.getByText(/First run\? The server prints the admin.s email/);
  await expect(hint).toBeVisible();
  await expect(hint).toContainText("a one-time password in the terminal where npm start ran");
  await ctx.close();
});

test.describe("14: phone width", () => {
  test.use({ viewport: { width: 390, height: 844 } });
  test("the chain header stacks and the authority path comes first, as a vertical list", async ({ page }) => {
    await page.goto(chainUrl());
    const path = page.getByTestId("phone-authority-path");
    await expect(path).toBeVisible();
    const pathBox = await inViewport(page, path);
    const graphBox = await page.getByRole("tabpanel").boundingBox();
    expect(pathBox.y + pathBox.height).toBeLessThanOrEqual(graphBox!.y + 1);
    const items = path.getByRole("button");
    await expect(items.first()).toContainText(`Ravi Patel ${tag}`);
    const [a, b] = [await items.nth(0).boundingBox(), await items.nth(1).boundingBox()];
    expect(b!.y).toBeGreaterThan(a!.y + a!.height - 1);
    // Stacked: the downloads sit below the title, inside the screen.
    const title = await page.getByRole("heading", { level: 1 }).boundingBox();
    const pdf = page.getByTestId("chain-header").getByText("Report PDF");
    const pdfBox = await inViewport(page, pdf);
    expect(pdfBox.y).toBeGreaterThan(title!.y);
    await items.nth(0).click();
    await expect(page).toHaveURL(/hop=/);
  });

  test("15: ids wrap at separators and fit the screen, with a copy button", async ({ page }) => {
    await page.goto(chainUrl(`?hop=${encodeURIComponent(s.lateJti)}`));
    const id = page.getByTestId("hop-inspector").getByTestId("wrap-id").first();
    await expect(id).toBeVisible();
    await inViewport(page, id);
    await expect(page.getByTestId("hop-inspector").getByRole("button", { name: "Copy id to clipboard" })).toBeVisible();
  });
});

test.describe("14: chain tables at 1440 px", () => {
  test.use({ viewport: { width: 1440, height: 900 } });
  test("names with ids on hover, a total, sortable columns, and a whole row that opens the chain", async ({ page }) => {
    await page.goto(`/chains?purpose=${encodeURIComponent(`finance.close.${tag}`)}`);
    await expect(page.getByTestId("chains-total")).toContainText("1 chain");
    const row = page.locator(`tr[data-chain-id="${s.chainId}"]`);
    const name = row.getByRole("link", { name: `Ravi Patel ${tag}, Close Manager` });
    await expect(name).toBeVisible();
    await expect(name).toHaveAttribute("title", s.humanId);
    const table = await page.locator("table.data-table").boundingBox();
    expect(table!.x + table!.width).toBeLessThanOrEqual(1440);
    const hops = page.getByRole("columnheader", { name: /Hops/ });
    await hops.getByRole("button").click();
    await expect(hops).toHaveAttribute("aria-sort", "descending");
    await row.locator("td").nth(3).click();
    await expect(page).toHaveURL(new RegExp(`/chains/${encodeURIComponent(s.chainId).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  });
});

test("15: a viewer sees no Investigate or Quarantine navigation and no blast-radius links", async ({ browser, baseURL }) => {
  const email = `viewer-incident-${tag}@delegraph.test`;
  const password = `viewer-pass-${tag}-x`;
  const ctx = await browser.newContext({ baseURL });
  const created = await ctx.request.post("/api/v1/users", {
    headers: { authorization: `Bearer ${API_TOKEN}` },
    data: { email, password, role: "viewer" },
  });
  expect([201, 409]).toContain(created.status());
  const page = await ctx.newPage();
  expect((await page.request.post("/api/auth/sign-in", { data: { email, password } })).status()).toBe(200);
  await page.goto(`/principals/${encodeURIComponent(s.agentId)}`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  const nav = page.getByRole("navigation", { name: /main|primary|sections/i }).first();
  await expect(page.getByRole("link", { name: "Chains" }).first()).toBeVisible();
  await expect(nav.getByRole("link", { name: "Investigate" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Quarantine" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: /Blast radius/ })).toHaveCount(0);
  await ctx.close();
});

test("17: the chain's PDF answers with a document", async ({ page }) => {
  const res = await page.request.get(`/api/v1/chains/${encodeURIComponent(s.chainId)}/report.pdf`);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toContain("application/pdf");
  expect((await res.body()).subarray(0, 5).toString()).toBe("%PDF-");
});
