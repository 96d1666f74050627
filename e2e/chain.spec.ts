import { runTag } from "./support/env";
import { seedViolationChain, type TViolationChain } from "./support/seed";
import { expect, signIn, test } from "./support/session";

const tag = runTag();
let chain: TViolationChain;

test.beforeAll(async () => {
  chain = await seedViolationChain(tag);
});

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

const chainUrl = (q = "") => `/chains/${encodeURIComponent(chain.chainId)}${q}`;
const principalNode = (page: import("@playwright/test").Page, id: string) => page.locator(`.react-flow__node[data-id="p:${encodeURIComponent(id)}"]`);

test("a violation chain draws one node per principal and names its findings", async ({ page }) => {
  await page.goto(chainUrl());
  for (const p of [chain.human, chain.planner, chain.viz, chain.rogue]) {
    await expect(principalNode(page, p.id)).toBeVisible();
    await expect(principalNode(page, p.id)).toHaveAttribute("aria-label", new RegExp(p.id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  }
  expect(await page.locator(".react-flow__node").count()).toBeGreaterThanOrEqual(4);
  const header = page.getByRole("list", { name: "Findings in this chain" });
  await expect(header).toContainText("Escalation");
  await expect(header).toContainText("scope_escalation");
  await expect(header).toContainText("Ghost permission");
  await expect(header).toContainText("ghost_permission");
  await expect(page.getByText("Violation").first()).toBeVisible();
  // The escalation edge says what was added, in words.
  await expect(page.getByText("+treasury/*:read").first()).toBeVisible();
});

test("clicking a principal opens what it did in this chain, and its grant opens the hop inspector", async ({ page }) => {
  await page.goto(chainUrl());
  await principalNode(page, chain.viz.id).click();
  await expect(page).toHaveURL(/principal=/);
  const panel = page.getByTestId("principal-panel");
  await expect(panel).toBeVisible();
  await expect(panel).toContainText("in this chain");
  await expect(panel.getByRole("heading", { name: /Grants it received \(1\)/ })).toBeVisible();
  // The panel sits beside the graph, never over the selected node.
  const nodeBox0 = (await principalNode(page, chain.viz.id).boundingBox())!;
  expect(nodeBox0.x + nodeBox0.width).toBeLessThanOrEqual((await panel.boundingBox())!.x);
  await panel.getByRole("button", { name: new RegExp(`${chain.purposeCode}.charts from`) }).click();
  await expect(page).toHaveURL(new RegExp(`hop=${chain.vizGrantJti}`));
  const inspector = page.getByTestId("hop-inspector");
  await expect(inspector).toBeVisible();
  await expect(inspector.getByRole("list", { name: "Received scopes" })).toContainText(chain.vizScope[0]);
  await expect(inspector).toContainText("delegated");
  await expect(inspector).toContainText(`${chain.purposeCode}.charts`);
  await expect(inspector).toContainText("Verified");
  await expect(inspector).toContainText("Self-reported");
  // The inspector sits beside the graph, never over the selected node.
  const nodeBox = (await principalNode(page, chain.viz.id).boundingBox())!;
  const panelBox = (await inspector.boundingBox())!;
  expect(nodeBox.x + nodeBox.width).toBeLessThanOrEqual(panelBox.x);
});

test("a deep link with ?hop= reproduces the view", async ({ page }) => {
  await page.goto(chainUrl(`?hop=${chain.rogueGrantJti}`));
  const inspector = page.getByTestId("hop-inspector");
  await expect(inspector.getByRole("list", { name: "Received scopes" })).toContainText("treasury/*:read");
  await expect(inspector).toContainText("Escalation");
  await expect(inspector).toContainText("not covered by the parent");
  await expect(principalNode(page, chain.rogue.id)).toBeInViewport();

  await page.goto(chainUrl(`?tab=timeline&hop=${chain.ghostInvokeJti}`));
  await expect(page.getByRole("tab", { name: /Timeline/ })).toHaveAttribute("aria-selected", "true");
  await expect(page.locator('tr[aria-selected="true"]')).toContainText(chain.ghostInvokeJti);
  await expect(page.getByTestId("hop-inspector")).toContainText("Ghost permission");
  await expect(page.getByTestId("hop-inspector")).toContainText("payments/transfers:write");
});

test("the raw token of the selected hop is fetched when its block is opened, and is the signed grant", async ({ page }) => {
  const asked: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/api/v1/events/")) asked.push(decodeURIComponent(new URL(r.url()).pathname));
  });
  await page.goto(chainUrl(`?hop=${chain.rogueGrantJti}`));
  const inspector = page.getByTestId("hop-inspector");
  await expect(inspector).toContainText("Escalation");
  expect(asked).toEqual([]); // the chain detail carries no tokens, and none is fetched unasked
  await inspector.locator("summary", { hasText: chain.rogueGrantJti }).click();
  const token = inspector.getByTestId("raw-token");
  await expect(token).toBeVisible();
  const text = (await token.textContent()) ?? "";
  const payload = JSON.parse(Buffer.from(text.split(".")[1], "base64url").toString("utf8")) as { jti: string };
  expect(payload.jti).toBe(chain.rogueGrantJti);
  expect(asked).toEqual([`/api/v1/events/${chain.rogueGrantJti}`]);
});

test("nodes are reachable by keyboard and Enter selects", async ({ page }) => {
  await page.goto(chainUrl());
  const node = principalNode(page, chain.planner.id);
  await expect(node).toBeVisible();
  await node.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("principal-panel")).toBeVisible();
  await expect(page).toHaveURL(/principal=/);
  // Escape closes the panel.
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("principal-panel")).toHaveCount(0);
  await expect(page).not.toHaveURL(/principal=/);
});

test("markup in names and purposes stays inert text", async ({ page }) => {
  await page.goto(chainUrl());
  await expect(page.getByText("<script>window.__xss=2</script>", { exact: false }).first()).toBeVisible();
  await principalNode(page, chain.planner.id).click();
  await expect(page.getByTestId("principal-panel")).toContainText('<img src=x onerror="window.__xss=1">Planner');
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expect(page.locator("script", { hasText: "__xss" })).toHaveCount(0);
  // Opening the inspector narrows the canvas and re-fits the graph; click again if the first click
  // landed while the graph was moving.
  await page.goto(chainUrl(`?hop=${chain.vizGrantJti}`));
  await expect(page.getByTestId("hop-inspector")).toContainText("<em>not emphasised</em>");
  await expect(page.locator("em", { hasText: "not emphasised" })).toHaveCount(0);
  await page.getByRole("tab", { name: /Timeline/ }).click();
  await expect(page).toHaveURL(/tab=timeline/);
  await expect(page.locator("tbody")).toContainText("treasury/liquidity/summary:read");
});

test("exports download through the page with their real file names", async ({ page }) => {
  await page.goto(chainUrl());
  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "CSV", exact: true }).click()]);
  expect(csv.suggestedFilename()).toMatch(/\.csv$/);
  const [excel] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "CSV for Excel" }).click()]);
  expect(excel.suggestedFilename()).toMatch(/-excel\.csv$/);
  const bytes = await (await import("node:fs/promises")).readFile(await excel.path());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const [bundle] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Evidence bundle" }).click()]);
  expect(bundle.suggestedFilename()).toMatch(/\.json$/);
});
