// Single sign-on (OpenID Connect, authorization code with PKCE) end to end in Chromium, against a
// real provider this spec starts (the `oidc-provider` package, support/oidc-provider.ts), on SQLite
// and, when a server is reachable, PostgreSQL. Each database gets its own Delegraph server with
// single sign-on configured and password sign-in turned off: a first sign-on makes the user just in
// time with the role the claim maps to, a role changed at the provider applies at the next sign-on,
// an unmapped role and a refusal at the provider are turned away with a clear message, and signing
// out ends the session.
import { test as base, expect, type Page } from "@playwright/test";
import { dropDatabase, postgresTestUrl } from "../scripts/postgres";
import { freePort, startServer, type TTestServer } from "../tests/server";
import { startOidcProvider, type TIdp } from "./support/oidc-provider";
import { runTag } from "./support/env";

type TSetup = { server: TTestServer; provider: TIdp; cleanup: () => Promise<void> };

const test = base.extend<{ pageErrors: string[] }>({
  pageErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await use(errors);
    expect(errors, "uncaught errors in the page").toEqual([]);
  },
});

async function setUp(database: "sqlite" | "postgres"): Promise<TSetup | null> {
  let databaseUrl: string | undefined;
  if (database === "postgres") {
    const pg = await postgresTestUrl();
    if (!pg) return null;
    databaseUrl = await pg.fresh();
  }
  const port = await freePort();
  const provider = await startOidcProvider({ redirectUri: `http://127.0.0.1:${port}/api/auth/oidc/callback` });
  const server = await startServer({
    port,
    databaseUrl,
    env: {
      DELEGRAPH_OIDC_ISSUER: provider.issuer,
      DELEGRAPH_OIDC_CLIENT_ID: provider.clientId,
      DELEGRAPH_OIDC_CLIENT_SECRET: provider.clientSecret,
      DELEGRAPH_OIDC_ROLE_CLAIM: "groups",
      DELEGRAPH_OIDC_ROLES: "delegraph-admins=admin,auditors=investigator,staff=viewer",
      DELEGRAPH_OIDC_NAME: "Test IdP",
      DELEGRAPH_PASSWORD_SIGN_IN: "0",
    },
  });
  return {
    server,
    provider,
    cleanup: async () => {
      await server.stop();
      await provider.close();
      if (databaseUrl) await dropDatabase(databaseUrl).catch(() => undefined);
    },
  };
}

/** Signs on through the provider; `prompted: false` when the provider still has a session and asks nothing. */
async function signOnAs(page: Page, server: TTestServer, name: string, next = "/", prompted = true) {
  await page.goto(`${server.url}/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByRole("link", { name: "Sign in with Test IdP" }).click();
  if (!prompted) return;
  await expect(page.getByRole("heading", { name: "Test identity provider" })).toBeVisible();
  await page.getByRole("button", { name: `Continue as ${name}` }).click();
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
}

async function users(server: TTestServer): Promise<{ email: string; role: string; disabledAt: string | null }[]> {
  const res = await fetch(`${server.url}/api/v1/users`, { headers: { authorization: `Bearer ${server.token}` } });
  return ((await res.json()) as { items: { email: string; role: string; disabledAt: string | null }[] }).items;
}

for (const database of ["sqlite", "postgres"] as const) {
  test.describe(`single sign-on on ${database}`, () => {
    test.describe.configure({ mode: "serial", timeout: 180_000 });
    let setup: TSetup | null = null;
    const tag = runTag();
    const alice = { sub: `alice-${tag}`, email: `alice-${tag}@corp.example`, name: "Alice Auditor", claims: { groups: ["staff", "auditors"] } };
    const mallory = { sub: `mallory-${tag}`, email: `mallory-${tag}@corp.example`, name: "Mallory Contractor", claims: { groups: ["contractors"] } };

    test.beforeAll(async () => {
      setup = await setUp(database);
      setup?.provider.users.set(alice.sub, structuredClone(alice));
      setup?.provider.users.set(mallory.sub, structuredClone(mallory));
    });
    test.afterAll(async () => {
      await setup?.cleanup();
    });

    test("password sign-in is off: the page offers only the identity provider, and the API refuses passwords", async ({ page, pageErrors }) => {
      test.skip(!setup, "no PostgreSQL server reachable");
      const { server } = setup!;
      await page.goto(`${server.url}/chains`);
      await expect(page).toHaveURL(/\/sign-in\?next=/);
      await expect(page.getByRole("link", { name: "Sign in with Test IdP" })).toBeVisible();
      await expect(page.locator('input[name="password"]')).toHaveCount(0);
      for (const [width, height] of [
        [1440, 900],
        [390, 844],
      ] as const) {
        await page.setViewportSize({ width, height });
        await page.screenshot({ path: `/tmp/h-eco-sso-sign-in-${database}-${width}.png` });
      }
      const res = await page.request.post(`${server.url}/api/auth/sign-in`, {
        data: { email: "admin@delegraph.test", password: "correct horse battery staple" },
      });
      expect(res.status()).toBe(403);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain("Password sign-in is turned off");
      expect(pageErrors).toEqual([]);
    });

    test("a first sign-on makes the user just in time with the mapped role and lands where it was heading", async ({ page }) => {
      test.skip(!setup, "no PostgreSQL server reachable");
      const { server, provider } = setup!;
      await signOnAs(page, server, alice.name, "/findings");
      await expect(page).toHaveURL(`${server.url}/findings`);
      await expect(page.getByRole("navigation", { name: "Main" })).toContainText("investigator");
      const me = (await (await page.request.get(`${server.url}/api/auth/me`)).json()) as { user: { email: string; role: string } };
      expect(me.user).toMatchObject({ email: alice.email, role: "investigator" });
      expect((await users(server)).find((u) => u.email === alice.email)).toMatchObject({ role: "investigator", disabledAt: null });
      // The provider requires PKCE and client_secret_post, and saw both in the code exchange.
      expect(provider.tokenRequests.at(-1)).toMatchObject({ auth: "client_secret_post", ok: true });
      expect(provider.tokenRequests.at(-1)?.verifier).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    });

    test("signing out ends the session; the next visit asks the provider again", async ({ page }) => {
      test.skip(!setup, "no PostgreSQL server reachable");
      const { server, provider } = setup!;
      await signOnAs(page, server, alice.name);
      await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
      await signOut(page);
      expect((await page.request.get(`${server.url}/api/auth/me`)).status()).toBe(401);
      await page.goto(`${server.url}/`);
      await expect(page).toHaveURL(/\/sign-in/);
      // Sign-out ends Delegraph's session, not the provider's (docs/operations.md): signing on again
      // goes back through the provider, which lets the user through without its login page.
      const shown = provider.loginPages;
      await signOnAs(page, server, alice.name, "/chains", false);
      await expect(page).toHaveURL(`${server.url}/chains`);
      await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
      expect(provider.loginPages).toBe(shown);
    });

    test("a role changed at the provider applies at the next sign-on", async ({ page }) => {
      test.skip(!setup, "no PostgreSQL server reachable");
      const { server, provider } = setup!;
      provider.users.get(alice.sub)!.claims = { groups: ["staff", "delegraph-admins"] };
      await signOnAs(page, server, alice.name);
      await expect(page.getByRole("navigation", { name: "Main" })).toContainText("admin");
      await expect(page.getByRole("link", { name: "Settings" })).toBeVisible();
      expect((await users(server)).filter((u) => u.email === alice.email)).toEqual([expect.objectContaining({ role: "admin" })]);
      // Demoted at the provider while signed in: nothing changes until the next sign-on, which
      // (the provider's session still live) asks nothing and brings the new role.
      provider.users.get(alice.sub)!.claims = { groups: ["staff"] };
      await signOut(page);
      await signOnAs(page, server, alice.name, "/", false);
      await expect(page.getByRole("navigation", { name: "Main" })).toContainText("viewer");
      await expect(page.getByRole("link", { name: "Settings" })).toHaveCount(0);
      expect((await users(server)).filter((u) => u.email === alice.email)).toEqual([expect.objectContaining({ role: "viewer" })]);
    });

    test("a user whose claim maps to no role is refused, and made no account", async ({ page }) => {
      test.skip(!setup, "no PostgreSQL server reachable");
      const { server } = setup!;
      await signOnAs(page, server, mallory.name);
      await expect(page).toHaveURL(/\/sign-in\?error=sso_no_role/);
      await expect(page.locator("main").getByRole("alert")).toContainText("no Delegraph role");
      expect((await page.request.get(`${server.url}/api/auth/me`)).status()).toBe(401);
      expect((await users(server)).some((u) => u.email === mallory.email)).toBe(false);
      const audit = (await (await fetch(`${server.url}/api/v1/audit`, { headers: { authorization: `Bearer ${server.token}` } })).json()) as {
        items: { action: string; target: string | null }[];
      };
      expect(audit.items.find((a) => a.action === "auth.sso_refused")?.target).toBe(mallory.email);
    });

    test("a refusal at the provider comes back as a clear message", async ({ page }) => {
      test.skip(!setup, "no PostgreSQL server reachable");
      const { server } = setup!;
      await page.goto(`${server.url}/sign-in`);
      await page.getByRole("link", { name: "Sign in with Test IdP" }).click();
      await page.getByRole("button", { name: "Deny" }).click();
      await expect(page).toHaveURL(/\/sign-in\?error=sso_denied/);
      await expect(page.locator("main").getByRole("alert")).toContainText("did not sign you in");
      // The state is single-use: replaying the callback does not sign anyone in.
      await page.goBack();
      expect((await page.request.get(`${server.url}/api/auth/me`)).status()).toBe(401);
    });
  });
}
