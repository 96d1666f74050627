// The chain detail cache against a real SQLite file filled through the real registry and ingest:
// whatever changes what GET /api/v1/chains/{id} would return must make the cache answer anew.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ingest, registerActor, useFreshDatabase, type TActor } from "@/lib/reports/test-fixtures";
import { signToken } from "@/lib/protocol/test-helpers";
import type { TChainDetail } from "@/lib/contracts/chains";

let human: TActor;
let planner: TActor;
let analyst: TActor;
let cache: typeof import("./detail-cache");
let queries: typeof import("./queries");

beforeAll(async () => {
  await useFreshDatabase();
  cache = await import("./detail-cache");
  queries = await import("./queries");
  human = await registerActor("user:cache-human", "human");
  planner = await registerActor("agent:cache-planner", "agent");
  analyst = await registerActor("agent:cache-analyst", "agent");
});

afterEach(() => {
  vi.useRealTimers();
});

const t0 = Math.floor(Date.now() / 1000);
const sign = (a: TActor, claims: Record<string, unknown>) => signToken(a.key, { v: 1, iss: a.id, ...claims });
const root = (chain: string, over: Record<string, unknown> = {}) =>
  sign(human, {
    kind: "authorize",
    jti: chain,
    chain,
    aud: planner.id,
    iat: t0 - 100,
    exp: t0 + 3600,
    scope: ["finance/*:read"],
    purpose: { code: "finance.reporting", text: "Q1" },
    ...over,
  });
const delegate = (chain: string, jti: string, over: Record<string, unknown> = {}) =>
  sign(planner, {
    kind: "delegate",
    jti,
    chain,
    parent: chain,
    aud: analyst.id,
    iat: t0 - 90,
    exp: t0 + 1800,
    scope: ["finance/q1/*:read"],
    purpose: { code: "finance.reporting.q1", text: "Q1 revenue" },
    ...over,
  });

async function read(id: string, includeRaw = true): Promise<{ etag: string; detail: TChainDetail }> {
  const body = await cache.readChainDetailBody(id, { includeRaw });
  return { etag: body.etag, detail: JSON.parse(body.json.toString("utf8")) as TChainDetail };
}

/** The detail as an uncached read would give it, without the fields that name the read itself. */
async function fresh(id: string, includeRaw = true) {
  const { generatedAt: _g, ledgerHead: _l, ...rest } = await queries.getChain(id, { includeRaw });
  return rest;
}
const comparable = ({ generatedAt: _g, ledgerHead: _l, ...rest }: TChainDetail) => rest;

describe("readChainDetailBody", () => {
  it("answers repeated reads from the cache, equal to an uncached read", async () => {
    await ingest([root("cache-a"), delegate("cache-a", "cache-a.d")]);
    const first = await cache.readChainDetailBody("cache-a", { includeRaw: true });
    const second = await cache.readChainDetailBody("cache-a", { includeRaw: true });
    expect(second).toBe(first);
    expect(comparable(JSON.parse(first.json.toString("utf8")))).toEqual(await fresh("cache-a"));
  });

  it("keeps raw tokens to the roles that may read them", async () => {
    const raw = await read("cache-a", true);
    const lean = await read("cache-a", false);
    expect(raw.detail.events.every((e) => e.token.length > 0)).toBe(true);
    expect(lean.detail.events.every((e) => e.token === "")).toBe(true);
    expect(lean.etag).not.toBe(raw.etag);
  });

  it("reads anew when an event lands in the chain", async () => {
    const before = await read("cache-a");
    await ingest([
      sign(analyst, {
        kind: "invoke",
        jti: "cache-a.i",
        chain: "cache-a",
        grant: "cache-a.d",
        iat: t0 - 50,
        action: "finance/q1/revenue:read",
        resource: "db://q1/revenue",
      }),
    ]);
    const after = await read("cache-a");
    expect(after.etag).not.toBe(before.etag);
    expect(after.detail.events.map((e) => e.jti)).toContain("cache-a.i");
    expect(comparable(after.detail)).toEqual(await fresh("cache-a"));
  });

  it("reads anew when a later root resolves the chain's pending event", async () => {
    // The delegate arrives before its root: pending until the root lands.
    await ingest([delegate("cache-b", "cache-b.d")]);
    const before = await read("cache-b");
    expect(before.detail.events.find((e) => e.jti === "cache-b.d")?.status).toBe("pending");
    await ingest([root("cache-b")]);
    const after = await read("cache-b");
    expect(after.detail.events.find((e) => e.jti === "cache-b.d")?.status).toBe("accepted");
    expect(comparable(after.detail)).toEqual(await fresh("cache-b"));
  });

  it("reads anew when a principal the chain names is registered", async () => {
    await ingest([root("cache-c", { aud: "agent:cache-late" })]);
    const before = await read("cache-c");
    expect(before.detail.nodes.find((n) => n.id === "agent:cache-late")?.kind).toBe("unregistered");
    await registerActor("agent:cache-late", "agent", "Late Agent");
    const after = await read("cache-c");
    expect(after.detail.nodes.find((n) => n.id === "agent:cache-late")).toMatchObject({ kind: "agent", name: "Late Agent" });
  });

  it("reads anew when an open grant expires without evidence (read-time missing_evidence)", async () => {
    await ingest([root("cache-d"), delegate("cache-d", "cache-d.d", { exp: t0 + 600 })]);
    const before = await read("cache-d");
    expect(before.detail.findings.some((f) => f.code === "missing_evidence")).toBe(false);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime((t0 + 599) * 1000);
    expect((await read("cache-d")).etag).toBe(before.etag);
    vi.setSystemTime((t0 + 601) * 1000);
    const after = await read("cache-d");
    expect(after.etag).not.toBe(before.etag);
    expect(after.detail.findings.filter((f) => f.code === "missing_evidence").map((f) => f.eventJti)).toEqual(["cache-d.d"]);
    expect(after.detail.status).toBe("warning");
  });

  it("reads anew when a key that signed in the chain is revoked later, and says so on its events", async () => {
    await ingest([root("cache-k"), delegate("cache-k", "cache-k.d")]);
    const before = await read("cache-k");
    expect(before.detail.events.map((e) => e.keyRevokedNow)).toEqual([null, null]);
    const { revokeKey } = await import("@/lib/principals/queries");
    await revokeKey(planner.id, planner.key.kid, t0 + 5);
    const after = await read("cache-k");
    expect(after.etag).not.toBe(before.etag);
    const byJti = new Map(after.detail.events.map((e) => [e.jti, e]));
    // Signed before the revocation and accepted then: valid at signing, revoked later.
    expect(byJti.get("cache-k.d")).toMatchObject({ keyRevokedAt: null, keyRevokedNow: t0 + 5 });
    expect(byJti.get("cache-k")!.keyRevokedNow).toBeNull();
    expect(comparable(after.detail)).toEqual(await fresh("cache-k"));
  });

  it("is 404 for a chain that does not exist", async () => {
    await expect(cache.readChainDetailBody("cache-none", { includeRaw: true })).rejects.toMatchObject({ code: "not_found" });
  });
});
