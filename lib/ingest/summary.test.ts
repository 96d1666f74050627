import { describe, expect, it } from "vitest";
import { summariseChain } from "@/lib/ingest/summary";
import { checkChain } from "@/lib/protocol/chain";
import type { TClaims } from "@/lib/protocol/types";

const now = 1_800_000_000;
const root: TClaims = {
  v: 1,
  kind: "authorize",
  jti: "root",
  chain: "root",
  iss: "user:alice",
  iat: now - 100,
  aud: "agent:a",
  scope: ["finance/*:read"],
  purpose: { code: "finance.reporting", text: "Quarterly\u0000 report" },
  exp: now + 100,
};
const hop: TClaims = {
  v: 1,
  kind: "delegate",
  jti: "hop",
  chain: "root",
  parent: "root",
  iss: "agent:a",
  iat: now - 50,
  aud: "agent:b",
  scope: ["finance/q1:read"],
  purpose: { code: "finance.reporting.q1", text: "Q1" },
  exp: now + 50,
};
const inv: TClaims = {
  v: 1,
  kind: "invoke",
  jti: "inv",
  chain: "root",
  grant: "hop",
  iss: "agent:b",
  iat: now - 10,
  action: "finance/q1:read",
  resource: "https://Render.Example/x",
};

function summarise(events: TClaims[]) {
  const input = {
    chainId: "root",
    events: events.map((claims, i) => ({ jti: claims.jti, seq: i + 1, claims })),
    external: new Map(),
    principalKinds: new Map([
      ["user:alice", "human" as const],
      ["agent:a", "agent" as const],
      ["agent:b", "agent" as const],
    ]),
  };
  return summariseChain("root", input.events, checkChain(input));
}

describe("chain summary", () => {
  it("takes root, purpose and start from the authorize, counts hops and indexes scopes, principals, purposes", () => {
    const s = summarise([root, hop, inv]);
    expect(s.row).toMatchObject({
      rootIss: "user:alice",
      rootAud: "agent:a",
      purposeCode: "finance.reporting",
      startedAt: now - 100,
      hopCount: 2,
      eventCount: 3,
      status: "verified",
    });
    expect(s.scopes.sort()).toEqual(["finance/*:read", "finance/q1:read"]);
    expect(s.principals.sort()).toEqual(["agent:a", "agent:b", "user:alice"]);
    expect(s.purposes.sort()).toEqual(["finance.reporting", "finance.reporting.q1"]);
    expect(s.row.searchText).toContain("https://render.example/x");
  });
  it("keeps the earliest open grant expiry for read-time missing_evidence", () => {
    const s = summarise([root, hop]);
    expect(s.row.evidenceDue).toBe(now + 50);
    expect(JSON.parse(s.row.openGrantExps)).toEqual([now + 50, now + 100]);
  });
  it("makes text storable: no NUL in the purpose text", () => {
    expect(summarise([root]).row.purposeText).toBe("Quarterly\ufffd report");
  });
  it("without the root, starts at the earliest iat and counts the orphan as a warning", () => {
    const s = summarise([hop]);
    expect(s.row.rootIss).toBeNull();
    expect(s.row.startedAt).toBe(now - 50);
    expect(s.row.status).toBe("pending");
    expect(s.row.findingCodes).toBe("orphan");
    expect(s.row.warningCount).toBe(1);
  });
});
