import { describe, expect, it } from "vitest";
import { GENESIS_HASH, checkLedgerRun, ledgerHash, type TLedgerEntry } from "@/lib/protocol/ledger";
import { createHash } from "node:crypto";

function build(tokens: string[]): TLedgerEntry[] {
  let prev = GENESIS_HASH;
  return tokens.map((token, i) => {
    const hash = ledgerHash(prev, token);
    const e = { seq: i + 1, prevHash: prev, hash, token };
    prev = hash;
    return e;
  });
}

describe("ledger", () => {
  it("hashes prev_hash, a newline and the token as UTF-8, in lowercase hex", () => {
    const expected = createHash("sha256")
      .update(Buffer.from(GENESIS_HASH + "\n" + "a.b.c", "utf8"))
      .digest("hex");
    expect(ledgerHash(GENESIS_HASH, "a.b.c")).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it("verifies an intact run and reports its head", () => {
    const entries = build(["t1", "t2", "t3"]);
    expect(checkLedgerRun(entries)).toEqual({ ok: true, count: 3, head: entries[2].hash });
  });

  it("an empty ledger's head is 64 zeros", () => {
    expect(checkLedgerRun([])).toEqual({ ok: true, count: 0, head: GENESIS_HASH });
  });

  it("detects an edited token", () => {
    const entries = build(["t1", "t2", "t3"]);
    entries[1] = { ...entries[1], token: "t2x" };
    expect(checkLedgerRun(entries)).toMatchObject({ ok: false, brokenAt: 2 });
  });

  it("detects a deletion", () => {
    const entries = build(["t1", "t2", "t3"]);
    expect(checkLedgerRun([entries[0], entries[2]])).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it("detects reordering", () => {
    const entries = build(["t1", "t2", "t3"]);
    expect(checkLedgerRun([entries[1], entries[0], entries[2]])).toMatchObject({ ok: false, brokenAt: 2 });
  });

  it("verifies from a checkpoint", () => {
    const entries = build(["t1", "t2", "t3"]);
    expect(checkLedgerRun(entries.slice(1), { seq: 1, hash: entries[0].hash })).toMatchObject({ ok: true, count: 2 });
  });
});
