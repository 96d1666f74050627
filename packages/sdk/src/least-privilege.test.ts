import { describe, expect, it } from "vitest";
import type { TAuthorizeClaims } from "../../../lib/protocol/types";
import { delegate, type TSigner } from "./events";
import { generateSigningKey } from "./keys";
import { delegateFromSuggestion } from "./least-privilege";

const parent: TAuthorizeClaims = {
  v: 1,
  kind: "authorize",
  jti: "auth_1",
  chain: "auth_1",
  iss: "user:alice@bank.example",
  aud: "agent:planner",
  iat: Math.floor(Date.now() / 1000) - 10,
  exp: Math.floor(Date.now() / 1000) + 3600,
  scope: ["finance/*:read", "hr/*:read"],
  purpose: { code: "finance.reporting", text: "Q1 report" },
  constraints: { data: ["financial", "pii"], egress: ["*.bank.example"] },
};
const suggestion = {
  scope: ["finance/q1/*:read"],
  constraints: { data: ["financial"], egress: ["api.bank.example"] },
  max_depth: 1,
  ttl: 600,
  purpose: "finance.reporting",
};

describe("delegateFromSuggestion", () => {
  it("turns the API's suggestion (object or JSON text) into a delegate the SDK signs", async () => {
    const planner: TSigner = { id: "agent:planner", key: await generateSigningKey() };
    const input = delegateFromSuggestion(JSON.stringify(suggestion), { aud: "agent:viz", purposeText: "Charts" });
    expect(input).toEqual({
      aud: "agent:viz",
      scope: ["finance/q1/*:read"],
      ttl: 600,
      max_depth: 1,
      constraints: { data: ["financial"], egress: ["api.bank.example"] },
      purpose: { code: "finance.reporting", text: "Charts" },
    });
    const { claims } = await delegate(parent, planner, input);
    expect(claims).toMatchObject({ kind: "delegate", parent: "auth_1", aud: "agent:viz", scope: ["finance/q1/*:read"], max_depth: 1 });
    expect(claims.exp - claims.iat).toBe(600);
    expect(delegateFromSuggestion(suggestion, { aud: "agent:viz" }).purpose).toBeUndefined();
  });

  it("refuses what is not a suggestion, and a suggestion of nothing", () => {
    expect(() => delegateFromSuggestion("{", { aud: "agent:viz" })).toThrow(/not JSON/);
    expect(() => delegateFromSuggestion({ scope: "x" }, { aud: "agent:viz" })).toThrow(/not a suggested grant/);
    expect(() => delegateFromSuggestion({ ...suggestion, scope: ["Finance:read"] }, { aud: "agent:viz" })).toThrow(/scope grammar/);
    expect(() => delegateFromSuggestion({ ...suggestion, scope: [], ttl: null }, { aud: "agent:viz" })).toThrow(/grants nothing/);
  });
});
