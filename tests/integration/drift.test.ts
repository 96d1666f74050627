// Behavioural drift over HTTP (docs/least-privilege.md#behavioural-drift): a principal's history
// under one purpose, past the warm-up, then an invoke on a resource and a host it never touched.
// The ingest answer, the findings list and the chain read all carry behavior_drift with the
// baseline it was compared to. npm test runs this file on SQLite and on PostgreSQL.
import { beforeAll, describe, expect, it } from "vitest";
import { api, authorizeClaims, chain, invokeClaims, post, register, signToken, uid, type TPrincipal } from "./helpers";

let human: TPrincipal;
let agent: TPrincipal;
let root: ReturnType<typeof authorizeClaims>;
const purpose = `finance.drift${uid("p").replace(/[^a-z0-9]/g, "")}`;
const HOUR = 3600;
const start = Math.floor(Date.now() / 1000) - 30 * HOUR;

beforeAll(async () => {
  [human, agent] = await Promise.all([register("human"), register("agent")]);
  root = authorizeClaims(human.id, agent.id, { iat: start - 60, purpose: { code: purpose, text: "Ledger audit" } });
  // 25 invokes an hour apart, always the same action on the same resource: past the 20-event warm-up.
  const history = Array.from({ length: 25 }, (_, i) =>
    signToken(invokeClaims(root, agent.id, { iat: start + i * HOUR, action: "finance/ledger:read", resource: "db://finance/ledger" }), agent.key),
  );
  const first = await post([signToken(root, human.key), ...history.slice(0, 10)]);
  const rest = await post(history.slice(10));
  expect([...first, ...rest].map((r) => [r.status, r.findings.map((f) => f.code)])).toEqual(Array(26).fill(["accepted", []]));
});

describe("behavior_drift at ingest", () => {
  it("flags an invoke unlike the principal's own history, with the baseline, in the answer, the findings list and the chain", async () => {
    const novel = invokeClaims(root, agent.id, { iat: start + 26 * HOUR, action: "finance/ledger:read", resource: "https://exfil.example/upload" });
    const [result] = await post([signToken(novel, agent.key)]);
    expect(result.status).toBe("accepted");
    expect(result.findings.map((f) => [f.code, f.severity])).toEqual([["behavior_drift", "warning"]]);
    const message = result.findings[0].message;
    expect(message).toContain("resource https://exfil.example/upload never seen");
    expect(message).toContain("host exfil.example never seen");
    expect(message).toContain(`for ${agent.id} under purpose ${purpose}`);
    expect(message).toContain("against its baseline of 25 events since");

    const list = await api(`/api/v1/findings?code=behavior_drift&principal=${encodeURIComponent(agent.id)}`);
    expect(list.status).toBe(200);
    expect(
      list.data.items.map((f: { eventJti: string; code: string; severity: string; chainId: string }) => [f.eventJti, f.code, f.severity, f.chainId]),
    ).toEqual([[novel.jti, "behavior_drift", "warning", root.jti]]);
    expect(list.data.items[0].message).toBe(message);

    const detail = await chain(root.jti);
    expect(detail.status).toBe("warning");
    const event = detail.events.find((e: { jti: string }) => e.jti === novel.jti);
    expect(event.drift).toMatchObject({
      purpose,
      bucketSeconds: 3600,
      aspects: [
        { aspect: "resource", value: "https://exfil.example/upload" },
        { aspect: "host", value: "exfil.example" },
      ],
      baseline: { events: 25, actions: 1, resources: 1, dataClasses: 0, hosts: 0 },
    });
    expect(event.findings.map((f: { code: string }) => f.code)).toEqual(["behavior_drift"]);
  });

  it("judges nothing while a baseline warms up: a newcomer's first actions are not findings", async () => {
    const newcomer = await register("agent");
    const grant = authorizeClaims(human.id, newcomer.id, { purpose: { code: purpose, text: "Ledger audit" } });
    const tokens = Array.from({ length: 10 }, (_, i) =>
      signToken(invokeClaims(grant, newcomer.id, { action: `finance/r${i}:read`, resource: `https://h${i}.example/x` }), newcomer.key),
    );
    const results = await post([signToken(grant, human.key), ...tokens]);
    expect(results.flatMap((r) => r.findings.map((f) => f.code))).toEqual([]);
  });
});
