// GET /api/v1/openapi.json is served to anyone, is the document lib/openapi builds, and a real answer
// of every JSON operation it describes matches it (openapi-conformance.ts checks each answer of the
// whole suite as it arrives; this file makes sure every operation is called at least once).
import { authorize, complete, delegate, DelegraphClient, generateSigningKey, invoke, nowSeconds, signEvent } from "@delegraph/sdk";
import { makeAipKey, signedDocument } from "@/lib/protocol/aip/test-helpers";
import { describe, expect, inject, it } from "vitest";
import { openApiDocument } from "@/lib/openapi/document";
import { OPERATIONS } from "@/lib/openapi/operations";
import { uid } from "./helpers";
import { checkAnswer } from "../openapi/checker";
import { call } from "./servers";

const server = { url: inject("serverUrl"), token: inject("apiToken") };

describe("the OpenAPI document over HTTP", () => {
  it("is served without credentials, with this server as its server", async () => {
    const res = await fetch(`${server.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; servers: { url: string }[]; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers).toEqual([{ url: server.url }]);
    expect(doc.paths).toEqual(JSON.parse(JSON.stringify(openApiDocument().paths)));
  });

  it("matches a real answer of every JSON operation it describes", async () => {
    const client = new DelegraphClient({ baseUrl: server.url, token: server.token, retry: { retries: 0 } });
    const human = { id: uid("user:openapi"), key: await generateSigningKey() };
    const agent = { id: uid("agent:openapi"), key: await generateSigningKey({ alg: "ES256" }) };
    const tool = { id: uid("tool:openapi"), key: await generateSigningKey() };
    for (const [p, kind] of [
      [human, "human"],
      [agent, "agent"],
      [tool, "tool"],
    ] as const) {
      await client.registerPrincipal({ id: p.id, kind, name: `OpenAPI ${kind}`, keys: [p.key.publicJwk] });
    }
    const root = await authorize(human, {
      aud: agent.id,
      scope: ["docs/*:read"],
      purpose: { code: "audit.openapi", text: "Check the contract" },
      ttl: 600,
    });
    const hop = await delegate(root.claims, agent, { aud: tool.id, scope: ["docs/a:read"], purpose: { code: "audit.openapi.sub", text: "One doc" } });
    const use = await invoke(hop.claims, tool, { action: "docs/a:read", resource: "docs/a" });
    const done = await complete(hop.claims, tool, { result: "the doc" });
    // A second delegate that passes on more than its parent had: a finding to review.
    const escalation = await signEvent(
      {
        kind: "delegate",
        jti: uid("dlg_openapi"),
        chain: root.claims.chain,
        parent: root.claims.jti,
        iss: agent.id,
        aud: tool.id,
        exp: nowSeconds() + 300,
        scope: ["docs/*:write"],
        purpose: { code: "audit.openapi.more", text: "More than given" },
      },
      agent.key,
    );
    const results = await client.send([root.token, hop.token, use.token, done.token, escalation, "not-a-token"]);
    expect(results.map((r) => r.status)).toEqual(["accepted", "accepted", "accepted", "accepted", "accepted", "rejected"]);
    const chain = results[0].chain!;
    const findingId = (await call(server, `/api/v1/findings?chain=${encodeURIComponent(chain)}&limit=1`)).data.items[0].id as number | string;
    const view = await call(server, "/api/v1/views", { method: "POST", json: { name: uid("openapi"), page: "chains", query: "status=violation" } });
    expect(view.status).toBe(201);
    // Two webhooks: one to test and read the log of, one to delete (operations run in table order).
    const webhookBody = { url: "https://hooks.example.com/openapi", events: ["finding.created", "chain.signed_off"], minSeverity: "error" };
    const [webhook, doomedWebhook] = await Promise.all([
      call(server, "/api/v1/webhooks", { method: "POST", json: webhookBody }),
      call(server, "/api/v1/webhooks", { method: "POST", json: webhookBody }),
    ]);
    expect([webhook.status, doomedWebhook.status]).toEqual([201, 201]);
    const aipKey = makeAipKey();
    const aipId = `aip:web:${uid("openapi")
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "")}.example/agent`;
    const aipDocument = (n: number) => ({
      document: signedDocument([{ key: aipKey, id: "key-1" }], "python", { id: aipId, name: `OpenAPI agent ${n}` }),
    });

    const token = await call(server, "/api/v1/tokens", { method: "POST", json: { name: uid("openapi"), role: "viewer" } });
    expect(token.status).toBe(201);
    const user = await call(server, "/api/v1/users", {
      method: "POST",
      json: { email: `${uid("openapi")}@example.test`, role: "viewer", password: "a long and unusual passphrase 42" },
    });
    expect(user.status).toBe(201);

    const paths: Record<string, [string, string]> = {
      ingestEvents: ["POST", "/api/v1/events"],
      listChains: ["GET", "/api/v1/chains?limit=5&sort=-hops"],
      getChain: ["GET", `/api/v1/chains/${encodeURIComponent(chain)}`],
      getEvent: ["GET", `/api/v1/events/${encodeURIComponent(chain)}`],
      getChainRefusals: ["GET", `/api/v1/chains/${encodeURIComponent(chain)}/refused`],
      search: ["GET", `/api/v1/search?q=${encodeURIComponent(agent.id)}`],
      getEvidenceBundle: ["GET", `/api/v1/chains/${encodeURIComponent(chain)}/evidence.json`],
      createPrincipal: ["POST", "/api/v1/principals"],
      listPrincipals: ["GET", "/api/v1/principals?limit=5"],
      getPrincipal: ["GET", `/api/v1/principals/${encodeURIComponent(agent.id)}`],
      revokeKey: ["POST", `/api/v1/principals/${encodeURIComponent(tool.id)}/keys/${encodeURIComponent(tool.key.kid)}/revoke`],
      listFindings: ["GET", "/api/v1/findings?limit=5"],
      getStats: ["GET", "/api/v1/stats"],
      verifyLedger: ["GET", "/api/v1/ledger/verify"],
      getLedgerKey: ["GET", "/api/v1/ledger/key"],
      listQuarantine: ["GET", "/api/v1/quarantine?limit=5"],
      investigateResource: ["GET", "/api/v1/investigate/resource?resource=docs%2Fa"],
      investigatePrincipal: ["GET", `/api/v1/investigate/principal?principal=${encodeURIComponent(agent.id)}&since=0`],
      createToken: ["POST", "/api/v1/tokens"],
      listTokens: ["GET", "/api/v1/tokens"],
      revokeToken: ["POST", `/api/v1/tokens/${token.data.id}/revoke`],
      listUsers: ["GET", "/api/v1/users"],
      createUser: ["POST", "/api/v1/users"],
      updateUser: ["PATCH", `/api/v1/users/${user.data.id}`],
      listAudit: ["GET", "/api/v1/audit?limit=5"],
      getOpenApi: ["GET", "/api/v1/openapi.json"],
      registerAipIdentity: ["POST", "/api/v1/aip/identities"],
      replaceAipIdentity: ["PUT", `/api/v1/aip/identities/${encodeURIComponent(aipId)}`],
      ingestAipTokens: ["POST", "/api/v1/aip/tokens"],
      ingestCaptures: ["POST", "/api/v1/captures"],
      getFindingReview: ["GET", `/api/v1/findings/${encodeURIComponent(String(findingId))}`],
      reviewFinding: ["PATCH", `/api/v1/findings/${encodeURIComponent(String(findingId))}`],
      reviewFindings: ["POST", "/api/v1/findings/bulk"],
      getChainReview: ["GET", `/api/v1/chains/${encodeURIComponent(chain)}/review`],
      reviewChain: ["PUT", `/api/v1/chains/${encodeURIComponent(chain)}/review`],
      listViews: ["GET", "/api/v1/views"],
      createView: ["POST", "/api/v1/views"],
      deleteView: ["DELETE", `/api/v1/views/${encodeURIComponent(view.data.id)}`],
      createWebhook: ["POST", "/api/v1/webhooks"],
      listWebhooks: ["GET", "/api/v1/webhooks"],
      deleteWebhook: ["DELETE", `/api/v1/webhooks/${doomedWebhook.data.id}`],
      testWebhook: ["POST", `/api/v1/webhooks/${webhook.data.id}/test`],
      listWebhookDeliveries: ["GET", `/api/v1/webhooks/${webhook.data.id}/deliveries?limit=10`],
      principalLeastPrivilege: ["GET", `/api/v1/principals/${encodeURIComponent(tool.id)}/least-privilege`],
      leastPrivilegeRanking: ["GET", "/api/v1/least-privilege"],
    };
    const bodies: Record<string, unknown> = {
      ingestEvents: { events: [use.token] },
      createPrincipal: { id: uid("agent:openapi"), kind: "agent", keys: [(await generateSigningKey()).publicJwk] },
      revokeKey: {},
      createToken: { name: uid("openapi"), role: "ingest" },
      createUser: { email: `${uid("openapi")}@example.test`, role: "investigator", password: "another long passphrase 43" },
      updateUser: { role: "investigator" },
      registerAipIdentity: aipDocument(1),
      replaceAipIdentity: aipDocument(2),
      ingestAipTokens: { tokens: ["not-an-aip-token"] },
      ingestCaptures: {
        captures: [
          {
            kind: "mcp",
            startedAt: new Date().toISOString(),
            server: "http://mcp.example/mcp",
            request: { body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "search", arguments: { q: "x" } } } },
            response: { status: 200, body: { jsonrpc: "2.0", id: 1, result: { content: [] } } },
          },
        ],
      },
      reviewFinding: { state: "acknowledged" },
      reviewFindings: { ids: [findingId], assignee: "auditor@example.test" },
      reviewChain: { status: "in_review" },
      createView: { name: uid("openapi"), page: "findings", query: "state=open" },
      createWebhook: { url: "https://hooks.example.com/openapi-created", events: ["finding.state_changed"] },
      testWebhook: {},
    };
    const jsonOperations = OPERATIONS.filter((o) => o.success.mediaType === "application/json");
    for (const op of jsonOperations) {
      const target = paths[op.operationId];
      expect(target, `no request for ${op.operationId}`).toBeDefined();
      const [method, path] = target;
      expect(method.toLowerCase()).toBe(op.method);
      const body = bodies[op.operationId];
      const res = await fetch(server.url + path, {
        method,
        headers: { authorization: `Bearer ${server.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(res.status, `${op.operationId}: ${await res.clone().text()}`).toBe(op.success.status);
      // The fetch wrapper has checked it already; say so here too, by name.
      expect(await checkAnswer(method, new URL(server.url + path), res), op.operationId).toBeNull();
    }
  });

  it("catches an answer that leaves its schema", async () => {
    const url = new URL(`${server.url}/api/v1/stats`);
    const fake = new Response(JSON.stringify({ totalChains: "many" }), { status: 200, headers: { "content-type": "application/json" } });
    const problem = await checkAnswer("GET", url, fake);
    expect(problem?.problem).toMatch(/body/);
    const undescribed = await checkAnswer("GET", new URL(`${server.url}/api/v1/not-a-route`), new Response("{}", { status: 200 }));
    expect(undescribed?.problem).toMatch(/no operation/);
  });
});
