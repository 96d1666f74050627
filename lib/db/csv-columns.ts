// What the CSV audit export shows of an event beyond its plain columns, derived once at ingest and
// stored on the Event row (migration 0029), so an export reads columns instead of extracting claim
// fields and hashing the token per row. lib/db/stores/exports.ts reads them; rows stored before the
// migration (or by a writer that leaves them null) are derived there as before.
import { sha256Hex } from "@/lib/auth/secrets";
import type { TClaims } from "@/lib/protocol/types";

/**
 * When the export formats an event from its parsed claims rather than from the extracted fields.
 * Textual, so the SQL forms test exactly the same thing: `"aip"` anywhere (an `aip` member, or a
 * value that says "aip": parsed, harmlessly), an AIP presentation, or a `\u` escape (control
 * characters, lone surrogates, which the databases' JSON functions do not give back as JavaScript does).
 */
export function keepsClaims(claims: string, alg: string): boolean {
  return alg === "aip-presented" || claims.includes('"aip"') || claims.includes("\\u");
}

/** The CSV's kind-dependent claim fields (TCsvEventRow's x1-x3), from parsed claims. */
export function csvTextsOf(c: TClaims): [string | null, string | null, string | null] {
  if (c.kind === "authorize" || c.kind === "delegate") return [c.purpose.text, c.scope.join(" "), null];
  if (c.kind === "invoke") return [c.action, c.resource, null];
  if (c.kind === "complete") return [c.status, c.result_hash, c.evidence?.summary ?? null];
  if (c.kind === "revoke") return [c.reason ?? null, null, null];
  return [null, null, null];
}

export type TCsvColumns = {
  tokenSha256: string;
  csvFromClaims: number;
  csvText1: string | null;
  csvText2: string | null;
  csvText3: string | null;
};

/** The stored CSV columns of an event: `claimsJson` is the stored `claims` text, `token` the raw token. */
export function csvColumnsOf(c: TClaims, claimsJson: string, alg: string, token: string): TCsvColumns {
  const fromClaims = keepsClaims(claimsJson, alg);
  const [csvText1, csvText2, csvText3] = fromClaims ? [null, null, null] : csvTextsOf(c);
  return { tokenSha256: sha256Hex(token), csvFromClaims: fromClaims ? 1 : 0, csvText1, csvText2, csvText3 };
}
