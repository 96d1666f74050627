import { BASE_URL as BASE_URL_FOR_CHECK } from "./support/env";
import { ADMIN_EMAIL, ADMIN_PASSWORD } from "./support/env";
import { expect, test } from "./support/session";

test("a page without a session redirects to sign-in and comes back after signing in", async ({ page, pageErrors }) => {
  await page.goto("/chains?status=violation");
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await expect(page.locator('form button[type="submit"]')).toHaveCount(1);
  await page.locator('input[name="email"]').fill(ADMIN_EMAIL);
  await page.locator('input[name="password"]').fill(ADMIN_PASSWORD);
  await page.locator('button[type="submit"]').click();
  await expect(page).toHaveURL(/\/chains\?status=violation$/);
  await expect(page.getByRole("heading", { name: "Chains" })).toBeVisible();
  await expect(page.locator("#status")).toHaveValue("violation");
  expect(pageErrors).toEqual([]);
});

test("a wrong password says so clearly and stays on the form", async ({ page }) => {
  await page.goto("/sign-in");
  await page.locator('input[name="email"]').fill(ADMIN_EMAIL);
  await page.locator('input[name="password"]').fill("not-the-password");
  await page.locator('button[type="submit"]').click();
  await expect(page.locator("form").getByRole("alert")).toContainText("do not match");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("an off-site next parameter is ignored", async ({ page }) => {
  await page.goto("/sign-in?next=//evil.example/phish");
  await page.locator('input[name="email"]').fill(ADMIN_EMAIL);
  await page.locator('input[name="password"]').fill(ADMIN_PASSWORD);
  await page.locator('button[type="submit"]').click();
  await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/$/);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
});

test("a next parameter whose TAB the browser strips does not leave the site", async ({ page }) => {
  // /%09/evil.host decodes to "/\t/evil.host", which a browser reads as //evil.host.
  await page.goto("/sign-in?next=/%09/evil.host");
  await page.locator('input[name="email"]').fill(ADMIN_EMAIL);
  await page.locator('input[name="password"]').fill(ADMIN_PASSWORD);
  await page.locator('button[type="submit"]').click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  expect(new URL(page.url()).host).toBe(new URL(BASE_URL_FOR_CHECK).host);
});

test("signing out ends the session", async ({ page }) => {
  await page.goto("/sign-in");
  await page.locator('input[name="email"]').fill(ADMIN_EMAIL);
  await page.locator('input[name="password"]').fill(ADMIN_PASSWORD);
  await page.locator('button[type="submit"]').click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByText(ADMIN_EMAIL)).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto("/findings");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Ffindings/);
});

test("the sign-in page sends a signed-in reader on to where they were going", async ({ page }) => {
  const res = await page.request.post("/api/auth/sign-in", { data: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  expect(res.status()).toBe(200);
  await page.goto("/sign-in?next=%2Ffindings");
  await expect(page).toHaveURL(/\/findings$/);
});
