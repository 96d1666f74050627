import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { claimsOf, T0 } from "@/lib/protocol/test-helpers";
import { csvRowOfEvent, isCsvPlain, joinScopeJson, type TCsvEventRow } from "@/lib/db/stores/exports";
import {
  attachmentHeader,
  csvEventRow,
  csvField,
  csvRecordRow,
  csvRow,
  EVENT_COLUMNS,
  EVENT_CSV_HEADER,
  eventCells,
  eventCsvRow,
  excelTime,
  isoSeconds,
  neutralizeFormula,
  type TEventRecord,
} from "./csv";
import { observedRecords } from "./observed-rows";
import { assembleObserved } from "@/lib/observed/assemble";
import { captureToSpans } from "@/lib/observed/capture";
import type { TChainDetail } from "@/lib/contracts/chains";

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

  it.each(["\n=1+2", "\u00A0=1+2", "\u200B=1+2", "\uFEFF=1+2", "\u2060@SUM(A1)", "＝1+2", "＋1", "－1", "＠SUM(A1)"])(
    "also prefixes a cell led by %j, which importers skip or read as a sign",
    (v) => {
      expect(parse(csvRow([v]), { relax_column_count: false })[0][0]).toBe(`'${v}`);
    },
  );

  it("removes bidi overrides and terminal escape codes from every cell, keeping lines and tabs", () => {
    expect(csvField("Q1 \u202Efdp.exe")).toBe("Q1 fdp.exe");
    expect(csvField("\u001b[31mred\u001b[0m")).toBe("[31mred[0m");
    expect(csvField("\u202E=cmd")).toBe("'=cmd");
    expect(parse(csvRow(["line 1\nline\t2"]))[0][0]).toBe("line 1\nline\t2");
    expect(csvField("שלום \u2067x\u2069")).toBe("שלום x");
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
    issName: "Treasury planner",
    humanRoot: "user:maria@treasury.example",
    ...extra,
  };
}

describe("event rows round-trip through csv-parse", () => {
  it("keeps every hostile value exactly (after the documented apostrophe)", () => {
    const hostile = 'Квартальный отчёт, "Q1"\r\nfor 李小龙 — Élodie';
    const rows = [
      record("authorize", { purpose: { code: "finance.reporting", text: hostile }, scope: ["finance/*:read", "mail/outbox:send"] }),
      record(
        "delegate",
        { purpose: { code: "finance.reporting.q1", text: '=HYPERLINK("http://evil")' } },
        {
          findings: [
            { code: "no_attenuation", severity: "warning", message: 'same, "scope"' },
            { code: "scope_escalation", severity: "critical", message: "adds x" },
          ],
        },
      ),
      record("complete", { evidence: { summary: "-2 rows\nchanged" } }, { attestation: "self_reported" }),
      record("revoke", { reason: "@admin asked" }),
    ];
    const text = EVENT_CSV_HEADER + rows.map((r) => eventCsvRow(r)).join("");
    const parsed = parse<Record<string, string>>(text, { columns: true });
    expect(Object.keys(parsed[0])).toEqual([...EVENT_COLUMNS]);
    expect(parsed).toHaveLength(4);
    expect(parsed[0].purpose_text).toBe(hostile);
    expect(parsed[0].scope).toBe("finance/*:read mail/outbox:send");
    expect(parsed[0].exp).toBe(new Date((T0 + 3600) * 1000).toISOString().replace(".000Z", "Z"));
    expect(parsed[1].purpose_text).toBe('\'=HYPERLINK("http://evil")');
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
    for (const p of parsed) expect([p.iss_name, p.human_root]).toEqual(["Treasury planner", "user:maria@treasury.example"]);
  });

  it("writes Excel's plain UTC date-times in the Excel flavour, and nothing else differs", () => {
    const r = record("authorize", {}, { receivedAt: "2024-01-01T00:00:05.123Z" });
    const iso = parse<Record<string, string>>(EVENT_CSV_HEADER + eventCsvRow(r), { columns: true })[0];
    const excel = parse<Record<string, string>>(EVENT_CSV_HEADER + eventCsvRow(r, "excel"), { columns: true })[0];
    expect(iso.received_at).toBe("2024-01-01T00:00:05.123Z");
    expect(excel.received_at).toBe("2024-01-01 00:00:05");
    expect(excel.iat).toBe(excelTime(iso.iat));
    expect(excel.iat).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(excel.exp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const rest = (o: Record<string, string>) => ({ ...o, received_at: "", iat: "", exp: "" });
    expect(rest(excel)).toEqual(rest(iso));
    // Values that are not ISO date-times pass unchanged.
    expect(excelTime("10000000000000")).toBe("10000000000000");
    expect(excelTime("")).toBe("");
  });

  it("uses CRLF between records, LF only inside quoted fields", () => {
    const text = EVENT_CSV_HEADER + eventCsvRow(record("authorize", { purpose: { code: "a", text: "x\ny" } }));
    expect(text.replace(/"[^"]*(?:""[^"]*)*"/g, "").match(/\n/g)?.length).toBe(2);
    expect(text.replace(/"[^"]*(?:""[^"]*)*"/g, "")).not.toMatch(/[^\r]\n/);
  });
});

describe("eventCsvRow", () => {
  // eventCsvRow is eventCells + csvRow written out for speed; they must agree byte for byte.
  it("is exactly csvRow of eventCells, for every kind and hostile value", () => {
    const texts = ["plain", "=1+2", "+a, b", '-say "hi"', "@x\ny", "\tt", "\rr", "a\r\nb", "'q", "Квартальный отчёт, 李小龙", "x,y", '"'];
    const findings = [
      { code: "no_attenuation", severity: "warning", message: 'same, "scope"' },
      { code: "missing_evidence", severity: "warning", message: "=late" },
      { code: "scope_escalation", severity: "critical", message: "adds\nx" },
      { code: "purpose_mismatch", severity: "error", message: "-p" },
    ] as const;
    const times = [T0, T0 + 0.25, -1, 1e15, 253402300800, 0];
    const records: TEventRecord[] = [];
    // Valid claims first, then hostile values the decoder would refuse: the formatter must agree
    // with eventCells whatever it is given.
    const hostile = (kind: Parameters<typeof claimsOf>[0], over: Record<string, unknown>, extra: Partial<TEventRecord>) => {
      const r = record(kind, {}, extra);
      return { ...r, claims: { ...r.claims, ...over } as TEventRecord["claims"] };
    };
    texts.forEach((t, i) => {
      const extra = {
        findings: findings.slice(0, i % 5),
        status: i % 3 ? "accepted" : "pending",
        attestation: i % 2 ? "third_party" : null,
        keyThumbprint: i % 4 ? t : null,
        kid: t,
      } as const;
      const iat = times[i % times.length];
      records.push(
        hostile("authorize", { iat, exp: times[(i + 1) % times.length], purpose: { code: t, text: t }, scope: [t, "b"] }, extra),
        hostile("delegate", { iat, purpose: { code: "c", text: t }, parent: t }, extra),
        hostile("invoke", { iat, action: t, resource: t, purpose: i % 2 ? t : undefined, grant: i % 3 ? t : undefined }, extra),
        hostile("complete", { iat, status: "partial", result_hash: t, evidence: i % 2 ? { summary: t } : undefined }, extra),
        hostile("revoke", { iat, reason: i % 2 ? t : undefined, target: t }, extra),
      );
    });
    for (const r of records) {
      const cells = eventCells(r);
      expect(eventCsvRow(r)).toBe(csvRow(EVENT_COLUMNS.map((col) => cells[col])));
    }
    // The export writes rows from the fields the database extracts (TCsvEventRow): the same bytes,
    // in both flavours, whether a row goes the fast way or keeps its claims (a \u escape, aip).
    const withAip = records
      .slice(0, 10)
      .map((r) => ({ ...r, claims: { ...r.claims, aip: { unverified: r.jti } } as unknown as TEventRecord["claims"] }));
    const control = records.slice(0, 10).map((r) => ({ ...r, claims: { ...r.claims, iss: "\u001b[31m=x" } }));
    let kept = 0;
    let plain = 0;
    for (const r of [...records, ...withAip, ...control, { ...records[0], alg: "aip-presented" }]) {
      const row = csvRowOfEvent({
        seq: r.seq,
        receivedAt: r.receivedAt,
        chainId: r.chain,
        jti: r.jti,
        kind: r.kind,
        status: r.status,
        alg: r.alg,
        kid: r.kid,
        token: "unused",
        claims: JSON.stringify(r.claims),
        prevHash: r.prevHash,
        hash: r.hash,
      });
      row[14] = r.tokenSha256;
      if (row[20] !== null) kept++;
      for (const times of ["iso", "excel"] as const) expect(csvEventRow(row, r, times)).toBe(eventCsvRow(r, times));
      // Rows ingest stores as plain (csvFromClaims 2: csvRowOfEvent decides it as ingest does) are
      // written without their cells' tests: the same bytes as through the tests.
      row[21] = isCsvPlain(row) ? 1 : 0;
      if (row[21] === 0) continue;
      plain++;
      for (const times of ["iso", "excel"] as const) {
        expect(csvEventRow(row, r, times)).toBe(eventCsvRow(r, times));
        expect(csvEventRow(row, r, times)).toBe(csvEventRow([...row.slice(0, 21), 0] as TCsvEventRow, r, times));
      }
    }
    expect(kept).toBe(21);
    // Every hostile text makes its rows not plain; rows of the plain texts with whole-second times are.
    expect(plain).toBeGreaterThanOrEqual(4);
    expect(plain).toBeLessThan(records.length / 10);
  });

  it("joins a scope's JSON array as JSON.parse and join would", () => {
    for (const scope of [[], [""], ["", ""], ["a"], ["a:read", "b/*:write"], ['q"uote', "back\\slash", "x"], ["é", "李", "a,b"]])
      expect(joinScopeJson(JSON.stringify(scope))).toBe(scope.join(" "));
  });

  it("formats whole seconds the way Date does", () => {
    const viaDate = (t: number) => new Date(t * 1000).toISOString().replace(".000Z", "Z");
    for (const t of [0, 59, 60, 3599, 86399, 86400, 951782400, T0, 4102444799, 253402300799, -1, -86401, 1.5, 253402300800])
      expect(isoSeconds(t), String(t)).toBe(viaDate(t));
    for (let i = 0; i < 2000; i++) {
      const t = Math.floor(Math.random() * 253402300800);
      expect(isoSeconds(t)).toBe(viaDate(t));
    }
    expect(isoSeconds(1e13)).toBe("10000000000000");
    expect(isoSeconds(Number.NaN)).toBe("");
  });

  // A plain row's times come from a remembered hour and a table of minutes and seconds
  // (plainCsvRow), not from isoSeconds: the same text at every whole second, in both flavours.
  it("writes a plain row's times as the tested path does, at any whole second", () => {
    const edges = [0, 59, 60, 3599, 3600, 86399, 86400, 951782400, T0, 4102444799, 253402300799];
    const random = Array.from({ length: 300 }, () => Math.floor(Math.random() * 253402300800));
    for (const kind of ["authorize", "delegate", "invoke", "complete", "revoke"] as const) {
      for (const [i, iat] of [...edges, ...random].entries()) {
        const exp = [...edges, ...random][(i + 7) % (edges.length + random.length)];
        const r = record(kind, kind === "authorize" || kind === "delegate" ? { iat, exp } : { iat });
        const { claims } = r;
        const row = csvRowOfEvent({ ...r, chainId: r.chain, token: "unused", claims: JSON.stringify(claims) });
        row[14] = r.tokenSha256;
        expect(isCsvPlain(row), `${kind} ${iat}`).toBe(true);
        row[21] = 1;
        for (const times of ["iso", "excel"] as const)
          expect(csvEventRow(row, r, times), `${kind} ${iat} ${times}`).toBe(csvEventRow([...row.slice(0, 21), 0] as TCsvEventRow, r, times));
      }
    }
  });
});

describe("attachmentHeader", () => {
  it("makes the name safe and keeps the extension", () => {
    expect(attachmentHeader("chain-auth:1/../x", "csv")).toBe('attachment; filename="chain-auth_1_.._x.csv"');
  });
});

describe("observed calls in the event CSVs (docs/observed.md)", () => {
  const AT = Date.UTC(2026, 0, 15, 10, 0, 0);
  const capture = (tool: string, at: number, isError = false) => {
    const r = captureToSpans(
      {
        kind: "mcp",
        startedAt: at,
        endedAt: at + 20,
        server: "https://tools.example.com/mcp",
        service: "mcp-gateway",
        client: "support-agent",
        request: { headers: { "mcp-session-id": "s-1" }, body: { jsonrpc: "2.0", id: at, method: "tools/call", params: { name: tool } } },
        response: { status: 200, body: { jsonrpc: "2.0", id: at, result: { content: [], isError } } },
      },
      { keepContent: false, receivedAtMs: AT },
    );
    if (!r.ok) throw new Error(r.reason);
    return r.spans;
  };

  it("are rows labelled observed, not verified, with empty ledger columns, the signed step named beside its call", () => {
    const spans = [...capture("lookup_order", AT), ...capture("=cmd|calc", AT + 100, true)];
    spans[3].attributes["delegraph.aip.from"] = "X-AIP-Token";
    spans[3].attributes["delegraph.aip.rejected"] = "signature_invalid: the signature does not verify";
    const chain = assembleObserved(spans, { now: AT + 120_000 }).chains[0];
    const lookup = chain.edges.find((e) => e.to === "tool:lookup_order")!;
    const bad = chain.edges.find((e) => e.to === "tool:=cmd|calc")!;
    const matchSpan = lookup.spans[0];
    const detail = {
      id: chain.id,
      source: "capture",
      observed: chain,
      observedSigned: [
        {
          edgeId: lookup.id,
          jti: "aipcall-1",
          chainId: "aip-1",
          kind: "invoke",
          iss: "aip:web:a/b",
          aud: null,
          status: "accepted",
          traceparent: `00-${matchSpan.traceId}-${matchSpan.spanId}-01`,
        },
      ],
      findings: [
        { code: "unauthorized_activity", severity: "warning", message: "support-agent called tool =cmd|calc", eventJti: bad.id, isReadTime: false },
      ],
    } as unknown as TChainDetail;
    const rows = observedRecords(detail);
    const text = EVENT_CSV_HEADER + rows.map((r) => csvRecordRow(r)).join("");
    const parsed = parse<Record<string, string>>(text, { columns: true });
    expect(Object.keys(parsed[0])).toEqual([...EVENT_COLUMNS]);
    // The principal → agent span and the two tool calls, oldest first (the root edge's span is the
    // agent's, which the second capture re-sent with a later start).
    expect(parsed.map((p) => [p.kind, p.iss, p.aud, p.status, p.source])).toEqual([
      ["observed_tool_call", "support-agent", "lookup_order", "observed", "capture"],
      ["observed_tool_call", "support-agent", "'=cmd|calc", "observed", "capture"],
      ["observed_root", "unknown principal", "support-agent", "observed", "capture"],
    ]);
    parsed.pop();
    expect(parsed[0].verification).toBe("observed, not verified; signed beside it: invoke aipcall-1 (chain aip-1)");
    expect(parsed[1].verification).toBe("observed, not verified; AIP token (X-AIP-Token) refused: signature_invalid: the signature does not verify");
    for (const p of parsed) {
      expect(p.verification).not.toMatch(/^verified|signature verified/);
      expect([p.seq, p.alg, p.kid, p.hash, p.prev_hash, p.token_sha256]).toEqual(["", "", "", "", "", ""]);
      expect(p.human_root).toBe("unknown principal");
    }
    expect([parsed[0].findings, parsed[1].findings, parsed[1].severity]).toEqual(["", "unauthorized_activity", "warning"]);
    expect([parsed[0].completion_status, parsed[1].completion_status, parsed[1].evidence_summary]).toEqual(["completed", "failed", "tool_error"]);
    expect(parsed[0].received_at).toBe(new Date(AT).toISOString());
  });

  it("signed rows say where they came from and what backs them", () => {
    const dep = parse<Record<string, string>>(EVENT_CSV_HEADER + eventCsvRow(record("authorize", {})), { columns: true })[0];
    expect([dep.source, dep.verification]).toEqual(["dep", "signature verified"]);
    const presented = { ...record("invoke", {}), alg: "aip-presented" };
    const p = parse<Record<string, string>>(EVENT_CSV_HEADER + eventCsvRow(presented), { columns: true })[0];
    expect([p.source, p.verification]).toEqual(["aip", "AIP token verified; the call itself captured, not signed"]);
    expect(eventCells(presented).verification).toBe(p.verification);
  });
});
