// Refused submissions are filed under the chain their payload names, through the real ingest.
import { beforeAll, describe, expect, it } from "vitest";
import { ingest, registerActor, useFreshDatabase, type TActor } from "@/lib/reports/test-fixtures";
import { makeKey, signToken } from "@/lib/protocol/test-helpers";

let human: TActor;
let agent: TActor;
let refusals: typeof import("./refusals");
let ingestBatch: typeof import("@/lib/ingest/ingest").ingestBatch;

beforeAll(async () => {
  await useFreshDatabase();
  refusals = await import("./refusals");
  ({ ingestBatch } = await import("@/lib/ingest/ingest"));
  human = await registerActor("user:refusal-human", "human");
  agent = await registerActor("agent:refusal-agent", "agent");
}, 120_000);

const t0 = Math.floor(Date.now() / 1000);
const root = (chain: string) =>
  signToken(human.key, {
    v: 1,
    kind: "authorize",
    jti: chain,
    chain,
    iss: human.id,
    aud: agent.id,
    iat: t0 - 60,
    exp: t0 + 3600,
    scope: ["finance/*:read"],
    purpose: { code: "finance.reporting", text: "Q1" },
  });

describe("refusalsOfChain", () => {
  it("lists what was refused under the chain it names, newest first, without raw bytes", async () => {
    await ingest([root("ref-a"), root("ref-b")]);
    const forged = signToken(makeKey("Ed25519", human.key.kid), {
      v: 1,
      kind: "invoke",
      jti: "ref-a.forged",
      chain: "ref-a",
      iss: agent.id,
      iat: t0 - 30,
      grant: "ref-a",
      action: "finance/q1:read",
      resource: "db://finance/q1",
    });
    const results = await ingestBatch([forged, "not a token", signToken(agent.key, { v: 1, kind: "invoke", jti: "x", chain: "ref-a" })]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);

    const a = await refusals.refusalsOfChain("ref-a");
    expect(a.total).toBe(2);
    expect(a.items.map((r) => r.jti)).toEqual(["x", "ref-a.forged"]);
    expect(a.items[1].code).toBe(results[0].error!.code);
    expect(Object.keys(a.items[0]).sort()).toEqual(["code", "id", "jti", "message", "receivedAt"]);
    expect(await refusals.refusalsOfChain("ref-b")).toEqual({ items: [], total: 0 });
  });
});
