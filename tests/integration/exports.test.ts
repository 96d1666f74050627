// The audit exports over HTTP: the PDF report (read back with pdftotext), the CSV exports (read
// back with csv-parse), the evidence bundle and `node bin/delegraph.mjs verify` on it, and who may
// fetch them.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { api, authorizeClaims, completeClaims, delegateClaims, invokeClaims, makeKey, post, signToken, uid, type TKey } from "./helpers";

const dir = mkdtempSync(join(tmpdir(), "delegraph-exports-"));
const repo = join(import.meta.dirname, "..", "..");

type TWho = { id: string; name: string; key: TKey };

async function registerNamed(kind: "human" | "agent" | "attester", name: string): Promise<TWho> {
  const id = `${kind === "human" ? "user" : kind}:${uid(kind)}@bank.example`;
  const key = makeKey(kind === "agent" ? "ES256" : "EdDSA");
  const res = await api("/api/v1/principals", { method: "POST", json: { id, kind, name, keys: [key.publicJwk] } });
  expect(res.status, JSON.stringify(res.data)).toBe(201);
  return { id, name, key };
}

/** Raw fetch (the helper decodes text; PDFs need bytes). */
async function fetchRaw(path: string, token: string | null = inject("apiToken")) {
  const res = await fetch(inject("serverUrl") + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

function pdfText(bytes: Buffer, name: string): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return execFileSync("pdftotext", ["-raw", "-enc", "UTF-8", file, "-"], { encoding: "utf8" });
}

/** pdftotext breaks lines where the report wraps: compare without whitespace. */
const squash = (s: string) => s.replace(/\s+/g, "");

let human: TWho;
let planner: TWho;
let writer: TWho;
let attester: TWho;
let chainId: string;
let tokens: string[];
let jtis: string[];
let viewer: string;
const SCOPES = ["treasury/*:read", "finance/reports/*:write", "treasury/liquidity/*:read", "payments/wire:write", "finance/reports/q3:write"];
const PURPOSE_TEXT = "Квартальный отчёт о ликвидности для правления";

beforeAll(async () => {
  [human, planner, writer, attester] = await Promise.all([
    registerNamed("human", "李小龙 (Li Xiaolong), Head of Treasury"),
    registerNamed("agent", "Ольга Петрова, planning agent"),
    registerNamed("agent", "Élodie Müller, rédactrice"),
    registerNamed("attester", "Finance Controls"),
  ]);
  const root = authorizeClaims(human.id, planner.id, { scope: SCOPES.slice(0, 2), purpose: { code: "treasury.reporting", text: PURPOSE_TEXT } });
  const toWriter = delegateClaims(root, planner.id, writer.id, {
    scope: [SCOPES[2], SCOPES[4]],
    purpose: { code: "treasury.reporting.q3", text: '=HYPERLINK("http://evil.example","Q3")' },
  });
  // Escalation: the writer passes on a scope nobody gave it.
  const escalated = delegateClaims(toWriter, writer.id, planner.id, {
    scope: [SCOPES[3]],
    purpose: { code: "treasury.reporting.q3", text: "Wire, please" },
  });
  const invoke = invokeClaims(toWriter, writer.id, { action: "treasury/liquidity/positions:read", resource: "db://treasury/liquidity/positions" });
  // Ghost permission: an action under no grant at all.
  const ghost = invokeClaims(toWriter, planner.id, { grant: undefined, action: "payments/wire:write", resource: "bank://wire/42" });
  const done = completeClaims(toWriter, attester.id, { evidence: { summary: 'Отчёт проверен — reviewed, with a "quote", a comma and\na newline' } });
  const claims = [root, toWriter, escalated, invoke, ghost, done];
  const keyOf = new Map([human, planner, writer, attester].map((p) => [p.id, p.key]));
  tokens = claims.map((c) => signToken(c, keyOf.get(c.iss)!));
  const results = await post(tokens);
  for (const r of results) expect(r.status, JSON.stringify(r)).toBe("accepted");
  chainId = root.chain;
  jtis = claims.map((c) => c.jti);
  const v = await api("/api/v1/tokens", { method: "POST", json: { name: "exports viewer", role: "viewer" } });
  expect(v.status).toBe(201);
  viewer = v.data.token;
});

describe("GET /api/v1/chains/{id}/report.pdf", () => {
  it("is a PDF that names the chain, every principal (non-Latin names too), scope and finding", async () => {
    const res = await fetchRaw(`/api/v1/chains/${chainId}/report.pdf`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename=".+\.pdf"$/);
    expect(res.bytes.subarray(0, 5).toString()).toBe("%PDF-");
    const text = pdfText(res.bytes, "report-a4.pdf");
    const flat = squash(text);
    expect(flat).toContain(squash(chainId));
    for (const p of [human, planner, writer, attester]) {
      expect(flat, p.id).toContain(squash(p.id));
      expect(flat, p.name).toContain(squash(p.name));
    }
    for (const s of SCOPES) expect(flat, s).toContain(s);
    expect(flat).toContain(squash(PURPOSE_TEXT));
    for (const [name, code] of [
      ["Escalation", "scope_escalation"],
      ["Ghost permission", "ghost_permission"],
    ]) {
      expect(flat, name).toContain(squash(name));
      expect(flat, code).toContain(code);
    }
    for (const jti of jtis) expect(flat, jti).toContain(jti);
    expect(text).toMatch(/Page 1 of (\d+)/);
    const pages = Number(/Page 1 of (\d+)/.exec(text)![1]);
    expect(text).toContain(`Page ${pages} of ${pages}`);
    const info = execFileSync("pdfinfo", [join(dir, "report-a4.pdf")], { encoding: "utf8" });
    expect(info).toMatch(/Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
    expect(Number(/Pages:\s+(\d+)/.exec(info)![1])).toBe(pages);
  });

  it("prints on US Letter with ?size=letter and refuses unknown sizes", async () => {
    const res = await fetchRaw(`/api/v1/chains/${chainId}/report.pdf?size=letter`);
    expect(res.status).toBe(200);
    writeFileSync(join(dir, "report-letter.pdf"), res.bytes);
    expect(execFileSync("pdfinfo", [join(dir, "report-letter.pdf")], { encoding: "utf8" })).toMatch(/Page size:\s+612 x 792 pts \(letter\)/);
    const bad = await api(`/api/v1/chains/${chainId}/report.pdf?size=tabloid`);
    expect(bad.status).toBe(400);
    expect(bad.data.error.code).toBe("invalid_request");
  });

  it("is recorded in the audit log", async () => {
    const audit = await api("/api/v1/audit?limit=100");
    expect(audit.status).toBe(200);
    const entry = audit.data.items.find((e: { action: string; target: string }) => e.action === "chain.export.pdf" && e.target === chainId);
    expect(entry).toBeTruthy();
    expect(entry.detail.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe("GET /api/v1/chains/{id}/export.csv", () => {
  it("round-trips through csv-parse: a row per event with jti, scope and purpose columns", async () => {
    const res = await fetchRaw(`/api/v1/chains/${chainId}/export.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename=".+\.csv"$/);
    const text = res.bytes.toString("utf8");
    expect(text.split("\r\n")[0].startsWith("seq,received_at,chain,jti,kind,iss,aud,parent,grant,target")).toBe(true);
    const rows = parse<Record<string, string>>(text, { columns: true, record_delimiter: "\r\n" });
    expect(rows).toHaveLength(tokens.length);
    expect(rows.map((r) => r.jti).sort()).toEqual([...jtis].sort());
    const byJti = new Map(rows.map((r) => [r.jti, r]));
    expect(byJti.get(jtis[0])!.scope).toBe(SCOPES.slice(0, 2).join(" "));
    expect(byJti.get(jtis[0])!.purpose_text).toBe(PURPOSE_TEXT);
    expect(byJti.get(jtis[0])!.purpose_code).toBe("treasury.reporting");
    // A formula in a signed claim reaches the spreadsheet as text.
    expect(byJti.get(jtis[1])!.purpose_text).toBe('\'=HYPERLINK("http://evil.example","Q3")');
    expect(byJti.get(jtis[2])!.findings).toContain("scope_escalation");
    expect(byJti.get(jtis[4])!.findings).toContain("ghost_permission");
    expect(byJti.get(jtis[5])!.attestation).toBe("third_party");
    expect(byJti.get(jtis[5])!.evidence_summary).toBe('Отчёт проверен — reviewed, with a "quote", a comma and\na newline');
    for (const r of rows) {
      expect(r.chain).toBe(chainId);
      expect(r.token_sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    // Findings match the chain read, including the read-time ones.
    const chain = await api(`/api/v1/chains/${chainId}`);
    for (const e of chain.data.events as { jti: string; findings: { code: string }[] }[])
      expect(byJti.get(e.jti)!.findings.split(" ").filter(Boolean).sort(), e.jti).toEqual(e.findings.map((f) => f.code).sort());
  });
});

describe("GET /api/v1/exports/events.csv", () => {
  it("streams every event of every chain the list filters match", async () => {
    // A second chain of the same human, and one of somebody else.
    const other = authorizeClaims(human.id, planner.id);
    await post([signToken(other, human.key)]);
    const res = await fetchRaw(`/api/v1/exports/events.csv?principal=${encodeURIComponent(human.id)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="delegraph-events-.+\.csv"$/);
    const rows = parse<Record<string, string>>(res.bytes.toString("utf8"), { columns: true });
    expect(new Set(rows.map((r) => r.chain))).toEqual(new Set([chainId, other.chain]));
    expect(rows).toHaveLength(tokens.length + 1);
    // Grouped by chain, in ledger order within each.
    for (const id of [chainId, other.chain]) {
      const seqs = rows.filter((r) => r.chain === id).map((r) => Number(r.seq));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    const bad = await api("/api/v1/exports/events.csv?status=nonsense");
    expect(bad.status).toBe(400);
    const bom = await fetchRaw(`/api/v1/exports/events.csv?q=${encodeURIComponent(chainId)}&bom=1`);
    expect(bom.bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    // CSV for Excel: the mark, and times Excel reads as dates (plain UTC date-times).
    const excel = await fetchRaw(`/api/v1/chains/${encodeURIComponent(chainId)}/export.csv?excel=1`);
    expect(excel.bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const excelRows = parse<Record<string, string>>(excel.bytes.subarray(3).toString("utf8"), { columns: true });
    for (const r of excelRows) {
      expect(r.received_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(r.iat).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(r.human_root).toBe(human.id);
    }
  });
});

describe("GET /api/v1/exports/summary.pdf", () => {
  it("summarises the matching chains by status and finding and lists the worst", async () => {
    const res = await fetchRaw(`/api/v1/exports/summary.pdf?principal=${encodeURIComponent(human.id)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    const flat = squash(pdfText(res.bytes, "summary.pdf"));
    expect(flat).toContain("2delegationchains");
    expect(flat).toContain("Chainsbystatus");
    expect(flat).toContain("scope_escalation");
    expect(flat).toContain(squash(chainId));
    expect(flat).toContain(squash(human.id));
  });
});

describe("GET /api/v1/chains/{id}/evidence.json and delegraph verify", () => {
  let bundle: any;
  // Asynchronous on purpose: a blocked event loop would leave the HTTP client reusing sockets the
  // server has since closed.
  const run = (args: string[]) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [join(repo, "bin/delegraph.mjs"), ...args], { encoding: "utf8", cwd: tmpdir() }, (error, stdout, stderr) =>
        resolve({ status: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
      ),
    );
  const verify = (b: unknown, name: string, ...flags: string[]) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(b));
    return run(["verify", file, ...flags]);
  };

  beforeAll(async () => {
    const res = await api(`/api/v1/chains/${chainId}/evidence.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename=".+\.json"$/);
    bundle = res.data;
  });

  it("carries every posted token byte for byte, with keys, principals, ledger links and verdicts", () => {
    expect(bundle.format).toBe("delegraph-evidence/2");
    expect(bundle.chain).toBe(chainId);
    expect(bundle.tokens.map((t: { token: string }) => t.token).sort()).toEqual([...tokens].sort());
    for (const t of bundle.tokens) expect(t.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(bundle.keys.map((k: { principalId: string }) => k.principalId).sort()).toEqual([human, planner, writer, attester].map((p) => p.id).sort());
    for (const k of bundle.keys) expect(k.jwk.d).toBeUndefined();
    expect(bundle.principals.find((p: { id: string }) => p.id === human.id).kind).toBe("human");
    expect(bundle.verdict.status).toBe("violation");
    expect(bundle.ledgerHead.seq).toBeGreaterThanOrEqual(Math.max(...bundle.tokens.map((t: { seq: number }) => t.seq)));
    expect(bundle.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("verifies offline (exit 0), and fails on a changed byte, a removed token or a swapped key", async () => {
    const ok = await verify(bundle, "good.json");
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/OK: all \d+ checks passed/);
    expect(ok.stdout).toContain(bundle.digest);

    const json = await verify(bundle, "good.json", "--json");
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, chain: chainId, failed: 0 });

    const byte = structuredClone(bundle);
    const t = byte.tokens[1].token as string;
    const i = t.indexOf(".") + 12;
    byte.tokens[1].token = t.slice(0, i) + (t[i] === "A" ? "B" : "A") + t.slice(i + 1);
    const r1 = await verify(byte, "byte.json");
    expect(r1.status).toBe(1);
    expect(r1.stdout).toMatch(/FAILED/);

    const removed = structuredClone(bundle);
    removed.tokens.splice(3, 1);
    expect((await verify(removed, "removed.json")).status).toBe(1);

    const swapped = structuredClone(bundle);
    const k = swapped.keys.find((x: { principalId: string }) => x.principalId === planner.id);
    k.jwk = { ...makeKey("ES256").publicJwk, kid: k.kid };
    const r3 = await verify(swapped, "swapped.json");
    expect(r3.status).toBe(1);
    expect(r3.stdout).toMatch(/signature_invalid|thumbprint/);

    expect((await verify({ format: "nope" }, "nope.json")).status).toBe(1);
    expect((await run(["verify", join(dir, "missing.json")])).status).toBe(2);
  });
});

describe("access", () => {
  const chainRoutes = () => [
    `/api/v1/chains/${chainId}/report.pdf`,
    `/api/v1/chains/${chainId}/export.csv`,
    `/api/v1/chains/${chainId}/evidence.json`,
  ];
  const manyRoutes = ["/api/v1/exports/events.csv", "/api/v1/exports/summary.pdf"];

  it("401 without a token", async () => {
    for (const path of [...chainRoutes(), ...manyRoutes]) {
      const res = await api(path, { token: null });
      expect(res.status, path).toBe(401);
      expect(res.data.error.code).toBe("unauthorized");
    }
  });

  it("404 for an unknown chain", async () => {
    for (const path of ["report.pdf", "export.csv", "evidence.json"]) {
      const res = await api(`/api/v1/chains/no-such-chain-${uid("x")}/${path}`);
      expect(res.status, path).toBe(404);
      expect(res.data.error.code).toBe("not_found");
    }
  });

  it("a viewer may export (chains:export), raw tokens included in the bundle", async () => {
    for (const path of [...chainRoutes(), `/api/v1/exports/events.csv?q=${chainId}`, `/api/v1/exports/summary.pdf?q=${chainId}`]) {
      const res = await fetchRaw(path, viewer);
      expect(res.status, path).toBe(200);
    }
    const b = await api(`/api/v1/chains/${chainId}/evidence.json`, { token: viewer });
    expect(b.data.tokens.map((t: { token: string }) => t.token).sort()).toEqual([...tokens].sort());
  });

  it("an ingest token may not export", async () => {
    const t = await api("/api/v1/tokens", { method: "POST", json: { name: "exports ingest", role: "ingest" } });
    const res = await api(`/api/v1/chains/${chainId}/export.csv`, { token: t.data.token });
    expect(res.status).toBe(403);
  });
});
