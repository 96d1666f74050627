// RFC 4180 CSV for the event exports: CRLF line ends, every field that holds a comma, a double
// quote, CR or LF is quoted, and quotes inside are doubled.
//
// Formula injection: a spreadsheet runs a cell that starts with = + - @ (or TAB/CR, which some
// importers strip before looking) as a formula, and every text field here can come from a signed
// token an agent wrote. Such cells get a leading apostrophe (OWASP's advice), which spreadsheets
// show as text and a reader recognises. The rule applies to every cell, so a consumer that needs
// the exact value strips one leading `'` from cells whose second character is one of those.
import { sortFindings } from "@/lib/protocol/findings";
import type { TAttestation, TClaims, TEventKind, TFinding, TSeverity } from "@/lib/protocol/types";

export const FORMULA_TRIGGERS = ["=", "+", "-", "@", "\t", "\r"] as const;

/** Prefixes a cell that a spreadsheet would evaluate with `'`. */
export function neutralizeFormula(value: string): string {
  return value.length > 0 && (FORMULA_TRIGGERS as readonly string[]).includes(value[0]) ? `'${value}` : value;
}

/** One field: formula-neutralised, then quoted when RFC 4180 requires it. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = neutralizeFormula(String(value));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
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
};

const SEVERITY_RANK: Record<TSeverity, number> = { critical: 3, error: 2, warning: 1 };

/** NumericDate → ISO 8601 UTC, without milliseconds when they are zero. */
export function isoSeconds(t: number | undefined | null): string {
  if (t === undefined || t === null || !Number.isFinite(t)) return "";
  const ms = t * 1000;
  if (Math.abs(ms) > 8.64e15) return String(t);
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

export function eventCells(r: TEventRecord): Record<TEventColumn, string | number | null> {
  const c = r.claims;
  const findings = sortFindings(r.findings);
  let worst: TSeverity | null = null;
  for (const f of findings) if (!worst || SEVERITY_RANK[f.severity] > SEVERITY_RANK[worst]) worst = f.severity;
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
    // Scope strings never contain spaces (spec §3), so a space separates them unambiguously.
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
  };
}

export function eventCsvRow(r: TEventRecord): string {
  const cells = eventCells(r);
  return csvRow(EVENT_COLUMNS.map((col) => cells[col]));
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
