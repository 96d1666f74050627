// Settings → Webhooks in the browser (docs/review.md#webhooks): an admin adds a webhook for a local
// receiver, copies the secret shown once, sends a test and watches it arrive in the delivery log;
// a receiver that is down shows its failed tries and then the delivery once it is up. The receiver
// (node:http on a random port) checks every signature with the secret the page showed.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createNetServer } from "node:net";
import { verifySignature } from "../lib/webhooks/signing";
import { expect, signIn, test } from "./support/session";

test.describe.configure({ mode: "serial" });

type TReceived = { type: string; verified: boolean };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

class Receiver {
  received: TReceived[] = [];
  secret = "";
  private server: Server | null = null;
  constructor(readonly port: number) {}
  get url() {
    return `http://127.0.0.1:${this.port}/e2e/hook`;
  }
  start() {
    this.server = createServer((req, res) => void this.handle(req, res));
    return new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
  }
  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const ok = verifySignature(this.secret, req.headers["delegraph-signature"] as string | undefined, raw).ok;
    this.received.push({ type: (JSON.parse(raw) as { type: string }).type, verified: ok });
    res.writeHead(ok ? 204 : 401).end();
  }
  stop() {
    return new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const receivers: Receiver[] = [];
test.afterAll(async () => {
  for (const r of receivers) await r.stop();
});

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

async function addWebhook(page: import("@playwright/test").Page, r: Receiver) {
  await page.goto("/settings?tab=webhooks");
  await expect(page.getByRole("tab", { name: "Webhooks" })).toHaveAttribute("aria-selected", "true");
  await page.getByLabel("Receiver URL").fill(r.url);
  await page.getByRole("checkbox", { name: /Chain sign-offs/ }).uncheck();
  await page.getByLabel("New findings from").selectOption("error");
  await page.getByRole("button", { name: "Add webhook" }).click();
  const secretBox = page.getByTestId("new-webhook");
  await expect(secretBox).toContainText("You will not see it again");
  await expect(secretBox).toContainText(r.url);
  await expect(page.locator("#new-webhook-title")).toBeFocused();
  r.secret = await page.getByLabel("The webhook's signing secret").inputValue();
  expect(r.secret).toMatch(/^whsec_/);
  await secretBox.getByRole("button", { name: "I have stored it" }).click();
  await expect(secretBox).toBeHidden();
  const row = page.locator("li[data-webhook-id]").filter({ hasText: r.url });
  await expect(row).toBeVisible();
  return row;
}

test("an admin adds a webhook, sends a test and sees it delivered in the log", async ({ page }) => {
  const r = new Receiver(await freePort());
  receivers.push(r);
  await r.start();
  const row = await addWebhook(page, r);
  await expect(row).toContainText("finding.created");
  await expect(row).toContainText("finding.state_changed");
  await expect(row).not.toContainText("chain.signed_off");
  await expect(row).toContainText("new findings from error");
  await expect(row).toContainText("nothing sent yet");

  await row.getByRole("button", { name: "Send test" }).click();
  await expect(row.getByRole("status")).toContainText("Test delivery queued");
  const log = row.getByRole("region", { name: "Delivery log" });
  await expect(log).toBeVisible();
  const delivery = log.locator("li[data-delivery-id]").first();
  await expect(delivery).toContainText("webhook.test");
  await expect(delivery).toContainText("Delivered");
  await expect(delivery).toContainText("Try 1");
  await expect(delivery).toContainText("HTTP 204");
  await expect(page).toHaveURL(/[?&]webhook=wh_/);
  expect(r.received).toEqual([{ type: "webhook.test", verified: true }]);

  // The open log is in the URL: a reload shows it again, and the list says how the last one went.
  await page.reload();
  await expect(page.locator("li[data-webhook-id]").filter({ hasText: r.url }).getByRole("region", { name: "Delivery log" })).toContainText(
    "HTTP 204",
  );
  await expect(page.locator("li[data-webhook-id]").filter({ hasText: r.url })).toContainText("last delivery: Delivered (HTTP 204)");
});

test("a receiver that is down: the log shows the failed tries, then the delivery once it is up", async ({ page }) => {
  const r = new Receiver(await freePort());
  receivers.push(r);
  const row = await addWebhook(page, r);
  await row.getByRole("button", { name: "Send test" }).click();
  const delivery = row.getByRole("region", { name: "Delivery log" }).locator("li[data-delivery-id]").first();
  await expect(delivery).toContainText("Retrying");
  await expect(delivery).toContainText("Try 2");
  await expect(delivery).toContainText(/ECONNREFUSED|fetch failed/);
  await expect(delivery).toContainText("next try");

  await r.start();
  await expect(delivery).toContainText("Delivered", { timeout: 30_000 });
  await expect(delivery).toContainText("HTTP 204");
  expect(r.received.every((d) => d.verified && d.type === "webhook.test")).toBe(true);
  expect(r.received).toHaveLength(1);

  // Deleting asks first, then the webhook is gone from the list.
  await row.getByRole("button", { name: `Delete webhook ${r.url}` }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("Nothing more is sent to");
  await dialog.getByRole("button", { name: "Delete webhook" }).click();
  await expect(page.locator("li[data-webhook-id]").filter({ hasText: r.url })).toHaveCount(0);
});
