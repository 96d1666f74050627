// Row types and column lists, derived from the generated Prisma models (prisma/schema.template.prisma
// is the one model source). A column renamed, added or retyped in the schema changes these types,
// and every query written against them stops type-checking instead of failing at run time: the
// column maps below must name exactly the model's fields, with a column type that fits each.
import type { Chain, Event } from "@/generated/sqlite/client";
import type { TClaims } from "@/lib/protocol/types";

/** A PostgreSQL type for json_to_recordset, checked against the field's TypeScript type. */
type TPgType<V> = [V] extends [string | null]
  ? "text"
  : [V] extends [number | null]
    ? "integer" | "double precision"
    : [V] extends [Date]
      ? "timestamp(3)"
      : never;
/** Every field of model M but the excluded ones, each with its PostgreSQL type. */
export type TColumns<M, X extends keyof M = never> = { [K in Exclude<keyof M, X>]-?: TPgType<M[K]> };

/** Writing an event: every Event column but receivedAt (the batch's clock). */
export type TEventInsert = Omit<Event, "receivedAt" | "status"> & { status: "accepted" | "pending" };
export const EVENT_INSERT_COLUMNS: TColumns<Event, "receivedAt"> = {
  seq: "integer",
  jti: "text",
  chainId: "text",
  kind: "text",
  iss: "text",
  aud: "text",
  ref: "text",
  iat: "double precision",
  exp: "double precision",
  status: "text",
  alg: "text",
  kid: "text",
  token: "text",
  claims: "text",
  purposeCode: "text",
  prevHash: "text",
  hash: "text",
  keyRevokedAt: "double precision",
  traceId: "text",
  drift: "text",
  tokenSha256: "text",
  csvFromClaims: "integer",
  csvText1: "text",
  csvText2: "text",
  csvText3: "text",
};

/** A chain's summary row as ingest writes it: all but what the database keeps itself. */
export type TChainSummaryRow = Omit<Chain, "lastEventAt" | "version" | "createdAt">;
export const CHAIN_SUMMARY_COLUMNS: TColumns<Chain, "lastEventAt" | "version" | "createdAt"> = {
  id: "text",
  status: "text",
  source: "text",
  rootJti: "text",
  rootIss: "text",
  rootAud: "text",
  purposeCode: "text",
  purposeText: "text",
  startedAt: "double precision",
  hopCount: "integer",
  eventCount: "integer",
  criticalCount: "integer",
  errorCount: "integer",
  warningCount: "integer",
  findingCodes: "text",
  evidenceDue: "double precision",
  openGrantExps: "text",
  searchText: "text",
};

/** An event as the chain checks read it. */
export type TStoredEventRow = Pick<Event, "seq" | "jti" | "chainId" | "claims" | "status" | "ref" | "keyRevokedAt" | "drift"> & {
  /**
   * receipt time as a NumericDate, read only where keyRevokedAt is set: the only events whose
   * receipt time a check uses (late_after_revocation); null elsewhere.
   */
  receivedAt: number | null;
};

/** A chain event with its claims decoded (stored rows are parsed once). */
export type TParsed<R extends { claims: string }> = Omit<R, "claims"> & { claims: TClaims };
export type TParsedEventRow = TParsed<TStoredEventRow>;

export type TExternalRow = Pick<Event, "jti" | "chainId" | "kind">;
export type TPrincipalKindRow = { id: string; kind: string };
export type TFindingRow = { id: number; eventJti: string; code: string; severity: string; message: string };

/** The columns of a select, as a SQL list in the select's order ("a", "b", …). */
export function columnList(select: Record<string, true>, prefix = ""): string {
  return Object.keys(select)
    .map((c) => `${prefix}"${c}"`)
    .join(", ");
}
