// The period summary: for exactly the chains the list filters match, how many are in each status,
// which findings occur how often, and the worst chains to open first.
import { Document } from "@react-pdf/renderer";
import { FINDING_INFO } from "@/lib/ui/findings";
import { FINDING_SEVERITY, type TChainStatus, type TFindingCode } from "@/lib/protocol/types";
import type { TChainSummary } from "@/lib/contracts/chains";
import type { TPeriodSummary } from "../queries";
import {
  heading,
  paginate,
  paragraph,
  SectionPages,
  SEVERITY_MARK,
  spacer,
  STATUS_MARK,
  tableBlocks,
  width as contentW,
  type TPainter,
  type TSection,
} from "./kit";
import { FAINT, INK, MUTED, SEVERITY_COLOR, SIZE, STATUS_COLOR, utc, type TPaper } from "./theme";
import { CHAIN_STATUSES } from "@/lib/protocol/grammar";

const FILTER_LABEL: Record<string, string> = {
  status: "Status",
  principal: "Principal",
  scope: "Scope",
  purpose: "Purpose",
  finding: "Finding",
  since: "Started since",
  until: "Started until",
  q: "Search",
};

function bar(width: number, share: number, color: string) {
  return {
    height: 8.5,
    paint: (p: TPainter, x: number, y: number) => {
      p.rect(x, y + 1.5, width, 7).fill("#f1f5f9");
      if (share > 0) p.rect(x, y + 1.5, Math.max(1, width * share), 7).fill(color);
    },
  };
}

const n = (v: number) => v.toLocaleString("en-US");

export function SummaryReport({ summary, opts }: { summary: TPeriodSummary; opts: { paper: TPaper; generatedBy: string } }) {
  const width = contentW(opts.paper);
  const f = summary.filters;
  const filterRows = Object.entries(f)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ({ label: FILTER_LABEL[k] ?? k, value: k === "since" || k === "until" ? utc(v as number) : String(v) }));
  const period =
    f.since !== undefined || f.until !== undefined
      ? `${f.since !== undefined ? utc(f.since) : "the beginning"} to ${f.until !== undefined ? utc(f.until) : utc(summary.generatedAt)}`
      : summary.firstStartedAt !== null
        ? `all chains, started ${utc(summary.firstStartedAt)} to ${utc(summary.lastStartedAt)}`
        : "all chains";
  const header = { left: "Delegraph · Delegation audit summary", right: `generated ${utc(summary.generatedAt)}` };
  const footer = `Generated ${utc(summary.generatedAt)} by ${opts.generatedBy} · ${opts.paper === "A4" ? "A4" : "US Letter"}`;
  const maxChains = Math.max(1, ...summary.byFinding.map((b) => b.chains));

  const status = tableBlocks<TChainStatus>(
    [
      {
        title: "Status",
        weight: 22,
        parts: (s) => [
          { text: `${STATUS_MARK[s]} ${STATUS_COLOR[s].word.toUpperCase()}`, face: "bold", size: SIZE.table, color: STATUS_COLOR[s].ink },
        ],
      },
      { title: "Chains", weight: 12, parts: (s) => [{ text: n(summary.byStatus[s]), face: "bold", size: SIZE.table }] },
      {
        title: "Share",
        weight: 12,
        parts: (s) => [{ text: summary.chainCount ? `${((100 * summary.byStatus[s]) / summary.chainCount).toFixed(1)} %` : "—", size: SIZE.table }],
      },
      { title: "", weight: 54, cell: (s, iw) => bar(iw, summary.chainCount ? summary.byStatus[s] / summary.chainCount : 0, STATUS_COLOR[s].stroke) },
    ],
    CHAIN_STATUSES,
    width,
  );
  const findings = tableBlocks<{ code: TFindingCode; chains: number; findings: number }>(
    [
      {
        title: "Finding",
        weight: 28,
        parts: (b) => {
          const sev = FINDING_SEVERITY[b.code];
          return [
            { text: `${SEVERITY_MARK[sev]} ${FINDING_INFO[b.code]?.name ?? b.code}`, face: "bold", size: SIZE.table, color: SEVERITY_COLOR[sev].ink },
            { text: `${b.code} · ${SEVERITY_COLOR[sev].word.toLowerCase()}`, face: "mono", size: SIZE.caption, color: MUTED },
          ];
        },
      },
      { title: "What it means", weight: 34, parts: (b) => [{ text: FINDING_INFO[b.code]?.explain ?? "", size: SIZE.caption, color: MUTED }] },
      { title: "Chains", weight: 9, parts: (b) => [{ text: n(b.chains), face: "bold", size: SIZE.table }] },
      { title: "Findings", weight: 9, parts: (b) => [{ text: n(b.findings), size: SIZE.table }] },
      { title: "", weight: 20, cell: (b, iw) => bar(iw, b.chains / maxChains, SEVERITY_COLOR[FINDING_SEVERITY[b.code]].stroke) },
    ],
    summary.byFinding,
    width,
  );
  const worst = tableBlocks<TChainSummary>(
    [
      {
        title: "Chain",
        weight: 26,
        parts: (c) => [
          { text: c.id, face: "mono", size: SIZE.caption },
          { text: `started ${utc(c.startedAt)}`, size: SIZE.caption, color: FAINT },
        ],
      },
      { title: "Human root", weight: 22, parts: (c) => [{ text: c.rootIss ?? "none (unrooted)", face: "mono", size: SIZE.caption }] },
      {
        title: "Purpose",
        weight: 20,
        parts: (c) => [
          { text: c.purposeCode ?? "—", face: "mono", size: SIZE.caption },
          { text: c.purposeText ?? "", size: SIZE.caption, color: MUTED },
        ],
      },
      {
        title: "Status",
        weight: 14,
        parts: (c) => [
          {
            text: `${STATUS_MARK[c.status]} ${STATUS_COLOR[c.status].word.toUpperCase()}`,
            face: "bold",
            size: SIZE.caption,
            color: STATUS_COLOR[c.status].ink,
          },
          {
            text:
              [
                c.counts.critical ? `${c.counts.critical} critical` : "",
                c.counts.error ? `${c.counts.error} error` : "",
                c.counts.warning ? `${c.counts.warning} warning` : "",
              ]
                .filter(Boolean)
                .join(", ") || "—",
            size: SIZE.caption,
            color: MUTED,
          },
        ],
      },
      {
        title: "Findings",
        weight: 18,
        parts: (c) => [
          { text: [...new Set(c.findingCodes.map((code) => FINDING_INFO[code]?.name ?? code))].join(", ") || "—", size: SIZE.caption, color: INK },
        ],
      },
    ],
    summary.worst,
    width,
    { zebra: true },
  );
  const cont = (t: string) => paragraph([{ text: `${t} (continued)`, face: "bold", size: SIZE.h2 }], width, 4);
  const about = tableBlocks<{ label: string; value: string; mono?: boolean }>(
    [
      { title: "Scope of this summary", weight: 25, parts: (r) => [{ text: r.label, size: SIZE.small, color: MUTED }] },
      { title: "", weight: 75, parts: (r) => [{ text: r.value, face: r.mono ? "mono" : "sans", size: r.mono ? SIZE.mono + 0.5 : SIZE.small }] },
    ],
    [
      ...(filterRows.length ? filterRows.map((r) => ({ ...r, mono: true })) : [{ label: "Filters", value: "none: every chain" }]),
      { label: "Generated", value: `${utc(summary.generatedAt)} by ${opts.generatedBy}` },
      { label: "Server signing key", value: summary.serverKey, mono: true },
    ],
    width,
  );
  const section: TSection = {
    segments: [
      {
        blocks: [
          paragraph([{ text: "DELEGATION AUDIT SUMMARY", face: "bold", size: SIZE.small, color: MUTED }], width, 8),
          paragraph(
            [{ text: `${n(summary.chainCount)} delegation chain${summary.chainCount === 1 ? "" : "s"}`, face: "bold", size: SIZE.title }],
            width,
            4,
          ),
          paragraph(
            [{ text: `Period: ${period}. ${n(summary.eventCount)} signed events, ${n(summary.hopCount)} grants.`, size: 10, color: MUTED }],
            width,
            12,
          ),
        ],
        table: { ...about, continued: cont("Scope of this summary") },
      },
      { blocks: [spacer(14), heading("Chains by status", width)], table: { ...status, continued: cont("Chains by status") } },
      {
        blocks: [
          paragraph(
            [
              {
                text: `${STATUS_MARK.violation} violation: a critical or error finding · ${STATUS_MARK.pending} pending: an event waits for its parent · ${STATUS_MARK.warning} warning: warnings only · ${STATUS_MARK.verified} verified: nothing to report · ${STATUS_MARK.observed} observed: seen in telemetry or captured traffic, never verified.`,
                size: SIZE.caption,
                color: FAINT,
              },
            ],
            width,
          ),
          spacer(10),
          heading("Findings by type", width),
          ...(summary.byFinding.length === 0 ? [paragraph([{ text: "No findings in these chains." }], width)] : []),
        ],
        ...(summary.byFinding.length ? { table: { ...findings, continued: cont("Findings by type") } } : {}),
      },
      {
        blocks: [
          spacer(14),
          heading("Chains to review first", width),
          paragraph(
            [
              {
                text: summary.worst.length
                  ? `The ${summary.worst.length} worst of ${n(summary.chainCount - summary.byStatus.verified)} chains with findings or pending events: violations first, then by critical, error and warning counts. Export any of them as a full report (GET /api/v1/chains/{id}/report.pdf).`
                  : "Every chain in this period is verified.",
                size: SIZE.small,
                color: MUTED,
              },
            ],
            width,
          ),
        ],
        ...(summary.worst.length ? { table: { ...worst, continued: cont("Chains to review first") } } : {}),
      },
      {
        blocks: [
          spacer(10),
          paragraph(
            [
              {
                text: "Method: counts come from the same verdicts the dashboard shows, including “Broken audit trail” (missing_evidence), judged when this summary was generated. A chain counts once per finding type however many of its events carry it; the Findings column counts every occurrence.",
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
    <Document title="Delegation audit summary" author="Delegraph" creator="Delegraph" producer="Delegraph" language="en">
      <SectionPages
        pages={pages}
        landscape={section.landscape}
        paper={opts.paper}
        header={header}
        footer={footer}
        firstPage={1}
        total={pages.length}
      />
    </Document>
  );
}
