// Settings, as an admin: an API token shown once and revoked, a viewer added, and both in the
// audit log. The tests build on each other (the viewer signs in, the audit log lists it all).
import { ADMIN_EMAIL, API_TOKEN, runTag } from "./support/env";
import { expect, signIn, test } from "./support/session";

test.describe.configure({ mode: "serial" });

const tag = runTag();
// Markup in a name must stay text wherever the name is shown (the list, the audit details).
const tokenName = `e2e ingest ${tag} <img src=x onerror="window.__xss=7">`;
const viewerEmail = `viewer-${tag}@delegraph.test`;
const viewerPassword = `viewer-pass-${tag}`;
const bootstrap = { authorization: `Bearer ${API_TOKEN}` };
let tokenId = "";

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test("an admin creates an ingest token, sees the secret once, and revokes it", async ({ page }) => {
  await page.goto("/settings");
  await expect(page.getByRole("heading", { name: "Settings" })).toBeVisible();
  await expect(page.getByRole("tab", { name: "API tokens" })).toHaveAttribute("aria-selected", "true");

  // An empty name is explained, not sent.
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.locator("#token-name-error")).toContainText("Give the token a name");
  await expect(page.locator("#token-name")).toHaveAttribute("aria-invalid", "true");

  await page.locator("#token-name").fill(tokenName);
  await page.locator("#token-role").selectOption("ingest");
  await page.getByRole("button", { name: "Create token" }).click();

  const secretBox = page.getByTestId("new-token");
  await expect(secretBox).toContainText("You will not see it again");
  await expect(page.locator("#new-token-title")).toBeFocused();
  const secret = await page.getByLabel("The new API token").inputValue();
  expect(secret.length).toBeGreaterThan(20);
  await expect(secretBox.getByRole("button", { name: "Copy token to clipboard" })).toBeVisible();

  // The secret is a real token with the ingest role: authenticated, but not allowed to read.
  expect((await page.request.get("/api/v1/chains", { headers: { authorization: `Bearer ${secret}` } })).status()).toBe(403);

  const row = page.locator("tbody tr").filter({ hasText: `e2e ingest ${tag}` });
  await expect(row).toContainText(tokenName);
  await expect(row).toContainText("Ingest");
  await expect(row).toContainText("Active");
  tokenId = (await row.getAttribute("data-token-id")) ?? "";
  expect(tokenId).not.toBe("");

  await page.getByRole("button", { name: "I have stored it" }).click();
  await expect(secretBox).toHaveCount(0);
  await page.reload();
  await expect(row).toBeVisible();
  expect(await page.content()).not.toContain(secret);

  // Revoking asks first; Cancel has the focus, and Escape closes without revoking.
  await row.getByRole("button", { name: `Revoke token ${tokenName}` }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("It stops working at once");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(row).toContainText("Active");

  await row.getByRole("button", { name: `Revoke token ${tokenName}` }).click();
  await dialog.getByRole("button", { name: "Revoke token" }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toContainText("Revoked");
  await expect(row.getByRole("button", { name: /Revoke/ })).toHaveCount(0);
  expect((await page.request.get("/api/v1/chains", { headers: { authorization: `Bearer ${secret}` } })).status()).toBe(401);
});

test("an admin adds a viewer; short passwords and duplicate emails are explained", async ({ page }) => {
  await page.goto("/settings?tab=users");
  await expect(page.getByRole("tab", { name: "Users" })).toHaveAttribute("aria-selected", "true");
  await expect(page.locator(`tr[data-user-email="${ADMIN_EMAIL}"]`)).toContainText("(you)");

  await page.locator("#user-email").fill(viewerEmail);
  await page.locator("#user-password").fill("short");
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.locator("#user-password-error")).toContainText("at least 12 characters");
  await expect(page.locator("#user-password")).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#user-password")).toBeFocused();

  // Long enough, but on every breached-password list: the server says so on the field.
  await page.locator("#user-password").fill("password1234");
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.locator("#user-password-error")).toContainText("too common");

  await page.locator("#user-password").fill(viewerPassword);
  await page.locator("#user-name").fill(`Viewer ${tag}`);
  await page.locator("#user-role").selectOption("viewer");
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Added ${viewerEmail}` })).toBeVisible();

  const row = page.locator(`tr[data-user-email="${viewerEmail}"]`);
  await expect(row.getByLabel(`Role of ${viewerEmail}`)).toHaveValue("viewer");
  await expect(row).toContainText("Active");
  await expect(row).toContainText(`Viewer ${tag}`);

  // The same email again: the API's 409, shown on the email field.
  await page.locator("#user-email").fill(viewerEmail);
  await page.locator("#user-password").fill(viewerPassword);
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.locator("#user-email-error")).toHaveText("A user with this email already exists.");
});

test("the new viewer signs in and sees neither Settings nor the quarantine", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  const res = await page.request.post("/api/auth/sign-in", { data: { email: viewerEmail, password: viewerPassword } });
  expect(res.status(), await res.text()).toBe(200);

  await page.goto("/settings?tab=tokens");
  await expect(page.getByText("Settings are for admins only")).toBeVisible();
  await expect(page.getByRole("tab")).toHaveCount(0);
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Chains" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Settings" })).toHaveCount(0);
  await expect(nav.getByRole("link", { name: "Quarantine" })).toHaveCount(0);

  await page.goto("/quarantine");
  await expect(page.getByText("The quarantine is for investigators and admins")).toBeVisible();
  await context.close();
});

test("the audit log lists the token and user changes, older entries behind Load more", async ({ page }) => {
  expect(tokenId).not.toBe("");
  // Push the changes above off the first page (50 entries) with harmless updates.
  const users = (await (await page.request.get("/api/v1/users", { headers: bootstrap })).json()) as { items: { id: string; email: string }[] };
  const viewer = users.items.find((u) => u.email === viewerEmail);
  expect(viewer).toBeDefined();
  for (let i = 0; i < 55; i++) {
    const r = await page.request.patch(`/api/v1/users/${viewer!.id}`, { headers: bootstrap, data: { disabled: false } });
    expect(r.status()).toBe(200);
  }

  await page.goto("/settings");
  await page.getByRole("tab", { name: "Audit log" }).click();
  await expect(page).toHaveURL(/[?&]tab=audit/);
  await expect(page.getByRole("tab", { name: "Audit log" })).toHaveAttribute("aria-selected", "true");

  const updates = page.locator('tr[data-audit-action="user.update"]').filter({ hasText: viewerEmail });
  await expect(updates.first()).toContainText("Changed a user");
  await expect(updates.first()).toContainText("token:DELEGRAPH_API_TOKEN");

  const created = page.locator('tr[data-audit-action="token.create"]').filter({ hasText: tokenId });
  const revoked = page.locator('tr[data-audit-action="token.revoke"]').filter({ hasText: tokenId });
  const userCreated = page.locator('tr[data-audit-action="user.create"]').filter({ hasText: viewerEmail });
  await expect(created).toHaveCount(0);
  await expect(page.getByText("50 entries shown")).toBeVisible();

  const rows = page.locator("tbody tr[data-audit-action]");
  for (let i = 0; i < 5 && (await created.count()) === 0; i++) {
    const before = await rows.count();
    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(() => rows.count()).toBeGreaterThan(before);
  }
  await expect(created).toContainText("Created an API token");
  await expect(created).toContainText(`session:${ADMIN_EMAIL}`);
  await expect(created).toContainText(tokenName);
  await expect(created).toContainText("ingest");
  await expect(revoked).toContainText("Revoked an API token");
  await expect(userCreated).toContainText("Added a user");
  await expect(userCreated).toContainText("viewer");
  await expect(page.locator("tbody img")).toHaveCount(0);

  // Keyboard: arrows move between tabs and the URL follows.
  await page.getByRole("tab", { name: "Audit log" }).focus();
  await page.keyboard.press("ArrowLeft");
  await expect(page.getByRole("tab", { name: "Users" })).toBeFocused();
  await expect(page).toHaveURL(/[?&]tab=users/);
});
