// What the CSV audit export shows of an event beyond its plain columns, derived once at ingest and
// stored on the Event row (migration 0029), so an export reads columns instead of extracting claim
// fields and hashing the token per row. lib/db/stores/exports.ts reads them; rows stored before the
// migration (or by a writer that leaves them null) are derived there as before.
import { sha256Hex } from "@/lib/auth/secrets";
import type { TClaims } from "@/lib/protocol/types";
import { isPlainCell, isPlainSeconds } from "@/lib/reports/csv";

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
  /** 1: formatted from the claims; 0: from csvText1-3; 2: as 0, and every cell below writes as it is (CSV_PLAIN) */
  csvFromClaims: number;
  csvText1: string | null;
  csvText2: string | null;
  csvText3: string | null;
};

/** csvFromClaims's values. */
export const CSV_FROM_TEXTS = 0;
export const CSV_FROM_CLAIMS = 1;
/**
 * CSV_FROM_TEXTS, and every cell of the row that only the stored event decides (its ids, kind,
 * signer, audience, reference, purpose, claim texts, alg, kid and hashes) is written by the CSV
 * formatter as it is (lib/reports/csv.ts isPlainCell: nothing to strip, quote or neutralise), and
 * its iat and exp are whole seconds in years 1970-9999: the export writes those cells without
 * testing each (lib/reports/csv.ts csvEventRow). Set at ingest only; a change to the formatter's
 * rule must reset it (UPDATE "Event" SET "csvFromClaims" = 0 WHERE "csvFromClaims" = 2).
 */
export const CSV_PLAIN = 2;

/** The stored columns of an event the CSV shows, as ingest writes them. */
export type TCsvSource = {
  chainId: string;
  jti: string;
  kind: string;
  iss: string;
  aud: string | null;
  ref: string | null;
  iat: number;
  exp: number | null;
  purposeCode: string | null;
  alg: string;
  kid: string;
  token: string;
  prevHash: string;
  hash: string;
};

/** The stored CSV columns of an event: `claimsJson` is the stored `claims` text, `e` the row ingest stores. */
export function csvColumnsOf(c: TClaims, claimsJson: string, e: TCsvSource): TCsvColumns {
  const fromClaims = keepsClaims(claimsJson, e.alg);
  const [csvText1, csvText2, csvText3] = fromClaims ? [null, null, null] : csvTextsOf(c);
  const tokenSha256 = sha256Hex(e.token);
  const plain = !fromClaims && isPlainCsvSource(e, tokenSha256, [csvText1, csvText2, csvText3]);
  return { tokenSha256, csvFromClaims: fromClaims ? CSV_FROM_CLAIMS : plain ? CSV_PLAIN : CSV_FROM_TEXTS, csvText1, csvText2, csvText3 };
}

/** CSV_PLAIN's test, on a row formatted from its texts. */
export function isPlainCsvSource(
  e: Omit<TCsvSource, "token">,
  tokenSha256: string | null,
  texts: readonly [string | null, string | null, string | null],
): boolean {
  return (
    isPlainSeconds(e.iat) &&
    isPlainSeconds(e.exp) &&
    [e.chainId, e.jti, e.kind, e.iss, e.aud, e.ref, e.purposeCode, ...texts, e.alg, e.kid, tokenSha256, e.prevHash, e.hash].every(isPlainCell)
  );
}
