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

test("a column header sorts every chain on the server: the order runs on across pages and lives in the URL", async ({ page }) => {
  // 55 chains, 0, 1 or 2 delegations deep by turns, each a second newer than the last.
  const many = await seedManyChains(`${tag}s`, 55, (i) => i % 3);
  await page.goto(`/chains?purpose=${many.purposeCode}`);
  const rows = page.locator("tbody tr[data-chain-id]");
  await expect(rows).toHaveCount(50);
  await expect(rows.first()).toHaveAttribute("data-chain-id", many.chainIds[54]);
  const started = page.getByRole("columnheader", { name: /Started/ });
  await expect(started).toHaveAttribute("aria-sort", "descending");
  const hops = page.getByRole("columnheader", { name: /Hops/ });
  await hops.getByRole("button", { name: /Hops/ }).click();
  await expect(page).toHaveURL(/[?&]sort=-hops/);
  await expect(hops).toHaveAttribute("aria-sort", "descending");
  await expect(started).toHaveAttribute("aria-sort", "none");
  await expect(page.getByTestId("chains-total")).toContainText("most hops first");
  // Most hops first across all 55, newest first among equals: the newest two-delegation chain (53;
  // 54 has none) leads page 1, and page 2 holds the five oldest chains without a delegation, which
  // sorting the newest 50 alone could never show.
  await expect(rows.first()).toHaveAttribute("data-chain-id", many.chainIds[53]);
  await expect(rows.first().locator("td").nth(3)).toHaveText("3");
  await expect(rows.last().locator("td").nth(3)).toHaveText("1");
  await page.getByRole("button", { name: /Next/ }).click();
  await expect(page).toHaveURL(/cursor=/);
  await expect(page).toHaveURL(/sort=-hops/);
  await expect(rows).toHaveCount(5);
  const page2 = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-chain-id")));
  expect(page2).toEqual([12, 9, 6, 3, 0].map((i) => many.chainIds[i]));
  // The link reproduces the view: a fresh load of this URL shows the same page in the same order.
  await page.reload();
  await expect(rows).toHaveCount(5);
  expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-chain-id")))).toEqual(page2);
  // A second click reverses it from the first page: fewest hops first, oldest first among equals.
  await hops.getByRole("button", { name: /Hops/ }).click();
  await expect(page).toHaveURL(/[?&]sort=hops(&|$)/);
  await expect(page).not.toHaveURL(/cursor=/);
  await expect(hops).toHaveAttribute("aria-sort", "ascending");
  await expect(rows).toHaveCount(50);
  await expect(rows.first()).toHaveAttribute("data-chain-id", many.chainIds[0]);
  // A third click goes back to the default order, newest first, and out of the URL.
  await hops.getByRole("button", { name: /Hops/ }).click();
  await expect(page).not.toHaveURL(/sort=/);
  await expect(rows.first()).toHaveAttribute("data-chain-id", many.chainIds[54]);
});
