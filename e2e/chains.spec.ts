import { runTag } from "./support/env";
import { seedManyChains, seedVerifiedChain, seedViolationChain, type TViolationChain } from "./support/seed";
import { expect, signIn, test } from "./support/session";

const tag = runTag();
let bad: TViolationChain;
let good: { chainId: string; purposeCode: string; humanId: string };

test.beforeAll(async () => {
  bad = await seedViolationChain(tag);
  good = await seedVerifiedChain(tag);
});

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test("the list shows compact rows and filters live in the URL", async ({ page }) => {
  await page.goto("/chains");
  await page.locator("#q").fill(tag);
  await expect(page).toHaveURL(new RegExp(`[?&]q=${tag}`));
  const badRow = page.locator(`tr[data-chain-id="${bad.chainId}"]`);
  const goodRow = page.locator(`tr[data-chain-id="${good.chainId}"]`);
  await expect(badRow).toBeVisible();
  await expect(goodRow).toBeVisible();
  await expect(badRow.getByRole("link", { name: /Alice/ })).toHaveAttribute("title", bad.human.id);
  await expect(badRow).toContainText(bad.purposeCode);
  await expect(badRow).toContainText("Violation");
  await expect(badRow).toContainText("Escalation");
  await expect(badRow).toContainText("Ghost permission");
  await expect(goodRow).toContainText("Verified");

  await page.locator("#status").selectOption("violation");
  await expect(page).toHaveURL(/status=violation/);
  await expect(goodRow).toHaveCount(0);
  await expect(badRow).toBeVisible();

  // The URL alone reproduces the view.
  const url = page.url();
  await page.goto("about:blank");
  await page.goto(url);
  await expect(page.locator("#q")).toHaveValue(tag);
  await expect(page.locator("#status")).toHaveValue("violation");
  await expect(badRow).toBeVisible();
  await expect(goodRow).toHaveCount(0);
});

test("filters by finding, principal and purpose", async ({ page }) => {
  await page.goto(`/chains?finding=ghost_permission&q=${tag}`);
  await expect(page.locator(`tr[data-chain-id="${bad.chainId}"]`)).toBeVisible();
  await expect(page.locator(`tr[data-chain-id="${good.chainId}"]`)).toHaveCount(0);

  await page.goto(`/chains?principal=${encodeURIComponent(good.humanId)}`);
  await expect(page.locator(`tr[data-chain-id="${good.chainId}"]`)).toBeVisible();
  await expect(page.locator(`tr[data-chain-id="${bad.chainId}"]`)).toHaveCount(0);

  await page.goto(`/chains?purpose=${bad.purposeCode}`);
  await expect(page.locator(`tr[data-chain-id="${bad.chainId}"]`)).toBeVisible();
  await expect(page.locator(`tr[data-chain-id="${good.chainId}"]`)).toHaveCount(0);

  await page.goto(`/chains?q=${tag}&status=verified&since=2000-01-01T00:00Z`);
  await expect(page.locator(`tr[data-chain-id="${good.chainId}"]`)).toBeVisible();
  await page.goto(`/chains?q=${tag}&until=2000-01-01T00:00Z`);
  await expect(page.getByText("No chains match these filters")).toBeVisible();
});

test("the global search goes to the filtered list for a fragment, and straight to the hop for an exact jti", async ({ page }) => {
  await page.goto("/");
  await page.locator("#global-search").fill(tag);
  await page.locator("#global-search").press("Enter");
  await expect(page).toHaveURL(new RegExp(`/chains\\?q=${tag}`));
  await expect(page.locator(`tr[data-chain-id="${bad.chainId}"]`)).toBeVisible();
  await page.locator("#global-search").fill(bad.vizGrantJti);
  await page.locator("#global-search").press("Enter");
  await expect(page).toHaveURL(new RegExp(`/chains/${encodeURIComponent(bad.chainId)}\\?hop=${bad.vizGrantJti}`));
});

test("new chains appear without a reload", async ({ page }) => {
  await page.goto(`/chains?q=${tag}`);
  await expect(page.locator(`tr[data-chain-id="${bad.chainId}"]`)).toBeVisible();
  const fresh = await seedVerifiedChain(`${tag}x`);
  await expect(page.locator(`tr[data-chain-id="${fresh.chainId}"]`)).toBeVisible({ timeout: 20_000 });
});

test("cursor pagination keeps its place in the URL, forwards and back", async ({ page }) => {
  const many = await seedManyChains(`${tag}p`, 55);
  await page.goto(`/chains?purpose=${many.purposeCode}`);
  const rows = page.locator("tbody tr[data-chain-id]");
  await expect(rows).toHaveCount(50);
  // Newest first: the last one seeded leads.
  await expect(rows.first()).toHaveAttribute("data-chain-id", many.chainIds[54]);
  await page.getByRole("button", { name: /Next/ }).click();
  await expect(page).toHaveURL(/cursor=/);
  await expect(rows).toHaveCount(5);
  await expect(page.getByText("Page 2")).toBeVisible();
  // A reload (or a shared link) opens the same page.
  await page.reload();
  await expect(rows).toHaveCount(5);
  await page.getByRole("button", { name: /Previous/ }).click();
  await expect(page).not.toHaveURL(/cursor=/);
  await expect(rows).toHaveCount(50);
});
