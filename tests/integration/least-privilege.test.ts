// The least-privilege routes over HTTP (docs/least-privilege.md): the principal's granted-vs-used
// with its suggestion, the ranking, the CSV report, and their errors and permissions. npm test runs
// this file on SQLite and on PostgreSQL.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { api, authorizeClaims, delegateClaims, invokeClaims, post, register, signToken, uid, type TPrincipal } from "./helpers";

let human: TPrincipal;
let planner: TPrincipal;
let viz: TPrincipal;
let rootJti: string;
const purpose = `finance.lp${uid("p").replace(/[^a-z0-9]/g, "")}`;

beforeAll(async () => {
  [human, planner, viz] = await Promise.all([register("human"), register("agent"), register("agent")]);
  const root = authorizeClaims(human.id, planner.id, {
    scope: ["finance/*:read", "mail/outbox:send"],
    purpose: { code: purpose, text: "Quarterly" },
  });
  const toViz = delegateClaims(root, planner.id, viz.id, { purpose: { code: `${purpose}.q1`, text: "Q1" } });
  const results = await post([
    signToken(root, human.key),
    signToken(toViz, planner.key),
    signToken(invokeClaims(root, planner.id, { resource: "https://api.bank.example/q1", data: ["financial"] }), planner.key),
    signToken(invokeClaims(toViz, viz.id, { action: "finance/q1/costs:read" }), viz.key),
  ]);
  expect(results.map((r) => r.status)).toEqual(["accepted", "accepted", "accepted", "accepted"]);
  rootJti = root.jti;
});

describe("GET /api/v1/principals/{id}/least-privilege", () => {
  it("answers granted against used with a suggestion within the grant", async () => {
    const res = await api(`/api/v1/principals/${encodeURIComponent(planner.id)}/least-privilege?purpose=${purpose}`);
    expect(res.status).toBe(200);
    expect(res.data.grants).toEqual([
      {
        jti: rootJti,
        chain: rootJti,
        purpose,
        iat: expect.any(Number),
        exp: expect.any(Number),
        granted: ["finance/*:read", "mail/outbox:send"],
        used: [{ scope: "finance/*:read", invocations: 1, delegations: 1, uses: ["finance/q1/*:read", "finance/q1/revenue:read"] }],
        unused: ["mail/outbox:send"],
        outside: [],
        effectiveConstraints: {},
      },
    ]);
    expect(res.data.suggested).toEqual({
      scope: ["finance/q1/*:read"],
      constraints: { data: ["financial"], egress: ["api.bank.example"] },
      max_depth: 1,
      ttl: 60,
      purpose,
    });
  });

  it("takes ISO 8601 windows, refuses bad queries, 404s unknown principals and needs credentials", async () => {
    const path = `/api/v1/principals/${encodeURIComponent(planner.id)}/least-privilege`;
    const future = await api(`${path}?since=2100-01-01T00:00:00Z&until=2100-01-02T00:00:00Z`);
    expect(future.status).toBe(200);
    expect(future.data.grants).toEqual([]);
    expect((await api(`${path}?purpose=Not%20A%20Code`)).status).toBe(400);
    expect((await api(`${path}?since=20&until=10`)).status).toBe(400);
    const missing = await api(`/api/v1/principals/agent:${uid("nobody")}/least-privilege`);
    expect(missing.status).toBe(404);
    expect(missing.data.error.code).toBe("not_found");
    expect((await api(path, { token: null })).status).toBe(401);
  });
});

describe("GET /api/v1/least-privilege and the CSV report", () => {
  it("ranks principals and purposes by unused authority", async () => {
    const res = await api(`/api/v1/least-privilege?purpose=${purpose}`);
    expect(res.status).toBe(200);
    expect(res.data.items.map((r: { principal: string; unused: number; granted: number }) => [r.principal, r.unused, r.granted])).toEqual([
      [planner.id, 1, 2],
      [viz.id, 0, 1],
    ]);
    expect(res.data.analysedGrants).toBe(2);
  });

  it("exports the report as CSV for viewers, with the suggestion", async () => {
    const viewer = await api("/api/v1/tokens", { method: "POST", json: { name: uid("viewer"), role: "viewer" } });
    const res = await fetch(
      `${inject("serverUrl")}/api/v1/least-privilege/report.csv?purpose=${purpose}&principal=${encodeURIComponent(planner.id)}`,
      { headers: { authorization: `Bearer ${viewer.data.token}` } },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain("attachment");
    const lines = (await res.text()).trimEnd().split("\r\n");
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe(`grant,${planner.id},${purpose},${rootJti},${rootJti},finance/*:read,used,1,1,finance/q1/*:read finance/q1/revenue:read,`);
    expect(lines[2]).toBe(`grant,${planner.id},${purpose},${rootJti},${rootJti},mail/outbox:send,unused,0,0,,`);
    expect(lines[3]).toContain(`suggestion,${planner.id},${purpose},,,finance/q1/*:read,suggested,,,,`);
    const pdf = await fetch(`${inject("serverUrl")}/api/v1/least-privilege/report.pdf?purpose=${purpose}&size=letter`, {
      headers: { authorization: `Bearer ${viewer.data.token}` },
    });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe("%PDF-");
  });
});
