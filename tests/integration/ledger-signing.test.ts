// Hardening [7] item 3 over HTTP, on whichever database the suite runs on: evidence bundles whose
// digest binds the verdict and that the server signs with its own key, that key at
// GET /api/v1/ledger/key and on the PDF cover, and signed checkpoints that expose a rewrite of the
// whole hash chain by someone with database access.
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sqliteFilePath } from "@/lib/db/url";
import { ledgerHash } from "@/lib/protocol/ledger";
import { dropDatabase, postgresTestUrl } from "../../scripts/postgres";
import { freshSqliteUrl, startServer, type TTestServer } from "../server";
import { api, authorizeClaims, invokeClaims, makeKey, now, post, register, signToken, type TPrincipal } from "./helpers";

const dir = mkdtempSync(join(tmpdir(), "delegraph-ledger-signing-"));
const repo = join(import.meta.dirname, "..", "..");

type TCheck = { group: string; subject: string; ok: boolean; message: string; note?: string };
type TReport = { ok: boolean; signer: { thumbprint: string; pinned: boolean | null } | null; checks: TCheck[] };

/** `delegraph verify` as an auditor runs it, on a file; asynchronous so the server's sockets stay healthy. */
function verify(bundle: unknown, name: string, ...flags: string[]): Promise<{ status: number; stdout: string; report: TReport | null }> {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(bundle, null, 2));
  return new Promise((resolve) =>
    execFile(process.execPath, [join(repo, "bin/delegraph.mjs"), "verify", file, ...flags], { encoding: "utf8", cwd: tmpdir() }, (error, stdout) => {
      let report: TReport | null = null;
      try {
        report = flags.includes("--json") ? JSON.parse(stdout) : null;
      } catch {
        // not JSON: the caller looks at stdout
      }
      resolve({ status: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, report });
    }),
  );
}

const failed = (r: TReport | null) => (r?.checks ?? []).filter((c) => !c.ok).map((c) => `${c.group}/${c.subject}`);

/** What a format-1 digest covered, which an attacker recomputes at will: "<seq> <hash>\n" per token. */
const oldStyleDigest = (b: { tokens: { seq: number; hash: string }[] }) =>
  "sha256:" +
  createHash("sha256")
    .update(b.tokens.map((t) => `${t.seq} ${t.hash}\n`).join(""))
    .digest("hex");

/** The attacker's edit of the verdict: every finding gone, the chain verified. */
function clearVerdict(b: any) {
  b.verdict = { status: "verified", findings: [] };
  for (const t of b.tokens) t.verdict.findings = [];
}

let ledgerKey: { kid: string; thumbprint: string; jwk: Record<string, unknown>; createdAt: string; previous: unknown[] };

beforeAll(async () => {
  const res = await api("/api/v1/ledger/key");
  expect(res.status).toBe(200);
  ledgerKey = res.data;
});

describe("GET /api/v1/ledger/key", () => {
  it("serves the public Ed25519 key and its thumbprint, to readers only", async () => {
    expect(ledgerKey.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(ledgerKey.thumbprint).toBe(ledgerKey.kid);
    expect(ledgerKey.jwk).toEqual({ kty: "OKP", crv: "Ed25519", x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(Date.parse(ledgerKey.createdAt)).not.toBeNaN();
    expect(Array.isArray(ledgerKey.previous)).toBe(true);
    expect((await api("/api/v1/ledger/key", { token: null })).status).toBe(401);
    const ingestOnly = await api("/api/v1/tokens", { method: "POST", json: { name: "ledger-key ingest", role: "ingest" } });
    expect((await api("/api/v1/ledger/key", { token: ingestOnly.data.token })).status).toBe(403);
  });
});

describe("an evidence bundle's digest binds the verdict, and the server signs it", () => {
  let human: TPrincipal;
  let agent: TPrincipal;
  let other: TPrincipal;
  let unrooted: any;
  let overdue: any;

  beforeAll(async () => {
    [human, agent, other] = await Promise.all([register("human"), register("agent"), register("agent")]);
    // Unrooted: an agent authorizes, with no human behind it.
    const root = authorizeClaims(agent.id, other.id);
    // Broken audit trail: a human's grant whose exp has passed with no complete.
    const late = authorizeClaims(human.id, agent.id, { iat: now() - 7200, exp: now() - 60 });
    const results = await post([signToken(root, agent.key), signToken(invokeClaims(root, other.id), other.key), signToken(late, human.key)]);
    for (const r of results) expect(r.status, JSON.stringify(r)).toBe("accepted");
    unrooted = (await api(`/api/v1/chains/${root.chain}/evidence.json`)).data;
    overdue = (await api(`/api/v1/chains/${late.chain}/evidence.json`)).data;
    expect(unrooted.format).toBe("delegraph-evidence/2");
    expect(unrooted.verdict.findings.map((f: { code: string }) => f.code)).toContain("unrooted");
    expect(overdue.verdict.findings.map((f: { code: string }) => f.code)).toEqual(["missing_evidence"]);
  });

  it("the server's own bundles verify, pinned to the key GET /api/v1/ledger/key serves", async () => {
    for (const [name, b] of [
      ["unrooted", unrooted],
      ["overdue", overdue],
    ] as const) {
      expect(b.signature).toMatchObject({ alg: "EdDSA", kid: ledgerKey.kid, jwk: ledgerKey.jwk });
      const r = await verify(b, `${name}.json`, "--json", "--key", ledgerKey.thumbprint);
      expect(r.status, r.stdout).toBe(0);
      expect(r.report!.signer).toEqual({ thumbprint: ledgerKey.thumbprint, pinned: true });
    }
  });

  it("a principal relabelled as human (unrooted → verified) fails on digest and on signature", async () => {
    const forged = structuredClone(unrooted);
    for (const p of forged.principals) if (p.id === agent.id) p.kind = "human";
    for (const k of forged.keys) if (k.principalId === agent.id) k.kind = "human";
    clearVerdict(forged);
    // The format-1 digest would not have moved: the attack of the hardening issue.
    expect(oldStyleDigest(forged)).toBe(oldStyleDigest(unrooted));
    const r1 = await verify(forged, "relabelled.json", "--json");
    expect(r1.status).toBe(1);
    // Nothing but the digest and the signature can tell: every re-computation agrees with the forgery.
    expect(failed(r1.report)).toEqual(["bundle/digest", "server/signature"]);
    // The attacker recomputes the new digest too: the server's signature still fails.
    forged.digest = "sha256:" + createHash("sha256").update(canonical(forged)).digest("hex");
    const r2 = await verify(forged, "relabelled-redigested.json", "--json");
    expect(failed(r2.report)).toEqual(["server/signature"]);
    // Or passes it off as format 1 with the old-style digest: refused outright.
    const v1 = { ...structuredClone(forged), format: "delegraph-evidence/1", digest: oldStyleDigest(forged) };
    const r3 = await verify(v1, "relabelled-v1.json", "--json");
    expect(r3.status).toBe(1);
    expect(r3.report!.checks).toEqual([
      expect.objectContaining({
        subject: "format",
        ok: false,
        message: expect.stringMatching(/delegraph-evidence\/1 is not verified by this version/),
      }),
    ]);
  });

  it("generatedAt moved before the grant's exp (missing_evidence → verified) fails on digest and on signature", async () => {
    const forged = structuredClone(overdue);
    const exp = JSON.parse(Buffer.from(forged.tokens[0].token.split(".")[1], "base64url").toString()).exp as number;
    forged.generatedAt = new Date((exp - 30) * 1000).toISOString();
    clearVerdict(forged);
    expect(oldStyleDigest(forged)).toBe(oldStyleDigest(overdue));
    const r1 = await verify(forged, "backdated.json", "--json");
    expect(failed(r1.report)).toEqual(["bundle/digest", "server/signature"]);
    forged.digest = "sha256:" + createHash("sha256").update(canonical(forged)).digest("hex");
    const r2 = await verify(forged, "backdated-redigested.json", "--json");
    expect(failed(r2.report)).toEqual(["server/signature"]);
  });

  it("an untampered bundle fails with a wrong pin, and passes with the key file GET /api/v1/ledger/key gives", async () => {
    const wrong = await verify(unrooted, "wrong-pin.json", "--json", "--key", "A".repeat(43));
    expect(wrong.status).toBe(1);
    expect(failed(wrong.report)).toEqual(["server/pinned key"]);
    expect(wrong.report!.signer).toEqual({ thumbprint: ledgerKey.thumbprint, pinned: false });
    const keyFile = join(dir, "ledger-key.json");
    writeFileSync(keyFile, JSON.stringify(ledgerKey));
    expect((await verify(unrooted, "key-file.json", "--key-file", keyFile)).status).toBe(0);
    const unpinned = await verify(unrooted, "unpinned.json");
    expect(unpinned.status).toBe(0);
    expect(unpinned.stdout).toContain(`signed by server key ${ledgerKey.thumbprint} (NOT pinned`);
  });

  it("the PDF cover and the summary print the same key thumbprint", async () => {
    const pdfText = async (path: string, name: string) => {
      const res = await fetch(inject("serverUrl") + path, { headers: { authorization: `Bearer ${inject("apiToken")}` } });
      expect(res.status).toBe(200);
      const file = join(dir, name);
      writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      return execFileSync("pdftotext", ["-raw", "-enc", "UTF-8", file, "-"], { encoding: "utf8" }).replace(/\s+/g, "");
    };
    const cover = await pdfText(`/api/v1/chains/${unrooted.chain}/report.pdf`, "report.pdf");
    expect(cover).toContain(`Serversigningkey${ledgerKey.thumbprint}`);
    expect(cover).toMatch(/Evidencedigestsha256:[0-9a-f]{64}/);
    const summary = await pdfText(`/api/v1/exports/summary.pdf?q=${encodeURIComponent(unrooted.chain)}`, "summary.pdf");
    expect(summary).toContain(`Serversigningkey${ledgerKey.thumbprint}`);
  });
});

/** RFC 8785 as the test's own small copy (the verifier's is under test): sorted members, no spaces. */
function canonical(bundle: Record<string, unknown>): string {
  const { digest: _d, signature: _s, about: _a, ...content } = bundle;
  const jcs = (v: unknown): string =>
    v === null || typeof v !== "object"
      ? JSON.stringify(v)
      : Array.isArray(v)
        ? `[${v.map(jcs).join(",")}]`
        : `{${Object.keys(v)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${jcs((v as Record<string, unknown>)[k])}`)
            .join(",")}}`;
  return jcs(content);
}

describe("a rewrite of the hash chain with database access", () => {
  let server: TTestServer;
  let databaseUrl: string;
  const isPostgres = (process.env.TEST_DATABASE_URL ?? "").startsWith("postgres");

  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(server.url + path, {
      ...init,
      headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json", ...init.headers },
    });
    return { status: res.status, data: await res.json() };
  };

  beforeAll(async () => {
    databaseUrl = isPostgres ? await (await postgresTestUrl())!.fresh() : freshSqliteUrl();
    // A checkpoint after every ingest, so the test knows which seqs are signed.
    server = await startServer({ databaseUrl, env: { DELEGRAPH_CHECKPOINT_EVENTS: "1" } });
  });

  afterAll(async () => {
    await server?.stop();
    if (isPostgres && databaseUrl) await dropDatabase(databaseUrl);
  });

  it("is detected by GET /api/v1/ledger/verify through the signed checkpoints", async () => {
    expect(server.output()).toMatch(/ledger key thumbprint: [A-Za-z0-9_-]{43}/);
    const keyOf = async (kind: "human" | "agent") => {
      const p = { id: `${kind}:rewrite-${Math.random().toString(36).slice(2)}`, key: makeKey() };
      expect((await call("/api/v1/principals", { method: "POST", body: JSON.stringify({ id: p.id, kind, keys: [p.key.publicJwk] }) })).status).toBe(
        201,
      );
      return p;
    };
    const human = await keyOf("human");
    const agent = await keyOf("agent");
    const root = authorizeClaims(human.id, agent.id);
    const batches = [
      [signToken(root, human.key)],
      [
        signToken(invokeClaims(root, agent.id, { resource: "db://finance/q1/a" }), agent.key),
        signToken(invokeClaims(root, agent.id, { resource: "db://finance/q1/b" }), agent.key),
      ],
      [signToken(invokeClaims(root, agent.id, { resource: "db://finance/q1/c" }), agent.key)],
    ];
    for (const events of batches) expect((await call("/api/v1/events", { method: "POST", body: JSON.stringify({ events }) })).status).toBe(200);

    const before = await call("/api/v1/ledger/verify");
    expect(before.data).toMatchObject({ ok: true, count: 4, checkpoints: { count: 3, verified: 3, lastSeq: 4 } });
    const audit = await call("/api/v1/audit?limit=100");
    expect(
      audit.data.items
        .filter((e: { action: string }) => e.action === "ledger.checkpoint")
        .map((e: { target: string }) => e.target)
        .sort(),
    ).toEqual(["seq 1", "seq 3", "seq 4"]);

    // The attacker replaces the invoke at seq 2 with another validly signed one, then recomputes
    // every later link and the head, so the hash chain itself is consistent again.
    const replacement = signToken(invokeClaims(root, agent.id, { resource: "db://finance/q1/elsewhere" }), agent.key);
    await rewriteLedger(databaseUrl, 2, replacement);

    const after = await call("/api/v1/ledger/verify");
    expect(after.data.ok).toBe(false);
    expect(after.data.count).toBe(4);
    expect(after.data.brokenAt).toBe(3);
    expect(after.data.reason).toMatch(/checkpoint at seq 3 .* the ledger was rewritten after it was checkpointed/);
    expect(after.data.checkpoints).toMatchObject({ count: 3, verified: 1, lastSeq: 4 });
  });
});

/** Direct database access, as the threat model's attacker has it: replace seq `at`'s token and relink everything after it. */
async function rewriteLedger(databaseUrl: string, at: number, token: string): Promise<void> {
  if (databaseUrl.startsWith("file:")) {
    const db = new Database(sqliteFilePath(databaseUrl));
    db.pragma("busy_timeout = 10000");
    try {
      db.transaction(() => {
        const rows = db.prepare(`SELECT "seq", "token", "prevHash" FROM "Event" WHERE "seq" >= ? ORDER BY "seq"`).all(at) as {
          seq: number;
          token: string;
          prevHash: string;
        }[];
        let prev = rows[0].prevHash;
        const update = db.prepare(`UPDATE "Event" SET "token" = ?, "prevHash" = ?, "hash" = ? WHERE "seq" = ?`);
        for (const r of rows) {
          const t = r.seq === at ? token : r.token;
          const hash = ledgerHash(prev, t);
          update.run(t, prev, hash, r.seq);
          prev = hash;
        }
        db.prepare(`UPDATE "LedgerHead" SET "hash" = ? WHERE "id" = 1`).run(prev);
      })();
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    const { rows } = await client.query<{ seq: number; token: string; prevHash: string }>(
      `SELECT "seq", "token", "prevHash" FROM "Event" WHERE "seq" >= $1 ORDER BY "seq"`,
      [at],
    );
    let prev = rows[0].prevHash;
    for (const r of rows) {
      const t = Number(r.seq) === at ? token : r.token;
      const hash = ledgerHash(prev, t);
      await client.query(`UPDATE "Event" SET "token" = $1, "prevHash" = $2, "hash" = $3 WHERE "seq" = $4`, [t, prev, hash, r.seq]);
      prev = hash;
    }
    await client.query(`UPDATE "LedgerHead" SET "hash" = $1 WHERE "id" = 1`, [prev]);
    await client.query("COMMIT");
  } finally {
    await client.end();
  }
}
