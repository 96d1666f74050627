// A thousand-hop chain renders, stays interactive, and never hides its findings silently.
import { runTag } from "./support/env";
import { seedBigChain } from "./support/seed";
import { expect, signIn, test } from "./support/session";

const tag = runTag();
let big: { chainId: string; hops: number; escalationJti: string };

test.beforeAll(async () => {
  test.setTimeout(300_000);
  big = await seedBigChain(tag);
});

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test("a 1,000-hop chain renders its focal neighbourhood and says what is hidden", async ({ page }) => {
  expect(big.hops).toBeGreaterThanOrEqual(1000);
  const started = Date.now();
  await page.goto(`/chains/${encodeURIComponent(big.chainId)}`);
  const notice = page.getByRole("status").filter({ hasText: "hidden" });
  await expect(notice).toContainText(/Showing \d+ of [\d,]+ nodes/, { timeout: 30_000 });
  test.info().annotations.push({ type: "first graph paint (ms)", description: String(Date.now() - started) });
  // Placeholders stand in for the hidden parts, with a count, never a silent cut.
  const hidden = page.locator('.react-flow__node[data-id^="h:"]');
  await expect(hidden.first()).toBeAttached();
  const labels = await hidden.evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") ?? ""));
  expect(labels.every((l) => /\d[\d,]* hidden/.test(l))).toBe(true);
  // The hidden part's escalation stays visible.
  await expect(notice.getByRole("list", { name: "Findings in hidden parts" })).toContainText("Escalation");

  // Still interactive: a click opens the principal's panel promptly.
  const lead = page.locator(`.react-flow__node[data-id="p:${encodeURIComponent(`agent:lead-${tag}`)}"]`);
  const t0 = Date.now();
  await lead.click();
  await expect(page.getByTestId("principal-panel")).toBeVisible();
  expect(Date.now() - t0).toBeLessThan(5_000);
});

test("selecting a hidden hop brings its neighbourhood into view", async ({ page }) => {
  await page.goto(`/chains/${encodeURIComponent(big.chainId)}?hop=${big.escalationJti}`);
  const inspector = page.getByTestId("hop-inspector");
  await expect(inspector).toContainText("Escalation");
  await expect(inspector.getByRole("list", { name: "Received scopes" })).toContainText("data/*:read");
  const worker = page.locator(`.react-flow__node[data-id="p:${encodeURIComponent(`agent:worker-19-48-${tag}`)}"]`);
  await expect(worker).toBeVisible({ timeout: 30_000 });
  await expect(worker).toBeInViewport();
});

test("a hidden part with findings is a way in, not a dead end", async ({ page }) => {
  await page.goto(`/chains/${encodeURIComponent(big.chainId)}`);
  const hiddenFindings = page.getByRole("list", { name: "Findings in hidden parts" });
  await expect(hiddenFindings).toContainText("Escalation", { timeout: 30_000 });
  await hiddenFindings.getByRole("button", { name: "Show" }).first().click();
  await expect(page).toHaveURL(new RegExp(`hop=${big.escalationJti}`));
  await expect(page.getByTestId("hop-inspector")).toContainText("Escalation");
  const worker = page.locator(`.react-flow__node[data-id="p:${encodeURIComponent(`agent:worker-19-48-${tag}`)}"]`);
  await expect(worker).toBeInViewport({ timeout: 30_000 });
});

test("the timeline lists every event, in slices that say how many remain", async ({ page }) => {
  await page.goto(`/chains/${encodeURIComponent(big.chainId)}?tab=timeline`);
  await expect(page.getByText(/Showing 300 of [\d,]+ events/)).toBeVisible({ timeout: 30_000 });
  await page.getByRole("button", { name: "Show all" }).click();
  await expect(page.locator("tbody tr")).toHaveCount(big.hops + 980);
});
