// The protocol's vocabulary, declared once (docs/protocol.md §1, §2, §5, §8): the id, jti, purpose-code and hash
// patterns, the severities and chain statuses with their order, and which claim an event points
// at. The verifier, the SDK, the registry, ingest, the reports and the dashboard all import these;
// none re-declares them.
import type { TChainStatus, TClaims, TSeverity } from "./types";

/** jti and chain ids: 1–128 characters of [A-Za-z0-9._:-] (docs/protocol.md §1). */
export const JTI_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const JTI_RULE = "1–128 characters of [A-Za-z0-9._:-]";
/** Principal ids: 1–200 printable ASCII characters, 0x20–0x7E (docs/protocol.md §8). */
export const PRINCIPAL_ID_PATTERN = /^[\x20-\x7E]{1,200}$/;
export const PRINCIPAL_ID_RULE = "1–200 printable ASCII characters (0x20–0x7E)";
/** Purpose codes: a dot-separated path of [a-z0-9_-] segments (docs/protocol.md §8). */
export const PURPOSE_CODE_PATTERN = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;
/**
 * `sha256:<64 hex>` as a producer signs it (result hashes, instruction hashes, artifact hashes):
 * the spec says hex, so either case is accepted. What Delegraph writes itself is lowercase.
 */
export const SHA256_REF_PATTERN = /^sha256:[0-9a-fA-F]{64}$/;

/** Severities, worst first (docs/protocol.md §5). */
export const SEVERITIES = ["critical", "error", "warning"] as const satisfies readonly TSeverity[];
/** 0 for the worst severity, larger for milder ones. */
export function severityRank(s: TSeverity): number {
  return SEVERITIES.indexOf(s);
}
/** Worst first. */
export function compareSeverity(a: TSeverity, b: TSeverity): number {
  return severityRank(a) - severityRank(b);
}
/** The worst severity among the findings, or null when there are none. */
export function worstSeverity(findings: readonly { severity: TSeverity }[]): TSeverity | null {
  let worst: TSeverity | null = null;
  for (const f of findings) if (worst === null || severityRank(f.severity) < severityRank(worst)) worst = f.severity;
  return worst;
}

/**
 * Where a chain's hops come from: `dep` signed delegation events, `aip` Agent Identity Protocol
 * tokens, `otel` OpenTelemetry spans and `capture` MCP/A2A captures. The last two are observed, never
 * verified (docs/protocol.md §8).
 */
export const CHAIN_SOURCES = ["dep", "aip", "otel", "capture"] as const;
export type TChainSource = (typeof CHAIN_SOURCES)[number];

/** Chain statuses in precedence order, most serious first (docs/protocol.md §8: violation > pending > warning > verified). */
export const CHAIN_STATUSES = ["violation", "pending", "warning", "verified", "observed"] as const satisfies readonly TChainStatus[];
/** 0 for violation, 3 for verified, 4 for observed (never signed). */
export function statusRank(s: TChainStatus): number {
  return CHAIN_STATUSES.indexOf(s);
}

/** The jti an event points at: `parent` (delegate), `grant` (invoke, complete) or `target` (revoke). */
export function eventRef(c: TClaims): string | null {
  switch (c.kind) {
    case "delegate":
      return c.parent;
    case "invoke":
      return c.grant ?? null;
    case "complete":
      return c.grant;
    case "revoke":
      return c.target;
    default:
      return null;
  }
}
