// The quarantine lists refused submissions posted through the API, with reason, jti and raw
// bytes; markup in the raw bytes stays inert text (the session fixture fails on window.__xss).
import { authorize } from "@delegraph/sdk";
import { API_TOKEN, runTag } from "./support/env";
import { client, principal } from "./support/seed";
import { expect, signIn, test } from "./support/session";

const tag = runTag();
const markup = `<img src=x onerror="window.__xss=8"><script>window.__xss=9</script> not a token ${tag}`;
let tamperedJti = "";
let tampered = "";

type TResult = { jti: string | null; status: string; error?: { code: string } };

test.beforeAll(async ({ request }) => {
  const c = client();
  const human = await principal(c, `user:erin.${tag}@bank.test`, "human");
  const signed = await authorize(human, {
    aud: `agent:quarantine-${tag}`,
    scope: ["treasury/reports/*:read"],
    purpose: { code: `ops.quarantine.e2e${tag}`, text: "Read the reports" },
    ttl: 3600,
  });
  // Change the claims after signing: the signature no longer verifies.
  const [h, p, s] = signed.token.split(".");
  const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as { scope: string[] };
  claims.scope = ["treasury/*:write"];
  tampered = `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${s}`;
  tamperedJti = signed.claims.jti;

  const res = await request.post("/api/v1/events", {
    headers: { authorization: `Bearer ${API_TOKEN}` },
    data: { events: [tampered, markup] },
  });
  expect(res.status(), await res.text()).toBe(200);
  const { results } = (await res.json()) as { results: TResult[] };
  expect(results.map((r) => [r.status, r.error?.code])).toEqual([
    ["rejected", "signature_invalid"],
    ["rejected", "malformed"],
  ]);
});

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test("a refused submission shows its reason, jti and raw bytes; the reason filter lives in the URL", async ({ page }) => {
  await page.goto("/quarantine");
  await expect(page.getByRole("heading", { name: "Quarantine" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Quarantine" })).toHaveAttribute("aria-current", "page");

  await page.locator("#q-code").selectOption("signature_invalid");
  await expect(page).toHaveURL(/[?&]code=signature_invalid/);
  const row = page.locator("tbody tr[data-code]").filter({ hasText: tamperedJti });
  await expect(row).toContainText("Signature does not verify");
  await expect(row).toContainText("signature_invalid");
  await expect(row).toContainText(tamperedJti);
  await expect(page.locator("tbody tr[data-code]:not([data-code='signature_invalid'])")).toHaveCount(0);

  // Collapsed until asked for.
  const toggle = row.getByRole("button", { name: `Show raw bytes of submission ${tamperedJti}` });
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(page.getByTestId("raw-submission")).toHaveCount(0);
  await toggle.click();
  await expect(row.getByRole("button", { name: `Hide raw bytes of submission ${tamperedJti}` })).toHaveAttribute("aria-expanded", "true");
  const raw = page.getByTestId("raw-submission");
  await expect(raw.locator("pre").first()).toHaveText(tampered);
  await expect(raw).toContainText("Decoded claims (unverified)");
  await expect(raw).toContainText("treasury/*:write");
  await expect(raw.getByRole("button", { name: "Copy to clipboard" }).first()).toBeVisible();

  // The URL alone reproduces the filter.
  await page.goto(page.url());
  await expect(page.locator("#q-code")).toHaveValue("signature_invalid");
  await expect(row).toBeVisible();

  await page.locator("#q-code").selectOption("");
  await expect(page).not.toHaveURL(/code=/);
});

test("markup in the raw bytes stays inert text", async ({ page }) => {
  await page.goto("/quarantine?code=malformed");
  const row = page.locator("tbody tr[data-code='malformed']").first();
  await expect(row).toContainText("Malformed");
  await expect(row).toContainText("none");
  await row.getByRole("button", { name: /Show raw/ }).click();
  const raw = page.getByTestId("raw-submission");
  await expect(raw.locator("pre").first()).toHaveText(markup);
  await expect(raw.locator("img, script")).toHaveCount(0);
  await expect(page.locator("main img")).toHaveCount(0);
});

test("an unknown reason code in the URL says so and shows every reason", async ({ page }) => {
  await page.goto("/quarantine?code=bogus");
  await expect(page.getByText("“bogus” is not a reason code")).toBeVisible();
  await expect(page.locator("#q-code")).toHaveValue("");
  await expect(page.locator("tbody tr[data-code]").filter({ hasText: tamperedJti })).toBeVisible();
});
