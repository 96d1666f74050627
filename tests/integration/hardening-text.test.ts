// Text that lies ([7] item 8): a right-to-left override in a purpose, a principal's name and a
// resource, and terminal escape codes in evidence, sent through the real API. The PDF prints them
// as visible markers; the CSV strips them (and neutralises the spreadsheet triggers importers skip
// to); the chain read keeps the exact bytes (evidence is never rewritten).
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { api, authorizeClaims, completeClaims, invokeClaims, makeKey, post, signToken, uid } from "./helpers";

const RLO = "\u202E";
const ESC = "\u001b";
const PURPOSE = `Pay invoice ${RLO}fdp.exe`;
const NAME = `Mallory ${RLO}yrrallim`;
let chainId = "";

async function fetchBytes(path: string) {
  const res = await fetch(inject("serverUrl") + path, { headers: { authorization: `Bearer ${inject("apiToken")}` } });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

beforeAll(async () => {
  const human = { id: `user:${uid("h")}@bank.example`, key: makeKey() };
  const agent = { id: `agent:${uid("a")}`, key: makeKey() };
  expect(
    (await api("/api/v1/principals", { method: "POST", json: { id: human.id, kind: "human", name: NAME, keys: [human.key.publicJwk] } })).status,
  ).toBe(201);
  expect((await api("/api/v1/principals", { method: "POST", json: { id: agent.id, kind: "agent", keys: [agent.key.publicJwk] } })).status).toBe(201);
  const root = authorizeClaims(human.id, agent.id, { purpose: { code: "finance.payments", text: PURPOSE } });
  const act = invokeClaims(root, agent.id, { action: "finance/q1/revenue:read", resource: `db://finance/${RLO}q1` });
  const done = completeClaims(root, agent.id, { evidence: { summary: `done ${ESC}[31mALL CLEAR${ESC}[0m\n＝HYPERLINK("x")` } });
  const results = await post([root, act, done].map((c) => signToken(c, c === root ? human.key : agent.key)));
  expect(results.map((r) => r.status)).toEqual(["accepted", "accepted", "accepted"]);
  chainId = root.chain;
});

describe("text that lies", () => {
  it("the chain read keeps the bytes as signed", async () => {
    const res = await api(`/api/v1/chains/${chainId}`);
    expect(res.data.root.purpose.text).toBe(PURPOSE);
  });

  it("the PDF shows the override as a visible marker instead of reversing the text", async () => {
    const dir = mkdtempSync(join(tmpdir(), "delegraph-text-"));
    const file = join(dir, "report.pdf");
    writeFileSync(file, await fetchBytes(`/api/v1/chains/${chainId}/report.pdf`));
    const text = execFileSync("pdftotext", ["-raw", "-enc", "UTF-8", file, "-"], { encoding: "utf8" });
    expect(text).not.toContain(RLO);
    expect(text).not.toContain(ESC);
    expect(text.replace(/\s+/g, " ")).toContain("Pay invoice ⟦RLO⟧fdp.exe");
    expect(text).toContain("⟦ESC⟧");
  });

  it("the CSV strips bidi and escape characters and neutralises what importers would run", async () => {
    const csv = (await fetchBytes(`/api/v1/chains/${chainId}/export.csv`)).toString("utf8");
    expect(csv).not.toContain(RLO);
    expect(csv).not.toContain(ESC);
    const rows = parse<Record<string, string>>(csv, { columns: true });
    const root = rows.find((r) => r.kind === "authorize")!;
    expect(root.purpose_text).toBe("Pay invoice fdp.exe");
    const done = rows.find((r) => r.kind === "complete")!;
    expect(done.evidence_summary.startsWith("done [31mALL CLEAR[0m")).toBe(true);
    const invoke = rows.find((r) => r.kind === "invoke")!;
    expect(invoke.resource).toBe("db://finance/q1");
  });
});
