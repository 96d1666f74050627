// The least-privilege CSV report (docs/least-privilege.md#exports): one row per granted scope of
// each grant (used or unused), one per use a grant did not cover, and one suggestion per principal
// and purpose with the suggested `delegate` claims as JSON. Cells go through the event exports'
// csvRow (RFC 4180, formula neutralised).
import { suggestGrant, type TGrantUsage } from "@/lib/protocol/least-privilege";
import { csvRow } from "@/lib/reports/csv";

export const LP_CSV_COLUMNS = [
  "record",
  "principal",
  "purpose",
  "chain",
  "grant",
  "scope",
  "status",
  "invocations",
  "delegations",
  "uses",
  "suggestion",
] as const;

export function leastPrivilegeCsv(usages: readonly TGrantUsage[], options: { purpose: string | null; bom?: boolean }): string {
  const out: string[] = [(options.bom ? "\uFEFF" : "") + csvRow(LP_CSV_COLUMNS)];
  const groups = new Map<string, TGrantUsage[]>();
  for (const u of usages) {
    for (const s of u.used)
      out.push(csvRow(["grant", u.aud, u.purpose, u.chain, u.jti, s.scope, "used", s.invocations, s.delegations, s.uses.join(" "), null]));
    for (const s of u.unused) out.push(csvRow(["grant", u.aud, u.purpose, u.chain, u.jti, s, "unused", 0, 0, null, null]));
    for (const o of u.outside) out.push(csvRow(["grant", u.aud, u.purpose, u.chain, u.jti, o.scope, "outside", o.count, null, null, null]));
    const key = `${u.aud}\u0000${options.purpose ?? u.purpose}`;
    const list = groups.get(key);
    if (list) list.push(u);
    else groups.set(key, [u]);
  }
  for (const list of groups.values()) {
    const suggestion = suggestGrant(list, options.purpose);
    out.push(
      csvRow([
        "suggestion",
        list[0].aud,
        suggestion.purpose ?? options.purpose ?? list[0].purpose,
        null,
        null,
        suggestion.scope.join(" "),
        suggestion.scope.length === 0 ? "nothing used" : "suggested",
        null,
        null,
        null,
        JSON.stringify(suggestion),
      ]),
    );
  }
  return out.join("");
}
