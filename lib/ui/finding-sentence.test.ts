import { describe, expect, it } from "vitest";
import type { TClaims, TFindingCode } from "@/lib/protocol/types";
import { FINDING_CODES } from "@/lib/protocol/types";
import { sentenceText } from "./hop-sentence";
import { actionVerb, chainFactSources, findingFacts, findingSentence, formatGap, shortResource, type TFactSource } from "./finding-sentence";

const T = Date.UTC(2026, 11, 3, 4, 0) / 1000; // 04:00 UTC
const NOW = new Date((T + 3 * 3600) * 1000);
const NAMES: Record<string, string> = {
  "user:ravi": "Ravi Patel, Close Manager",
  "agent:recon": "Reconciliation agent",
  "agent:writer": "Ledger posting agent",
  "agent:other": "Other agent",
};
const nameOf = (id: string) => NAMES[id] ?? id;
const base = { v: 1 as const, chain: "c" };

const root: TClaims = {
  ...base,
  kind: "authorize",
  jti: "g0",
  iss: "user:ravi",
  iat: T,
  aud: "agent:recon",
  exp: T + 3600,
  scope: ["ledger/*:write"],
  purpose: { code: "finance.close", text: "close" },
  constraints: { egress: ["ledger.example"] },
};
const toWriter: TClaims = {
  ...base,
  kind: "delegate",
  jti: "g1",
  parent: "g0",
  iss: "agent:recon",
  iat: T + 600,
  aud: "agent:writer",
  exp: T + 1800,
  scope: ["ledger/rec:write"],
  purpose: { code: "finance.close.post", text: "post" },
};
const revoke: TClaims = { ...base, kind: "revoke", jti: "r0", iss: "user:ravi", iat: T + 45 * 60, target: "g0" };

function invoke(jti: string, extra: Partial<Extract<TClaims, { kind: "invoke" }>> = {}): TClaims {
  return {
    ...base,
    kind: "invoke",
    jti,
    iss: "agent:writer",
    iat: T + 26 * 60,
    grant: "g1",
    action: "ledger/rec:write",
    resource: "ledger://works/reconciliations/2026-11/final",
    ...extra,
  };
}

function sentence(code: TFindingCode, flagged: TClaims, more: TFactSource[] = []): string | null {
  const src = chainFactSources([root, toWriter, revoke, flagged].map((claims) => ({ jti: claims.jti, claims })).concat(more));
  const parts = findingSentence(findingFacts(code, flagged.jti, src.events, src.revokes), nameOf, NOW, "utc");
  return parts && sentenceText(parts);
}

describe("findingSentence", () => {
  it("revoked_grant: who did what, when, and how long after whom revoked the grant", () => {
    expect(sentence("revoked_grant", invoke("i1", { iat: T + 60 * 60 }))).toBe(
      "Ledger posting agent wrote …/final at 05:00 UTC, 15 min after Ravi Patel revoked a grant above it",
    );
  });

  it("revoked_grant on the grant itself says 'the grant'", () => {
    const own: TClaims = { ...base, kind: "revoke", jti: "r1", iss: "agent:recon", iat: T + 20 * 60, target: "g1" };
    expect(sentence("revoked_grant", invoke("i1"), [{ jti: "r1", claims: own }])).toBe(
      "Ledger posting agent wrote …/final at 04:26 UTC, 6 min after Reconciliation agent revoked the grant",
    );
  });

  it("parent_revoked: a delegation after its parent was revoked", () => {
    const late: TClaims = { ...toWriter, jti: "g2", iat: T + 50 * 60 };
    expect(sentence("parent_revoked", late)).toBe(
      "Reconciliation agent delegated to Ledger posting agent at 04:50 UTC, 5 min after Ravi Patel revoked the grant it came from",
    );
  });

  it("expired_grant and parent_expired: how long after the grant expired", () => {
    expect(sentence("expired_grant", invoke("i1", { iat: T + 40 * 60 }))).toBe(
      "Ledger posting agent wrote …/final at 04:40 UTC, 10 min after the grant from Reconciliation agent expired",
    );
    const late: TClaims = { ...toWriter, jti: "g2", iat: T + 70 * 60 };
    expect(sentence("parent_expired", late)).toBe(
      "Reconciliation agent delegated to Ledger posting agent at 05:10 UTC, 10 min after the grant from Ravi Patel expired",
    );
  });

  it("missing_evidence: the grant nobody reported back on, and how long ago it expired", () => {
    expect(sentence("missing_evidence", toWriter)).toBe(
      "Nobody reported back on the grant Reconciliation agent gave Ledger posting agent: it expired at 04:30 UTC, 2 h 30 min ago, with no completion",
    );
  });

  it("ghost_permission: no grant, someone else's grant, or an action outside the scope", () => {
    expect(sentence("ghost_permission", invoke("i1", { grant: undefined }))).toBe(
      "Ledger posting agent wrote …/final at 04:26 UTC with no grant that allows it",
    );
    expect(sentence("ghost_permission", invoke("i1", { iss: "agent:other" }))).toBe(
      "Other agent wrote …/final at 04:26 UTC under a grant that was given to Ledger posting agent, not to it",
    );
    expect(sentence("ghost_permission", invoke("i1", { action: "ledger/gl:delete" }))).toBe(
      "Ledger posting agent deleted …/final at 04:26 UTC, which the grant from Reconciliation agent does not cover (it allows ledger/rec:write)",
    );
  });

  it("scope_drift: the host data went to and the hosts the grant allows", () => {
    expect(sentence("scope_drift", invoke("i1", { resource: "https://render.chartcloud.io/api/render" }))).toBe(
      "Ledger posting agent wrote …/render at 04:26 UTC, sending data to render.chartcloud.io: the grant allows only ledger.example",
    );
    expect(sentence("scope_drift", invoke("i1", { data: ["pii"] }), [])).toBe(
      "Ledger posting agent wrote …/final at 04:26 UTC, touching pii data, which the grant does not allow",
    );
  });

  it("late_after_revocation: dated before the key's revocation, arrived after", () => {
    const flagged = invoke("i1");
    const src = chainFactSources([root, toWriter].map((claims) => ({ jti: claims.jti, claims })));
    src.events.set("i1", { jti: "i1", claims: flagged, keyRevokedAt: T + 30 * 60, receivedAt: new Date((T + 90 * 60) * 1000).toISOString() });
    const parts = findingSentence(findingFacts("late_after_revocation", "i1", src.events, src.revokes), nameOf, NOW, "utc");
    expect(parts && sentenceText(parts)).toBe(
      "Ledger posting agent wrote …/final, dated 04:26 UTC, 4 min before its key was revoked, but it arrived 05:30 UTC, after the revocation",
    );
  });

  it("escalations, attenuation, purpose, depth and lifetime name what the delegation did", () => {
    const wide: TClaims = { ...toWriter, jti: "g2", scope: ["ledger/*:write", "bank/*:pay"] };
    expect(sentence("scope_escalation", wide)).toBe(
      "Reconciliation agent delegated to Ledger posting agent at 04:10 UTC, passing on ledger/*:write and bank/*:pay though the grant it came from allows only ledger/*:write",
    );
    expect(sentence("constraint_escalation", toWriter)).toContain("allowing data classes or outbound hosts");
    expect(sentence("no_attenuation", { ...toWriter, scope: ["ledger/*:write"] })).toBe(
      "Reconciliation agent delegated to Ledger posting agent at 04:10 UTC, passing on ledger/*:write unchanged instead of narrowing it",
    );
    expect(sentence("purpose_mismatch", { ...toWriter, purpose: { code: "marketing", text: "m" } })).toBe(
      "Reconciliation agent delegated to Ledger posting agent at 04:10 UTC for marketing, which is not part of the grant's purpose finance.close",
    );
    expect(sentence("depth_exceeded", toWriter)).toContain("one level deeper than an earlier grant allows");
    expect(sentence("lifetime_escalation", { ...toWriter, exp: T + 7200 })).toBe(
      "Reconciliation agent delegated to Ledger posting agent at 04:10 UTC, until 06:00 UTC: 1 h after the grant it came from expires",
    );
  });

  it("principal_mismatch, orphan and unrooted", () => {
    expect(sentence("principal_mismatch", { ...toWriter, iss: "agent:other" })).toBe(
      "Other agent signed a delegate event at 04:10 UTC under a grant given to Reconciliation agent, not to it",
    );
    expect(sentence("orphan", invoke("i1", { grant: "unknown" }))).toBe(
      "Ledger posting agent wrote …/final at 04:26 UTC under a grant that has not arrived yet",
    );
    expect(sentence("unrooted", toWriter)).toContain("does not start with a human decision");
  });

  it("answers null where the facts are missing, so the caller shows the verifier's message", () => {
    const src = chainFactSources([]);
    expect(findingSentence(findingFacts("revoked_grant", "nope", src.events, src.revokes), nameOf, NOW, "utc")).toBeNull();
    expect(sentence("revoked_grant", invoke("i1", { grant: "unknown" }))).toBeNull();
    expect(sentence("unauthorized_activity", invoke("i1"))).toBeNull();
  });

  it("has a case for every signed-chain finding code", () => {
    const flagged = invoke("i1", { iat: T + 60 * 60, grant: "g1", resource: "https://x.example/a", data: ["pii"] });
    const missing = FINDING_CODES.filter((c) => c !== "unauthorized_activity").filter((code) => {
      const subject = [
        "scope_escalation",
        "no_attenuation",
        "purpose_mismatch",
        "depth_exceeded",
        "lifetime_escalation",
        "principal_mismatch",
        "unrooted",
        "constraint_escalation",
        "parent_expired",
        "parent_revoked",
        "missing_evidence",
      ].includes(code)
        ? { ...toWriter, iat: T + 50 * 60, exp: T + 7200, purpose: { code: "other", text: "o" } }
        : code === "late_after_revocation"
          ? null
          : flagged;
      return subject !== null && sentence(code, subject) === null;
    });
    expect(missing).toEqual([]);
  });
});

describe("helpers", () => {
  it("actionVerb puts a known verb in the past tense and names an unknown one", () => {
    expect(actionVerb("a/b:write")).toEqual({ verb: "wrote", known: true });
    expect(actionVerb("a/b:frobnicate")).toEqual({ verb: "invoked a/b:frobnicate on", known: false });
  });
  it("shortResource keeps the last segment and the query", () => {
    expect(shortResource("ledger://w/reconciliations/2026-11/final")).toBe("…/final");
    expect(shortResource("ledger://w/gl/entries?period=2026-11")).toBe("…/entries?period=2026-11");
    expect(shortResource("plain")).toBe("plain");
  });
  it("formatGap", () => {
    expect(formatGap(30)).toBe("30 s");
    expect(formatGap(900)).toBe("15 min");
    expect(formatGap(2 * 3600 + 300)).toBe("2 h 5 min");
    expect(formatGap(3 * 86400)).toBe("3 d");
  });
});
