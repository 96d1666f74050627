// The chain detail's JSON with kept parts (detail-json.ts) is JSON.stringify's text: on a detail
// from a fixture chain, after its fresh members change under the same memo, and for an object
// whose members are not the plan's (written whole instead).
import { describe, expect, it } from "vitest";
import type { TChainDetail, TChainEvent, THop } from "@/lib/contracts/chains";
import { createDetailJsonMemo, memoSize, stringifyChainDetail, writeChainDetail } from "./detail-json";

const finding = { code: "scope_escalation", severity: "critical", message: 'adds "x"\n', eventJti: "c.d", isReadTime: false } as const;

function event(seq: number, jti: string, over: Partial<TChainEvent> = {}): TChainEvent {
  return {
    seq,
    jti,
    kind: "delegate",
    iss: "agent:a",
    aud: "agent:b",
    ref: "c",
    iat: 1_700_000_000,
    exp: null,
    status: "accepted",
    receivedAt: "2026-12-03T12:00:00.000Z",
    alg: "EdDSA",
    kid: "k1",
    keyRevokedAt: null,
    drift: null,
    keyRevokedNow: null,
    keyThumbprint: "tp",
    token: "",
    tokenSha256: "ab".repeat(32),
    claims: { v: 1, kind: "invoke", jti, iss: "agent:a", chain: "c", iat: 1_700_000_000, action: "a:read", resource: "db://\u2028é" },
    prevHash: "00".repeat(32),
    hash: "11".repeat(32),
    findings: [],
    ...over,
  };
}

function hop(jti: string, over: Partial<THop> = {}): THop {
  return {
    jti,
    kind: "delegate",
    parent: "c",
    from: "agent:a",
    to: "agent:b",
    iat: 1_700_000_000,
    exp: 1_700_003_600,
    scope: ["x/*:read"],
    scopeRemoved: [],
    scopeAdded: ["x/*:read"],
    purpose: { code: "p", text: "P" },
    constraints: null,
    effectiveConstraints: {},
    maxDepth: null,
    depth: 1,
    status: "accepted",
    revokedAt: null,
    signature: { alg: "EdDSA", kid: "k1", thumbprint: "tp", verified: true },
    findings: [finding],
    invocations: [{ jti: `${jti}.i`, iss: "agent:b", iat: 1, action: "x/y:read", resource: "db://y", purpose: null, data: [], findings: [] }],
    completions: [{ jti: `${jti}.c`, iss: "agent:b", iat: 2, status: "completed", resultHash: "sha256:00", attestation: null, evidence: null }],
    ...over,
  };
}

function detail(events: TChainEvent[], hops: THop[]): TChainDetail {
  return {
    id: "c",
    status: "violation",
    source: "dep",
    root: null,
    startedAt: 1_700_000_000,
    hopCount: hops.length,
    eventCount: events.length,
    counts: { critical: 1, error: 0, warning: 0 },
    nodes: [{ id: "agent:a", kind: "agent", name: null, worstSeverity: "critical", findingCodes: ["scope_escalation"] }],
    hops,
    looseEvents: [],
    events,
    findings: [finding],
    ledgerHead: { seq: 2, hash: "22".repeat(32) },
    generatedAt: "2026-12-03T12:00:00.000Z",
  };
}

describe("stringifyChainDetail", () => {
  it("writes what JSON.stringify writes, and again after the fresh members change", () => {
    const memo = createDetailJsonMemo();
    const first = detail([event(1, "c.d"), event(2, "c.e", { drift: null, aud: null })], [hop("c.d")]);
    expect(stringifyChainDetail(first, memo)).toBe(JSON.stringify(first));
    expect(memoSize(memo)).toBeGreaterThan(0);
    // Same events and hops (kept text), new verdicts, key state and findings, one more event.
    const second = detail(
      [
        event(1, "c.d", { status: "pending", keyRevokedNow: 1_700_000_100, findings: [finding] }),
        event(2, "c.e", { aud: null, keyThumbprint: null }),
        event(3, "c.f", { exp: 1_700_009_999 }),
      ],
      [
        hop("c.d", {
          depth: null,
          revokedAt: 5,
          scopeAdded: [],
          findings: [],
          signature: { alg: "EdDSA", kid: "k1", thumbprint: null, verified: true },
        }),
      ],
    );
    expect(stringifyChainDetail(second, memo)).toBe(JSON.stringify(second));
  });

  it("copies the kept bytes of an event or hop object handed out again, wherever it stands in its list", () => {
    const memo = createDetailJsonMemo();
    const [e1, e2, e3] = [event(1, "c.a"), event(2, "c.b", { iss: "agent:é✓𝄞" }), event(3, "c.c")];
    const [h1, h2] = [hop("c.a"), hop("c.b", { scope: ["ü/*:read"] })];
    const first = detail([e1, e2, e3], [h1, h2]);
    const bytes = writeChainDetail(first, memo);
    expect(bytes.toString("utf8")).toBe(JSON.stringify(first));
    expect(memoSize(memo)).toBeGreaterThanOrEqual(bytes.length / 2);
    // The same objects again, moved (the first of a list now later, a later one now first), beside
    // new objects with the same jtis that read otherwise: only the same object keeps its bytes.
    const second = detail([e2, event(1, "c.a", { status: "pending" }), e3], [h2, hop("c.a", { depth: 5, invocations: [] })]);
    expect(writeChainDetail(second, memo).toString("utf8")).toBe(JSON.stringify(second));
    expect(stringifyChainDetail(second, memo)).toBe(JSON.stringify(second));
    const third = detail([e1, e2, e3], [h1, h2]);
    expect(writeChainDetail(third, memo).equals(bytes)).toBe(true);
    expect(stringifyChainDetail(detail([e3], [h2]), memo)).toBe(JSON.stringify(detail([e3], [h2])));
  });

  it("writes an object whose members are not the plan's whole, as JSON.stringify does", () => {
    const memo = createDetailJsonMemo();
    const extra = { ...event(1, "c.d"), added: { later: true } } as TChainEvent;
    const reordered = Object.assign({ hash: "99" }, event(2, "c.e"));
    const d = detail([extra, reordered], [{ ...hop("c.d"), aip: undefined }]);
    expect(stringifyChainDetail(d, memo)).toBe(JSON.stringify(d));
    expect(stringifyChainDetail(d, memo)).toBe(JSON.stringify(d));
  });

  it("writes the same text as UTF-8 bytes across chunks, multi-byte characters and members longer than a chunk included", () => {
    const memo = createDetailJsonMemo();
    // ~3,000 events, some with non-ASCII text, and one member far longer than a 256 KiB chunk.
    const events = Array.from({ length: 3_000 }, (_, i) => event(i + 1, `c.${i}`, i % 7 === 0 ? { iss: `agent:é✓𝄞-${i}` } : {}));
    const d = { ...detail(events, [hop("c.0")]), looseEvents: ["ü".repeat(300_000)] };
    const bytes = writeChainDetail(d, memo);
    expect(bytes.equals(Buffer.from(JSON.stringify(d), "utf8"))).toBe(true);
    // Again from the kept text.
    expect(writeChainDetail(d, memo).equals(bytes)).toBe(true);
  });
});
