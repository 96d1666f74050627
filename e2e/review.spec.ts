// The review workflow in the browser (docs/review.md): an admin triages a chain's findings on the
// Findings page (one at a time and in bulk), filters by state, signs the chain off from its header,
// finds it under "Signed off" in the chain list, and reads the sign-off in the chain's PDF.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTag } from "./support/env";
import { seedViolationChain, type TViolationChain } from "./support/seed";
import { expect, signIn, test } from "./support/session";

test.describe.configure({ mode: "serial" });

const tag = runTag();
let seeded: TViolationChain;
const statement = `Reviewed every hop of the liquidity chain ${tag}; the rogue agent was a test double.`;

test.beforeAll(async () => {
  seeded = await seedViolationChain(`rv${tag}`);
});

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

const findingsUrl = () => `/findings?chain=${encodeURIComponent(seeded.chainId)}`;

test("triage one finding: acknowledge and assign, with its history", async ({ page }) => {
  await page.goto(findingsUrl());
  const rows = page.locator("tbody tr[data-finding-id]");
  await expect(rows.first()).toBeVisible();
  const count = await rows.count();
  expect(count).toBeGreaterThanOrEqual(2);
  await expect(page.locator('tbody tr[data-state="open"]')).toHaveCount(count);

  const first = rows.first();
  const id = await first.getAttribute("data-finding-id");
  await first.getByRole("button", { name: `Review finding ${id}` }).click();
  const dialog = page.getByRole("dialog", { name: "Review finding" });
  await expect(dialog.getByText("No changes yet.")).toBeVisible();
  await dialog.getByLabel("State").selectOption("acknowledged");
  await dialog.getByLabel("Assignee").fill("ana@bank.test");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByRole("list", { name: "History" })).toContainText("assigned to ana@bank.test");
  await expect(dialog.getByRole("list", { name: "History" })).toContainText("open → acknowledged");

  // A false positive needs a reason: the note becomes required and the form is not sent without it.
  // (The form clears itself once the save has settled: wait for that before choosing again.)
  await expect(dialog.getByLabel("State")).toHaveValue("");
  await dialog.getByLabel("State").selectOption("false_positive");
  const why = dialog.getByLabel("Why (required)");
  await expect(why).toHaveAttribute("required", "");
  await dialog.getByRole("button", { name: "Save" }).click();
  expect(await why.evaluate((el) => (el as HTMLTextAreaElement).validity.valueMissing)).toBe(true);
  await expect(dialog.getByRole("list", { name: "History" })).not.toContainText("false positive");
  await dialog.getByRole("button", { name: "Close" }).click();

  await expect(page.locator(`tr[data-finding-id="${id}"]`)).toHaveAttribute("data-state", "acknowledged");
  await expect(page.locator(`tr[data-finding-id="${id}"]`)).toContainText("ana@bank.test");
});

test("bulk actions decide every finding, and the state filter follows", async ({ page }) => {
  await page.goto(findingsUrl());
  const rows = page.locator("tbody tr[data-finding-id]");
  await expect(rows.first()).toBeVisible();
  const count = await rows.count();
  await page.getByLabel("Select every finding on this page").check();
  const bar = page.getByRole("toolbar", { name: "Bulk actions" });
  await expect(bar).toContainText(`${count} selected`);
  await bar.getByRole("button", { name: "Accepted risk…" }).click();
  const dialog = page.getByRole("dialog", { name: new RegExp(`Change ${count} finding`) });
  await dialog.getByLabel("Why (required)").fill("Pilot only; the rogue agent is a test double.");
  await dialog.getByRole("button", { name: `Apply to ${count}` }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('tbody tr[data-state="accepted_risk"]')).toHaveCount(count);

  // The filter lives in the URL: a link reproduces it.
  await page.getByLabel("State").selectOption("open");
  await expect(page).toHaveURL(/state=open/);
  await expect(page.getByText("No findings match these filters")).toBeVisible();
  await page.goto(`${findingsUrl()}&state=accepted_risk`);
  await expect(page.locator('tbody tr[data-state="accepted_risk"]')).toHaveCount(count);
});

test("sign the chain off from its header; the list and the PDF show it", async ({ page }, info) => {
  await page.goto(`/chains/${encodeURIComponent(seeded.chainId)}`);
  const header = page.locator("header").filter({ has: page.getByRole("button", { name: "Review…" }) });
  await expect(header.locator('[data-review="unreviewed"]')).toBeVisible();
  await header.getByRole("button", { name: "Review…" }).click();
  const dialog = page.getByRole("dialog", { name: "Chain review" });
  await dialog.getByRole("button", { name: "Start review" }).click();
  await expect(dialog.locator('[data-review="in_review"]')).toBeVisible();
  await dialog.getByLabel("Sign-off statement").fill(statement);
  await dialog.getByRole("button", { name: "Sign off" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('[data-review="signed_off"]').first()).toBeVisible();

  for (const [w, h] of [
    [1440, 900],
    [390, 844],
  ]) {
    await page.setViewportSize({ width: w, height: h });
    await page.getByRole("button", { name: "Sign-off" }).click();
    await expect(page.getByRole("dialog", { name: "Chain review" })).toContainText(statement);
    await page.screenshot({ path: `/tmp/review-signoff-${w}.png` });
    await page.getByRole("dialog", { name: "Chain review" }).getByRole("button", { name: "Close" }).click();
  }
  await page.setViewportSize({ width: 1440, height: 900 });

  // The chain view shows each finding's state where it shows the finding.
  await page.goto(`/chains/${encodeURIComponent(seeded.chainId)}?hop=${seeded.ghostInvokeJti}`);
  await expect(page.getByTestId("hop-inspector").getByTestId("finding-review-chip").first()).toContainText("Accepted risk");

  await page.goto("/chains?review=signed_off");
  await expect(page.locator(`tr[data-chain-id="${seeded.chainId}"]`)).toBeVisible();
  await expect(page.locator(`tr[data-chain-id="${seeded.chainId}"] [data-review="signed_off"]`)).toBeVisible();

  const pdf = await page.request.get(`/api/v1/chains/${encodeURIComponent(seeded.chainId)}/report.pdf`);
  expect(pdf.status()).toBe(200);
  const file = join(mkdtempSync(join(tmpdir(), "review-e2e-")), "report.pdf");
  writeFileSync(file, await pdf.body());
  const text = execFileSync("pdftotext", ["-raw", "-enc", "UTF-8", file, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
  expect(text).toContain("Review and sign-off");
  expect(text).toMatch(/Signed off by e2e-admin@delegraph\.test/);
  expect(text).toContain("Pilot only; the rogue agent is a test double.");
  expect(text).toContain("Accepted risk");
  info.annotations.push({ type: "pdf", description: file });
});

test("save the filtered Findings list as a view, open it from the navigation", async ({ page }) => {
  await page.goto(`${findingsUrl()}&state=accepted_risk`);
  await expect(page.locator("tbody tr[data-finding-id]").first()).toBeVisible();
  await page.getByRole("button", { name: "Save view" }).click();
  const dialog = page.getByRole("dialog", { name: "Save this view" });
  await dialog.getByLabel("Name").fill(`Accepted risks ${tag}`);
  await dialog.getByLabel(/Shared/).check();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  const nav = page.getByRole("region", { name: "Saved views" });
  const link = nav.getByRole("link", { name: new RegExp(`Accepted risks ${tag}`) });
  await expect(link).toBeVisible();
  await page.goto("/chains");
  await link.click();
  await expect(page).toHaveURL(/\/findings\?chain=.*&state=accepted_risk$/);
  await expect(page.getByLabel("State")).toHaveValue("accepted_risk");
  await expect(page.locator('tbody tr[data-state="accepted_risk"]').first()).toBeVisible();
});

test("screenshots of the Findings page at 1440 and 390", async ({ page }) => {
  for (const [w, h] of [
    [1440, 900],
    [390, 844],
  ]) {
    await page.setViewportSize({ width: w, height: h });
    await page.goto(findingsUrl());
    await expect(page.locator("tbody tr[data-finding-id]").first()).toBeVisible();
    await page.screenshot({ path: `/tmp/review-findings-${w}.png`, fullPage: true });
  }
});
