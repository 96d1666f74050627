import { describe, expect, it } from "vitest";
import { principalInChain } from "./principal-in-chain";
import { chain, finding, hop, T } from "./test-fixtures";

// human → planner → drift (escalated grant, then an invoke with a critical finding)
function driftChain() {
  const root = hop("g0", null, "user:h", "agent:planner");
  const toDrift = hop("g1", "g0", "agent:planner", "agent:drift", { findings: [finding("no_attenuation", "warning", "g1")] });
  toDrift.invocations = [
    {
      jti: "i1",
      iss: "agent:drift",
      iat: T + 5,
      action: "x:write",
      resource: "https://render.example/api",
      purpose: null,
      data: [],
      findings: [finding("scope_drift", "critical", "i1")],
    },
  ];
  return chain([root, toDrift]);
}

describe("principalInChain", () => {
  it("puts the worst finding first and says what the principal's part was", () => {
    const p = principalInChain(driftChain(), "agent:drift");
    expect(p.findings.map((f) => [f.code, f.role, f.eventKind])).toEqual([
      ["scope_drift", "signed", "invoke"],
      ["no_attenuation", "received", "delegate"],
    ]);
    expect(p.received.map((h) => h.jti)).toEqual(["g1"]);
    expect(p.delegated).toEqual([]);
    expect(p.actions).toBe(1);
  });

  it("charges the delegator with the grant it signed", () => {
    const p = principalInChain(driftChain(), "agent:planner");
    expect(p.findings.map((f) => [f.code, f.role])).toEqual([["no_attenuation", "signed"]]);
    expect(p.delegated.map((h) => h.jti)).toEqual(["g1"]);
    expect(p.received.map((h) => h.jti)).toEqual(["g0"]);
  });

  it("has no findings for a principal whose events are clean", () => {
    const p = principalInChain(driftChain(), "user:h");
    expect(p.findings).toEqual([]);
    expect(p.delegated.map((h) => h.jti)).toEqual(["g0"]);
  });
});
