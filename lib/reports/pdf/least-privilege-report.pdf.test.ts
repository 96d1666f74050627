// The least-privilege PDF read back with pdftotext: the ranking, the suggestion and every grant.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyseGrants, type TLpGrant } from "@/lib/protocol/least-privilege";
import { renderLeastPrivilegePdf } from "./least-privilege-report";

const squash = (s: string) => s.replace(/\s+/g, "");
const grant = (over: Partial<TLpGrant> & { jti: string }): TLpGrant => ({
  chain: "c1",
  parent: null,
  iss: "user:alice@bank.example",
  aud: "agent:planner",
  iat: 1_800_000_000,
  exp: 1_800_003_600,
  scope: ["finance/*:read", "hr/*:read", "mail/out:send"],
  purpose: "finance.reporting",
  constraints: null,
  maxDepth: null,
  ...over,
});

describe("the least-privilege PDF", () => {
  it("prints the ranking, the suggested grant and each grant's scopes", async () => {
    const root = grant({ jti: "g-root" });
    const viz = grant({
      jti: "g-viz",
      parent: "g-root",
      iss: "agent:planner",
      aud: "agent:viz",
      scope: ["finance/q1/*:read"],
      purpose: "finance.reporting.charts",
    });
    const usages = analyseGrants({
      targets: [root, viz],
      chainGrants: [root, viz],
      invokes: [
        { jti: "i1", grant: "g-root", iss: "agent:planner", iat: 1_800_000_100, action: "finance/q1/revenue:read", resource: "db://x", data: [] },
      ],
    });
    const pdf = await renderLeastPrivilegePdf(
      { since: 1_799_000_000, until: 1_800_100_000, purpose: null, principal: null, usages, truncated: false, generatedAt: 1_800_100_000 },
      { paper: "A4", generatedBy: "API token “t” (viewer)" },
    );
    const file = join(mkdtempSync(join(tmpdir(), "delegraph-lp-pdf-")), "lp.pdf");
    writeFileSync(file, pdf);
    const text = squash(execFileSync("pdftotext", ["-raw", "-enc", "UTF-8", file, "-"], { encoding: "utf8" }));
    expect(text).toContain(squash("3 of 4 granted scopes never used"));
    expect(text).toContain(squash("2 of 3 (67 %)"));
    expect(text).toContain(squash("hr/*:read, mail/out:send"));
    expect(text).toContain(squash("Suggested grants"));
    expect(text).toContain(squash("nothing used: no grant needed"));
    expect(text).toContain(squash("finance/*:read (1 inv., 1 del.)"));
    expect(text).toContain(squash("max_depth 1"));
    expect(text).toContain("g-root");
    expect(text).toContain("g-viz");
  }, 60_000);
});
