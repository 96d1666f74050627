// AIP chains in the dashboard: an identity document registered and a chained token whose delegator
// was swapped mid-chain posted through the API, then the chain opened from the list's source filter,
// its blocks drawn dashed, and the hop inspector reading both verdicts side by side.
import { appendBlock, authoritySource, delegationSource, loadBiscuit, mintAuthority, rfc3339Seconds } from "@/lib/protocol/aip/biscuit";
import { makeAipKey, signedDocument } from "@/lib/protocol/aip/test-helpers";
import { API_TOKEN, BASE_URL, runTag } from "./support/env";
import { expect, signIn, test } from "./support/session";

const tag = runTag();
const ALICE = `aip:web:e2e${tag}.example/alice`;
const BOB = `aip:web:e2e${tag}.example/bob`;
const MALLORY = `aip:web:e2e${tag}.evil/mallory`;
const CAROL = `aip:web:e2e${tag}.example/carol`;
let chainId = "";
let swappedJti = "";

async function call(path: string, body: unknown) {
  const res = await fetch(BASE_URL + path, {
    method: "POST",
    headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const data = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(data)}`);
  return data;
}

test.beforeAll(async () => {
  const key = makeAipKey();
  await call("/api/v1/aip/identities", {
    document: signedDocument([{ key, id: "key-1" }], "python", { id: ALICE, name: `Alice ${tag}` }),
    kind: "human",
  });
  const b = await loadBiscuit();
  let token = mintAuthority(
    b,
    key.seed,
    authoritySource({
      identity: ALICE,
      scopes: ["tool:*"],
      maxDepth: 3,
      expires: rfc3339Seconds(Math.floor(Date.now() / 1000) + 86_400),
      principal: `user:${tag}@bank.example`,
    }),
  );
  token = appendBlock(
    b,
    token,
    key.publicKey,
    delegationSource({ delegator: ALICE, delegate: BOB, context: "quarterly research", scopes: ["tool:search"] }),
  );
  token = appendBlock(
    b,
    token,
    key.publicKey,
    delegationSource({ delegator: MALLORY, delegate: CAROL, context: "take over", scopes: ["tool:search"] }),
  );
  const { results } = (await call("/api/v1/aip/tokens", { tokens: [token] })) as { results: { status: string; chain: string; events: string[] }[] };
  if (results[0].status !== "accepted") throw new Error(`token not accepted: ${JSON.stringify(results[0])}`);
  chainId = results[0].chain;
  swappedJti = results[0].events[2];
});

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test("an AIP chain is listed under source aip and its swapped hop shows both verdicts", async ({ page }) => {
  await page.goto(`/chains?source=aip&q=${encodeURIComponent(`e2e${tag}`)}`);
  const table = page.getByRole("table", { name: "Delegation chains" });
  const row = table.getByRole("row").filter({ has: page.locator(`a[href="/chains/${chainId}"]`) });
  await expect(row).toHaveCount(1);
  await expect(row.locator('[data-source="aip"]')).toHaveText("AIP tokens");
  await expect(row).toContainText("Signed by the wrong principal");
  await page.goto(`/chains/${encodeURIComponent(chainId)}?hop=${encodeURIComponent(swappedJti)}`);
  // Blocks after block 0 are drawn dashed and labelled unverified.
  await expect(page.getByText("unverified", { exact: true }).first()).toBeVisible();
  const inspector = page.getByTestId("hop-inspector");
  await expect(inspector).toBeVisible();
  await expect(inspector.getByTestId("aip-unverified")).toContainText("Unverified hop: delegator asserted, not signed");
  await expect(inspector.getByTestId("aip-reference")).toHaveText("valid");
  await expect(inspector.getByTestId("aip-ours")).toContainText("principal_mismatch");
  await expect(inspector.getByTestId("aip-difference")).toContainText("delegator");
  await expect(inspector).toContainText("never counted as verified");
  // The block's Datalog is collapsed, like the raw token.
  const datalog = inspector.getByText("Block Datalog");
  await expect(datalog).toBeVisible();
  await datalog.click();
  await expect(inspector).toContainText(`delegator("${MALLORY}")`);
  await page.screenshot({ path: `/tmp/aip-chain-1440.png`, fullPage: false });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(page.getByTestId("aip-verdicts")).toBeVisible();
  await page.getByTestId("aip-verdicts").scrollIntoViewIfNeeded();
  await page.screenshot({ path: `/tmp/aip-chain-390.png`, fullPage: false });
});

test("the root identity's page shows its AIP document as published", async ({ page }) => {
  await page.goto(`/principals/${encodeURIComponent(ALICE)}`);
  const card = page.getByTestId("aip-document");
  await expect(card).toContainText("python");
  await expect(card).toContainText("key-1");
  await page.getByText("The document as published").click();
  await expect(page.getByText(`"id": "${ALICE}"`)).toBeVisible();
});
