// The least-privilege report as PDF (docs/least-privilege.md#exports): for a window (a principal, a
// purpose), principals and purposes ranked by unused authority, the suggested grant of each, and
// every grant with its scopes used or not. The same numbers as the page and the CSV.
import { Document, renderToBuffer } from "@react-pdf/renderer";
import { rankUnusedAuthority, suggestGrant, type TGrantUsage } from "@/lib/protocol/least-privilege";
import { loadFonts, measurer } from "./fonts";
import { heading, paginate, paragraph, SectionPages, setMeasurer, spacer, tableBlocks, width as contentW, type TPart, type TSection } from "./kit";
import { FAINT, MUTED, SIZE, utc, type TPaper } from "./theme";

export type TLeastPrivilegeReportData = {
  since: number;
  until: number;
  purpose: string | null;
  principal: string | null;
  usages: TGrantUsage[];
  truncated: boolean;
  generatedAt: number;
};

const n = (v: number) => v.toLocaleString("en-US");

export function LeastPrivilegeReport({ data, opts }: { data: TLeastPrivilegeReportData; opts: { paper: TPaper; generatedBy: string } }) {
  const width = contentW(opts.paper);
  const ranking = rankUnusedAuthority(data.usages);
  const granted = data.usages.reduce((a, u) => a + u.granted.length, 0);
  const unused = data.usages.reduce((a, u) => a + u.unused.length, 0);
  const header = { left: "Delegraph · Least privilege", right: `generated ${utc(data.generatedAt)}` };
  const footer = `Generated ${utc(data.generatedAt)} by ${opts.generatedBy} · ${opts.paper === "A4" ? "A4" : "US Letter"}`;
  const cont = (t: string) => paragraph([{ text: `${t} (continued)`, face: "bold", size: SIZE.h2 }], width, 4);
  const mono = (text: string): TPart => ({ text, face: "mono", size: SIZE.caption });

  const rankTable = tableBlocks<(typeof ranking)[number]>(
    [
      { title: "Principal", weight: 28, parts: (r) => [mono(r.principal)] },
      { title: "Purpose", weight: 20, parts: (r) => [mono(r.purpose)] },
      { title: "Grants", weight: 8, parts: (r) => [{ text: n(r.grants), size: SIZE.table }] },
      {
        title: "Unused",
        weight: 14,
        parts: (r) => [{ text: `${r.unused} of ${r.granted} (${Math.round(r.unusedShare * 100)} %)`, face: "bold", size: SIZE.table }],
      },
      { title: "Never used", weight: 30, parts: (r) => [mono(r.neverUsed.join(", ") || "—")] },
    ],
    ranking,
    width,
    { zebra: true },
  );

  const groups = new Map<string, TGrantUsage[]>();
  for (const u of data.usages) {
    const key = `${u.aud}\u0000${data.purpose ?? u.purpose}`;
    groups.set(key, [...(groups.get(key) ?? []), u]);
  }
  const suggestions = [...groups.values()].map((list) => ({ principal: list[0].aud, suggestion: suggestGrant(list, data.purpose) }));
  const suggestTable = tableBlocks<(typeof suggestions)[number]>(
    [
      { title: "Principal", weight: 26, parts: (r) => [mono(r.principal), { text: r.suggestion.purpose ?? "", size: SIZE.caption, color: MUTED }] },
      { title: "Scope", weight: 30, parts: (r) => [mono(r.suggestion.scope.join(", ") || "nothing used: no grant needed")] },
      {
        title: "Constraints, depth, lifetime",
        weight: 44,
        parts: (r) => [
          mono(
            `data ${JSON.stringify(r.suggestion.constraints.data)} · egress ${JSON.stringify(r.suggestion.constraints.egress)} · max_depth ${r.suggestion.max_depth} · ttl ${r.suggestion.ttl ?? "—"}`,
          ),
        ],
      },
    ],
    suggestions,
    width,
  );

  const grantTable = tableBlocks<TGrantUsage>(
    [
      { title: "Grant", weight: 24, parts: (u) => [mono(u.jti), { text: `${u.aud} · ${utc(u.iat)}`, size: SIZE.caption, color: FAINT }] },
      { title: "Purpose", weight: 16, parts: (u) => [mono(u.purpose)] },
      {
        title: "Used",
        weight: 30,
        parts: (u) => [mono(u.used.map((s) => `${s.scope} (${s.invocations} inv., ${s.delegations} del.)`).join(", ") || "—")],
      },
      { title: "Unused", weight: 18, parts: (u) => [mono(u.unused.join(", ") || "—")] },
      { title: "Outside", weight: 12, parts: (u) => [mono(u.outside.map((o) => `${o.scope} ×${o.count}`).join(", ") || "—")] },
    ],
    data.usages,
    width,
    { zebra: true },
  );

  const scopeLine = [
    `${utc(data.since)} to ${utc(data.until)}`,
    data.principal ? `principal ${data.principal}` : null,
    data.purpose ? `purpose ${data.purpose} and the purposes under it` : null,
  ]
    .filter(Boolean)
    .join(" · ");
  const section: TSection = {
    segments: [
      {
        blocks: [
          paragraph([{ text: "LEAST PRIVILEGE REPORT", face: "bold", size: SIZE.small, color: MUTED }], width, 8),
          paragraph([{ text: `${n(unused)} of ${n(granted)} granted scopes never used`, face: "bold", size: SIZE.title }], width, 4),
          paragraph([{ text: `${scopeLine}. ${n(data.usages.length)} grants received.`, size: 10, color: MUTED }], width, 6),
          ...(data.truncated
            ? [
                paragraph(
                  [{ text: "Only the newest 2,000 grants were analysed: narrow the window or the purpose for the rest.", size: SIZE.small }],
                  width,
                ),
              ]
            : []),
          spacer(8),
          heading("Principals and purposes by unused authority", width),
          ...(ranking.length === 0 ? [paragraph([{ text: "No grants in this period." }], width)] : []),
        ],
        ...(ranking.length ? { table: { ...rankTable, continued: cont("Principals and purposes by unused authority") } } : {}),
      },
      {
        blocks: [
          spacer(14),
          heading("Suggested grants", width),
          paragraph(
            [
              {
                text: "The narrowest delegate claims that would have covered everything each principal actually did, within what it was granted (as JSON in the CSV report and the API, for the SDK's delegateFromSuggestion).",
                size: SIZE.small,
                color: MUTED,
              },
            ],
            width,
          ),
        ],
        ...(suggestions.length ? { table: { ...suggestTable, continued: cont("Suggested grants") } } : {}),
      },
      {
        blocks: [spacer(14), heading("Grants, scope by scope", width)],
        ...(data.usages.length ? { table: { ...grantTable, continued: cont("Grants, scope by scope") } } : {}),
      },
      {
        blocks: [
          spacer(10),
          paragraph(
            [
              {
                text: "Method: a granted scope is used when an invoke its audience signed under the grant acts within it, or a delegate its audience issued passes part of it on. Uses the grant did not cover (ghost permissions, escalations) never count and never enter a suggestion.",
                size: SIZE.caption,
                color: FAINT,
              },
            ],
            width,
          ),
        ],
      },
    ],
  };
  const pages = paginate(section, opts.paper);
  return (
    <Document title="Least privilege report" author="Delegraph" creator="Delegraph" producer="Delegraph" language="en">
      <SectionPages pages={pages} paper={opts.paper} header={header} footer={footer} firstPage={1} total={pages.length} />
    </Document>
  );
}

export async function renderLeastPrivilegePdf(data: TLeastPrivilegeReportData, opts: { paper: TPaper; generatedBy: string }): Promise<Buffer> {
  setMeasurer(measurer(await loadFonts()));
  return renderToBuffer(<LeastPrivilegeReport data={data} opts={opts} />);
}
