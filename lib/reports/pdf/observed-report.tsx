// The report of an observed chain (docs/observed.md): what OpenTelemetry spans or MCP/A2A captures
// show, said to be observed and not verified on every page (the running header), with the
// principal as asserted, the traces, every observed edge with its calls and outcome, and where
// signed delegation is missing (unauthorized_activity). No signatures, no evidence bundle.
import { Document } from "@react-pdf/renderer";
import type { TChainDetail, TObservedEdge } from "@/lib/contracts/chains";
import { SOURCE_LABEL } from "@/lib/ui/sources";
import { paginate, paragraph, SectionPages, spacer, heading, tableBlocks, width as contentW, type TSection } from "./kit";
import { FAINT, INK, MUTED, SIZE, utc, type TPaper } from "./theme";
import { GraphPage } from "./chain-report";
import type { TGraphPlan } from "./graph-plan";

const EDGE_WORD: Record<TObservedEdge["kind"], string> = {
  root: "started",
  agent_call: "called agent",
  handoff: "handed off to",
  tool_call: "called tool",
  resource_access: "accessed",
};

/** The edges' section's segments, to follow the facts on the same page: a space above its heading. */
function spacedOut(section: TSection): TSection["segments"] {
  const [first, ...rest] = section.segments;
  return [{ ...first, blocks: [spacer(14), ...(first.blocks ?? [])] }, ...rest];
}

export function ObservedReport({ detail, opts }: { detail: TChainDetail; opts: { paper: TPaper; generatedBy: string; graph: TGraphPlan } }) {
  const chain = detail.observed!;
  const width = contentW(opts.paper);
  const label = new Map(chain.nodes.map((n) => [n.id, n.label] as const));
  const name = (id: string) => label.get(id) ?? id;
  const source = SOURCE_LABEL[detail.source];
  const header = { left: `Delegraph · Observed chain ${chain.id}`, right: "OBSERVED, NOT VERIFIED" };
  const footer = `Generated ${utc(detail.generatedAt)} by ${opts.generatedBy} · ${source.long} · ${opts.paper === "A4" ? "A4" : "US Letter"}`;
  const cont = (t: string) => paragraph([{ text: `${t} (continued)`, face: "bold", size: SIZE.h2 }], width, 4);
  const flagged = new Set(detail.findings.map((f) => f.eventJti));

  const about = tableBlocks<{ label: string; value: string; mono?: boolean }>(
    [
      { title: "This chain", weight: 25, parts: (r) => [{ text: r.label, size: SIZE.small, color: MUTED }] },
      { title: "", weight: 75, parts: (r) => [{ text: r.value, face: r.mono ? "mono" : "sans", size: r.mono ? SIZE.mono + 0.5 : SIZE.small }] },
    ],
    [
      { label: "Chain", value: chain.id, mono: true },
      { label: "Source", value: source.long },
      {
        label: "Principal",
        value:
          chain.principal.kind === "asserted"
            ? `${chain.principal.userIds.join(", ")} (asserted by ${chain.principal.assertedBy.join(", ")}; not verified)`
            : "unknown principal: no producer asserted a user",
      },
      {
        label: "Observed",
        value: `${utc(chain.startMs / 1000)} to ${utc(chain.endMs / 1000)}; ${chain.spanCount} spans, ${chain.llmCalls} model calls`,
      },
      { label: "Producers", value: chain.producers.join(", ") || "—" },
      { label: "Traces", value: chain.traceIds.join(" "), mono: true },
      { label: "Joined by", value: chain.stitchedBy.map((s) => `${s.kind} ${s.value}`).join("; ") || "one trace" },
      ...(chain.settling ? [{ label: "Settling", value: "spans were still arriving when this report was generated" }] : []),
    ],
    width,
  );
  const edges = tableBlocks<TObservedEdge>(
    [
      { title: "Who", weight: 24, parts: (e) => [{ text: name(e.from), face: "mono", size: SIZE.caption }] },
      {
        title: "Observed",
        weight: 20,
        parts: (e) => [
          { text: `${EDGE_WORD[e.kind]}${e.via ? ` (${e.via.toUpperCase()})` : ""}`, size: SIZE.caption, color: INK },
          { text: e.mode ? `mode ${e.mode}` : "", size: SIZE.caption, color: MUTED },
        ],
      },
      { title: "What", weight: 24, parts: (e) => [{ text: name(e.to), face: "mono", size: SIZE.caption }] },
      {
        title: "Calls",
        weight: 14,
        parts: (e) => [
          { text: `${e.calls} · latest ${e.outcome}`, size: SIZE.caption },
          {
            text: e.failures ? `${e.failures} failed${e.errorTypes.length ? `: ${e.errorTypes.join(", ")}` : ""}` : "",
            size: SIZE.caption,
            color: MUTED,
          },
        ],
      },
      {
        title: "Signed grant",
        weight: 18,
        parts: (e) => [
          {
            text: e.kind === "root" ? "—" : flagged.has(e.id) ? "none (unauthorized_activity)" : "—",
            size: SIZE.caption,
            color: flagged.has(e.id) ? "#b45309" : FAINT,
          },
        ],
      },
    ],
    chain.edges,
    width,
    { zebra: true },
  );
  const section: TSection = {
    segments: [
      {
        blocks: [
          paragraph([{ text: "OBSERVED CHAIN · NOT VERIFIED", face: "bold", size: SIZE.small, color: MUTED }], width, 8),
          paragraph(
            [
              {
                text: `${chain.principal.kind === "asserted" ? chain.principal.userIds.join(", ") : "Unknown principal"}: ${chain.edges.length} observed edges`,
                face: "bold",
                size: SIZE.title,
              },
            ],
            width,
            4,
          ),
          paragraph(
            [
              {
                text: `${source.long}. Every edge below is what the telemetry claims; no signature backs it, and none counts as verified. ${detail.findings.length} of them act with no signed grant covering them (unauthorized_activity): that is where signed delegation is missing.`,
                size: 10,
                color: MUTED,
              },
            ],
            width,
            12,
          ),
        ],
        table: { ...about, continued: cont("This chain") },
      },
    ],
  };
  // The graph, when it can be drawn with legible labels, between the chain's facts and its edges.
  const graph = opts.graph.view?.labelled ? opts.graph.view : null;
  const edgeSection: TSection = {
    segments: [
      {
        blocks: [
          heading("Observed edges", width),
          ...(graph || chain.edges.length === 0
            ? []
            : [
                paragraph(
                  [{ text: "Too many edges to draw with legible labels on one page: this table lists every one.", size: SIZE.small, color: MUTED }],
                  width,
                ),
              ]),
        ],
        table: { ...edges, continued: cont("Observed edges") },
      },
      {
        blocks: [
          spacer(10),
          paragraph(
            [
              {
                text: "Method: edges come from the spans' GenAI, OpenInference, OpenLLMetry, MCP and A2A attributes (docs/observed.md). Message contents are kept as SHA-256 digests unless the server keeps content. Nothing here was signed; sign delegation events to have it verified.",
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
  // Without a graph page the edges follow the chain's facts on the same page, as they always did.
  const pages = graph ? paginate(section, opts.paper) : paginate({ segments: [...section.segments, ...spacedOut(edgeSection)] }, opts.paper);
  const rest = graph ? paginate(edgeSection, opts.paper) : [];
  const total = pages.length + (graph ? 1 : 0) + rest.length;
  return (
    <Document title={`Observed chain ${chain.id}`} author="Delegraph" creator="Delegraph" producer="Delegraph" language="en">
      <SectionPages pages={pages} paper={opts.paper} header={header} footer={footer} firstPage={1} total={total} />
      {graph && (
        <GraphPage
          view={graph}
          table={false}
          observed
          paper={opts.paper}
          header={header}
          footer={footer}
          number={{ page: pages.length + 1, total }}
        />
      )}
      <SectionPages pages={rest} paper={opts.paper} header={header} footer={footer} firstPage={total - rest.length + 1} total={total} />
    </Document>
  );
}
