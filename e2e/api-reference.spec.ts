// The API reference page: the OpenAPI document the server serves, browsable: every operation
// grouped by tag, who may call it, its parameters and answers, shared schemas linked.
import { signIn, expect, test } from "./support/session";

test("lists every operation of the served document, filters, and opens one with its parameters and answers", async ({ page, pageErrors }) => {
  await signIn(page);
  const doc = (await (await page.request.get("/api/v1/openapi.json")).json()) as {
    paths: Record<string, Record<string, { operationId: string; summary: string; tags: string[] }>>;
  };
  const operationCount = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);

  await page.goto("/api-reference");
  await expect(page.getByRole("heading", { name: "API reference" })).toBeVisible();
  await expect(page.locator("[data-operation]")).toHaveCount(operationCount);
  await expect(page.getByText(`${operationCount} operations`)).toBeVisible();
  await expect(page.getByRole("link", { name: "openapi.json" })).toHaveAttribute("href", "/api/v1/openapi.json");

  await page.getByLabel("Filter operations").fill("tokens");
  await page.getByLabel("Filter operations").press("Enter");
  // Every operation whose path, summary or tag says "tokens" (the page's rule), among them the API
  // tokens' three operations and the AIP token intake (/api/v1/aip/tokens).
  const tokenOps = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.values(ops).filter((op) => [path, op.summary, ...op.tags].some((t) => t.toLowerCase().includes("tokens"))),
  );
  expect(tokenOps.map((op) => op.operationId)).toEqual(expect.arrayContaining(["listTokens", "createToken", "revokeToken", "ingestAipTokens"]));
  await expect(page.locator("[data-operation]")).toHaveCount(tokenOps.length);
  for (const id of ["listTokens", "createToken", "revokeToken", "ingestAipTokens"])
    await expect(page.locator(`[data-operation="${id}"]`)).toBeVisible();

  const list = page.locator('[data-operation="listChains"]');
  await page.getByLabel("Filter operations").fill("chains");
  await page.getByLabel("Filter operations").press("Enter");
  await list.getByRole("button").click();
  await expect(list.getByRole("button")).toHaveAttribute("aria-expanded", "true");
  await expect(list).toContainText("roles: admin, investigator, viewer");
  await expect(list.getByText("Parameters")).toBeVisible();
  await expect(list.locator("dt").filter({ hasText: /^cursor\??$/ })).toBeVisible();
  await expect(list.getByText("401", { exact: true })).toBeVisible();
  await list.getByRole("link", { name: "ChainList" }).click();
  await expect(page).toHaveURL(/#schema-ChainList$/);
  await expect(page.locator("#schema-ChainList")).toContainText("nextCursor");

  await page.getByLabel("Filter operations").fill("no such route");
  await page.getByLabel("Filter operations").press("Enter");
  await expect(page.getByText("No operation matches")).toBeVisible();
  expect(pageErrors).toEqual([]);
});

test("reads well at 1440 and 390 wide", async ({ page }) => {
  await signIn(page);
  for (const [width, height] of [
    [1440, 900],
    [390, 844],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.goto("/api-reference");
    await page.locator('[data-operation="ingestEvents"]').getByRole("button").click();
    await expect(page.locator('[data-operation="ingestEvents"]')).toContainText("application/jwt");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `horizontal overflow at ${width}`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `/tmp/h-eco-api-reference-${width}.png` });
  }
});
