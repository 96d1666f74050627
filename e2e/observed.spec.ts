// Observed chains in the dashboard (docs/observed.md): spans posted to the OTLP receiver and MCP
// captures posted to /api/v1/captures appear in the chain list with the Observed status and their
// source, and the chain page draws them dashed, labelled with their source, never verified.
import { API_TOKEN, BASE_URL, runTag } from "./support/env";
import { expect, signIn, test } from "./support/session";

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
});

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
