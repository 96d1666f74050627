// The blast radius as rows: the tree depth first (the page's rows), and as CSV for a spreadsheet,
// one row per event with its depth and the event it hangs under, then one row per refused attempt.
import type { TBlastNode, TPrincipalInvestigation } from "@/lib/contracts/investigate";
import { csvRow } from "@/lib/reports/csv";

export type TBlastRow = { node: TBlastNode; depth: number; parent: string | null };

export function flattenTree(roots: readonly TBlastNode[]): TBlastRow[] {
  const out: TBlastRow[] = [];
  const walk = (n: TBlastNode, depth: number, parent: string | null) => {
    out.push({ node: n, depth, parent });
    for (const c of n.children) walk(c, depth + 1, n.jti);
  };
  for (const r of roots) walk(r, 0, null);
  return out;
}

const iso = (t: number) => new Date(t * 1000).toISOString().replace(".000Z", "Z");

export const BLAST_CSV_HEADER = [
  "row",
  "relation",
  "depth",
  "under",
  "time_utc",
  "kind",
  "jti",
  "chain",
  "signer",
  "audience",
  "action",
  "resource",
  "purpose",
  "findings",
  "refusal",
];

/** CSV (formula-neutralised by csvRow) of the tree and the refused attempts. */
export function blastCsv(data: Pick<TPrincipalInvestigation, "tree" | "refused">): string {
  const lines = [csvRow(BLAST_CSV_HEADER)];
  flattenTree(data.tree.roots).forEach(({ node: n, depth, parent }, i) =>
    lines.push(
      csvRow([
        i + 1,
        n.relation,
        depth,
        parent,
        iso(n.iat),
        n.kind,
        n.jti,
        n.chainId,
        n.iss,
        n.aud,
        n.action,
        n.resource,
        n.purpose,
        n.findings.map((f) => f.code).join(" "),
        null,
      ]),
    ),
  );
  for (const r of data.refused)
    lines.push(
      csvRow([
        "refused",
        "refused",
        null,
        null,
        r.receivedAt.replace(/\.\d{3}Z$/, "Z"),
        null,
        r.jti,
        r.chainId,
        null,
        null,
        null,
        null,
        null,
        null,
        `${r.code}: ${r.message}`,
      ]),
    );
  return lines.join("");
}
