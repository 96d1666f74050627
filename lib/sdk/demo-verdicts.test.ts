// The demo's stories judged by the real verifier (lib/protocol): what the demo promises each
// chain shows is what the dashboard will show. The server here is a tiny stand-in that runs the
// protocol's envelope checks and keeps the registry; chains are then checked as ingest would.
import { afterEach, describe, expect, it } from "vitest";
import { checkChain, chainStatusAt, readTimeFindings } from "@/lib/protocol/chain";
import { checkEnvelope, jwkThumbprint } from "@/lib/protocol/envelope";
import type { TClaims, TPrincipalKind, TRegistryPrincipal } from "@/lib/protocol/types";
import { DelegraphClient } from "@delegraph/sdk";
import { seedDemo } from "@/lib/sdk/demo";
import { startTestServer, type TRecordedRequest, type TReply, type TTestServer } from "@/packages/sdk/test/helpers";

const NOW = 1_750_000_000;

let server: TTestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function verifierServer(registry: Map<string, TRegistryPrincipal>, stored: { seq: number; claims: TClaims }[]) {
  return (req: TRecordedRequest): TReply => {
    if (req.path === "/api/v1/principals") {
      const body = JSON.parse(req.body) as { id: string; kind: TPrincipalKind; keys: ({ kid: string } & object)[] };
      if (registry.has(body.id)) return { status: 409, body: { error: { code: "conflict", message: "exists" } } };
      registry.set(body.id, {
        id: body.id,
        kind: body.kind,
        keys: body.keys.map((jwk) => ({ kid: jwk.kid, jwk, revokedAt: null, thumbprint: jwkThumbprint(jwk) })),
      });
      return { status: 201, body: {} };
    }
    const m = /^\/api\/v1\/principals\/([^/]+)\/keys\/([^/]+)\/revoke$/.exec(req.path);
    if (m) {
      const key = registry.get(decodeURIComponent(m[1]))?.keys.find((k) => k.kid === decodeURIComponent(m[2]));
      if (!key) return { status: 404, body: { error: { code: "not_found", message: "no key" } } };
      const at = (JSON.parse(req.body) as { at: number }).at;
      key.revokedAt = key.revokedAt === null ? at : Math.min(key.revokedAt, at);
      return { status: 200, body: {} };
    }
    const tokens = (JSON.parse(req.body) as { events: string[] }).events;
    const results = tokens.map((token) => {
      const r = checkEnvelope(token, { now: NOW, principals: (id) => registry.get(id) });
      if (!r.ok) return { jti: r.jti, status: "rejected", findings: [], error: { code: r.code, message: r.message } };
      stored.push({ seq: stored.length + 1, claims: r.claims });
      return { jti: r.claims.jti, status: "accepted", chain: r.claims.chain, findings: [] };
    });
    return { status: 200, body: { results } };
  };
}

describe("demo stories under the real verifier", () => {
  it("every story reaches its promised status and findings", async () => {
    const registry = new Map<string, TRegistryPrincipal>();
    const stored: { seq: number; claims: TClaims }[] = [];
    server = await startTestServer(verifierServer(registry, stored));
    const summary = await seedDemo(new DelegraphClient({ baseUrl: server.url, token: "t" }), { now: NOW });
    expect(summary.stories.flatMap((s) => s.problems)).toEqual([]);

    const principalKinds = new Map([...registry.values()].map((p) => [p.id, p.kind]));
    for (const story of summary.stories) {
      const events = stored.filter((e) => e.claims.chain === story.chain).map((e) => ({ jti: e.claims.jti, seq: e.seq, claims: e.claims }));
      const analysis = checkChain({ chainId: story.chain, events, external: new Map(), principalKinds });
      const findings = [...analysis.events.values()].flatMap((v) => v.findings).concat([...readTimeFindings(analysis, NOW).values()]);
      const codes = [...new Set(findings.map((f) => f.code))].sort();
      expect({ story: story.id, status: chainStatusAt(analysis, NOW), codes }).toEqual({
        story: story.id,
        status: story.expectedStatus,
        codes: [...story.expectedFindings].sort(),
      });
    }
  });
});
