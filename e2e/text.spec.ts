// Text that lies ([7] item 8): a right-to-left override in a purpose and a name is drawn as a
// visible marker in the chain header, the graph and the inspector, never applied to the text.
import { authorize, invoke } from "@delegraph/sdk";
import { runTag } from "./support/env";
import { client, principal } from "./support/seed";
import { expect, signIn, test } from "./support/session";

const tag = runTag();
const RLO = "\u202E";
let chainId = "";

test.beforeAll(async () => {
  const c = client();
  const human = await principal(c, `user:bidi.${tag}@bank.test`, "human", `Mallory ${RLO}yrrallim`);
  const agent = await principal(c, `agent:bidi-${tag}`, "agent");
  const root = await authorize(human, {
    aud: agent.id,
    scope: ["finance/*:read"],
    purpose: { code: "finance.payments", text: `Pay invoice ${RLO}fdp.exe` },
    ttl: 3600,
  });
  const act = await invoke(root.claims, agent, { action: "finance/q1:read", resource: `db://finance/${RLO}q1` });
  await c.send([root.token, act.token]);
  chainId = root.claims.chain;
});

test("bidi overrides show as markers, and the text around them reads in order", async ({ page }) => {
  await signIn(page);
  await page.goto(`/chains/${encodeURIComponent(chainId)}`);
  const header = page.locator("header").filter({ hasText: "Pay invoice" }).first();
  await expect(header).toContainText("Pay invoice RLOfdp.exe");
  await expect(header.locator("abbr.invisible-char").first()).toHaveAttribute("title", /U\+202E/);
  // Nothing on the page applies the override: no rendered text node holds the raw character.
  const raw = await page.evaluate(() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    let n: Node | null;
    while ((n = walker.nextNode())) if ((n.textContent ?? "").includes("\u202E")) return n.textContent;
    return null;
  });
  expect(raw).toBeNull();
});
