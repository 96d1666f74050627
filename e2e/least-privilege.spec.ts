// Least privilege end to end: a planner granted three scopes uses one of them (an invoke, and a
// narrower delegation to viz). The Least privilege page ranks it by the two it never used, the
// principal page shows each scope marked and the suggested grant, the chain's hop inspector marks
// the same scopes, and the CSV report carries the suggestion.
import { authorize, delegate, invoke, type TSigner } from "@delegraph/sdk";
import { API_TOKEN, runTag } from "./support/env";
import { client, principal } from "./support/seed";
import { expect, signIn, test } from "./support/session";

const tag = runTag();
const purpose = `finance.lp${tag}`;
let planner: TSigner;
let viz: TSigner;
let chainId: string;
let secondChainId: string;

test.beforeAll(async () => {
  const c = client();
  const human = await principal(c, `user:lp.${tag}@bank.test`, "human", `LP human ${tag}`);
  planner = await principal(c, `agent:lp-planner-${tag}`, "agent", `LP planner ${tag}`);
  viz = await principal(c, `agent:lp-viz-${tag}`, "agent", `LP viz ${tag}`);
  const now = Math.floor(Date.now() / 1000);
  const root = await authorize(human, {
    aud: planner.id,
    scope: ["finance/*:read", "hr/*:read", "mail/out:send"],
    purpose: { code: purpose, text: "Quarterly figures" },
    ttl: 3 * 3600,
    iat: now - 120,
  });
  const toViz = await delegate(root.claims, planner, {
    aud: viz.id,
    scope: ["finance/q1/*:read"],
    purpose: { code: `${purpose}.charts`, text: "Charts" },
    iat: now - 100,
  });
  const read = await invoke(root.claims, planner, { action: "finance/q1/revenue:read", resource: "db://finance/q1/revenue", iat: now - 90 });
  const vizRead = await invoke(toViz.claims, viz, { action: "finance/q1/costs:read", resource: "db://finance/q1/costs", iat: now - 80 });
  const results = await c.send([root.token, toViz.token, read.token, vizRead.token]);
  expect(results.map((r) => r.status)).toEqual(["accepted", "accepted", "accepted", "accepted"]);
  chainId = root.claims.chain;
  // The same purpose another day, with one more scope for the planner.
  const root2 = await authorize(human, {
    aud: planner.id,
    scope: ["finance/*:read", "hr/*:read", "mail/out:send", "payments/*:write"],
    purpose: { code: purpose, text: "Quarterly figures" },
    ttl: 3 * 3600,
    iat: now - 60,
  });
  const toViz2 = await delegate(root2.claims, planner, {
    aud: viz.id,
    scope: ["finance/q1/*:read"],
    purpose: { code: `${purpose}.charts`, text: "Charts" },
    iat: now - 50,
  });
  expect((await c.send([root2.token, toViz2.token])).map((r) => r.status)).toEqual(["accepted", "accepted"]);
  secondChainId = root2.claims.chain;
});

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test("the Least privilege page ranks the planner by the scopes it never used", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Least privilege" }).click();
  await expect(page).toHaveURL(/\/least-privilege$/);
  await expect(page.getByRole("heading", { name: "Least privilege" })).toBeVisible();
  await page.getByLabel("Purpose (and the purposes under it)").fill(purpose);
  await page.getByLabel("Purpose (and the purposes under it)").press("Enter");
  await expect(page).toHaveURL(new RegExp(`purpose=${purpose.replace(/\./g, "\\.")}`));
  const table = page.getByTestId("lp-ranking");
  const rows = table.locator("tbody tr");
  await expect(rows).toHaveCount(2);
  // Most unused first: the planner (2 of 3 unused), then viz (used all it was given).
  await expect(rows.nth(0)).toContainText(planner.id);
  await expect(rows.nth(0)).toContainText("5 of 7 (71%)");
  await expect(rows.nth(0).getByRole("list", { name: "Scopes never used" })).toContainText("hr/*:read");
  await expect(rows.nth(0).getByRole("list", { name: "Scopes never used" })).toContainText("mail/out:send");
  await expect(rows.nth(1)).toContainText(viz.id);
  await expect(rows.nth(1)).toContainText("1 of 2 (50%)");
  await expect(page.getByTestId("lp-summary")).toContainText("4 grants");

  await page.screenshot({ path: "/tmp/h-lp-page-1440.png", fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(rows.nth(0)).toContainText(planner.id);
  await page.screenshot({ path: "/tmp/h-lp-page-390.png", fullPage: true });
});

test("an unknown purpose and a bad one say so", async ({ page }) => {
  await page.goto(`/least-privilege?purpose=nothing.here${tag}`);
  await expect(page.getByText("No grants for this purpose in the window")).toBeVisible();
  await page.goto("/least-privilege?purpose=Not%20A%20Code");
  await expect(page.getByRole("alert").filter({ hasText: "That request was not valid" })).toContainText("purpose");
});

test("the principal page marks each granted scope and suggests the narrowest grant", async ({ page }) => {
  await page.goto(`/least-privilege?purpose=${purpose}`);
  await page.getByTestId("lp-ranking").getByRole("link", { name: planner.id }).click();
  await expect(page).toHaveURL(/#least-privilege$/);
  const panel = page.locator("#least-privilege");
  await expect(panel.getByTestId("plp-summary")).toContainText("2 grants received");
  await expect(panel.getByTestId("plp-summary")).toContainText("5 granted scopes of 7 never used");
  const grants = panel.getByTestId("plp-grants");
  await expect(grants).toContainText(chainId);
  await expect(grants.getByTestId("scope-used")).toHaveCount(2);
  await expect(grants.getByTestId("scope-used").first()).toContainText("1 delegation");
  await expect(grants.getByTestId("scope-used").last()).toContainText("1 invocation, 1 delegation");
  await expect(grants.getByTestId("scope-unused")).toHaveCount(5);
  const suggested = JSON.parse((await panel.getByTestId("plp-suggested").textContent()) ?? "") as Record<string, unknown>;
  expect(suggested).toEqual({ scope: ["finance/q1/*:read"], constraints: { data: [], egress: [] }, max_depth: 1, ttl: 60, purpose });
  await expect(panel.getByRole("button", { name: "Copy JSON" })).toBeVisible();
  await expect(panel.getByTestId("plp-drift")).toContainText("Behavioural drift (0)");
  await page.screenshot({ path: "/tmp/h-lp-principal-1440.png", fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: "/tmp/h-lp-principal-390.png", fullPage: true });
});

test("the hop inspector marks which received scopes were used", async ({ page }) => {
  await page.goto(`/chains/${encodeURIComponent(chainId)}?hop=${encodeURIComponent(chainId)}`);
  const inspector = page.getByTestId("hop-inspector");
  const scopes = inspector.getByRole("list", { name: "Received scopes" });
  await expect(scopes.locator("li", { hasText: "finance/*:read" }).getByTestId("scope-used")).toContainText("1 invocation, 1 delegation");
  await expect(scopes.locator("li", { hasText: "hr/*:read" }).getByTestId("scope-unused")).toBeVisible();
  await expect(scopes.locator("li", { hasText: "mail/out:send" }).getByTestId("scope-unused")).toBeVisible();
  await expect(inspector).toContainText("2 scopes never used in this chain");
  await page.screenshot({ path: "/tmp/h-lp-inspector-1440.png" });
});

test("the CSV report carries every granted scope and the suggestion", async ({ request }) => {
  const res = await request.get(`/api/v1/least-privilege/report.csv?purpose=${purpose}&principal=${encodeURIComponent(planner.id)}`, {
    headers: { authorization: `Bearer ${API_TOKEN}` },
  });
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toContain("text/csv");
  const lines = (await res.text()).trimEnd().split("\r\n");
  expect(lines[0]).toBe("record,principal,purpose,chain,grant,scope,status,invocations,delegations,uses,suggestion");
  expect(lines.filter((l) => l.includes(",unused,"))).toHaveLength(5);
  expect(lines.find((l) => l.startsWith("suggestion,"))).toContain("finance/q1/*:read,suggested");
});

test("compare: a chain against its suggested grants, and the same purpose on two days", async ({ page }) => {
  await page.goto(`/chains/${encodeURIComponent(chainId)}?hop=${encodeURIComponent(chainId)}`);
  await page.getByTestId("hop-inspector").getByRole("link", { name: "Compare with the suggested grants" }).click();
  await expect(page).toHaveURL(/\/least-privilege\/compare\?a=/);
  const table = page.getByTestId("compare-table");
  await expect(page.getByTestId("compare-summary")).toContainText("2 hop pairs, 2 pairs differ");
  const planned = table.locator("tbody tr", { hasText: planner.id });
  await expect(planned).toContainText("Differs");
  await expect(planned).toContainText("finance/q1/*:read");
  await expect(planned.locator("td").last()).toContainText("hr/*:read");
  await page.screenshot({ path: "/tmp/h-lp-compare-suggested-1440.png", fullPage: true });

  await page.getByLabel("Chain B (empty: A's suggested grants)").fill(secondChainId);
  await page.getByLabel("Chain B (empty: A's suggested grants)").press("Enter");
  await expect(page.getByTestId("compare-summary")).toContainText("2 hop pairs, 1 pair differs");
  const rows = table.locator("tbody tr");
  await expect(rows.nth(0)).toHaveAttribute("data-differs", "true");
  await expect(rows.nth(0).locator("td").last()).toContainText("+payments/*:write");
  await expect(rows.nth(1)).toHaveAttribute("data-differs", "false");
  await expect(rows.nth(1)).toContainText("Same");
  await page.screenshot({ path: "/tmp/h-lp-compare-1440.png", fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: "/tmp/h-lp-compare-390.png", fullPage: true });
});
