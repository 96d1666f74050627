import { describe, expect, it } from "vitest";
import { checkCompact } from "./compact";
import { aipKeyId, compactToken, makeAipKey, makeContext, NOW } from "./test-helpers";
import {
  finalGrant,
  isPresentationRecord,
  parsePresentation,
  presentationId,
  presentationRecord,
  presentedInvoke,
  type TPresentation,
} from "./presented";

const key = makeAipKey();
const token = compactToken(key, {
  iss: aipKeyId(key),
  sub: "aip:web:agents.example/support",
  scope: ["lookup_order"],
  iat: NOW - 10,
  exp: NOW + 3600,
});
const call: TPresentation["call"] = {
  via: "mcp",
  action: "lookup_order",
  resource: "https://tools.example.com/mcp",
  at: NOW,
  traceparent: `00-${"a".repeat(32)}-${"b".repeat(16)}-01`,
  observedBy: "mcp-gateway",
};

function grantsOf(t: string) {
  const r = checkCompact(t, makeContext());
  if (!r.ok) throw new Error(r.error.message);
  return [r.claims];
}

describe("presentation records", () => {
  it("are canonical JSON that parses back, and nothing else parses", () => {
    const record = presentationRecord({ token, call });
    expect(isPresentationRecord(record)).toBe(true);
    expect(parsePresentation(record)).toEqual({ token, call });
    // Same parts in another key order, padding, a wrong version or a bad traceparent: refused.
    const o = JSON.parse(record) as Record<string, unknown>;
    expect(parsePresentation(JSON.stringify({ token: o.token, aip_presentation: 1, call: o.call }))).toBeNull();
    expect(parsePresentation(record + " ")).toBeNull();
    expect(parsePresentation(record.replace('"aip_presentation":1', '"aip_presentation":2'))).toBeNull();
    expect(parsePresentation(presentationRecord({ token, call: { ...call, traceparent: "00-zz" } }))).toBeNull();
    expect(parsePresentation(token)).toBeNull();
    expect(isPresentationRecord(token)).toBe(false);
  });

  it("stand for an invoke by the final delegate under the token's last grant, with an id from the record", () => {
    const grants = grantsOf(token);
    const invoke = presentedInvoke({ token, call }, grants)!;
    expect(invoke).toEqual({
      v: 1,
      kind: "invoke",
      jti: presentationId(presentationRecord({ token, call })),
      chain: grants[0].chain,
      iss: "aip:web:agents.example/support",
      iat: NOW,
      grant: grants[0].jti,
      action: "lookup_order",
      resource: "https://tools.example.com/mcp",
      traceparent: call.traceparent,
    });
    expect(invoke.jti).toMatch(/^aipcall-[0-9a-f]{64}$/);
    // Another call with the same token is another invoke; the same call again is the same one.
    expect(presentedInvoke({ token, call: { ...call, at: NOW + 1 } }, grants)!.jti).not.toBe(invoke.jti);
    expect(presentedInvoke({ token, call }, grants)!.jti).toBe(invoke.jti);
  });

  it("name no invoke when the token holds no grant", () => {
    const complete = { ...grantsOf(token)[0], kind: "complete" } as unknown as Parameters<typeof finalGrant>[0][number];
    expect(finalGrant([complete])).toBeNull();
    expect(presentedInvoke({ token, call }, [])).toBeNull();
  });
});
