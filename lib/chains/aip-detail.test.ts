// An AIP chain from import to drawing, without a database: tokens minted in the reference's formats
// go through the pure import (lib/protocol/aip), become stored-looking rows, then the chain detail
// (lib/chains/detail.ts, which must judge them by AIP rules), the graph model and the inspector's
// "AIP verifier says / Delegraph says".
import { beforeAll, describe, expect, it } from "vitest";
import {
  appendBlock,
  authoritySource,
  delegationSource,
  loadBiscuit,
  mintAuthority,
  rfc3339Seconds,
  type TBiscuitEngine,
} from "@/lib/protocol/aip/biscuit";
import { importAipToken, type TAipEvent, type TAipVerdict } from "@/lib/protocol/aip";
import { compactToken, claims as compactClaims, identity, makeAipKey, makeContext, NOW, registryKey } from "@/lib/protocol/aip/test-helpers";
import { GENESIS_HASH } from "@/lib/protocol/ledger";
import { buildGraph, grantEdgeId, principalNodeId } from "@/lib/ui/graph/build-graph";
import { aipVerdictPair } from "@/lib/ui/aip";
import { buildChainDetail } from "./detail";
import { createDetailJsonMemo, stringifyChainDetail } from "./detail-json";
import type { TChainDetailRows } from "@/lib/db/stores/chains";

let b: TBiscuitEngine;
beforeAll(async () => {
  b = await loadBiscuit();
});

const rootKey = makeAipKey();
const ALICE = "aip:web:bank.example/alice";
const BOB = "aip:web:bank.example/bob";
const CAROL = "aip:web:bank.example/carol";
const MALLORY = "aip:web:evil.example/mallory";

function mint(blocks: string[]): string {
  let token = mintAuthority(b, rootKey.seed, blocks[0]);
  for (const s of blocks.slice(1)) token = appendBlock(b, token, rootKey.publicKey, s);
  return token;
}

/** The rows the chain store would read back after ingest stored these events. */
function rows(events: (TAipEvent & { reference: TAipVerdict })[], kinds: { id: string; kind: string }[]): TChainDetailRows {
  return {
    startedAt: NOW,
    source: "aip",
    events: events.map((e, i) => {
      const c = { ...e.claims, aip: { ...e.claims.aip, reference: e.reference } };
      return {
        seq: i + 1,
        jti: e.jti,
        chainId: e.chain,
        kind: c.kind,
        iss: c.iss,
        aud: c.kind === "complete" ? null : c.aud,
        ref: c.kind === "delegate" ? (c.parent ?? null) : c.kind === "complete" ? c.grant : null,
        iat: c.iat,
        exp: c.kind === "complete" ? null : c.exp,
        status: "accepted",
        alg: c.aip.mode === "compact" ? "EdDSA" : "biscuit-ed25519",
        kid: c.aip.verifiedBy ? c.aip.verifiedBy.split("#")[1] : "ephemeral",
        token: e.token,
        drift: null,
        claims: JSON.stringify(c),
        prevHash: GENESIS_HASH,
        hash: GENESIS_HASH,
        receivedAt: new Date(NOW * 1000),
        keyRevokedAt: null,
      };
    }),
    head: null,
    externalRows: [],
    principals: kinds.map((k) => ({ ...k, name: null })),
    keys: [],
  };
}

describe("an AIP chain in the dashboard's read model", () => {
  it("a swapped delegator: AIP says valid, Delegraph principal_mismatch; hops after block 0 dashed and never verified", async () => {
    const token = mint([
      authoritySource({
        identity: ALICE,
        scopes: ["tool:*"],
        maxDepth: 3,
        expires: rfc3339Seconds(NOW + 3600),
        principal: "user:alice@bank.example",
      }),
      delegationSource({ delegator: ALICE, delegate: BOB, context: "research", scopes: ["tool:search"] }),
      delegationSource({ delegator: MALLORY, delegate: CAROL, context: "take over", scopes: ["tool:search"] }),
    ]);
    const out = await importAipToken(token, {}, makeContext([identity(ALICE, "human", [registryKey(rootKey)])]));
    expect(out.result.status).toBe("accepted");
    expect(out.result.aip.verdict).toBe("valid");
    const chainId = out.result.chain!;
    const { detail } = buildChainDetail(
      chainId,
      rows(
        out.store.map((e) => ({ ...e, reference: out.result.aip })),
        [{ id: ALICE, kind: "human" }],
      ),
      { now: NOW, includeRaw: true },
    );
    expect(detail.hops.map((h) => h.signature.verified)).toEqual([true, false, false]);
    // The kept-text serialiser writes AIP hops (their `aip` member) as JSON.stringify does, twice with one memo.
    const memo = createDetailJsonMemo();
    expect(stringifyChainDetail(detail, memo)).toBe(JSON.stringify(detail));
    expect(stringifyChainDetail(detail, memo)).toBe(JSON.stringify(detail));
    expect(detail.hops[0].aip?.onBehalfOf).toBe("user:alice@bank.example");
    const swapped = detail.hops[2];
    expect(swapped.findings.map((f) => f.code)).toContain("principal_mismatch");
    expect(swapped.findings.find((f) => f.code === "principal_mismatch")!.message).toContain("block 2");
    // AIP scope rule, not DEP's grammar: tool:search is within tool:*, so nothing is added.
    expect(detail.hops[1].scopeAdded).toEqual([]);
    expect(detail.status).toBe("violation");

    const pair = aipVerdictPair(swapped)!;
    expect(pair.reference).toBe("valid");
    expect(pair.ours).toContain("principal_mismatch");
    expect(pair.agree).toBe(false);
    expect(pair.difference).toContain("delegator");

    const g = buildGraph(detail);
    const edge = (jti: string) => g.edges.find((e) => e.id === grantEdgeId(jti))!;
    expect(edge(detail.hops[0].jti)).toMatchObject({ isDashed: false, isUnverified: false });
    expect(edge(detail.hops[1].jti)).toMatchObject({
      isDashed: true,
      isUnverified: true,
      dashReason: "unverified hop: delegator asserted, not signed",
    });
    const human = g.nodes.find((n) => n.id === principalNodeId("user:alice@bank.example"))!;
    expect(human).toMatchObject({ kind: "human", isAsserted: true });
    expect(g.edges.some((e) => e.source === human.id && e.isDashed && e.label === "on behalf of")).toBe(true);
  });

  it("an expired compact token: AIP says token_expired, Delegraph keeps the grant, drawn solid", async () => {
    const alice = makeAipKey();
    const token = compactToken(alice, compactClaims(ALICE, { iat: NOW - 7200, exp: NOW - 3600 }));
    const out = await importAipToken(token, {}, makeContext([identity(ALICE, "human", [registryKey(alice)])]));
    expect(out.result).toMatchObject({ status: "accepted", aip: { verdict: "invalid", error: "token_expired" } });
    const { detail } = buildChainDetail(
      out.result.chain!,
      rows(
        out.store.map((e) => ({ ...e, reference: out.result.aip })),
        [{ id: ALICE, kind: "human" }],
      ),
      { now: NOW, includeRaw: false },
    );
    expect(detail.source).toBe("aip");
    const hop = detail.hops[0];
    expect(hop.signature.verified).toBe(true);
    expect(hop.aip).toMatchObject({ mode: "compact", typ: "aip+jwt", unverified: null });
    // No completion block and past exp: missing_evidence at read time, in AIP's words.
    expect(detail.findings.map((f) => f.code)).toContain("missing_evidence");
    const pair = aipVerdictPair(hop)!;
    expect(pair.reference).toBe("invalid (token_expired)");
    expect(pair.difference).toContain("keeps the grant");
    expect(buildGraph(detail).edges.find((e) => e.id === grantEdgeId(hop.jti))!.isDashed).toBe(false);
  });
});
