// The Findings page looks up the review of every read-time finding it merges: over hundreds of
// overdue chains that is thousands of (event, code) keys, two bound parameters each, past the
// 999 Prisma lets one SQLite statement carry. Found by the 300k-event bench (docs/benchmarks.md, "Growth"): the default
// Findings page failed with P2029. The store now asks in slices; the answer must be the same.
import { beforeAll, describe, expect, it } from "vitest";
import { ingest, registerActor, useFreshDatabase, type TActor } from "@/lib/reports/test-fixtures";
import { signToken } from "@/lib/protocol/test-helpers";

let human: TActor;
let agent: TActor;
const t0 = Math.floor(Date.now() / 1000);

beforeAll(async () => {
  await useFreshDatabase();
  human = await registerActor("user:many-human", "human");
  agent = await registerActor("agent:many-agent", "agent");
}, 120_000);

describe("finding reviews for many keys", () => {
  it("finds the stored reviews among 40,000 keys, as among a handful", async () => {
    const sign = (a: TActor, claims: Record<string, unknown>) => signToken(a.key, { v: 1, iss: a.id, ...claims });
    await ingest([
      sign(human, {
        kind: "authorize",
        jti: "m1",
        chain: "m1",
        aud: agent.id,
        iat: t0 - 100,
        exp: t0 + 3600,
        scope: ["fin/*:read"],
        purpose: { code: "fin", text: "Q1" },
      }),
      sign(agent, { kind: "invoke", jti: "m1.i", chain: "m1", grant: "m1", iat: t0 - 50, action: "hr/salaries:read", resource: "warehouse://hr" }),
    ]);
    const { stores } = await import("@/lib/db");
    const s = await stores();
    const [finding] = await s.insights.findings({ chain: "m1", take: 10 });
    expect(finding).toBeDefined();
    const row: import("@/lib/db/stores/review").TFindingReviewRow = {
      eventJti: finding.eventJti,
      code: finding.code,
      chainId: "m1",
      state: "acknowledged",
      assignee: null,
      note: null,
      acceptedUntil: null,
      basis: "",
      updatedAt: new Date(),
      updatedBy: "admin@example.com",
    };
    await s.review.writeFinding(row, []);
    const few = await s.review.reviews([{ eventJti: finding.eventJti, code: finding.code }]);
    expect(few).toHaveLength(1);
    const keys = Array.from({ length: 40_000 }, (_, i) => ({ eventJti: `none.${i}`, code: "scope_escalation" }));
    keys.splice(23_456, 0, { eventJti: finding.eventJti, code: finding.code });
    const many = await s.review.reviews(keys);
    expect(many).toEqual(few);
  }, 120_000);
});
