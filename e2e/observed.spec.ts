// Observed chains in the dashboard (docs/observed.md): spans posted to the OTLP receiver and MCP
// captures posted to /api/v1/captures appear in the chain list with the Observed status and their
// source, and the chain page draws them dashed, labelled with their source, never verified.
import { API_TOKEN, BASE_URL, runTag } from "./support/env";
import { expect, signIn, test } from "./support/session";
import { aipKeyId, compactToken, makeAipKey } from "../lib/protocol/aip/test-helpers";

const tag = runTag();
const traceId = Buffer.from(`obs-${tag}`).toString("hex").padEnd(32, "0").slice(0, 32);
const chainId = `obs:${traceId}`;
const user = `alice-${tag}@example.com`;
const spanId = (n: number) => n.toString(16).padStart(16, "0");

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
function span(n: number, parent: number | null, name: string, atMs: number, attributes: ReturnType<typeof str>[], error = false) {
  const start = BigInt(atMs) * 1_000_000n;
  return {
    traceId,
    spanId: spanId(n),
    ...(parent === null ? {} : { parentSpanId: spanId(parent) }),
    name,
    kind: 1,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + 40_000_000n).toString(),
    attributes,
    status: error ? { code: 2, message: "upstream timeout" } : {},
  };
}

async function post(path: string, body: unknown) {
  const res = await fetch(BASE_URL + path, {
    method: "POST",
    headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json() as Promise<Record<string, unknown>>;
}

let captureChain = "";

test.beforeAll(async () => {
  const at = Date.now() - 120_000;
  await post("/api/otel/v1/traces", {
    resourceSpans: [
      {
        resource: { attributes: [str("service.name", `support-app-${tag}`)] },
        scopeSpans: [
          {
            scope: { name: "e2e" },
            spans: [
              span(1, null, "invoke_agent support", at, [
                str("gen_ai.operation.name", "invoke_agent"),
                str("gen_ai.agent.name", `support-${tag}`),
                str("user.id", user),
              ]),
              span(2, 1, "execute_tool lookup_order", at + 10, [
                str("gen_ai.operation.name", "execute_tool"),
                str("gen_ai.tool.name", "lookup_order"),
                str("gen_ai.tool.call.arguments", '{"order":"1234"}'),
              ]),
              span(
                3,
                1,
                "execute_tool lookup_order",
                at + 60,
                [str("gen_ai.operation.name", "execute_tool"), str("gen_ai.tool.name", "lookup_order")],
                true,
              ),
              span(4, 1, "execute_tool transfer_to_refund", at + 100, [
                str("gen_ai.operation.name", "execute_tool"),
                str("gen_ai.transfer.target.name", `refund-${tag}`),
                str("gen_ai.transfer.mode", "pass_control"),
              ]),
            ],
          },
        ],
      },
    ],
  });
  const claims = Buffer.from(JSON.stringify({ sub: `bob-${tag}@example.com`, azp: `planner-${tag}` })).toString("base64url");
  const captured = await post("/api/v1/captures", {
    captures: [
      {
        kind: "mcp",
        startedAt: at,
        endedAt: at + 30,
        service: "mcp-gateway",
        request: {
          headers: { authorization: `Bearer eyJhbGciOiJSUzI1NiJ9.${claims}.c2ln`, "mcp-session-id": `sess-${tag}` },
          body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "search_docs", arguments: { q: "refund policy" } } },
        },
        response: { status: 200, body: { jsonrpc: "2.0", id: 1, result: { content: [] } } },
      },
    ],
  });
  captureChain = (captured.chains as string[])[0];

  // Captured MCP calls that present an AIP token: one verifies (a self-certifying aip:key issuer),
  // one is tampered with.
  const key = makeAipKey();
  const nowS = Math.floor(Date.now() / 1000);
  const token = compactToken(key, {
    iss: aipKeyId(key),
    sub: `aip:web:agents.example/support-${tag}`,
    scope: ["lookup_order"],
    iat: nowS - 60,
    exp: nowS + 3600,
    max_depth: 0,
  });
  const tampered = token.slice(0, -4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
  const aipCall = (tool: string, offset: number, aipToken: string) => ({
    kind: "mcp",
    startedAt: at + offset,
    endedAt: at + offset + 20,
    server: "https://tools.example.com/mcp",
    service: "mcp-gateway",
    client: `aip-agent-${tag}`,
    request: {
      headers: { "mcp-session-id": `aip-${tag}`, "x-aip-token": aipToken },
      body: { jsonrpc: "2.0", id: offset, method: "tools/call", params: { name: tool, arguments: {} } },
    },
    response: { status: 200, body: { jsonrpc: "2.0", id: offset, result: { content: [] } } },
  });
  const aip = await post("/api/v1/captures", { captures: [aipCall("lookup_order", 0, token), aipCall("close_ticket", 50, tampered)] });
  aipChain = (aip.chains as string[])[0];
});

let aipChain = "";

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test("observed chains are in the list with their own status and source, never verified", async ({ page }) => {
  await page.goto(`/chains?q=${tag}`);
  const otelRow = page.locator(`tr[data-chain-id="${chainId}"]`);
  const captureRow = page.locator(`tr[data-chain-id="${captureChain}"]`);
  await expect(otelRow).toContainText("Observed");
  await expect(otelRow).toContainText("OpenTelemetry");
  await expect(otelRow).toContainText(user);
  await expect(captureRow).toContainText("MCP/A2A capture");
  await expect(captureRow).toContainText(`bob-${tag}@example.com`);

  await page.locator("#source").selectOption("capture");
  await expect(otelRow).toHaveCount(0);
  await expect(captureRow).toBeVisible();
  await page.locator("#source").selectOption("");
  await page.locator("#status").selectOption("verified");
  await expect(otelRow).toHaveCount(0);
  await expect(captureRow).toHaveCount(0);
  await page.locator("#status").selectOption("observed");
  await expect(otelRow).toBeVisible();
  await expect(captureRow).toBeVisible();
});

test("the chain page draws observed edges dashed and labelled with their source", async ({ page }) => {
  await page.goto(`/chains/${encodeURIComponent(chainId)}`);
  await expect(page.getByTestId("observed-banner")).toContainText("Observed, not verified.");
  await expect(page.getByTestId("observed-banner")).toContainText(`asserted by support-app-${tag}`);
  const edges = page.locator("[data-observed-edge]");
  await expect(edges).toHaveCount(3);
  for (const label of await edges.all()) await expect(label).toContainText("observed · OpenTelemetry");
  await expect(page.locator('[data-observed-edge="handoff"]')).toContainText("handoff (pass_control)");
  await expect(page.locator('[data-observed-edge="tool_call"]')).toContainText("tool call ×2");
  await expect(page.locator('[data-observed-edge="tool_call"]')).toContainText("failed");
  // Every drawn edge is dashed: nothing observed is solid.
  const dashes = await page
    .locator(".react-flow__edge path.dg-edge-path")
    .evaluateAll((paths) => paths.map((p) => (p as SVGPathElement).style.strokeDasharray));
  expect(dashes.length).toBe(3);
  for (const d of dashes) expect(d).not.toBe("");
  await expect(page.getByRole("list", { name: "Findings in this chain" })).toContainText("unauthorized_activity");
  await page.screenshot({ path: "/tmp/observed-chain-1440.png" });

  await page.locator('[data-observed-edge="tool_call"]').click();
  const inspector = page.getByTestId("observed-inspector");
  await expect(inspector).toContainText("lookup_order");
  await expect(inspector).toContainText("2 calls, 1 failed");
  await expect(inspector).toContainText("not signed");
  await expect(inspector).toContainText(/sha256:[0-9a-f]{64}/);
  await expect(inspector).not.toContainText("1234");
});

test("the Calls tab lists every observed edge, and a deep link selects one", async ({ page }) => {
  await page.goto(`/chains/${encodeURIComponent(chainId)}?tab=timeline`);
  await expect(page.getByRole("tab", { name: /Calls/ })).toHaveAttribute("aria-selected", "true");
  const rows = page.getByTestId("observed-call-row");
  await expect(rows).toHaveCount(3);
  await rows.filter({ hasText: `refund-${tag}` }).click();
  await expect(page).toHaveURL(/hop=handoff/);
  await expect(page.getByTestId("observed-inspector")).toContainText(`refund-${tag}`);
  const url = page.url();
  await page.goto("about:blank");
  await page.goto(url);
  await expect(page.getByTestId("observed-inspector")).toContainText("handoff");
});

test("narrow screens keep the banner and the graph", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/chains/${encodeURIComponent(captureChain)}`);
  await expect(page.getByTestId("observed-banner")).toContainText("captured MCP and A2A traffic");
  await expect(page.locator("[data-observed-edge]").first()).toBeVisible();
  await page.screenshot({ path: "/tmp/observed-chain-390.png", fullPage: true });
  await page.goto(`/chains?q=${tag}`);
  await page.screenshot({ path: "/tmp/observed-list-390.png", fullPage: true });
});

test("an AIP token presented in a capture: the verified call is drawn solid beside its dashed edge, the refused one says why", async ({ page }) => {
  await page.goto(`/chains/${encodeURIComponent(aipChain)}`);
  await expect(page.getByTestId("observed-banner")).toContainText("Observed, not verified.");
  // Two dashed observed tool calls (plus the agent's root edge), one solid signed invoke beside lookup_order.
  await expect(page.locator('[data-observed-edge="tool_call"]')).toHaveCount(2);
  await expect(page.getByText("signed invoke · AIP token")).toBeVisible();
  const dashes = await page
    .locator(".react-flow__edge path.dg-edge-path")
    .evaluateAll((paths) => paths.map((p) => (p as SVGPathElement).style.strokeDasharray));
  expect(dashes.filter((d) => d === "").length).toBe(1);
  expect(dashes.filter((d) => d !== "").length).toBe(3);
  // Only the refused call is a finding.
  await expect(page.getByRole("list", { name: "Findings in this chain" })).toContainText("unauthorized_activity");

  await page.getByRole("tab", { name: /Calls/ }).click();
  const compare = page.getByTestId("observed-compare");
  await expect(compare.getByRole("heading", { name: "What signing would add" })).toBeVisible();
  await expect(page.getByTestId("observed-compare-count")).toContainText(
    "Signed events describe 1 of 2 observed steps; 1 is observed only (unauthorized_activity).",
  );
  await expect(compare).toContainText("each agent signs its calls with its own registered key");
  const lookupRow = page.getByTestId("observed-call-row").filter({ hasText: "lookup_order" });
  const closeRow = page.getByTestId("observed-call-row").filter({ hasText: "close_ticket" });
  await expect(lookupRow).toContainText("signed beside");
  await expect(closeRow).not.toContainText("signed beside");

  await closeRow.click();
  const inspector = page.getByTestId("observed-inspector");
  await expect(inspector.getByTestId("call-aip")).toContainText("AIP token (X-AIP-Token) not verified: signature_invalid");
  await expect(inspector.getByTestId("call-aip")).toContainText("not counted as verified");
  await expect(inspector).toContainText("unauthorized_activity");

  await lookupRow.click();
  await expect(inspector.getByTestId("call-aip")).toContainText("AIP token (X-AIP-Token) verified: this call is invoke");
  await expect(inspector.getByTestId("call-aip")).toContainText(`aip:web:agents.example/support-${tag}`);
  await expect(inspector.getByTestId("observed-signed")).toBeVisible();
  // The invoke's link opens the AIP chain, where it is a signed hop of the token's grant.
  await inspector.getByTestId("call-aip").getByRole("link").click();
  await expect(page).toHaveURL(/\/chains\/aip-/);
  await expect(page.getByText(`aip:web:agents.example/support-${tag}`).filter({ visible: true }).first()).toBeVisible();
});

test("an observed chain's downloads: its calls as CSV rows labelled observed, and an observed record, not an evidence bundle", async ({ page }) => {
  await page.goto(`/chains/${encodeURIComponent(aipChain)}`);
  await expect(page.getByRole("link", { name: "CSV", exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "Observed record (unsigned)" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Evidence bundle" })).toHaveCount(0);
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "CSV", exact: true }).click();
  const file = await download;
  const text = await (await import("node:fs/promises")).readFile(await file.path(), "utf8");
  const lines = text.trim().split("\r\n");
  expect(lines[0].endsWith(",source,verification")).toBe(true);
  const calls = lines.slice(1).filter((l) => l.includes("observed_tool_call"));
  expect(calls).toHaveLength(2);
  for (const l of calls) expect(l).toContain(",capture,");
  expect(calls.find((l) => l.includes("lookup_order"))).toContain("observed, not verified; signed beside it: invoke aipcall-");
  expect(calls.find((l) => l.includes("close_ticket"))).toContain("observed, not verified; AIP token (X-AIP-Token) refused: signature_invalid");
});
