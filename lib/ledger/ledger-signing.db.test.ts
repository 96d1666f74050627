// The server key file and the signed checkpoints against a real embedded database filled through
// the real ingest (no mocks). Integration tests (tests/integration/ledger-signing.test.ts) repeat
// the attacks over HTTP on both databases; these pin down the parts only reachable in-process.
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { sqliteFilePath } from "@/lib/db/url";
import { ingest, registerActor, useFreshDatabase, type TActor } from "@/lib/reports/test-fixtures";
import { signToken } from "@/lib/protocol/test-helpers";
import { checkpointMessage, ed25519Thumbprint, signMessage, type TEd25519Jwk } from "./signing";
import { loadOrCreateKeyFile, LedgerKeyFileError } from "./server-key";

const dir = mkdtempSync(join(tmpdir(), "delegraph-ledger-key-"));

describe("the key file", () => {
  it("is made once, mode 0600, even when several callers race to make it", async () => {
    const path = join(dir, "race", "ledger-key.json");
    // Every caller finds no file, then waits: all of them generate a key and try to link it.
    const slow = () => new Promise<string[]>((r) => setTimeout(() => r(["old-key"]), 20));
    const results = await Promise.all(Array.from({ length: 6 }, () => loadOrCreateKeyFile(path, slow)));
    expect(new Set(results.map((r) => r.key.kid)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const file = JSON.parse(readFileSync(path, "utf8"));
    expect(file).toMatchObject({
      format: "delegraph-ledger-key/1",
      kid: results[0].key.kid,
      previous: ["old-key"],
      jwk: { kty: "OKP", crv: "Ed25519" },
    });
    expect(file.jwk.d).toBeTruthy();
    // No temporary files left behind, and the next start reads the same key.
    expect(readdirSync(join(dir, "race"))).toEqual(["ledger-key.json"]);
    const again = await loadOrCreateKeyFile(path, async () => {
      throw new Error("not asked when the file exists");
    });
    expect(again).toMatchObject({ created: false, key: { kid: results[0].key.kid } });
  });

  it("refuses a damaged or mismatched file instead of replacing it", async () => {
    const path = join(dir, "bad.json");
    writeFileSync(path, "{ not json");
    await expect(loadOrCreateKeyFile(path, async () => [])).rejects.toThrow(LedgerKeyFileError);
    const good = (await loadOrCreateKeyFile(join(dir, "good.json"), async () => [])).key;
    const file = JSON.parse(readFileSync(join(dir, "good.json"), "utf8"));
    // Another key's private half under this public half: would sign what nobody can verify.
    const other = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }) as { d: string };
    writeFileSync(path, JSON.stringify({ ...file, jwk: { ...file.jwk, d: other.d } }));
    await expect(loadOrCreateKeyFile(path, async () => [])).rejects.toThrow(/no usable Ed25519 key pair/);
    writeFileSync(path, JSON.stringify({ ...file, kid: "someone-else" }));
    await expect(loadOrCreateKeyFile(path, async () => [])).rejects.toThrow(new RegExp(`thumbprint is ${good.kid}`));
  });
});

describe("checkpoints on a real database", () => {
  let human: TActor;
  let agent: TActor;
  let n = 0;
  const t = Math.floor(Date.now() / 1000);
  const chain = () => {
    const jti = `cp-${t}-${n++}`;
    return signToken(human.key, {
      v: 1,
      kind: "authorize",
      jti,
      chain: jti,
      iss: human.id,
      aud: agent.id,
      iat: t - 60,
      exp: t + 3600,
      scope: ["a/*:read"],
      purpose: { code: "p", text: "p" },
    });
  };
  let q: typeof import("./verify");
  let cp: typeof import("./checkpoints");
  let key: typeof import("./server-key");
  let prisma: Awaited<ReturnType<typeof import("@/lib/db").database>>["prisma"];

  beforeAll(async () => {
    const url = await useFreshDatabase();
    process.env.DELEGRAPH_CHECKPOINT_EVENTS = "3";
    process.env.DELEGRAPH_CHECKPOINT_SECONDS = "3600";
    q = await import("./verify");
    cp = await import("./checkpoints");
    key = await import("./server-key");
    prisma = (await (await import("@/lib/db")).database()).prisma;
    human = await registerActor(`user:cp-${t}@bank.example`, "human");
    agent = await registerActor(`agent:cp-${t}`, "agent");
    expect(url).toMatch(/^file:/);
  });

  it("signs the head after the first ingest, then every DELEGRAPH_CHECKPOINT_EVENTS events, and audits each", async () => {
    await ingest([chain()]);
    const first = await cp.latestCheckpoint();
    expect(first?.seq).toBe(1);
    const server = await key.serverKey();
    expect(first?.kid).toBe(server.kid);
    expect(existsSync(server.path)).toBe(true);
    expect(server.path).toBe(join(dirname(sqliteFilePath(process.env.DATABASE_URL)), "ledger-key.json"));
    await ingest([chain(), chain()]);
    expect((await cp.latestCheckpoint())?.seq).toBe(1);
    await ingest([chain()]);
    expect((await cp.latestCheckpoint())?.seq).toBe(4);
    const audits = await prisma.auditEntry.findMany({ where: { action: "ledger.checkpoint" }, orderBy: { id: "asc" } });
    expect(audits.map((a) => [a.actor, a.target])).toEqual([
      ["system", "seq 1"],
      ["system", "seq 4"],
    ]);
    expect(JSON.parse(audits[1].detail!)).toMatchObject({ seq: 4, kid: server.kid });
    // Nothing moved: nothing to sign.
    expect(await cp.checkpointHead()).toBeNull();
    const v = await q.verifyLedger();
    expect(v).toMatchObject({ ok: true, count: 4, checkpoints: { count: 2, verified: 2, lastSeq: 4 } });
  });

  it("a checkpoint signed by a key inserted into the database is not trusted", async () => {
    // The attacker's key, recorded as if it were an earlier server key, and a checkpoint it signed.
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const jwk: TEd25519Jwk = { kty: "OKP", crv: "Ed25519", x: (publicKey.export({ format: "jwk" }) as { x: string }).x };
    const kid = ed25519Thumbprint(jwk);
    await prisma.ledgerKey.create({ data: { kid, jwk: JSON.stringify(jwk) } });
    const head = (await prisma.ledgerHead.findUnique({ where: { id: 1 } }))!;
    await ingest([chain()]);
    const claim = { seq: head.seq + 1, hash: (await prisma.event.findUnique({ where: { seq: head.seq + 1 } }))!.hash, at: new Date().toISOString() };
    await prisma.ledgerCheckpoint.create({
      data: { ...claim, at: new Date(claim.at), kid, signature: signMessage(privateKey, checkpointMessage(claim)) },
    });
    const v = await q.verifyLedger();
    expect(v.ok).toBe(false);
    expect(v.brokenAt).toBe(claim.seq);
    expect(v.reason).toMatch(/does not vouch for/);
    const { getLedgerKey } = await import("./queries");
    const answer = await getLedgerKey();
    expect(answer.previous).toEqual([expect.objectContaining({ kid, trusted: false })]);
    await prisma.ledgerCheckpoint.delete({ where: { seq: claim.seq } });
    await prisma.ledgerKey.delete({ where: { kid } });
  });

  it("an altered checkpoint fails, and one beyond the ledger says events were removed", async () => {
    const last = (await cp.latestCheckpoint())!;
    await prisma.ledgerCheckpoint.update({ where: { seq: last.seq }, data: { at: new Date(Date.parse(last.at) + 1000) } });
    expect((await q.verifyLedger()).reason).toMatch(new RegExp(`checkpoint at seq ${last.seq} .* does not verify under that key`));
    await prisma.ledgerCheckpoint.update({ where: { seq: last.seq }, data: { at: new Date(last.at) } });
    expect((await q.verifyLedger()).ok).toBe(true);
    const server = await key.serverKey();
    const claim = { seq: 10_000, hash: "a".repeat(64), at: new Date().toISOString() };
    await prisma.ledgerCheckpoint.create({
      data: { ...claim, at: new Date(claim.at), kid: server.kid, signature: server.sign(checkpointMessage(claim)) },
    });
    expect((await q.verifyLedger()).reason).toMatch(/beyond the ledger's last event/);
    await prisma.ledgerCheckpoint.delete({ where: { seq: 10_000 } });
  });

  it("after a key change, checkpoints of the earlier key still verify: the new key file vouches for it", async () => {
    const old = await key.serverKey();
    renameSync(old.path, `${old.path}.retired`);
    (globalThis as { delegraphLedgerKey?: unknown }).delegraphLedgerKey = undefined;
    const fresh = await key.serverKey();
    expect(fresh.kid).not.toBe(old.kid);
    expect(fresh.previous).toContain(old.kid);
    await ingest([chain(), chain(), chain()]);
    expect((await cp.latestCheckpoint())?.kid).toBe(fresh.kid);
    const v = await q.verifyLedger();
    expect(v.ok).toBe(true);
    expect(v.checkpoints.verified).toBe(v.checkpoints.count);
    const { getLedgerKey } = await import("./queries");
    expect(await getLedgerKey()).toMatchObject({
      kid: fresh.kid,
      thumbprint: fresh.kid,
      previous: [expect.objectContaining({ kid: old.kid, trusted: true })],
    });
  });
});
