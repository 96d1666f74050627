// AIP import over HTTP (shared/spec/aip-import.md §2–§6): identity documents, compact and chained
// tokens minted in the reference's formats, both verdicts, storage as chains with source "aip",
// and hostile input answered with 400s and rejected results, never a 5xx. Runs on whichever
// database TEST_DATABASE_URL names (SQLite by default, PostgreSQL in the second run).
import { beforeAll, describe, expect, inject, it } from "vitest";
import {
  appendBlock,
  authoritySource,
  delegationSource,
  loadBiscuit,
  mintAuthority,
  rfc3339Seconds,
  type TBiscuitEngine,
} from "@/lib/protocol/aip/biscuit";
import { aipKeyId, compactToken, makeAipKey, signedDocument } from "@/lib/protocol/aip/test-helpers";
import { verifyEvidenceBundle } from "@/lib/reports/evidence";
import { api, now, uid } from "./helpers";

let b: TBiscuitEngine;
const rootKey = makeAipKey();
const tag = uid("aip").toLowerCase();
const ALICE = `aip:web:${tag}.example/alice`;
const BOB = `aip:web:${tag}.example/bob`;
const CAROL = `aip:web:${tag}.example/carol`;
const MALLORY = `aip:web:${tag}.evil/mallory`;

beforeAll(async () => {
  b = await loadBiscuit();
  const doc = signedDocument([{ key: rootKey, id: "key-1" }], "python", { id: ALICE });
  const res = await api("/api/v1/aip/identities", { method: "POST", json: { document: doc, kind: "human" } });
  expect(res.status, JSON.stringify(res.data)).toBe(201);
});

function mint(blocks: string[]): string {
  let token = mintAuthority(b, rootKey.seed, blocks[0]);
  for (const s of blocks.slice(1)) token = appendBlock(b, token, rootKey.publicKey, s);
  return token;
}
const rootBlock = () =>
  authoritySource({ identity: ALICE, scopes: ["tool:*"], maxDepth: 3, expires: rfc3339Seconds(now() + 3600), principal: `user:${tag}@bank.example` });
const toBob = () => delegationSource({ delegator: ALICE, delegate: BOB, context: "quarterly research", scopes: ["tool:search"] });

async function postTokens(tokens: unknown[]) {
  const res = await api("/api/v1/aip/tokens", { method: "POST", json: { tokens } });
  expect(res.status, JSON.stringify(res.data)).toBe(200);
  return res.data.results as {
    id: string;
    mode: string;
    status: string;
    chain?: string;
    events: string[];
    findings: { code: string; message: string }[];
    error?: { code: string; message: string };
    aip: { verdict: string; error: string | null };
  }[];
}
const codes = (r: { findings: { code: string }[] }) => [...new Set(r.findings.map((f) => f.code))].sort();

describe("POST /api/v1/aip/identities and PUT …/{id}", () => {
  it("registers a document in each signature form, names the form, and 409s only an acceptable document", async () => {
    const k = makeAipKey();
    for (const form of ["draft", "rust"] as const) {
      const id = `aip:web:${tag}.example/${form}`;
      const res = await api("/api/v1/aip/identities", { method: "POST", json: { document: signedDocument([{ key: k, id: "k1" }], form, { id }) } });
      expect(res.status, JSON.stringify(res.data)).toBe(201);
      expect(res.data).toMatchObject({ principal: { id, kind: "agent" }, signatureForm: form, signedBy: "k1" });
    }
    const again = signedDocument([{ key: k, id: "k1" }], "draft", { id: `aip:web:${tag}.example/draft` });
    expect((await api("/api/v1/aip/identities", { method: "POST", json: { document: again } })).status).toBe(409);
    const broken = { ...again, document_signature: "AAAA" };
    const res = await api("/api/v1/aip/identities", { method: "POST", json: { document: broken } });
    expect(res.status).toBe(400);
    expect(res.data.error.code).toBe("invalid_request");
    expect(res.data.error.message).toContain("document_signature");
  });

  it("refuses documents with thousands of keys, garbage and a missing body with a 400", async () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({ id: `k${i}`, type: "Ed25519", public_key_multibase: rootKey.multibase }));
    for (const document of [{ aip: "1.0", id: `aip:web:${tag}.example/many`, public_keys: many }, "garbage", 42, null]) {
      const res = await api("/api/v1/aip/identities", { method: "POST", json: { document } });
      expect(res.status).toBe(400);
    }
    expect((await api("/api/v1/aip/identities", { method: "POST", json: {} })).status).toBe(400);
  });

  it("PUT rotates keys: a key no longer listed is revoked now, an unknown id is a 404", async () => {
    const [k1, k2] = [makeAipKey(), makeAipKey()];
    const id = `aip:web:${tag}.example/rotating`;
    expect(
      (await api("/api/v1/aip/identities", { method: "POST", json: { document: signedDocument([{ key: k1, id: "old" }], "python", { id }) } }))
        .status,
    ).toBe(201);
    const rotated = signedDocument([{ key: k2, id: "new" }], "python", { id });
    const res = await api(`/api/v1/aip/identities/${encodeURIComponent(id)}`, { method: "PUT", json: { document: rotated } });
    expect(res.status, JSON.stringify(res.data)).toBe(200);
    const keys = res.data.keys as { kid: string; revokedAt: number | null }[];
    expect(keys.find((k) => k.kid === "new")!.revokedAt).toBeNull();
    expect(keys.find((k) => k.kid === "old")!.revokedAt).toBeGreaterThan(now() - 60);
    expect((await api(`/api/v1/aip/identities/${encodeURIComponent(`${id}-nobody`)}`, { method: "PUT", json: { document: rotated } })).status).toBe(
      404,
    );
  });
});

describe("POST /api/v1/aip/tokens", () => {
  it("a swapped delegator: AIP says valid, Delegraph principal_mismatch; stored as an aip chain whose blocks are unverified hops", async () => {
    const token = mint([
      rootBlock(),
      toBob(),
      delegationSource({ delegator: MALLORY, delegate: CAROL, context: "take over", scopes: ["tool:search"] }),
    ]);
    const [r] = await postTokens([token]);
    expect(r).toMatchObject({ mode: "chained", status: "accepted", aip: { verdict: "valid", error: null } });
    expect(r.events).toHaveLength(3);
    expect(r.chain).toBe(r.events[0]);
    expect(codes(r)).toContain("principal_mismatch");
    expect(r.findings.find((f) => f.code === "principal_mismatch")!.message).toContain("block 2");

    const list = await api(`/api/v1/chains?source=aip&q=${encodeURIComponent(tag)}`);
    expect(list.status).toBe(200);
    expect((list.data.items as { id: string; source: string }[]).some((c) => c.id === r.chain && c.source === "aip")).toBe(true);
    const dep = await api(`/api/v1/chains?source=dep&q=${encodeURIComponent(tag)}`);
    expect((dep.data.items as { id: string }[]).some((c) => c.id === r.chain)).toBe(false);

    const detail = await api(`/api/v1/chains/${encodeURIComponent(r.chain!)}`);
    expect(detail.status).toBe(200);
    const hops = detail.data.hops as { signature: { verified: boolean }; aip: { reference: { verdict: string } | null } }[];
    expect(hops.map((h) => h.signature.verified)).toEqual([true, false, false]);
    expect(hops[2].aip.reference?.verdict).toBe("valid");
    expect(detail.data.status).toBe("violation");

    // Exports (spec §7): the PDF and CSV include the chain; the evidence bundle re-verifies offline,
    // Biscuit signatures and AIP findings included.
    const base = `/api/v1/chains/${encodeURIComponent(r.chain!)}`;
    const pdf = await fetch(`${inject("serverUrl")}${base}/report.pdf`, { headers: { authorization: `Bearer ${inject("apiToken")}` } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toContain("pdf");
    const csv = await api(`${base}/export.csv`);
    expect(csv.status).toBe(200);
    expect(String(csv.data)).toContain(r.events[2]);
    const bundle = await api(`${base}/evidence.json`);
    expect(bundle.status).toBe(200);
    const report = verifyEvidenceBundle(bundle.data, { biscuit: b });
    expect(
      report.checks.filter((c) => !c.ok),
      JSON.stringify(report.checks.filter((c) => !c.ok)),
    ).toEqual([]);
    expect(report.checks.filter((c) => c.group === "signatures").map((c) => c.message)).toContain(
      `AIP chained token: block 2, every block signature verifies under ${ALICE}'s key key-1`,
    );
    // Without the engine the chained tokens cannot be checked, and the report says so.
    const unchecked = verifyEvidenceBundle(bundle.data);
    expect(unchecked.ok).toBe(false);
    expect(unchecked.checks.some((c) => !c.ok && c.message.includes("Biscuit engine is not loaded"))).toBe(true);
  });

  it("the same token again is a duplicate; a token extended by one block adds one event to the same chain", async () => {
    const token = mint([rootBlock(), toBob()]);
    const [first, again] = await postTokens([token, token]);
    expect(first.status).toBe("accepted");
    expect(again).toMatchObject({ status: "duplicate", events: first.events, chain: first.chain });
    const extended = appendBlock(
      b,
      token,
      rootKey.publicKey,
      delegationSource({ delegator: BOB, delegate: CAROL, context: "draft", scopes: ["tool:search"] }),
    );
    const [ext] = await postTokens([{ token: extended, tool: "tool:search", audience: CAROL }]);
    expect(ext).toMatchObject({ status: "accepted", chain: first.chain });
    expect(ext.events.slice(0, 2)).toEqual(first.events);
    expect(ext.events).toHaveLength(3);
    expect(ext.aip.verdict).toBe("valid");
    const detail = await api(`/api/v1/chains/${encodeURIComponent(first.chain!)}`);
    expect(detail.data.eventCount).toBe(3);
  });

  it("compact tokens: expired is accepted (AIP token_expired); application/jwt and text/plain bodies; aip:key issuers need no registration", async () => {
    const k = makeAipKey();
    const iss = aipKeyId(k);
    const expired = compactToken(k, { iss, sub: BOB, scope: ["tool:search"], iat: now() - 7200, exp: now() - 3600 });
    const res = await api("/api/v1/aip/tokens", { method: "POST", body: expired, headers: { "content-type": "application/jwt" } });
    expect(res.status).toBe(200);
    expect(res.data.results[0]).toMatchObject({ mode: "compact", status: "accepted", aip: { verdict: "invalid", error: "token_expired" } });
    expect(res.data.results[0].events[0]).toMatch(/^aip-[0-9a-f]{64}$/);
    const fresh = compactToken(k, { iss, sub: BOB, scope: ["tool:search"], iat: now() - 10, exp: now() + 3600 });
    const plain = await api("/api/v1/aip/tokens", { method: "POST", body: `  ${fresh}\n`, headers: { "content-type": "text/plain" } });
    expect(plain.data.results[0]).toMatchObject({ status: "accepted", aip: { verdict: "valid" } });
    expect(codes(plain.data.results[0])).toContain("unrooted");
    const principal = await api(`/api/v1/principals/${encodeURIComponent(iss)}`);
    expect(principal.status).toBe(200);
    expect(principal.data.principal.kind).toBe("agent");
  });

  it("hostile input: garbage, Datalog with an injected fact, bad entries and a body over 1 MiB; never a 5xx", async () => {
    const injected = mint([
      rootBlock(),
      delegationSource({ delegator: ALICE, delegate: `${BOB}");\ndelegate("${MALLORY}`, context: "x", scopes: ["tool:search"] }),
    ]);
    const results = await postTokens(["garbage!!", "eyJhbGciOiJub25lIn0.e30.", 42, { token: 7 }, injected, ""]);
    expect(results[0]).toMatchObject({ mode: "chained", status: "rejected", error: { code: "malformed" }, aip: { verdict: "invalid" } });
    expect(results[1]).toMatchObject({ mode: "compact", status: "rejected" });
    expect(results[2]).toMatchObject({ status: "rejected", error: { code: "malformed" } });
    expect(results[3]).toMatchObject({ status: "rejected", error: { code: "malformed" } });
    expect(results[4]).toMatchObject({ status: "accepted", aip: { verdict: "valid" } });
    expect(codes(results[4])).toContain("principal_mismatch");
    expect(results[5].status).toBe("rejected");
    const big = await api("/api/v1/aip/tokens", { method: "POST", body: "A".repeat(1_100_000), headers: { "content-type": "text/plain" } });
    expect(big.status).toBe(413);
    const notJson = await api("/api/v1/aip/tokens", { method: "POST", body: "{", headers: { "content-type": "application/json" } });
    expect(notJson.status).toBe(400);
    const wrongType = await api("/api/v1/aip/tokens", { method: "POST", body: "x", headers: { "content-type": "image/png" } });
    expect(wrongType.status).toBe(400);
  });

  it("POST /api/v1/events stays DEP-only: an aip+jwt there is malformed and points to /api/v1/aip/tokens", async () => {
    const k = makeAipKey();
    const token = compactToken(k, { iss: aipKeyId(k), sub: BOB, scope: [], iat: now(), exp: now() + 60 });
    const res = await api("/api/v1/events", { method: "POST", json: { events: [token] } });
    expect(res.data.results[0]).toMatchObject({ status: "rejected", error: { code: "malformed" } });
    expect(res.data.results[0].error.message).toContain("/api/v1/aip/tokens");
  });
});
