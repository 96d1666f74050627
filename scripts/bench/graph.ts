// Graph render time in Chromium: sign in through the form, open /chains/<id>, and time (from the
// navigation) until React Flow has rendered nodes, then until a click on a node has opened the hop
// inspector: the page is interactive. Debian's /usr/bin/chromium; no browser is downloaded.
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export type TGraphRun = {
  chainId: string;
  nodes: number;
  renderedNodes: number;
  firstNodesMs: number;
  interactiveMs: number;
  clickToInspectorMs: number;
};

export async function withBrowser<T>(f: (b: Browser) => Promise<T>): Promise<T> {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    return await f(browser);
  } finally {
    await browser.close();
  }
}

export async function measureGraphs(
  browser: Browser,
  baseUrl: string,
  admin: { email: string; password: string },
  chains: { chainId: string; nodes: number }[],
  timeoutMs = 120_000,
): Promise<TGraphRun[]> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(timeoutMs);
  await page.goto(`${baseUrl}/sign-in`);
  await page.locator('input[name="email"]').fill(admin.email);
  await page.locator('input[name="password"]').fill(admin.password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/sign-in")), page.locator('button[type="submit"]').click()]);

  const runs: TGraphRun[] = [];
  for (const { chainId, nodes } of chains) {
    await page.goto("about:blank");
    const started = Date.now();
    await page.goto(`${baseUrl}/chains/${encodeURIComponent(chainId)}`);
    const node = page.locator('.react-flow__node[data-id^="p:"]').first();
    await node.waitFor({ state: "visible" });
    const firstNodesMs = Date.now() - started;
    const renderedNodes = await page.locator(".react-flow__node").count();
    const clicked = Date.now();
    await node.click();
    await page.getByTestId("hop-inspector").waitFor({ state: "visible" });
    const done = Date.now();
    runs.push({ chainId, nodes, renderedNodes, firstNodesMs, interactiveMs: done - started, clickToInspectorMs: done - clicked });
  }
  await context.close();
  return runs;
}
