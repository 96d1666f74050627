// A thousand-hop chain is drawn, not hidden: the opening view fills the node budget breadth-first
// with every finding and its path, big fan-outs end in stubs that expand, "Show all" draws
// everything, and the page stays interactive throughout.
import type { Page } from "@playwright/test";
import { runTag } from "./support/env";
import { seedBigChain, seedHiddenFindingsChain } from "./support/seed";
import { expect, signIn, test } from "./support/session";

const tag = runTag();
let big: Awaited<ReturnType<typeof seedBigChain>>;

test.beforeAll(async () => {
  test.setTimeout(300_000);
  big = await seedBigChain(tag);
});

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

const graph = (page: Page) => page.getByTestId("chain-graph");
const modelNodes = async (page: Page) => Number(await graph(page).getAttribute("data-model-nodes"));
const nodeOf = (page: Page, principal: string) => page.locator(`.react-flow__node[data-id="p:${encodeURIComponent(principal)}"]`);

async function ready(page: Page) {
  await expect(graph(page)).toHaveAttribute("data-layout-ready", "true", { timeout: 30_000 });
}

test("a 1,000-hop chain opens with hundreds of nodes drawn and every finding drawn with its path", async ({ page }) => {
  expect(big.hops).toBeGreaterThanOrEqual(1000);
  const started = Date.now();
  await page.goto(`/chains/${encodeURIComponent(big.chainId)}`);
  await ready(page);
  test.info().annotations.push({ type: "first graph paint (ms)", description: String(Date.now() - started) });
  const total = Number(await graph(page).getAttribute("data-total-nodes"));
  expect(total).toBe(1 + 1 + 20 + 980 + 980);
  expect(await modelNodes(page)).toBeGreaterThanOrEqual(400);
  const notice = page.getByRole("status").filter({ hasText: "Showing" });
  await expect(notice).toContainText(`Showing ${(await modelNodes(page)).toLocaleString("en-US")} of 1,982 nodes`);
  // The human root is on screen, readable.
  await expect(nodeOf(page, `user:carol.${tag}@bank.test`)).toBeInViewport();
  // The opening view is at the lowest legible zoom, so it holds more than the path: the root's
  // delegate and its first teams are on screen too.
  expect(await page.locator('.react-flow__node[data-id^="p:"]').count()).toBeGreaterThanOrEqual(5);
  // And all of the opening drawing is really there, not just counted: zoomed out to fit, every one
  // of its nodes is on screen (in the DOM, or painted on the overview canvas past 500 nodes).
  const opening = await modelNodes(page);
  await page.locator(".react-flow__controls-fitview").click();
  await expect
    .poll(
      () =>
        graph(page).evaluate((el) =>
          el.getAttribute("data-render") === "canvas"
            ? Number(el.getAttribute("data-painted-nodes"))
            : el.querySelectorAll('.react-flow__node:not([data-id^="h:"])').length,
        ),
      { timeout: 30_000 },
    )
    .toBeGreaterThanOrEqual(opening);

  // Every hop with a finding is drawn: nothing with a finding sits behind a placeholder...
  await expect(graph(page)).toHaveAttribute("data-hidden-findings", "0");
  // ...and the escalation deep in the last team is part of this drawing: selecting it moves the
  // view to it without redrawing anything.
  const drawn = await modelNodes(page);
  await page.goto(`/chains/${encodeURIComponent(big.chainId)}?hop=${big.escalationJti}`);
  await ready(page);
  await expect(page.getByTestId("hop-inspector")).toContainText("Escalation");
  const worker = nodeOf(page, `agent:worker-19-48-${tag}`);
  await expect(worker).toBeInViewport({ timeout: 30_000 });
  // The finding is the grant's: it is named on the grant's edge into the worker.
  await expect(page.locator(`[data-edge-label="g:${encodeURIComponent(big.escalationJti)}"]`)).toContainText("Escalation");
  expect(await modelNodes(page)).toBe(drawn);

  // Still interactive: a click on a principal opens its panel promptly, its findings first.
  await page.getByRole("button", { name: "Close the hop inspector" }).click();
  await expect(page.getByTestId("hop-inspector")).toHaveCount(0);
  const t0 = Date.now();
  await worker.click();
  await expect(page.getByTestId("principal-panel")).toContainText("Escalation");
  expect(Date.now() - t0).toBeLessThan(5_000);
});

test("a fan-out over 15 ends in a stub that names what it holds and expands with one click", async ({ page }) => {
  // Team 0 delegates to 49 workers: 15 are drawn, the other 34 wait behind one stub, just below
  // the 15th worker.
  await page.goto(`/chains/${encodeURIComponent(big.chainId)}?hop=${big.team0WorkerJtis[14]}`);
  await ready(page);
  const before = await modelNodes(page);
  const stub = page.locator('.react-flow__node[data-id^="h:"]').filter({ hasText: "34 more delegations ▸" });
  await expect(stub).toHaveCount(1);
  await expect(stub).toBeInViewport();
  await expect(stub).toContainText("68 hidden: 34 principals, 34 resources");
  await stub.click();
  await expect.poll(() => modelNodes(page), { timeout: 30_000 }).toBe(before + 68);
  await ready(page);
  await expect(page.locator('.react-flow__node[data-id^="h:"]').filter({ hasText: "34 more delegations" })).toHaveCount(0);
  // The expanded parent stays in view, and the way back is offered.
  await expect(nodeOf(page, `agent:team-0-${tag}`)).toBeInViewport();
  await page.getByRole("button", { name: "Back to the overview" }).click();
  await expect.poll(() => modelNodes(page)).toBe(before);
});

test('"Show all" draws every node, painted on a canvas when zoomed out, and zooming in brings the labels back', async ({ page }) => {
  await page.goto(`/chains/${encodeURIComponent(big.chainId)}`);
  await ready(page);
  await page.getByRole("button", { name: "Show all 1,982" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Showing all 1,982 nodes" })).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => modelNodes(page), { timeout: 30_000 }).toBe(1982);
  // Fitted to the canvas the whole chain is in view at once: every node painted.
  await expect(graph(page)).toHaveAttribute("data-render", "canvas", { timeout: 30_000 });
  await expect(graph(page)).toHaveAttribute("data-painted-nodes", "1982", { timeout: 30_000 });
  await expect(page.getByTestId("graph-overview-canvas")).toBeVisible();
  await expect(graph(page)).toHaveAttribute("data-hidden-findings", "0");

  // Zooming in past the detail zoom hands the nodes back to React Flow, with their labels.
  const pane = page.locator(".react-flow__pane");
  const box = (await pane.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 40 && (await graph(page).getAttribute("data-render")) === "canvas"; i++) await page.mouse.wheel(0, -200);
  await expect(graph(page)).toHaveAttribute("data-render", "dom");
  await expect(page.locator(".react-flow__node").first()).toBeVisible();

  await page.getByRole("button", { name: "Back to the overview" }).click();
  await expect(page.getByRole("status").filter({ hasText: "of 1,982 nodes" })).toBeVisible();
});

test("the timeline lists every event, in slices that say how many remain", async ({ page }) => {
  await page.goto(`/chains/${encodeURIComponent(big.chainId)}?tab=timeline`);
  await expect(page.getByText(/Showing 300 of [\d,]+ events/)).toBeVisible({ timeout: 30_000 });
  await page.getByRole("button", { name: "Show all" }).click();
  await expect(page.locator("tbody tr")).toHaveCount(big.hops + 980);
});

test('"Show" on a finding the opening view could not draw selects that finding\'s own event and re-centres the drawing on it', async ({ page }) => {
  test.setTimeout(180_000);
  const hf = await seedHiddenFindingsChain(`${tag}h`);
  await page.goto(`/chains/${encodeURIComponent(hf.chainId)}`);
  await ready(page);
  // 42 escalated workers with 15 resources each: more findings than the budget holds.
  expect(Number(await graph(page).getAttribute("data-hidden-findings"))).toBeGreaterThan(0);
  const hidden = page.getByRole("list", { name: "Findings in hidden parts" });
  await expect(hidden).toBeVisible();
  await expect(hidden).toContainText("Escalation");
  await hidden.getByRole("button", { name: "Show" }).first().click();

  // The selection is the finding's own event: a delegation that escalated, not a hop near it.
  await expect(page).toHaveURL(/[?&]hop=/);
  const jti = new URL(page.url()).searchParams.get("hop");
  const shown = hf.escalations.find((e) => e.jti === jti);
  expect(shown, `?hop=${jti} is one of the escalating delegations`).toBeDefined();
  const inspector = page.getByTestId("hop-inspector");
  await expect(inspector).toBeVisible();
  await expect(inspector).toContainText("Escalation");
  await expect(inspector).toContainText(shown!.worker);
  // The drawing is re-centred on it: the worker that received it is drawn and in view, and the
  // edge carrying the finding names it.
  await ready(page);
  await expect(nodeOf(page, shown!.worker)).toBeInViewport({ timeout: 30_000 });
  await expect(page.locator(`[data-edge-label="g:${encodeURIComponent(jti!)}"]`)).toContainText("Escalation");
});
