// RFC 4180 CSV for the event exports: CRLF line ends, every field that holds a comma, a double
// quote, CR or LF is quoted, and quotes inside are doubled.
//
// Formula injection: a spreadsheet runs a cell that starts with = + - @ (or TAB/CR, which some
// importers strip before looking) as a formula, and every text field here can come from a signed
// token an agent wrote. Such cells get a leading apostrophe (OWASP's advice), which spreadsheets
// show as text and a reader recognises. The rule applies to every cell, so a consumer that needs
// the exact value strips one leading `'` from cells whose second character is one of those.
// Importers also skip leading invisible characters before looking, so LF, NBSP, zero-width
// spaces, BOM and the full-width forms of those signs (＝ ＋ － ＠) trigger it too.
//
// Bidi overrides, escape codes and other control characters (lib/ui/invisible.ts) are removed from
// every cell: a spreadsheet or a terminal would act on them (reverse text, recolour a console),
// and a CSV reader has no way to see them. TAB, LF and CR stay (quoted).
import { sortFindings } from "@/lib/protocol/findings";
import type { TAttestation, TClaims, TEventKind, TFinding, TSeverity } from "@/lib/protocol/types";
import { severityRank } from "@/lib/protocol/grammar";
import type { TCsvEventRow } from "@/lib/db/stores/exports";

export const FORMULA_TRIGGERS = ["=", "+", "-", "@", "\t", "\r", "\n", "\u00A0", "\u200B", "\u2060", "\uFEFF", "＝", "＋", "－", "＠"] as const;

/** Prefixes a cell that a spreadsheet would evaluate with `'`. */
export function neutralizeFormula(value: string): string {
  return value.length > 0 && isFormulaTrigger(value.charCodeAt(0)) ? `'${value}` : value;
}

// FORMULA_TRIGGERS as char codes, without a string per test (every cell is tested).
const TRIGGER_CODES = new Set(FORMULA_TRIGGERS.map((t) => t.charCodeAt(0)));
const isFormulaTrigger = (c: number) => TRIGGER_CODES.has(c);
// Removed from every cell: controls (but TAB, LF, CR) and bidi marks, embeddings, overrides and
// isolates. Zero-width spaces, word joiners and BOMs stay (they reorder nothing) and count as
// formula triggers when they lead a cell.
const STRIP = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const HAS_STRIP = new RegExp(STRIP.source);
const NEEDS_QUOTES = /[",\r\n]/;

/** A text cell: formula-neutralised, then quoted when RFC 4180 requires it. */
function textCell(raw: string): string {
  const value = HAS_STRIP.test(raw) ? raw.replace(STRIP, "") : raw;
  if (value.length === 0) return value;
  const text = isFormulaTrigger(value.charCodeAt(0)) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One field: formula-neutralised, then quoted when RFC 4180 requires it. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  return textCell(typeof value === "string" ? value : String(value));
}

/** One record, CRLF-terminated. */
export function csvRow(values: readonly (string | number | boolean | null | undefined)[]): string {
  return values.map(csvField).join(",") + "\r\n";
}

/** The columns of every event export, in order. docs/exports.md describes each. */
export const EVENT_COLUMNS = [
  "seq",
  "received_at",
  "chain",
  "jti",
  "kind",
  "iss",
  "aud",
  "parent",
  "grant",
  "target",
  "reason",
  "iat",
  "exp",
  "scope",
  "action",
  "resource",
  "purpose_code",
  "purpose_text",
  "status",
  "severity",
  "findings",
  "finding_messages",
  "completion_status",
  "result_hash",
  "attestation",
  "evidence_summary",
  "alg",
  "kid",
  "key_thumbprint",
  "token_sha256",
  "prev_hash",
  "hash",
  "iss_name",
  "human_root",
  "source",
  "verification",
] as const;
export type TEventColumn = (typeof EVENT_COLUMNS)[number];

/** What one CSV row is made of: a stored event and its verdict as the chain read shows it. */
export type TEventRecord = {
  seq: number;
  receivedAt: string;
  chain: string;
  jti: string;
  kind: TEventKind;
  claims: TClaims;
  status: "accepted" | "pending";
  findings: TFinding[];
  attestation: TAttestation | null;
  alg: string;
  kid: string;
  keyThumbprint: string | null;
  tokenSha256: string;
  prevHash: string;
  hash: string;
  /** the signer's registered display name */
  issName: string | null;
  /** the human who authorized the chain (its root authorize's signer); null until the root arrives */
  humanRoot: string | null;
};

/**
 * An observed call (docs/observed.md): one row per listed call of an observed edge, in the same
 * columns. Nothing in it is signed: `status` is "observed", `verification` starts with "observed,
 * not verified", the ledger columns are empty.
 */
export type TObservedRecord = {
  observed: true;
  /** ISO 8601: when the call started (observed chains keep no receipt time per call) */
  receivedAt: string;
  chain: string;
  /** span:<trace id>/<span id> */
  jti: string;
  /** observed_<edge kind>: observed_tool_call, observed_agent_call, observed_handoff, observed_resource_access */
  kind: string;
  iss: string;
  aud: string;
  /** ms */
  startMs: number;
  action: string;
  resource: string;
  findings: TFinding[];
  outcome: string;
  errorType: string | null;
  humanRoot: string;
  source: string;
  verification: string;
};

export type TCsvRecord = TEventRecord | TObservedRecord;

/** Where a signed row came from and what backs it (the `source` and `verification` columns). */
export function signedProvenance(r: Pick<TEventRecord, "alg" | "claims">): { source: "dep" | "aip"; verification: string } {
  if (r.alg === "aip-presented") return { source: "aip", verification: "AIP token verified; the call itself captured, not signed" };
  const aip = (r.claims as { aip?: { unverified?: string | null } }).aip;
  if (aip && typeof aip === "object")
    return { source: "aip", verification: aip.unverified ? `AIP signature verified; hop unverified: ${aip.unverified}` : "AIP signature verified" };
  return { source: "dep", verification: "signature verified" };
}

/** An observed call's row, in EVENT_COLUMNS order. */
export function observedCsvRow(r: TObservedRecord, times: TCsvTimes = "iso"): string {
  const t = times === "excel" ? excelTime : (x: string) => x;
  const findings = sortFindings(r.findings);
  let worst: TSeverity | null = null;
  for (const f of findings) if (!worst || severityRank(f.severity) < severityRank(worst)) worst = f.severity;
  const cells: Record<TEventColumn, string | number | null> = {
    seq: null,
    received_at: t(r.receivedAt),
    chain: r.chain,
    jti: r.jti,
    kind: r.kind,
    iss: r.iss,
    aud: r.aud,
    parent: null,
    grant: null,
    target: null,
    reason: null,
    iat: t(new Date(r.startMs).toISOString()),
    exp: null,
    scope: null,
    action: r.action,
    resource: r.resource,
    purpose_code: null,
    purpose_text: null,
    status: "observed",
    severity: worst,
    findings: findings.map((f) => f.code).join(" "),
    finding_messages: findings.map((f) => `${f.code}: ${f.message}`).join("\n"),
    completion_status: r.outcome,
    result_hash: null,
    attestation: null,
    evidence_summary: r.errorType,
    alg: null,
    kid: null,
    key_thumbprint: null,
    token_sha256: null,
    prev_hash: null,
    hash: null,
    iss_name: null,
    human_root: r.humanRoot,
    source: r.source,
    verification: r.verification,
  };
  return csvRow(EVENT_COLUMNS.map((c) => cells[c]));
}

/** Either kind of row. */
export function csvRecordRow(r: TCsvRecord, times: TCsvTimes = "iso"): string {
  return "observed" in r ? observedCsvRow(r, times) : eventCsvRow(r, times);
}

/** How times are written: ISO 8601 UTC (`2026-03-04T09:07:05Z`), or for Excel plain UTC date-times (`2026-03-04 09:07:05`), which it reads as dates. */
export type TCsvTimes = "iso" | "excel";

/** An ISO 8601 UTC time as Excel's plain date-time, still UTC, to the second. */
export function excelTime(iso: string): string {
  if (iso.length < 19 || iso[10] !== "T") return iso;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** NumericDate → ISO 8601 UTC, without milliseconds when they are zero. */
export function isoSeconds(t: number | undefined | null): string {
  if (t === undefined || t === null || !Number.isFinite(t)) return "";
  const ms = t * 1000;
  if (Math.abs(ms) > 8.64e15) return String(t);
  // Whole seconds (nearly every claim) from years 1970–9999: the day's date once, then the time by
  // hand. Exactly what the Date path below gives; it ran twice per exported row.
  if (Number.isInteger(t) && t >= 0 && t < MAX_FOUR_DIGIT_YEAR) {
    const day = Math.floor(t / 86400);
    let prefix = dayPrefixes.get(day);
    if (prefix === undefined) {
      // A row's iat and exp usually fall on different days: one remembered day was recomputed
      // through Date twice per row (a sixth of the CSV's formatting time).
      if (dayPrefixes.size >= DAY_PREFIXES) dayPrefixes.clear();
      dayPrefixes.set(day, (prefix = new Date(day * 86_400_000).toISOString().slice(0, 11)));
    }
    const s = t - day * 86400;
    return prefix + TWO_DIGITS[Math.floor(s / 3600)] + ":" + TWO_DIGITS[Math.floor((s % 3600) / 60)] + ":" + TWO_DIGITS[s % 60] + "Z";
  }
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

const MAX_FOUR_DIGIT_YEAR = 253_402_300_800; // 10000-01-01T00:00:00Z
/** "YYYY-MM-DDT" by day number since 1970, for the days an export has met (bounded). */
const dayPrefixes = new Map<number, string>();
const DAY_PREFIXES = 256;
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => (n < 10 ? `0${n}` : `${n}`));

export function eventCells(r: TEventRecord): Record<TEventColumn, string | number | null> {
  const c = r.claims;
  const findings = sortFindings(r.findings);
  let worst: TSeverity | null = null;
  for (const f of findings) if (!worst || severityRank(f.severity) < severityRank(worst)) worst = f.severity;
  const isGrant = c.kind === "authorize" || c.kind === "delegate";
  return {
    seq: r.seq,
    received_at: r.receivedAt,
    chain: r.chain,
    jti: r.jti,
    kind: r.kind,
    iss: c.iss,
    aud: isGrant ? c.aud : null,
    parent: c.kind === "delegate" ? c.parent : null,
    grant: c.kind === "invoke" ? (c.grant ?? null) : c.kind === "complete" ? c.grant : null,
    target: c.kind === "revoke" ? c.target : null,
    reason: c.kind === "revoke" ? (c.reason ?? null) : null,
    iat: isoSeconds(c.iat),
    exp: isGrant ? isoSeconds(c.exp) : null,
    // Scope strings never contain spaces (docs/protocol.md §3), so a space separates them unambiguously.
    scope: isGrant ? c.scope.join(" ") : null,
    action: c.kind === "invoke" ? c.action : null,
    resource: c.kind === "invoke" ? c.resource : null,
    purpose_code: isGrant ? c.purpose.code : c.kind === "invoke" ? (c.purpose ?? null) : null,
    purpose_text: isGrant ? c.purpose.text : null,
    status: r.status,
    severity: worst,
    findings: findings.map((f) => f.code).join(" "),
    finding_messages: findings.map((f) => `${f.code}: ${f.message}`).join("\n"),
    completion_status: c.kind === "complete" ? c.status : null,
    result_hash: c.kind === "complete" ? c.result_hash : null,
    attestation: r.attestation,
    evidence_summary: c.kind === "complete" ? (c.evidence?.summary ?? null) : null,
    alg: r.alg,
    kid: r.kid,
    key_thumbprint: r.keyThumbprint,
    token_sha256: r.tokenSha256,
    prev_hash: r.prevHash,
    hash: r.hash,
    iss_name: r.issName,
    human_root: r.humanRoot,
    ...signedProvenance(r),
  };
}

/** The three findings cells of an event row (worst severity, codes, "code: message" lines), both row writers'. */
function findingCells(f: TEventRecord["findings"]): [string, string, string] {
  if (f.length === 0) return ["", "", ""];
  const findings = f.length === 1 ? f : sortFindings(f);
  let worst: TSeverity | null = null;
  let codes = "";
  let messages = "";
  for (let i = 0; i < findings.length; i++) {
    const x = findings[i];
    if (!worst || severityRank(x.severity) < severityRank(worst)) worst = x.severity;
    codes += (i ? " " : "") + x.code;
    messages += (i ? "\n" : "") + `${x.code}: ${x.message}`;
  }
  return [csvField(worst), textCell(codes), textCell(messages)];
}

/** Same as csvRow(EVENT_COLUMNS.map((col) => eventCells(r)[col])), written out: every export row runs it. */
export function eventCsvRow(r: TEventRecord, times: TCsvTimes = "iso"): string {
  const t = times === "excel" ? excelTime : (x: string) => x;
  const c = r.claims;
  const isGrant = c.kind === "authorize" || c.kind === "delegate";
  const [severity, codes, messages] = findingCells(r.findings);
  let aud = "";
  let parent = "";
  let grant = "";
  let target = "";
  let reason = "";
  let exp = "";
  let scope = "";
  let action = "";
  let resource = "";
  let purposeCode = "";
  let purposeText = "";
  let completion = "";
  let resultHash = "";
  let evidence = "";
  if (isGrant) {
    aud = csvField(c.aud);
    if (c.kind === "delegate") parent = csvField(c.parent);
    exp = textCell(t(isoSeconds(c.exp)));
    scope = textCell(c.scope.join(" "));
    purposeCode = csvField(c.purpose.code);
    purposeText = csvField(c.purpose.text);
  } else if (c.kind === "invoke") {
    grant = csvField(c.grant);
    action = csvField(c.action);
    resource = csvField(c.resource);
    purposeCode = csvField(c.purpose);
  } else if (c.kind === "complete") {
    grant = csvField(c.grant);
    completion = csvField(c.status);
    resultHash = csvField(c.result_hash);
    evidence = csvField(c.evidence?.summary);
  } else if (c.kind === "revoke") {
    target = csvField(c.target);
    reason = csvField(c.reason);
  }
  // One join, not a template: join writes one flat string, a template leaves a rope of 60 pieces
  // that every later concatenation and the encoder must flatten (measured slower overall).
  return (
    [
      csvField(r.seq),
      csvField(t(r.receivedAt)),
      csvField(r.chain),
      csvField(r.jti),
      csvField(r.kind),
      csvField(c.iss),
      aud,
      parent,
      grant,
      target,
      reason,
      textCell(t(isoSeconds(c.iat))),
      exp,
      scope,
      action,
      resource,
      purposeCode,
      purposeText,
      csvField(r.status),
      severity,
      codes,
      messages,
      completion,
      resultHash,
      csvField(r.attestation),
      evidence,
      csvField(r.alg),
      csvField(r.kid),
      csvField(r.keyThumbprint),
      csvField(r.tokenSha256),
      csvField(r.prevHash),
      csvField(r.hash),
      csvField(r.issName),
      csvField(r.humanRoot),
      ...provenanceCells(r),
    ].join(",") + "\r\n"
  );
}

/** What a CSV row adds to the stored event: its verdict and the lookups (as TEventRecord has them). */
export type TCsvRowVerdict = {
  findings: TFinding[];
  attestation: TAttestation | null;
  keyThumbprint: string | null;
  issName: string | null;
  humanRoot: string | null;
};

// Every character textCell acts on: the stripped ones, the quoted ones. A cell without any of
// them that does not start with a formula trigger is written as it is.
const SPECIAL = /[\u0000-\u001F\u007F-\u009F",\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
/** textCell, with one test for the common case where it changes nothing. */
function cell(value: string | null): string {
  if (value === null || value.length === 0) return "";
  return isFormulaTrigger(value.charCodeAt(0)) || SPECIAL.test(value) ? textCell(value) : value;
}

/** Whether a cell is written as it is (null as empty): nothing to strip, quote or neutralise. */
export function isPlainCell(value: string | null | undefined): boolean {
  return value === null || value === undefined || value.length === 0 || !(isFormulaTrigger(value.charCodeAt(0)) || SPECIAL.test(value));
}

/** Whether isoSeconds writes the time as whole seconds in 1970-9999: digits and separators only, nothing for a cell's test to act on. */
export function isPlainSeconds(t: number | null): boolean {
  return t === null || (Number.isInteger(t) && t >= 0 && t < MAX_FOUR_DIGIT_YEAR);
}

/** The event as TEventRecord, claims parsed: the rows TCsvEventRow keeps the claims of. */
export function recordOfCsvRow(r: TCsvEventRow, v: TCsvRowVerdict): TEventRecord {
  return {
    seq: r[0],
    receivedAt: r[1],
    chain: r[2],
    jti: r[3],
    kind: r[4] as TEventKind,
    claims: JSON.parse(r[20]!) as TClaims,
    status: r[11] === "pending" ? "pending" : "accepted",
    findings: v.findings,
    attestation: v.attestation,
    alg: r[12],
    kid: r[13],
    keyThumbprint: v.keyThumbprint,
    tokenSha256: r[14],
    prevHash: r[15],
    hash: r[16],
    issName: v.issName,
    humanRoot: v.humanRoot,
  };
}

/**
 * eventCsvRow of the same event, from the fields the database extracted instead of parsed claims:
 * byte for byte the same (lib/reports/csv.test.ts and the export tests compare them). Rows that
 * keep their claims go through eventCsvRow itself.
 */
export function csvEventRow(r: TCsvEventRow, v: TCsvRowVerdict, times: TCsvTimes = "iso"): string {
  if (r[20] !== null) return eventCsvRow(recordOfCsvRow(r, v), times);
  if (r[21] === 1) return plainCsvRow(r, v, times);
  const excel = times === "excel";
  const kind = r[4];
  const isGrant = kind === "authorize" || kind === "delegate";
  const [severity, codes, messages] = findingCells(v.findings);
  let aud = "";
  let parent = "";
  let grant = "";
  let target = "";
  let reason = "";
  let exp = "";
  let scope = "";
  let action = "";
  let resource = "";
  let purposeCode = "";
  let purposeText = "";
  let completion = "";
  let resultHash = "";
  let evidence = "";
  if (isGrant) {
    aud = cell(r[6]);
    if (kind === "delegate") parent = cell(r[7]);
    const e = isoSeconds(r[9]);
    exp = cell(excel ? excelTime(e) : e);
    scope = cell(r[18]);
    purposeCode = cell(r[10]);
    purposeText = cell(r[17]);
  } else if (kind === "invoke") {
    grant = cell(r[7]);
    action = cell(r[17]);
    resource = cell(r[18]);
    purposeCode = cell(r[10]);
  } else if (kind === "complete") {
    grant = cell(r[7]);
    completion = cell(r[17]);
    resultHash = cell(r[18]);
    evidence = cell(r[19]);
  } else if (kind === "revoke") {
    target = cell(r[7]);
    reason = cell(r[17]);
  }
  const iat = isoSeconds(r[8]);
  const c = ROW.slice();
  c[0] = r[0] >= 0 ? String(r[0]) : csvField(r[0]);
  c[1] = cell(excel ? excelTime(r[1]) : r[1]);
  c[2] = cell(r[2]);
  c[3] = cell(r[3]);
  c[4] = cell(kind);
  c[5] = cell(r[5]);
  c[6] = aud;
  c[7] = parent;
  c[8] = grant;
  c[9] = target;
  c[10] = reason;
  c[11] = cell(excel ? excelTime(iat) : iat);
  c[12] = exp;
  c[13] = scope;
  c[14] = action;
  c[15] = resource;
  c[16] = purposeCode;
  c[17] = purposeText;
  c[18] = r[11] === "pending" ? "pending" : "accepted";
  c[19] = severity;
  c[20] = codes;
  c[21] = messages;
  c[22] = completion;
  c[23] = resultHash;
  c[24] = v.attestation === null ? "" : csvField(v.attestation);
  c[25] = evidence;
  c[26] = cell(r[12]);
  c[27] = cell(r[13]);
  c[28] = cell(v.keyThumbprint);
  c[29] = cell(r[14]);
  c[30] = cell(r[15]);
  c[31] = cell(r[16]);
  c[32] = cell(v.issName);
  c[33] = cell(v.humanRoot);
  return c.join(",");
}

const DEP_CELLS = [csvField("dep"), csvField("signature verified")];

/**
 * csvEventRow of a row stored as plain (lib/db/csv-columns.ts CSV_PLAIN): ingest found every cell
 * the stored event alone decides written as it is and its times whole seconds, so only receivedAt
 * and the verdict's cells are tested here. The tests of the other cells were most of a row's
 * formatting (docs/benchmarks.md, "CSV export V"). Written into a copy of ROW and joined once: no
 * template, middle string or time rope of its own (in the server each byte a row allocates is paid
 * again in garbage collection: "CSV export VI").
 */
function plainCsvRow(r: TCsvEventRow, v: TCsvRowVerdict, times: TCsvTimes): string {
  const excel = times === "excel";
  const kind = r[4];
  const c = ROW.slice();
  c[0] = r[0] >= 0 ? String(r[0]) : csvField(r[0]);
  c[1] = cell(excel ? excelTime(r[1]) : r[1]);
  c[2] = r[2];
  c[3] = r[3];
  c[4] = kind;
  c[5] = r[5];
  c[11] = plainSeconds(r[8], excel);
  const complete = kind === "complete";
  if (kind === "authorize" || kind === "delegate") {
    c[6] = r[6] ?? "";
    if (kind === "delegate") c[7] = r[7] ?? "";
    c[12] = r[9] === null ? "" : plainSeconds(r[9], excel);
    c[13] = r[18] ?? "";
    c[16] = r[10] ?? "";
    c[17] = r[17] ?? "";
  } else if (kind === "invoke") {
    c[8] = r[7] ?? "";
    c[14] = r[17] ?? "";
    c[15] = r[18] ?? "";
    c[16] = r[10] ?? "";
  } else if (complete) c[8] = r[7] ?? "";
  else if (kind === "revoke") {
    c[9] = r[7] ?? "";
    c[10] = r[17] ?? "";
  }
  c[18] = r[11] === "pending" ? "pending" : "accepted";
  if (v.findings.length) findingCellsInto(c, v.findings);
  else c[19] = c[20] = c[21] = "";
  c[22] = complete ? (r[17] ?? "") : "";
  c[23] = complete ? (r[18] ?? "") : "";
  c[24] = v.attestation === null ? "" : csvField(v.attestation);
  c[25] = complete ? (r[19] ?? "") : "";
  c[26] = r[12];
  c[27] = r[13];
  c[28] = cell(v.keyThumbprint);
  c[29] = r[14];
  c[30] = r[15];
  c[31] = r[16];
  c[32] = cell(v.issName);
  c[33] = cell(v.humanRoot);
  return c.join(",");
}

/**
 * A blank row's cells, copied by the CSV export's writers (csvEventRow, plainCsvRow): the last holds
 * a dep row's source and verification and the line end, so the row is one join and one flat string
 * (a `+` after the join would leave a rope that the page's encoding flattens again). A copy a row,
 * not one array reused: a long-lived array written with each row's new strings cost more in the
 * write barrier than the copy costs (docs/benchmarks.md, "CSV export VI").
 */
const ROW: string[] = new Array<string>(EVENT_COLUMNS.length - 1).fill("");
ROW[EVENT_COLUMNS.length - 2] = `${DEP_CELLS[0]},${DEP_CELLS[1]}\r\n`;

/** findingCells into cells 19-21. */
function findingCellsInto(c: string[], f: TFinding[]): void {
  const [severity, codes, messages] = findingCells(f);
  c[19] = severity;
  c[20] = codes;
  c[21] = messages;
}

/**
 * isoSeconds of a plain row's time (whole seconds in 1970-9999), Excel's form when `excel`: the
 * hour's "YYYY-MM-DDTHH:" remembered and "MM:SSZ" from a table, one concatenation a time (isoSeconds
 * makes six). Any other value as isoSeconds writes it.
 */
function plainSeconds(t: number, excel: boolean): string {
  if (!(Number.isInteger(t) && t >= 0 && t < MAX_FOUR_DIGIT_YEAR)) return excel ? excelTime(isoSeconds(t)) : isoSeconds(t);
  const hour = Math.floor(t / 3600);
  const prefixes = excel ? excelHours : isoHours;
  let prefix = prefixes.get(hour);
  if (prefix === undefined) {
    if (prefixes.size >= DAY_PREFIXES) prefixes.clear();
    const iso = new Date(hour * 3_600_000).toISOString();
    prefixes.set(hour, (prefix = excel ? `${iso.slice(0, 10)} ${iso.slice(11, 14)}` : iso.slice(0, 14)));
  }
  return prefix + (excel ? MINUTES_SECONDS : MINUTES_SECONDS_Z)[t - hour * 3600];
}

/** "YYYY-MM-DDTHH:" (ISO) and "YYYY-MM-DD HH:" (Excel) by hour since 1970, for the hours an export has met (bounded). */
const isoHours = new Map<number, string>();
const excelHours = new Map<number, string>();
/** "MM:SS" and "MM:SSZ" by second of the hour. */
const MINUTES_SECONDS = Array.from({ length: 3600 }, (_, s) => `${TWO_DIGITS[Math.floor(s / 60)]}:${TWO_DIGITS[s % 60]}`);
const MINUTES_SECONDS_Z = MINUTES_SECONDS.map((m) => `${m}Z`);

function provenanceCells(r: TEventRecord): string[] {
  if (r.alg !== "aip-presented" && !("aip" in r.claims)) return DEP_CELLS;
  const p = signedProvenance(r);
  return [csvField(p.source), csvField(p.verification)];
}

export const EVENT_CSV_HEADER = csvRow(EVENT_COLUMNS);

/** A file name safe on every OS: chain ids may hold ":" which Windows refuses. */
export function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 120) || "export";
}

/** Content-Disposition for a download; the name is made safe first. */
export function attachmentHeader(baseName: string, extension: string): string {
  return `attachment; filename="${safeFileName(baseName)}.${extension}"`;
}
