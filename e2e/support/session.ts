import { expect, test as base, type Page, type Response } from "@playwright/test";
import { ADMIN_EMAIL, ADMIN_PASSWORD } from "./env";

/** Signs in through the API; the browser context keeps the session cookie. */
export async function signIn(page: Page): Promise<void> {
  const res = await page.request.post("/api/auth/sign-in", { data: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  expect(res.status(), await res.text()).toBe(200);
}

/**
 * Every test fails on an uncaught page error, and on markup from events ever executing
 * (seeded names and purposes try to set window.__xss).
 */
export const test = base.extend<{ pageErrors: string[] }>({
  // page.goto and page.reload (to "load", their default) of one of our HTML pages return once React
  // has hydrated it: text typed into server-rendered markup before then would not reach React's state.
  page: async ({ page }, use) => {
    const hydrated = async (res: Response | null, waitUntil = "load") => {
      const html = /text\/html/.test(res?.headers()["content-type"] ?? "");
      if (html && waitUntil === "load") await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
    };
    const goto = page.goto.bind(page);
    const reload = page.reload.bind(page);
    page.goto = async (url, options) => {
      const res = await goto(url, options);
      await hydrated(res, options?.waitUntil);
      return res;
    };
    page.reload = async (options) => {
      const res = await reload(options);
      await hydrated(res, options?.waitUntil);
      return res;
    };
    await use(page);
  },
  pageErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await use(errors);
    const xss = await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss).catch(() => undefined);
    expect(xss, "markup from an event executed").toBeUndefined();
    expect(errors, "uncaught errors in the page").toEqual([]);
  },
});

export { expect };
