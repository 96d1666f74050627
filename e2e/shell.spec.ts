// The shell a user meets on every page: global search, the UTC/local switch, navigation on a phone.
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

test("an exact jti in the search box opens its chain at that hop", async ({ page }) => {
  await page.goto("/");
  const box = page.getByRole("combobox", { name: /Search chains/ });
  await box.fill(chain.rogueGrantJti);
  await box.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/chains/${encodeURIComponent(chain.chainId)}\\?hop=${chain.rogueGrantJti}`));
  await expect(page.getByTestId("hop-inspector")).toContainText("Escalation");
});

test("a fragment shows suggestions grouped by kind, and one opens the principal", async ({ page }) => {
  await page.goto("/");
  const box = page.getByRole("combobox", { name: /Search chains/ });
  await box.fill(`rogue-${tag}`); // a fragment: the id without its "agent:" prefix, unique to this file's run
  const list = page.getByRole("listbox", { name: "Suggestions" });
  const principals = list.getByRole("group", { name: "Principals" });
  await expect(principals.getByRole("option", { name: new RegExp(chain.rogue.id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) })).toBeVisible();
  await principals.getByRole("option").first().click();
  await expect(page).toHaveURL(/\/principals\//);
});

test("text typed while the page is still loading is kept and gets its suggestions", async ({ page }) => {
  // Hold the page's scripts so the box is typed into before React takes it over (a slow load).
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route("**/_next/static/chunks/**/*.js", async (route) => {
    await held;
    await route.continue();
  });
  await page.goto("/", { waitUntil: "commit" });
  const box = page.getByRole("combobox", { name: /Search chains/ });
  await expect(box).toBeVisible();
  await box.fill(`rogue-${tag}`);
  release();
  await expect(box).toHaveValue(`rogue-${tag}`);
  const principals = page.getByRole("listbox", { name: "Suggestions" }).getByRole("group", { name: "Principals" });
  await expect(principals.getByRole("option", { name: new RegExp(`agent:rogue-${tag}`) })).toBeVisible();
});

test("one switch shows every time in UTC, and it is remembered", async ({ page }) => {
  await page.goto(`/chains/${encodeURIComponent(chain.chainId)}`);
  const times = page.locator("header time, main time").first();
  await expect(times).toBeVisible();
  await page.getByRole("button", { name: "UTC" }).click();
  await expect(page.getByRole("button", { name: "UTC" })).toHaveAttribute("aria-pressed", "true");
  await expect(times).toHaveText(/\d{2}:\d{2}(:\d{2})? UTC$/);
  await page.reload();
  await expect(page.getByRole("button", { name: "UTC" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.locator("main time").first()).toHaveText(/ UTC$/);
});

test("on a phone the navigation is a drawer behind the menu button", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav).toBeHidden();
  await page.getByRole("button", { name: "Menu" }).click();
  await expect(nav).toBeVisible();
  await nav.getByRole("link", { name: "Chains" }).click();
  await expect(page).toHaveURL(/\/chains$/);
  await expect(nav).toBeHidden();
});
