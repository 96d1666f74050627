import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { claimsOf, T0 } from "@/lib/protocol/test-helpers";
import { attachmentHeader, csvField, csvRow, EVENT_COLUMNS, EVENT_CSV_HEADER, eventCsvRow, neutralizeFormula, type TEventRecord } from "./csv";

describe("csvField (RFC 4180)", () => {
  it("leaves plain values bare", () => {
    expect(csvField("agent:planner")).toBe("agent:planner");
    expect(csvField(42)).toBe("42");
    expect(csvField(null)).toBe("");
    expect(csvField(undefined)).toBe("");
  });

  it("quotes fields with comma, quote, CR or LF and doubles quotes", () => {
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("line1\nline2")).toBe('"line1\nline2"');
    expect(csvField("x\ry")).toBe('"x\ry"');
    expect(csvField("a\r\nb")).toBe('"a\r\nb"');
  });

  it("ends records with CRLF", () => {
    expect(csvRow(["a", "b,c", null])).toBe('a,"b,c",\r\n');
    expect(EVENT_CSV_HEADER.endsWith("\r\n")).toBe(true);
    expect(EVENT_CSV_HEADER.split(",")[0]).toBe("seq");
  });
});

describe("formula injection", () => {
  it.each(["=1+2", "+1", "-1", "@SUM(A1)", "\tcmd", "\rcmd", '=HYPERLINK("http://x","y")'])("prefixes %j with an apostrophe", (v) => {
    expect(neutralizeFormula(v)).toBe(`'${v}`);
    expect(parse(csvRow([v]), { relax_column_count: false })[0][0]).toBe(`'${v}`);
  });

  it("leaves safe values alone, including a formula character later in the cell", () => {
    for (const v of ["a=b", "finance/*:read", "'already", "", "1-2"]) expect(neutralizeFormula(v)).toBe(v);
  });

  it("neutralises before quoting, so a quoted formula cannot slip through", () => {
    expect(csvField('=cmd|" /C calc"!A0')).toBe(`"'=cmd|"" /C calc""!A0"`);
  });
});

function record(kind: Parameters<typeof claimsOf>[0], over: Record<string, unknown>, extra: Partial<TEventRecord> = {}): TEventRecord {
  const claims = claimsOf(kind, over);
  return {
    seq: 7,
    receivedAt: "2024-01-01T00:00:00.000Z",
    chain: claims.chain,
    jti: claims.jti,
    kind: claims.kind,
    claims,
    status: "accepted",
    findings: [],
    attestation: null,
    alg: "EdDSA",
    kid: "k1",
    keyThumbprint: "tp",
    tokenSha256: "ab".repeat(32),
    prevHash: "0".repeat(64),
    hash: "cd".repeat(32),
    ...extra,
  };
}

describe("event rows round-trip through csv-parse", () => {
  it("keeps every hostile value exactly (after the documented apostrophe)", () => {
    const hostile = 'Квартальный отчёт, "Q1"\r\nfor 李小龙 — Élodie';
    const rows = [
      record("authorize", { purpose: { code: "finance.reporting", text: hostile }, scope: ["finance/*:read", "mail/outbox:send"] }),
      record("delegate", { purpose: { code: "finance.reporting.q1", text: "=HYPERLINK(\"http://evil\")" } }, {
        findings: [
          { code: "no_attenuation", severity: "warning", message: 'same, "scope"' },
          { code: "scope_escalation", severity: "critical", message: "adds x" },
        ],
      }),
      record("complete", { evidence: { summary: "-2 rows\nchanged" } }, { attestation: "self_reported" }),
      record("revoke", { reason: "@admin asked" }),
    ];
    const text = EVENT_CSV_HEADER + rows.map(eventCsvRow).join("");
    const parsed = parse(text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(parsed[0])).toEqual([...EVENT_COLUMNS]);
    expect(parsed).toHaveLength(4);
    expect(parsed[0].purpose_text).toBe(hostile);
    expect(parsed[0].scope).toBe("finance/*:read mail/outbox:send");
    expect(parsed[0].exp).toBe(new Date((T0 + 3600) * 1000).toISOString().replace(".000Z", "Z"));
    expect(parsed[1].purpose_text).toBe("'=HYPERLINK(\"http://evil\")");
    // Findings in the protocol's fixed order, worst severity summarised.
    expect(parsed[1].findings).toBe("scope_escalation no_attenuation");
    expect(parsed[1].severity).toBe("critical");
    expect(parsed[1].finding_messages).toBe('scope_escalation: adds x\nno_attenuation: same, "scope"');
    expect(parsed[1].parent).toBe("a1");
    expect(parsed[2].evidence_summary).toBe("'-2 rows\nchanged");
    expect(parsed[2].attestation).toBe("self_reported");
    expect(parsed[2].grant).toBe("d1");
    expect(parsed[3].reason).toBe("'@admin asked");
    expect(parsed[3].target).toBe("a1");
    for (const p of parsed) expect(p.token_sha256).toBe("ab".repeat(32));
  });

  it("uses CRLF between records, LF only inside quoted fields", () => {
    const text = EVENT_CSV_HEADER + eventCsvRow(record("authorize", { purpose: { code: "a", text: "x\ny" } }));
    expect(text.replace(/"[^"]*(?:""[^"]*)*"/g, "").match(/\n/g)?.length).toBe(2);
    expect(text.replace(/"[^"]*(?:""[^"]*)*"/g, "")).not.toMatch(/[^\r]\n/);
  });
});

describe("attachmentHeader", () => {
  it("makes the name safe and keeps the extension", () => {
    expect(attachmentHeader("chain-auth:1/../x", "csv")).toBe('attachment; filename="chain-auth_1_.._x.csv"');
  });
});
