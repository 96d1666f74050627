// GET /api/v1/openapi.json is served to anyone, is the document lib/openapi builds, and a real answer
// of every JSON operation it describes matches it (openapi-conformance.ts checks each answer of the
// whole suite as it arrives; this file makes sure every operation is called at least once).
import { authorize, complete, delegate, DelegraphClient, generateSigningKey, invoke } from "@delegraph/sdk";
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
    const results = await client.send([root.token, hop.token, use.token, done.token, "not-a-token"]);
    expect(results.map((r) => r.status)).toEqual(["accepted", "accepted", "accepted", "accepted", "rejected"]);
    const chain = results[0].chain!;

    const token = await call(server, "/api/v1/tokens", { method: "POST", json: { name: uid("openapi"), role: "viewer" } });
    expect(token.status).toBe(201);
    const user = await call(server, "/api/v1/users", {
      method: "POST",
      json: { email: `${uid("openapi")}@example.test`, role: "viewer", password: "a long and unusual passphrase 42" },
    });
    expect(user.status).toBe(201);

    const paths: Record<string, [string, string]> = {
      ingestEvents: ["POST", "/api/v1/events"],
      listChains: ["GET", "/api/v1/chains?limit=5"],
      getChain: ["GET", `/api/v1/chains/${encodeURIComponent(chain)}`],
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
    };
    const bodies: Record<string, unknown> = {
      ingestEvents: { events: [use.token] },
      createPrincipal: { id: uid("agent:openapi"), kind: "agent", keys: [(await generateSigningKey()).publicJwk] },
      revokeKey: {},
      createToken: { name: uid("openapi"), role: "ingest" },
      createUser: { email: `${uid("openapi")}@example.test`, role: "investigator", password: "another long passphrase 43" },
      updateUser: { role: "investigator" },
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
