import { beforeAll, describe, expect, it } from "vitest";
import {
  appendBlock,
  authoritySource,
  completionSource,
  counterSignatureSource,
  delegationSource,
  loadBiscuit,
  mintAuthority,
  rfc3339Seconds,
  type TBiscuitEngine,
  type TDelegationInput,
} from "./biscuit";
import { aipReadTimeFindings, checkAipChain, importAipToken, type TAipContext, type TAipEvent } from "./index";
import { aipKeyId, identity, makeAipKey, makeContext, NOW, registryKey } from "./test-helpers";

let b: TBiscuitEngine;
beforeAll(async () => {
  b = await loadBiscuit();
});

const root = makeAipKey();
const ALICE = "aip:web:bank.example/alice";
const BOB = "aip:web:bank.example/bob";
const CAROL = "aip:web:bank.example/carol";
const MALLORY = "aip:web:evil.example/mallory";
const EXP = rfc3339Seconds(NOW + 3600);
const human = identity(ALICE, "human", [registryKey(root)]);

const rootBlock = (extra: Partial<Parameters<typeof authoritySource>[0]> = {}) =>
  authoritySource({
    identity: ALICE,
    scopes: ["tool:search", "tool:read", "files:*"],
    maxDepth: 3,
    expires: EXP,
    budgetCents: 500,
    principal: "user:alice",
    ...extra,
  });
const deleg = (extra: Partial<TDelegationInput> = {}) =>
  delegationSource({
    delegator: ALICE,
    delegate: BOB,
    context: "quarterly research",
    scopes: ["tool:search", "files:*"],
    budgetCents: 200,
    ...extra,
  });

function mint(blocks: string[], key = root): string {
  let token = mintAuthority(b, key.seed, blocks[0]);
  for (const source of blocks.slice(1)) token = appendBlock(b, token, key.publicKey, source);
  return token;
}

async function run(token: string, opts: { tool?: string; audience?: string } = {}, ctx: TAipContext = makeContext([human])) {
  return importAipToken(token, opts, ctx);
}
const codes = (r: { findings: { code: string }[] }) => r.findings.map((f) => f.code);

describe("chained tokens: a clean delegation", () => {
  it("each block becomes one event of one chain, with roles, parents and dashed hops", async () => {
    const token = mint([
      rootBlock(),
      deleg(),
      deleg({ delegator: BOB, delegate: CAROL, scopes: ["files:reports*"], budgetCents: 100, context: "draft the report" }),
      completionSource({
        context: "done",
        status: "completed",
        resultHash: `sha256:${"a".repeat(64)}`,
        verificationStatus: "self_reported",
        tokensUsed: 1200,
        durationMs: 4500,
      }),
      counterSignatureSource({ context: "checked", verifier: BOB }),
    ]);
    const out = await run(token, { tool: "files:reports/q1", audience: CAROL });
    const r = out.result;
    expect(r).toMatchObject({ mode: "chained", status: "accepted", findings: [] });
    // The reference counts the completion and counter-signature blocks as delegations: 4 > max_depth 3.
    expect(r.aip).toMatchObject({ verdict: "invalid", error: "depth_exceeded" });
    expect(r.events).toHaveLength(5);
    expect(r.chain).toBe(r.events[0]);
    const [b0, b1, b2, done, counter] = out.store.map((e) => e.claims);
    expect(b0).toMatchObject({
      kind: "authorize",
      iss: ALICE,
      aud: ALICE,
      scope: ["tool:search", "tool:read", "files:*"],
      max_depth: 3,
      iat: NOW,
      exp: NOW + 3600,
    });
    expect(b0.aip).toMatchObject({ role: "root", block: 0, unverified: null, principal: "user:alice", budget: { cents: 500 }, iatIsReceipt: true });
    expect(b1).toMatchObject({ kind: "delegate", parent: b0.jti, iss: ALICE, aud: BOB, purpose: { code: "aip", text: "quarterly research" } });
    expect(b1.aip.unverified).toMatch(/block 1 .*ephemeral key/);
    expect(b2).toMatchObject({ kind: "delegate", parent: b1.jti, iss: BOB, aud: CAROL, scope: ["files:reports*"] });
    expect(done).toMatchObject({ kind: "complete", grant: b2.jti, iss: CAROL, status: "completed", attestation_claimed: "self_reported" });
    expect(counter).toMatchObject({ kind: "complete", grant: b2.jti, iss: BOB, attestation_claimed: "delegator_verified" });
    expect(counter.aip.unverified).toMatch(/claim only/);
    expect(b2.aip.source).toContain('delegator("aip:web:bank.example/bob");');
    for (const e of out.store) expect(e.chain).toBe(b0.jti);

    const analysis = checkAipChain({ chainId: b0.jti, events: out.store, principalKinds: new Map([[ALICE, "human"]]) });
    expect(analysis.status).toBe("verified");
    expect(analysis.events.get(done.jti)).toMatchObject({ attestation: "self_reported", closes: b2.jti });
    expect(analysis.events.get(counter.jti)).toMatchObject({ attestation: "delegator_verified" });
  });

  it("the reference accepts the same clean chain with a tool and the final delegate as audience", async () => {
    const token = mint([rootBlock(), deleg(), deleg({ delegator: BOB, delegate: CAROL, scopes: ["files:reports*"], budgetCents: 100 })]);
    const r = (await run(token, { tool: "files:reports/q1", audience: CAROL })).result;
    expect(r.findings).toEqual([]);
    expect(r.aip).toMatchObject({ verdict: "valid", error: null });
  });
});

describe("chained tokens: stories where the verdicts differ", () => {
  it("a delegator swapped mid-chain: aip valid, Delegraph principal_mismatch on block 2", async () => {
    const token = mint([rootBlock(), deleg(), deleg({ delegator: MALLORY, delegate: CAROL, scopes: ["tool:search"] })]);
    const r = (await run(token)).result;
    expect(r.aip.verdict).toBe("valid");
    const f = r.findings.find((x) => x.code === "principal_mismatch");
    expect(f?.message).toMatch(/block 2 .*delegated by "aip:web:evil\.example\/mallory".*block 1 .*held by "aip:web:bank\.example\/bob"/);
  });

  it("a second delegate fact injected through an unescaped context string: aip reads the first, Delegraph both", async () => {
    const context = `research"); delegate("${MALLORY}`;
    const token = mint([rootBlock(), deleg({ context })]);
    const out = await run(token, { audience: BOB });
    expect(out.result.aip.verdict).toBe("valid");
    const f = out.result.findings.find((x) => x.code === "principal_mismatch");
    expect(f?.message).toContain("block 1 (delegation) has 2 delegate facts");
    expect(f?.message).toContain(MALLORY);
  });

  it("an extended expiry: aip valid (all checks still apply), Delegraph lifetime_escalation", async () => {
    const token = mint([rootBlock(), deleg({ expires: NOW + 86_400 * 365 })]);
    const r = (await run(token)).result;
    expect(r.aip.verdict).toBe("valid");
    expect(codes(r)).toContain("lifetime_escalation");
    expect(r.findings.find((f) => f.code === "lifetime_escalation")?.message).toMatch(/^block 1 \(delegation\)'s time check/);
  });

  it("a widened scope: aip scope_insufficient, Delegraph scope_escalation", async () => {
    const token = mint([rootBlock(), deleg({ scopes: ["admin:*"] })]);
    const r = (await run(token)).result;
    expect(r.aip.error).toBe("scope_insufficient");
    expect(r.findings.find((f) => f.code === "scope_escalation")?.message).toContain('block 1 (delegation) allows "admin:*"');
  });

  it("only the first check counts for aip; every check for Delegraph", async () => {
    const source = `${deleg({ scopes: ["tool:search"] })}check if tool($t), ["admin:delete"].contains($t);\n`;
    const r = (await run(mint([rootBlock(), source]))).result;
    expect(r.aip.verdict).toBe("valid");
    expect(codes(r)).toContain("scope_escalation");
  });

  it("only the first principal fact counts for aip; every one for Delegraph", async () => {
    const source = deleg({ principal: 'user:alice"); principal("user:eve' });
    const r = (await run(mint([rootBlock(), source]))).result;
    expect(r.aip.verdict).toBe("valid");
    expect(r.findings.find((f) => f.code === "principal_mismatch")?.message).toContain(
      'changes the on-behalf-of principal from "user:alice" to "user:eve"',
    );
  });

  it("a changed principal: aip token_malformed, Delegraph principal_mismatch", async () => {
    const r = (await run(mint([rootBlock(), deleg({ principal: "user:eve" })]))).result;
    expect(r.aip.error).toBe("token_malformed");
    expect(codes(r)).toContain("principal_mismatch");
  });

  it("a missing or blank context: aip token_malformed, Delegraph purpose_mismatch", async () => {
    const missing = `delegator("${ALICE}");\ndelegate("${BOB}");\ncheck if tool($t), ["tool:search"].contains($t);\n`;
    const r1 = (await run(mint([rootBlock(), missing]))).result;
    expect(r1.aip.error).toBe("token_malformed");
    expect(r1.findings.find((f) => f.code === "purpose_mismatch")?.message).toBe(
      "block 1 (delegation) has no context: the delegation states no purpose",
    );
    const r2 = (await run(mint([rootBlock(), deleg({ context: "   " })]))).result;
    expect(r2.aip.error).toBe("token_malformed");
    expect(codes(r2)).toContain("purpose_mismatch");
  });

  it("a completion block without context: aip token_malformed (completion blocks included), Delegraph clean", async () => {
    const r = (await run(mint([rootBlock(), deleg(), completionSource({ status: "completed", resultHash: `sha256:${"b".repeat(64)}` })]))).result;
    expect(r.aip.error).toBe("token_malformed");
    expect(r.findings).toEqual([]);
  });

  it("a raised or negative budget: aip budget_exceeded, Delegraph constraint_escalation", async () => {
    const raised = (await run(mint([rootBlock(), deleg({ budgetCents: 900 })]))).result;
    expect(raised.aip.error).toBe("budget_exceeded");
    expect(raised.findings.find((f) => f.code === "constraint_escalation")?.message).toContain(
      "raises the budget ceiling to 900 cents, above block 0 (root)'s 500",
    );
    const negative = (await run(mint([rootBlock(), deleg({ budgetCents: -1 })]))).result;
    expect(negative.aip.error).toBe("budget_exceeded");
    expect(codes(negative)).toContain("constraint_escalation");
    const rootNegative = (await run(mint([rootBlock({ budgetCents: -5 })]))).result;
    expect(rootNegative.aip.error).toBe("budget_exceeded");
    expect(codes(rootNegative)).toEqual(["constraint_escalation"]);
  });

  it("too deep: both reject; but completion blocks count for aip's depth and not for Delegraph's", async () => {
    const deep = (
      await run(
        mint([rootBlock({ maxDepth: 1 }), deleg({ scopes: ["tool:search"] }), deleg({ delegator: BOB, delegate: CAROL, scopes: ["tool:search"] })]),
      )
    ).result;
    expect(deep.aip.error).toBe("depth_exceeded");
    expect(deep.findings.find((f) => f.code === "depth_exceeded")?.message).toMatch(/^block 2 \(delegation\) is delegation 2, but block 0 allows 1/);
    const withCompletion = (
      await run(
        mint([
          rootBlock({ maxDepth: 1 }),
          deleg({ scopes: ["tool:search"] }),
          completionSource({ context: "ok", status: "completed", resultHash: "sha256:00" }),
        ]),
      )
    ).result;
    expect(withCompletion.aip.error).toBe("depth_exceeded");
    expect(codes(withCompletion)).not.toContain("depth_exceeded");
    // Without max_depth Delegraph allows three delegations; the reference checks no depth at all.
    const noMax = authoritySource({ identity: ALICE, scopes: ["tool:*"], maxDepth: 0, expires: EXP }).replace("max_depth(0);\n", "");
    const blocks = [noMax];
    const chain = [ALICE, BOB, CAROL, MALLORY, "aip:web:x.example/dave"];
    for (let i = 0; i < 4; i++)
      blocks.push(deleg({ delegator: chain[i], delegate: chain[i + 1], scopes: [`tool:${"s".repeat(i + 1)}*`], budgetCents: null }));
    const r = (await run(mint(blocks))).result;
    expect(r.aip.verdict).toBe("valid");
    expect(r.findings.find((f) => f.code === "depth_exceeded")?.message).toContain(
      "block 4 (delegation) is delegation 4, but block 0 allows 3 (max_depth absent: default 3)",
    );
  });

  it("no_attenuation: a delegation declaring its parent's exact scope set, or none", async () => {
    const same = (await run(mint([rootBlock(), deleg({ scopes: ["tool:search", "tool:read", "files:*"] })]))).result;
    expect(codes(same)).toEqual(["no_attenuation"]);
    const none = (await run(mint([rootBlock(), deleg({ scopes: [] })]))).result;
    expect(none.findings.find((f) => f.code === "no_attenuation")?.message).toContain("block 1 (delegation) declares no scope check");
    expect(none.aip.verdict).toBe("valid");
  });

  it("unrooted: the root identity is not a human; the message names the asserted principal", async () => {
    const agent = identity(ALICE, "agent", [registryKey(root)]);
    const r = (await run(mint([rootBlock()]), {}, makeContext([agent]))).result;
    expect(r.findings.find((f) => f.code === "unrooted")?.message).toBe(
      'block 0 (root) is held by "aip:web:bank.example/alice", a principal of kind "agent", not a human; on behalf of "user:alice", asserted in block 0, not signed by that person',
    );
  });

  it("a counter-signature by someone other than the delegator: principal_mismatch", async () => {
    const token = mint([
      rootBlock(),
      deleg(),
      completionSource({ context: "ok", status: "completed", resultHash: "sha256:00" }),
      counterSignatureSource({ context: "ok", verifier: MALLORY }),
    ]);
    const r = (await run(token)).result;
    expect(r.findings.find((f) => f.code === "principal_mismatch")?.message).toMatch(
      /block 3 \(counter-signature\) is counter-signed by .*mallory.*only the delegator may counter-sign/,
    );
  });
});

describe("chained tokens: the reference's policy step and A2A checks", () => {
  const token = () => mint([rootBlock(), deleg({ scopes: ["tool:search"] })]);
  it("tool: an allowed tool passes every block's check; another is scope_insufficient", async () => {
    const t = token();
    expect((await run(t, { tool: "tool:search" })).result.aip.verdict).toBe("valid");
    expect((await run(t, { tool: "tool:read" })).result.aip.error).toBe("scope_insufficient");
  });

  it("tool on an expired chain is scope_insufficient; without tool it is valid, and Delegraph keeps it", async () => {
    const expired = mint([rootBlock({ expires: NOW - 60 }), deleg({ scopes: ["tool:search"] })]);
    const withTool = (await run(expired, { tool: "tool:search" })).result;
    expect(withTool.aip.error).toBe("scope_insufficient");
    expect(withTool.status).toBe("accepted");
    expect((await run(expired)).result.aip.verdict).toBe("valid");
  });

  it("audience: no delegation block → aip_chain_invalid; another final delegate → aip_audience_mismatch", async () => {
    expect((await run(mint([rootBlock()]), { audience: BOB })).result.aip.error).toBe("aip_chain_invalid");
    expect((await run(token(), { audience: CAROL })).result.aip.error).toBe("aip_audience_mismatch");
    expect((await run(token(), { audience: BOB })).result.aip.verdict).toBe("valid");
    // A completion block last: the reference finds no delegate fact in it.
    const completed = appendBlock(b, token(), root.publicKey, completionSource({ context: "ok", status: "completed", resultHash: "sha256:00" }));
    expect((await run(completed, { audience: BOB })).result.aip.error).toBe("aip_chain_invalid");
  });
});

describe("chained tokens: storage identity", () => {
  it("a token extended by one block adds one event to the same chain; the shared blocks are duplicates", async () => {
    const a = mint([rootBlock(), deleg()]);
    const first = await run(a);
    const stored = new Set(first.result.events);
    const extended = appendBlock(b, a, root.publicKey, deleg({ delegator: BOB, delegate: CAROL, scopes: ["tool:search"] }));
    const second = await run(extended, {}, makeContext([human], stored));
    expect(second.result.status).toBe("accepted");
    expect(second.result.chain).toBe(first.result.chain);
    expect(second.result.events.slice(0, 2)).toEqual(first.result.events);
    expect(second.store.map((e) => e.jti)).toEqual([second.result.events[2]]);
    const again = await run(a, {}, makeContext([human], stored));
    expect(again.result.status).toBe("duplicate");
    expect(again.store).toEqual([]);
  });

  it("the stored chain of two forks is judged block by block, as each token was", async () => {
    const a = mint([rootBlock(), deleg()]);
    const fork = appendBlock(b, mint([rootBlock()]), root.publicKey, deleg({ delegator: MALLORY }));
    const one = await run(a);
    const two = await run(fork);
    expect(two.result.chain).not.toBe(one.result.chain); // a new block 0 has a new signature
    const sameRoot = appendBlock(b, a, root.publicKey, deleg({ delegator: MALLORY, delegate: CAROL, scopes: ["tool:search"] }));
    const three = await run(sameRoot);
    const events: TAipEvent[] = [...one.store, ...three.store.filter((e) => !one.result.events.includes(e.jti))];
    const analysis = checkAipChain({ chainId: one.result.chain!, events, principalKinds: new Map([[ALICE, "human"]]) });
    expect(analysis.status).toBe("violation");
    const last = three.result.events[2];
    expect(analysis.events.get(last)?.findings.map((f) => f.code)).toEqual(["principal_mismatch"]);
    // Missing its parent block: orphan, pending.
    const orphaned = checkAipChain({ chainId: "c", events: three.store.slice(2), principalKinds: new Map() });
    expect(orphaned.status).toBe("pending");
    expect(orphaned.events.get(last)?.findings.map((f) => f.code)).toEqual(["orphan"]);
  });

  it("missing_evidence at read time, closed by a completion block; expired_grant for a late invocation", async () => {
    const open = await run(mint([rootBlock({ expires: NOW + 10 }), deleg()]));
    const a1 = checkAipChain({ chainId: open.result.chain!, events: open.store, principalKinds: new Map([[ALICE, "human"]]) });
    expect([...aipReadTimeFindings(a1, NOW + 11).keys()]).toEqual(open.result.events);
    expect(aipReadTimeFindings(a1, NOW + 10).size).toBe(0);
    const closed = await run(
      mint([rootBlock({ expires: NOW + 10 }), deleg(), completionSource({ context: "ok", status: "failed", resultHash: "sha256:00" })]),
    );
    const a2 = checkAipChain({ chainId: closed.result.chain!, events: closed.store, principalKinds: new Map([[ALICE, "human"]]) });
    expect([...aipReadTimeFindings(a2, NOW + 11).keys()]).toEqual([closed.result.events[0]]);
    const grant = closed.store[1].claims;
    const invoke = {
      v: 1 as const,
      kind: "invoke" as const,
      jti: "inv-1",
      chain: grant.chain,
      iss: BOB,
      iat: NOW + 20,
      grant: grant.jti,
      action: "files:reports/q1",
      resource: "mcp://files",
    };
    const a3 = checkAipChain({
      chainId: grant.chain,
      events: closed.store,
      principalKinds: new Map([[ALICE, "human"]]),
      invokes: [{ jti: "inv-1", claims: invoke }],
    });
    expect(a3.events.get("inv-1")?.findings.map((f) => f.code)).toEqual(["expired_grant"]);
    const early = { ...invoke, jti: "inv-2", iat: NOW, action: "admin:drop" };
    const a4 = checkAipChain({ chainId: grant.chain, events: closed.store, principalKinds: new Map(), invokes: [{ jti: "inv-2", claims: early }] });
    expect(a4.events.get("inv-2")?.findings.map((f) => f.code)).toEqual(["ghost_permission"]);
  });
});

describe("chained tokens: rejections and hostile input", () => {
  it("garbage and truncated Biscuits are malformed / BiscuitValidationError", async () => {
    const good = mint([rootBlock()]);
    for (const t of ["garbage!!", "AAAA", good.slice(0, 60), `${good}AAAA`, ""]) {
      const r = (await run(t)).result;
      expect(r.status, t.slice(0, 10)).toBe("rejected");
      expect(r.error?.code).toBe("malformed");
      expect(r.aip.error).toBe("BiscuitValidationError");
    }
  });

  it("a root identity that is not registered: unknown_principal / identity_unresolvable", async () => {
    const r = (await run(mint([rootBlock({ identity: "aip:web:nowhere.example/x" })]))).result;
    expect(r.error?.code).toBe("unknown_principal");
    expect(r.aip.error).toBe("identity_unresolvable");
  });

  it("signed by a key that is not the identity's: signature_invalid / BiscuitValidationError (V2)", async () => {
    const r = (await run(mint([rootBlock()], makeAipKey()))).result;
    expect(r.error?.code).toBe("signature_invalid");
    expect(r.aip.error).toBe("BiscuitValidationError");
  });

  it("no key of the identity valid now: key_revoked / identity_unresolvable", async () => {
    const stale = identity(ALICE, "human", [registryKey(root, "k", { validUntil: NOW - 1 })]);
    const r = (await run(mint([rootBlock()]), {}, makeContext([stale]))).result;
    expect(r.error?.code).toBe("key_revoked");
    expect(r.aip.error).toBe("identity_unresolvable");
  });

  it("an aip:key root needs no registration", async () => {
    const k = makeAipKey();
    const out = await run(mint([rootBlock({ identity: aipKeyId(k) }), deleg({ delegator: aipKeyId(k) })], k), {}, makeContext());
    expect(out.result.status).toBe("accepted");
    expect(out.newIdentity?.id).toBe(aipKeyId(k));
    expect(codes(out.result)).toEqual(["unrooted"]);
  });

  it("block 0 without identity is malformed; a 1 MiB string is rejected without a throw", async () => {
    const r = (await run(mint(['right("x");\ncheck if time($t), $t <= 2030-01-01T00:00:00Z;\n']))).result;
    expect(r.error?.code).toBe("malformed");
    const big = (await run("A".repeat(1024 * 1024 + 1))).result;
    expect(big.status).toBe("rejected");
  });

  it("more than 256 blocks are refused before any signature is checked", async () => {
    let biscuit = b.Biscuit.fromBase64(mint([rootBlock()]), b.PublicKey.fromBytes(root.publicKey, b.SignatureAlgorithm.Ed25519));
    for (let i = 0; i < 257; i++) {
      const block = new b.BlockBuilder();
      block.addCode('context("x");');
      biscuit = biscuit.appendBlock(block);
    }
    const token = biscuit.toBase64();
    const started = Date.now();
    const r = (await run(token)).result;
    expect(r.error).toMatchObject({ code: "malformed", message: "the token has 258 blocks; at most 256 are accepted" });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("a block of a thousand injected facts is read whole and quickly", async () => {
    const many = Array.from({ length: 1000 }, (_, i) => `delegate("aip:web:x.example/${i}")`)
      .join(");\n")
      .concat(");\n");
    const source = `delegator("${ALICE}");\ncontext("x");\n${many.replace(/\)\);/g, ");")}`;
    const started = Date.now();
    const r = (await run(mint([rootBlock(), source]))).result;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.findings.find((f) => f.code === "principal_mismatch")?.message).toContain("1000 delegate facts");
  });
});
