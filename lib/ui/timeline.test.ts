import { describe, expect, it } from "vitest";
import type { TChainEvent, THop } from "@/lib/contracts/chains";
import { filterRows, offsetText, traceRows, type TTimelineRow } from "./timeline";
import { chain, finding, hop, T } from "./test-fixtures";

// root g0 → g1 → g2; g1 has an invocation (flagged) and a completion; g2 expired with no report.
function story() {
  const g0 = hop("g0", null, "user:h", "agent:a", { iat: T, exp: T + 7200 });
  const g1 = hop("g1", "g0", "agent:a", "agent:b", { iat: T + 10, exp: T + 3600 });
  const g2 = hop("g2", "g1", "agent:b", "agent:c", { iat: T + 20, exp: T + 100 });
  g1.invocations = [
    {
      jti: "i1",
      iss: "agent:b",
      iat: T + 30,
      action: "x:read",
      resource: "db://x",
      purpose: null,
      data: [],
      findings: [finding("scope_drift", "critical", "i1")],
    },
  ];
  g1.completions = [
    { jti: "c1", iss: "agent:b", iat: T + 50, status: "completed", resultHash: "sha256:00", attestation: "self_reported", evidence: null },
  ];
  const d = chain([g0, g1, g2]);
  const base = d.events[0];
  const complete: TChainEvent = {
    ...base,
    seq: 9,
    jti: "c1",
    kind: "complete",
    iss: "agent:b",
    aud: null,
    ref: "g1",
    iat: T + 50,
    exp: null,
    findings: [],
  };
  d.events.push(complete);
  d.events.forEach((e, i) => (e.seq = i + 1));
  return d;
}

const label = (r: TTimelineRow) => (r.kind === "event" ? r.event.jti : r.kind === "expiry" ? `expiry:${r.hop.jti}` : `refused:${r.refusal.id}`);

describe("traceRows", () => {
  it("hangs each event under its grant, in time order, with expiries and refusals as rows", () => {
    const d = story();
    const refusals = [{ id: 4, receivedAt: new Date((T + 40) * 1000).toISOString(), jti: "x", code: "key_revoked", message: "m" }];
    const rows = traceRows(d, refusals, T + 5000);
    expect(rows.map((r) => [label(r), r.depth])).toEqual([
      ["g0", 0],
      ["g1", 1],
      ["g2", 2],
      ["expiry:g2", 3],
      ["i1", 2],
      ["c1", 2],
      ["expiry:g1", 2],
      ["refused:4", 0],
    ]);
    const g1 = rows.find((r) => label(r) === "g1")!;
    expect(g1.kind === "event" && g1.children).toBe(4);
    const exp = rows.filter((r) => r.kind === "expiry").map((r) => r.kind === "expiry" && [r.hop.jti, r.reported]);
    // g0 is still open at this time: no expiry row.
    expect(exp).toEqual([
      ["g2", false],
      ["g1", true],
    ]);
  });

  it("lists every event exactly once, even when grants form a cycle", () => {
    const d = story();
    const a = hop("ca", "cb", "agent:x", "agent:y");
    const b = hop("cb", "ca", "agent:y", "agent:x");
    const cyc = chain([...d.hops, a, b] as THop[]);
    const rows = traceRows(cyc, [], T);
    const jtis = rows.filter((r) => r.kind === "event").map(label);
    expect(jtis.sort()).toEqual(cyc.events.map((e) => e.jti).sort());
  });
});

describe("filterRows", () => {
  const rows = traceRows(story(), [], T + 5000);
  it("keeps only what carries a finding: flagged events and expiries with no report", () => {
    expect(filterRows(rows, { findingsOnly: true, text: "", collapsed: new Set() }).map(label)).toEqual(["expiry:g2", "i1"]);
  });
  it("finds by id, principal, action or finding code", () => {
    expect(filterRows(rows, { findingsOnly: false, text: "DB://X", collapsed: new Set() }).map(label)).toEqual(["i1"]);
    expect(filterRows(rows, { findingsOnly: false, text: "scope_drift", collapsed: new Set() }).map(label)).toEqual(["i1"]);
  });
  it("hides what is under a collapsed grant", () => {
    expect(filterRows(rows, { findingsOnly: false, text: "", collapsed: new Set(["g1"]) }).map(label)).toEqual(["g0", "g1"]);
  });
});

describe("offsetText", () => {
  it("reads like a trace's offsets", () => {
    expect([0, 45, 720, 3600 * 3 + 300, 86400 * 2 + 3600 * 4, -30].map(offsetText)).toEqual([
      "+0 s",
      "+45 s",
      "+12 min",
      "+3 h 5 min",
      "+2 d 4 h",
      "−30 s",
    ]);
  });
});
