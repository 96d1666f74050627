// Every page loads without errors and links back into chains.
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

test("overview shows status counts, findings over time and top principals", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Chains by status" })).toContainText("Violation");
  await expect(page.getByText("Findings by code, last 14 days")).toBeVisible();
  await expect(page.locator("figure")).toContainText("Ghost permission");
  await page.getByText("Show the numbers as a table").click();
  await expect(page.locator("figure table")).toContainText("ghost_permission");
  await expect(page.getByText("Principals with most findings")).toBeVisible();
});

test("findings filter by code and open at the event in its chain", async ({ page }) => {
  await page.goto(`/findings?code=ghost_permission&chain=${encodeURIComponent(chain.chainId)}`);
  await expect(page.locator("#f-code")).toHaveValue("ghost_permission");
  const row = page.locator("tbody tr").filter({ hasText: chain.rogue.id });
  await expect(row).toBeVisible();
  await row.getByRole("link", { name: /Open in chain/ }).click();
  await expect(page).toHaveURL(new RegExp(`/chains/${chain.chainId}\\?hop=${chain.ghostInvokeJti}`));
  await expect(page.getByTestId("hop-inspector")).toContainText("Ghost permission");
});

test("principals list and detail show keys, findings and chains", async ({ page }) => {
  await page.goto(`/principals?q=${tag}`);
  await expect(page.getByRole("link", { name: chain.rogue.id })).toBeVisible();
  await page.getByRole("link", { name: chain.rogue.id }).click();
  await expect(page).toHaveURL(new RegExp(`/principals/${encodeURIComponent(chain.rogue.id)}`));
  await expect(page.getByText("Keys (1)")).toBeVisible();
  await expect(page.getByText("Active", { exact: true }).first()).toBeVisible();
  await expect(page.locator(`tr[data-chain-id="${chain.chainId}"]`)).toBeVisible();
  await expect(page.getByText("Ghost permission").first()).toBeVisible();
});

test("investigate: who touched a resource, and a principal's blast radius", async ({ page }) => {
  await page.goto("/investigate?resource=payments%2Ftransfers");
  const row = page.locator("tbody tr").filter({ hasText: chain.rogue.id });
  await expect(row).toBeVisible();
  await expect(row).toContainText("Ghost permission");

  await page.goto(`/investigate?mode=principal&principal=${encodeURIComponent(chain.viz.id)}`);
  await expect(page.getByTestId("blast-summary")).toContainText(/direct events?, .* downstream .* across 1 chain/);
  await expect(page.locator(`tr[data-chain-id="${chain.chainId}"]`)).toBeVisible();
});
