// The chain audit report: a cover a compliance officer can read aloud, the graph, every finding
// explained in users' words, every hop in a ruled table, the timeline, and an appendix of token
// hashes and key thumbprints that ties the paper to the ledger and to the evidence bundle.
import { chainFindingSentencer } from "@/lib/ui/finding-sentence";
import { sentenceText } from "@/lib/ui/hop-sentence";
import { Document, Text, View } from "@react-pdf/renderer";
import type { TChainDetail, TChainEvent, TChainFinding, THop } from "@/lib/contracts/chains";
import { ATTESTATION_LABEL, FINDING_INFO } from "@/lib/ui/findings";
import { FINDING_CODES, FINDING_SEVERITY, type TSeverity } from "@/lib/protocol/types";
import type { TChainReportData } from "../queries";
import type { TReportReview } from "@/lib/review/report";
import { GraphCanvas } from "./graph";
import { authorityOrder, type TGraphPlan, type TGraphView } from "./graph-plan";
import {
  Caption,
  fontStyle,
  heading,
  KeyValues,
  measure,
  paginate,
  paragraph,
  ReportPage,
  SectionPages,
  SEVERITY_MARK,
  severityPart,
  spacer,
  StatusBadge,
  subheading,
  tableBlocks,
  textBlock,
  W,
  width as contentW,
  type TBlock,
  type TPart,
  type TSection,
} from "./kit";
import { contentHeight as contentH, FAINT, HAIRLINE, INK, MUTED, RULE, SEVERITY_COLOR, SIZE, utc, WASH, type TPaper } from "./theme";
import { severityRank } from "@/lib/protocol/grammar";

/**
 * `coverPages`: how many pages the cover takes (1 unless a very long root, e.g. dozens of scopes,
 * pushes it over); every later page is numbered in advance from it. `onCoverPages` is told how
 * many it actually took (see renderChainReportPdf).
 */
export type TChainReportOptions = {
  paper: TPaper;
  generatedBy: string;
  graph: TGraphPlan;
  coverPages?: number;
  onCoverPages?: (pages: number) => void;
};

const GREEN = "#15803d";

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

function countsText(c: TChainDetail["counts"]): string {
  const parts = [
    c.critical ? `${c.critical} critical` : "",
    c.error ? plural(c.error, "error") : "",
    c.warning ? plural(c.warning, "warning") : "",
  ].filter(Boolean);
  return parts.length ? parts.join(" · ") : "no findings";
}

type TNames = { label: (id: string) => string; name: (id: string) => string | null };

/** Printed on every chain report's first page (docs/dashboard.md, "The PDF"). */
export const VERIFIED_STATEMENT =
  "Verified proves that each event was signed by the registered key of the principal it names, that the key was not revoked when the event says it was signed, that every grant narrows its parent's scope, purpose, constraints and lifetime, that every action falls inside a grant given to its signer, and that the events are unchanged since they entered the ledger. It does not prove that what a signer claims is true (an agent can sign a false report), that a key was not stolen before it was revoked, that a time a signer wrote is honest, that the work itself was right, or that nothing happened outside what was reported to Delegraph: unsigned activity is only visible where it was observed.";

/** A short, stable id for this document: the first 16 hex digits of its evidence digest, which the server signed. */
export function documentId(evidenceDigest: string): string {
  const hex = evidenceDigest
    .replace(/^sha256:/, "")
    .slice(0, 16)
    .toUpperCase();
  return `DGR-${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}`;
}

function names(detail: TChainDetail): TNames {
  const byId = new Map(detail.nodes.map((n) => [n.id, n.name]));
  return {
    name: (id) => byId.get(id) ?? null,
    label: (id) => {
      const name = byId.get(id);
      return name && name !== id ? `${name} (${id})` : id;
    },
  };
}

const FINDING_SEVERITY_OF = (code: TChainFinding["code"]): TSeverity => FINDING_SEVERITY[code];
/** "sha256:5e5e5e5e5e5e…5e5e": enough to match by eye; the timeline and the bundle carry the full value. */
function shortHash(h: string): string {
  return h.length > 28 ? `${h.slice(0, 19)}…${h.slice(-4)}` : h;
}

const findingTitle = (code: TChainFinding["code"]) => `${FINDING_INFO[code]?.name ?? code} (${code})`;

// ---------------------------------------------------------------------------------------------
// Cover

function Cover({ data, opts, who }: { data: TChainReportData; opts: TChainReportOptions; who: TNames }) {
  const { detail } = data;
  const width = contentW(opts.paper);
  const label = 118;
  const vw = width - label;
  const root = detail.root;
  const principals = detail.nodes.filter((n) => n.kind !== "resource");
  const summary = root
    ? `${who.label(root.iss)} authorized ${plural(root.scope.length, "scope")} to ${who.label(root.aud)} for ${root.purpose.code} (“${root.purpose.text}”) on ${utc(root.iat)}, until ${utc(root.exp)}. ` +
      `The chain has ${plural(detail.hopCount, "hop")}, ${plural(detail.eventCount, "signed event")} and ${plural(principals.length, "principal")}. ` +
      (detail.findings.length
        ? `The verifier found ${countsText(detail.counts)}; each is explained under Findings.`
        : "The verifier found nothing to report: every hop is signed, narrower than its parent, within purpose and closed with evidence.")
    : `This chain has no authorize event from a human: nothing in it is rooted in a human decision. It has ${plural(detail.eventCount, "signed event")} and ${countsText(detail.counts)}.`;
  const codes = [...new Set(detail.findings.map((f) => f.code))].sort(
    (a, b) => severityRank(FINDING_SEVERITY_OF(a)) - severityRank(FINDING_SEVERITY_OF(b)) || FINDING_CODES.indexOf(a) - FINDING_CODES.indexOf(b),
  );
  return (
    <View>
      <Text style={[{ fontSize: SIZE.small, color: MUTED, letterSpacing: 1.2, marginBottom: 10 }, fontStyle("bold")]}>
        DELEGATION CHAIN AUDIT REPORT
      </Text>
      <Caption>Chain</Caption>
      <W w={width} size={15} face="mono" style={{ marginBottom: 10 }}>
        {detail.id}
      </W>
      <View style={{ flexDirection: "row", alignItems: "center", marginBottom: 12 }}>
        <StatusBadge status={detail.status} size={10} />
        <Text style={[{ fontSize: SIZE.body, color: MUTED, marginLeft: 8 }, fontStyle("sans")]}>{countsText(detail.counts)}</Text>
      </View>
      <W w={width} size={10} style={{ marginBottom: 10, lineHeight: 1.45 }}>
        {summary}
      </W>
      {codes.length > 0 && (
        <View style={{ marginBottom: 14 }}>
          {
            textBlock(
              codes.map((code) => {
                const n = detail.findings.filter((f) => f.code === code).length;
                return severityPart(
                  FINDING_SEVERITY_OF(code),
                  `${SEVERITY_COLOR[FINDING_SEVERITY_OF(code)].word}: ${findingTitle(code)}${n > 1 ? ` ×${n}` : ""}`,
                  SIZE.small,
                );
              }),
              width,
            ).node
          }
        </View>
      )}
      <KeyValues
        width={width}
        labelWidth={label}
        rows={[
          {
            label: "Chain id",
            value: (
              <W w={vw} face="mono" size={SIZE.mono + 0.5}>
                {detail.id}
              </W>
            ),
          },
          {
            label: "Status",
            value: <W w={vw} face="bold">{`${detail.status[0].toUpperCase()}${detail.status.slice(1)} — ${countsText(detail.counts)}`}</W>,
          },
          {
            label: "Human root",
            value: root ? (
              <View>
                <W w={vw} face="bold">
                  {who.name(root.iss) ?? root.iss}
                </W>
                <W
                  w={vw}
                  face="mono"
                  size={SIZE.mono}
                  color={MUTED}
                >{`${root.iss} · ${detail.nodes.find((n) => n.id === root.iss)?.kind ?? "unregistered"}`}</W>
              </View>
            ) : (
              <W w={vw} color={SEVERITY_COLOR.critical.ink} face="bold">
                None: the chain has no authorize event (not rooted in a human decision)
              </W>
            ),
          },
          ...(root
            ? [
                {
                  label: "Purpose",
                  value: (
                    <View>
                      <W w={vw} face="mono" size={SIZE.mono + 0.5}>
                        {root.purpose.code}
                      </W>
                      <W w={vw}>{root.purpose.text}</W>
                    </View>
                  ),
                },
                {
                  label: "Authority granted",
                  value: (
                    <W w={vw} face="mono" size={SIZE.mono + 0.5}>
                      {root.scope.join("\n")}
                    </W>
                  ),
                },
                { label: "Authorized / expires", value: <W w={vw}>{`${utc(root.iat)} / ${utc(root.exp)}`}</W> },
              ]
            : []),
          {
            label: "Size",
            value: (
              <W w={vw}>{`${plural(detail.hopCount, "hop")} · ${plural(detail.eventCount, "event")} · ${plural(principals.length, "principal")}`}</W>
            ),
          },
          { label: "Generated", value: <W w={vw}>{`${utc(detail.generatedAt)} by ${opts.generatedBy}`}</W> },
          {
            label: "Ledger head",
            value: (
              <View>
                <W w={vw}>{`seq ${data.evidence.ledgerHead.seq.toLocaleString("en-US")} at generation time`}</W>
                <W w={vw} face="mono" size={SIZE.mono}>
                  {data.evidence.ledgerHead.hash}
                </W>
                <W w={vw} size={SIZE.small} color={MUTED}>
                  {data.evidence.checkpoint
                    ? `The server signed the ledger at seq ${data.evidence.checkpoint.seq.toLocaleString("en-US")} on ${utc(data.evidence.checkpoint.at)}, after this chain's last event.`
                    : "No signed checkpoint of the ledger covers this chain's last event yet."}
                </W>
              </View>
            ),
          },
          {
            label: "Evidence digest",
            value: (
              <View>
                <W w={vw} face="mono" size={SIZE.mono}>
                  {data.evidence.digest}
                </W>
                <W w={vw} size={SIZE.small} color={MUTED}>
                  sha256 of the evidence bundle of this chain as of this report (everything in it: tokens, keys, principals, verdicts, time), which
                  the server signed.
                </W>
              </View>
            ),
          },
          {
            label: "Server signing key",
            value: (
              <View>
                <W w={vw} face="mono" size={SIZE.mono}>
                  {data.evidence.serverKey}
                </W>
                <W w={vw} size={SIZE.small} color={MUTED}>
                  RFC 7638 thumbprint of the Ed25519 key this server signs evidence bundles and ledger checkpoints with (GET /api/v1/ledger/key).
                </W>
              </View>
            ),
          },
        ]}
      />
      <View style={{ marginTop: 10, padding: 8, backgroundColor: WASH, borderLeftWidth: 2, borderLeftColor: RULE }} wrap={false}>
        <Text style={[{ fontSize: SIZE.small, color: INK, marginBottom: 3 }, fontStyle("bold")]}>How to read and re-verify this report</Text>
        <W w={width - 20} size={SIZE.small} color={MUTED} style={{ lineHeight: 1.4 }}>
          {"Findings are named as our users say them (Ghost permission, Scope drift, Broken audit trail, Escalation) with the protocol code beside them. Colours always come with a word or mark: ■ critical red, ◆ error orange, ▲ warning amber, ✓ verified green, ○ pending slate. Times are UTC. " +
            `Everything here can be re-checked without Delegraph's server: download the evidence bundle (GET /api/v1/chains/${detail.id}/evidence.json) and run “npx delegraph verify <bundle.json> --key ${data.evidence.serverKey}”. It checks the server's signature with the key above, re-verifies each token's signature, ledger link and findings, and prints the bundle's digest.`}
        </W>
      </View>
    </View>
  );
}

// ---------------------------------------------------------------------------------------------
// Graph page and authority path

/** The graph page's intro: how to read what is drawn. */
function graphIntro(view: Pick<TGraphView, "labelled" | "rankdir"> & { boxes: number }, table: boolean, observed: boolean): string {
  if (!view.labelled)
    return `This chain (${plural(view.boxes, "box", "boxes")}) is too large to draw with legible labels on one page: this is a map of its shape, left to right from the human, a box's outline in the colour of its worst finding and red arrows where a finding is.${table ? " A box carries the # of the grant its principal received in the authority path that follows, which names every grant, hop by hop." : ""}`;
  const flow = view.rankdir === "LR" ? "Left to right" : "Top to bottom";
  return observed
    ? `${flow} from the principal. Every arrow is what telemetry observed, dashed and labelled “observed, not verified”: no signature backs it. A box's outline takes the colour of its worst finding, named in it.`
    : `${flow} from the human. Each arrow between principals is one grant, labelled with its purpose code, how its scope changed from the parent (“−2 scopes” narrowed; white on red “+scope” is an escalation) and its findings by name; arrows to resources are actions. Solid lines are signed and verified; dashed lines are pending, inferred or asserted but not signed (the label says which); dotted lines are a third party's attestation. Each box names the principal, its id, its findings and how each grant it received ended.`;
}

/** The chain graph page, when there is one: a labelled graph, or a map before the authority path. */
export function GraphPage({
  view,
  table,
  observed = false,
  paper,
  header,
  footer,
  number,
}: {
  view: TGraphView;
  table: boolean;
  observed?: boolean;
  paper: TPaper;
  header: { left: string; right: string };
  footer: string;
  number: { page: number; total: number };
}) {
  const width = contentW(paper, view.landscape);
  return (
    <ReportPage paper={paper} landscape={view.landscape} header={header} footer={footer} number={number}>
      {heading(view.labelled ? "Chain graph" : "Chain graph: map", width).node}
      {paragraph([{ text: graphIntro({ ...view, boxes: view.model.nodes.length }, table, observed), size: SIZE.small, color: MUTED }], width).node}
      <View style={{ borderWidth: 0.5, borderColor: HAIRLINE, alignSelf: "flex-start" }} wrap={false}>
        <GraphCanvas view={view} m={measure()} />
      </View>
    </ReportPage>
  );
}

/** Room for the graph on a page, below the section title and the (longest) intro paragraph. */
export function graphArea(paper: TPaper, landscape: boolean): { width: number; height: number } {
  const width = contentW(paper, landscape);
  const intro = graphIntro({ labelled: true, rankdir: "TB", boxes: 0 }, false, false);
  const above = heading("Chain graph", width).height + paragraph([{ text: intro, size: SIZE.small }], width).height;
  // The canvas's hairline border, and a point of slack against rounding.
  return { width: width - 2, height: contentH(paper, landscape) - above - 4 };
}

const OUTCOME_MARK = { completed: "✓", failed: "✕", partial: "◐" } as const;

/**
 * The authority path as a table, for a chain too big to draw legibly: every grant in story order
 * (a grant, then the grants given under it), numbered by its path from the human ("1.2.1"), with
 * what was handed on, for which purpose, the verifier's verdict and how it ended.
 */
function authorityPathSection(detail: TChainDetail, paper: TPaper, who: TNames): TSection {
  const width = contentW(paper, true);
  const rows = authorityOrder(detail);
  const table = tableBlocks<(typeof rows)[number]>(
    [
      {
        title: "#",
        weight: 5,
        parts: ({ hop, n, under }) => [
          { text: String(n), face: "bold", size: SIZE.table },
          { text: hop.kind === "authorize" ? "root" : under ? `under #${under}` : "parent ?", size: SIZE.caption, color: FAINT },
          { text: hop.depth === null ? "depth ?" : `depth ${hop.depth}`, size: SIZE.caption, color: FAINT },
        ],
      },
      {
        title: "From → to",
        weight: 22,
        parts: ({ hop }) => [{ text: `${who.label(hop.from)} → ${who.label(hop.to)}`, face: "bold", size: SIZE.table }],
      },
      {
        title: "Scope and actions",
        weight: 24,
        parts: ({ hop }) => {
          const out: TPart[] = [];
          if (hop.scopeAdded.length)
            out.push({ text: `+ ${hop.scopeAdded.join(" ")} (escalation)`, face: "bold", size: SIZE.caption, color: SEVERITY_COLOR.critical.ink });
          if (hop.scopeRemoved.length)
            out.push({ text: `− ${plural(hop.scopeRemoved.length, "scope")} not passed on`, size: SIZE.caption, color: MUTED });
          out.push({ text: hop.scope.join(" "), face: "mono", size: SIZE.caption });
          const acts = new Map<string, { n: number; bad: boolean }>();
          for (const inv of hop.invocations) {
            const k = `${inv.action} on ${inv.resource}`;
            const a = acts.get(k) ?? { n: 0, bad: false };
            a.n++;
            a.bad ||= inv.findings.length > 0;
            acts.set(k, a);
          }
          for (const [k, a] of acts)
            out.push({
              text: `acted: ${k}${a.n > 1 ? ` ×${a.n}` : ""}`,
              face: "mono",
              size: SIZE.caption,
              color: a.bad ? SEVERITY_COLOR.error.ink : MUTED,
            });
          return out;
        },
      },
      {
        title: "Purpose",
        weight: 14,
        parts: ({ hop }) => [
          { text: hop.purpose.code, face: "mono", size: SIZE.caption },
          { text: hop.purpose.text, size: SIZE.caption, color: MUTED },
        ],
      },
      {
        title: "Verdict and findings",
        weight: 17,
        parts: ({ hop }) => {
          const all = [...hop.findings, ...hop.invocations.flatMap((i) => i.findings)];
          const seen = new Set<string>();
          const out: TPart[] = [];
          out.push(
            hop.status === "pending"
              ? { text: "○ pending: its parent has not arrived", size: SIZE.caption, color: MUTED }
              : !hop.signature.verified
                ? { text: `◌ unverified: ${hop.aip?.unverified ?? "delegator asserted, not signed"}`, face: "bold", size: SIZE.caption, color: MUTED }
                : { text: `✓ signed (${hop.signature.alg}), verified${all.length ? "" : " · no finding"}`, size: SIZE.caption, color: GREEN },
          );
          for (const f of all) {
            if (seen.has(f.code)) continue;
            seen.add(f.code);
            out.push(severityPart(f.severity, `${FINDING_INFO[f.code]?.name ?? f.code} (${f.code})`, SIZE.caption));
          }
          return out;
        },
      },
      {
        title: "Outcome",
        weight: 18,
        parts: ({ hop }) => {
          const out: TPart[] = [];
          for (const c of hop.completions)
            out.push({
              text: `${OUTCOME_MARK[c.status]} ${c.status} · ${c.attestation ? (ATTESTATION_LABEL[c.attestation]?.name ?? c.attestation) : "signer not allowed"}`,
              size: SIZE.caption,
              color: c.attestation ? INK : SEVERITY_COLOR.error.ink,
            });
          if (hop.revokedAt !== null)
            out.push({ text: `revoked ${utc(hop.revokedAt)}`, face: "bold", size: SIZE.caption, color: SEVERITY_COLOR.error.ink });
          if (hop.completions.length === 0)
            out.push(
              hop.findings.some((f) => f.code === "missing_evidence")
                ? { text: `✗ no report · expired ${utc(hop.exp)}`, face: "bold", size: SIZE.caption, color: SEVERITY_COLOR.warning.ink }
                : { text: `no report yet · open until ${utc(hop.exp)}`, size: SIZE.caption, color: MUTED },
            );
          return out;
        },
      },
    ],
    rows,
    width,
    { zebra: true },
  );
  return {
    landscape: true,
    segments: [
      {
        blocks: [
          heading("Authority path", width),
          paragraph(
            [
              {
                text: `The chain is too large to draw with legible labels on one page, so its graph is this table: ${plural(rows.length, "grant")} from the human down, each followed by the grants given under it. “#” numbers the grants in that order and names the grant each was given under. Ids break after “.”, “/” and “:”. The Hops table lists the same grants in ledger order with their constraints, signatures and evidence.`,
                size: SIZE.small,
                color: MUTED,
              },
            ],
            width,
          ),
        ],
        table: { ...table, continued: paragraph([{ text: "Authority path (continued)", face: "bold", size: SIZE.h2 }], width, 4) },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Review and sign-off (docs/review.md): who reviewed the chain, what they stated, and what was
// decided about every finding. Filled from the chain's review; a blank sign-off when none.

const STATE_WORD: Record<string, string> = {
  open: "Open",
  acknowledged: "Acknowledged",
  resolved: "Resolved",
  accepted_risk: "Accepted risk",
  false_positive: "False positive",
};

function reviewSection(data: TChainReportData, paper: TPaper): TSection | null {
  const review = data.review;
  if (!review) return null;
  const width = contentW(paper);
  const blocks: TBlock[] = [heading("Review and sign-off", width)];
  if (review.status === "signed_off") {
    blocks.push(
      paragraph(
        [
          {
            text: `✓ Signed off by ${review.reviewer ?? "unknown"} on ${review.signedOffAt ? utc(Date.parse(review.signedOffAt) / 1000) : "?"}`,
            face: "bold",
            color: GREEN,
          },
        ],
        width,
        4,
      ),
      paragraph([{ text: `“${review.statement ?? ""}”` }], width, 4),
      paragraph(
        [
          {
            text: `Reviewer: ${review.reviewer ?? "unknown"}   Date: ${review.signedOffAt ? utc(Date.parse(review.signedOffAt) / 1000) : "?"}`,
            size: SIZE.small,
          },
          { text: "Decision: signed off (the reviewer accepts the chain as reported, with the finding states listed below)", size: SIZE.small },
        ],
        width,
        8,
      ),
    );
  } else {
    blocks.push(
      paragraph(
        [
          {
            text: review.status === "in_review" ? "In review: not signed off yet." : "Not reviewed: nobody has signed this chain off.",
            face: "bold",
          },
          { text: "Reviewer: ____________________________   Date: ______________   Signature: ____________________", size: SIZE.small, color: MUTED },
          { text: "Decision:  ☐ accept as reported    ☐ accept with conditions    ☐ reject: escalate", size: SIZE.small, color: MUTED },
        ],
        width,
        8,
      ),
    );
  }
  const counts = Object.entries(review.findingStates)
    .filter(([, n]) => n > 0)
    .map(([st, n]) => `${n} ${STATE_WORD[st]?.toLowerCase() ?? st}`)
    .join(" · ");
  blocks.push(
    paragraph(
      [
        {
          text: review.findings.length
            ? `Every finding's state as it reads at generation (${counts}). An accepted risk past its expiry, or a finding a re-check changed, reads as open again.`
            : "The chain has no findings to decide.",
          size: SIZE.small,
          color: MUTED,
        },
      ],
      width,
      4,
    ),
  );
  if (review.findings.length === 0) return { segments: [{ blocks }] };
  const table = tableBlocks<TReportReview["findings"][number]>(
    [
      {
        title: "Finding",
        weight: 30,
        parts: (f) => [
          { text: findingTitle(f.code as TChainFinding["code"]), size: SIZE.caption, face: "bold" },
          { text: f.eventJti, face: "mono", size: SIZE.caption, color: FAINT },
        ],
      },
      {
        title: "State",
        weight: 18,
        parts: (f) => [
          { text: STATE_WORD[f.review.state] ?? f.review.state, size: SIZE.caption, face: "bold" },
          ...(f.review.acceptedUntil ? [{ text: `until ${utc(f.review.acceptedUntil)}`, size: SIZE.caption, color: FAINT }] : []),
          ...(f.review.reopened
            ? [
                {
                  text: f.review.reopened.kind === "expired" ? "reopened: risk expired" : "reopened: finding changed",
                  size: SIZE.caption,
                  color: FAINT,
                },
              ]
            : []),
        ],
      },
      { title: "Assignee", weight: 16, parts: (f) => [{ text: f.review.assignee ?? "—", size: SIZE.caption }] },
      {
        title: "Note",
        weight: 36,
        parts: (f) => [
          { text: f.review.note ?? "—", size: SIZE.caption },
          ...(f.review.updatedBy
            ? [
                {
                  text: `${f.review.updatedBy}, ${f.review.updatedAt ? utc(Date.parse(f.review.updatedAt) / 1000) : ""}`,
                  size: SIZE.caption,
                  color: FAINT,
                },
              ]
            : []),
        ],
      },
    ],
    review.findings,
    width,
  );
  return {
    segments: [
      { blocks, table: { ...table, continued: paragraph([{ text: "Review and sign-off (continued)", face: "bold", size: SIZE.h2 }], width, 4) } },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Findings

function findingsSection(detail: TChainDetail, paper: TPaper): TSection {
  const width = contentW(paper);
  const byJti = new Map(detail.events.map((e) => [e.jti, e]));
  // The same sentences as the dashboard (lib/ui/finding-sentence.ts), in UTC at generation time.
  const nameById = new Map(detail.nodes.map((n) => [n.id, n.name ?? n.id]));
  const sentenceOf = chainFindingSentencer(detail.events, (id) => nameById.get(id) ?? id, new Date(detail.generatedAt), "utc");
  const intro: TBlock[] = [
    heading("Findings", width),
    paragraph(
      [
        { text: "What “verified” proves, and what it does not", face: "bold", size: SIZE.small },
        { text: VERIFIED_STATEMENT, size: SIZE.small, color: MUTED },
      ],
      width,
      10,
    ),
  ];
  if (detail.findings.length === 0) {
    intro.push(
      paragraph(
        [
          {
            text: "No findings. Every hop is signed by the principal who made it, narrower than its parent, bound to a purpose that derives from the human's, and closed with evidence.",
          },
        ],
        width,
      ),
    );
    return { segments: [{ blocks: intro }] };
  }
  const codes = [...new Set(detail.findings.map((f) => f.code))].sort(
    (a, b) => severityRank(FINDING_SEVERITY[a]) - severityRank(FINDING_SEVERITY[b]) || FINDING_CODES.indexOf(a) - FINDING_CODES.indexOf(b),
  );
  intro.push(
    paragraph(
      [
        {
          text: `${plural(detail.findings.length, "finding")} of ${plural(codes.length, "kind")}, worst first. Critical and error findings make the chain a violation; warnings ask for attention. Each kind is explained once, then every occurrence is listed with what the verifier saw.`,
          size: SIZE.small,
          color: MUTED,
        },
      ],
      width,
      4,
    ),
  );
  const segments = codes.map((code, i) => {
    const sev = FINDING_SEVERITY[code];
    const s = SEVERITY_COLOR[sev];
    const list = detail.findings.filter((f) => f.code === code).sort((a, b) => (byJti.get(a.eventJti)?.seq ?? 0) - (byJti.get(b.eventJti)?.seq ?? 0));
    const title = textBlock(
      [
        { text: `${SEVERITY_MARK[sev]} ${s.word.toUpperCase()} · ${FINDING_INFO[code]?.name ?? code}`, face: "bold", size: SIZE.h2, color: s.ink },
        {
          text: `${code} · ${plural(list.length, "occurrence")}${list.some((f) => f.isReadTime) ? " · judged when this report was generated" : ""}`,
          face: "mono",
          size: SIZE.mono,
          color: MUTED,
        },
        { text: FINDING_INFO[code]?.explain ?? "", size: SIZE.small },
      ],
      width - 12,
    );
    const block: TBlock = {
      node: (
        <View
          style={{
            marginTop: i === 0 ? 4 : 12,
            marginBottom: 4,
            paddingLeft: 9,
            paddingVertical: 2,
            borderLeftWidth: 2.5,
            borderLeftColor: s.stroke,
          }}
        >
          {title.node}
        </View>
      ),
      height: title.height + 4 + (i === 0 ? 4 : 12) + 4,
    };
    const table = tableBlocks<TChainFinding>(
      [
        {
          title: "Event",
          weight: 30,
          parts: (f) => {
            const e = byJti.get(f.eventJti);
            return [
              { text: f.eventJti, face: "mono", size: SIZE.caption },
              { text: e ? `${e.kind} · seq ${e.seq} · by ${e.iss}` : "", size: SIZE.caption, color: FAINT },
            ];
          },
        },
        {
          title: "What happened · what the verifier saw",
          weight: 70,
          parts: (f) => {
            const sentence = sentenceOf(f);
            return sentence
              ? [
                  { text: `${sentenceText(sentence)}.`, size: SIZE.caption, face: "bold" },
                  { text: f.message, size: SIZE.caption, color: FAINT },
                ]
              : [{ text: f.message, size: SIZE.caption }];
          },
        },
      ],
      list,
      width,
    );
    return {
      blocks: [block],
      table: {
        ...table,
        continued: paragraph([{ text: `${FINDING_INFO[code]?.name ?? code} (continued)`, face: "bold", size: SIZE.h2, color: s.ink }], width, 4),
      },
    };
  });
  return { segments: [{ blocks: intro }, ...segments] };
}

// ---------------------------------------------------------------------------------------------
// Hops

function hopsSection(detail: TChainDetail, paper: TPaper, who: TNames): TSection {
  const width = contentW(paper, true);
  const index = new Map(detail.hops.map((h, i) => [h.jti, i + 1]));
  const table = tableBlocks<THop>(
    [
      {
        title: "#",
        weight: 4,
        parts: (h) => [
          { text: String(index.get(h.jti)), face: "bold", size: SIZE.table },
          {
            text: h.kind === "authorize" ? "root" : `of #${h.parent && index.has(h.parent) ? index.get(h.parent) : "?"}`,
            size: SIZE.caption,
            color: FAINT,
          },
          { text: h.depth === null ? "d ?" : `d ${h.depth}`, size: SIZE.caption, color: FAINT },
        ],
      },
      {
        title: "From → to",
        weight: 20,
        parts: (h) => [
          { text: `${who.label(h.from)} → ${who.label(h.to)}`, face: "bold", size: SIZE.table },
          {
            text: [
              `jti ${h.jti}`,
              h.maxDepth !== null ? `max depth ${h.maxDepth}` : "",
              h.status === "pending" ? "PENDING" : "",
              h.revokedAt !== null ? `REVOKED ${utc(h.revokedAt)}` : "",
            ]
              .filter(Boolean)
              .join(" · "),
            face: "mono",
            size: SIZE.caption,
            color: h.revokedAt !== null || h.status === "pending" ? INK : FAINT,
          },
        ],
      },
      {
        title: "Findings",
        weight: 12,
        parts: (h) =>
          h.findings.length
            ? h.findings.map((f) => severityPart(f.severity, `${FINDING_INFO[f.code]?.name ?? f.code}`, SIZE.caption))
            : [{ text: "✓ none", size: SIZE.caption, color: GREEN }],
      },
      { title: "Scope granted", weight: 14, parts: (h) => [{ text: h.scope.join("\n"), face: "mono", size: SIZE.mono }] },
      {
        title: "Change vs parent",
        weight: 12,
        parts: (h): TPart[] =>
          h.kind === "authorize"
            ? [{ text: "Root: the human's own decision", size: SIZE.caption, color: MUTED }]
            : h.scopeRemoved.length === 0 && h.scopeAdded.length === 0
              ? [{ text: "Same as the parent: not narrowed", size: SIZE.caption, color: SEVERITY_COLOR.warning.ink }]
              : [
                  ...(h.scopeRemoved.length
                    ? [{ text: h.scopeRemoved.map((s) => `−\u00a0${s}`).join("\n"), face: "mono" as const, size: SIZE.mono, color: MUTED }]
                    : []),
                  ...(h.scopeAdded.length
                    ? [
                        {
                          text: h.scopeAdded.map((s) => `+\u00a0${s}`).join("\n"),
                          face: "mono" as const,
                          size: SIZE.mono,
                          color: SEVERITY_COLOR.critical.ink,
                        },
                      ]
                    : []),
                  ...(h.scopeAdded.length
                    ? [{ text: "escalation", face: "bold" as const, size: SIZE.caption, color: SEVERITY_COLOR.critical.ink }]
                    : []),
                ],
      },
      {
        title: "Purpose",
        weight: 13,
        parts: (h) => {
          const eff = h.effectiveConstraints;
          const constraints = [
            eff.data ? `data: ${eff.data.length ? eff.data.join(", ") : "none"}` : "",
            eff.egress ? `egress: ${eff.egress.length ? eff.egress.join(", ") : "none"}` : "",
          ]
            .filter(Boolean)
            .join("\n");
          return [
            { text: h.purpose.code, face: "mono", size: SIZE.mono },
            { text: h.purpose.text, size: SIZE.caption, color: MUTED },
            { text: constraints, face: "mono", size: SIZE.caption, color: FAINT },
          ];
        },
      },
      {
        title: "Expires (UTC)",
        weight: 8,
        parts: (h) => [{ text: utc(h.exp).replace(" UTC", ""), size: SIZE.caption, color: INK }],
      },
      {
        title: "Signature",
        weight: 10,
        parts: (h) => [
          { text: `✓ ${h.signature.alg} verified`, face: "bold", size: SIZE.caption, color: GREEN },
          { text: `kid ${h.signature.kid}`, face: "mono", size: SIZE.caption, color: MUTED },
        ],
      },
      {
        title: "Completion evidence · actions",
        weight: 17,
        parts: (h) => {
          const out: TPart[] = [];
          if (h.completions.length === 0) {
            const broken = h.findings.some((f) => f.code === "missing_evidence");
            out.push({
              text: broken ? "▲ None, and the grant has expired: broken audit trail" : "None yet",
              face: broken ? "bold" : "sans",
              size: SIZE.caption,
              color: broken ? SEVERITY_COLOR.warning.ink : MUTED,
            });
          }
          for (const c of h.completions) {
            const att = c.attestation ? (ATTESTATION_LABEL[c.attestation]?.name ?? c.attestation) : "signer not allowed";
            out.push({
              text: `${c.status === "completed" ? "✓" : c.status === "failed" ? "✕" : "◐"} ${c.status} · ${att} · by ${c.iss}`,
              face: "bold",
              size: SIZE.caption,
              color: c.attestation ? INK : SEVERITY_COLOR.error.ink,
            });
            out.push({ text: `result ${shortHash(c.resultHash)}`, face: "mono", size: SIZE.caption, color: FAINT });
            if (c.evidence?.summary) out.push({ text: `“${c.evidence.summary}”`, face: "italic", size: SIZE.caption, color: MUTED });
            for (const a of c.evidence?.artifacts ?? [])
              out.push({ text: `${a.name} ${shortHash(a.hash)}`, face: "mono", size: SIZE.caption, color: FAINT });
          }
          if (h.invocations.length) {
            out.push({ text: `${plural(h.invocations.length, "action")}:`, face: "bold", size: SIZE.caption, color: INK });
            for (const inv of h.invocations)
              out.push({
                text: `${inv.action} on ${inv.resource}${inv.findings.length ? ` — ${inv.findings.map((f) => `${SEVERITY_MARK[f.severity]} ${FINDING_INFO[f.code]?.name ?? f.code}`).join(", ")}` : ""}`,
                face: "mono",
                size: SIZE.caption,
                color: inv.findings.length ? SEVERITY_COLOR[inv.findings[0].severity].ink : MUTED,
              });
          }
          return out;
        },
      },
    ],
    detail.hops,
    width,
    { zebra: true },
  );
  return {
    landscape: true,
    segments: [
      {
        blocks: [
          heading("Hops", width),
          paragraph(
            [
              {
                text: `${plural(detail.hops.length, "grant")} in ledger order: who gave what to whom (# of the parent hop, d = depth from the human), how it changed from the parent (“−” not passed on, “+” added: an escalation), for which purpose and constraints, until when, how it was signed (key thumbprints in the appendix), and what came back. Findings are explained under Findings.`,
                size: SIZE.small,
                color: MUTED,
              },
            ],
            width,
          ),
        ],
        table: { ...table, continued: paragraph([{ text: "Hops (continued)", face: "bold", size: SIZE.h2 }], width, 4) },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Timeline and appendix

function eventWhat(e: TChainEvent): TPart[] {
  const c = e.claims;
  switch (c.kind) {
    case "authorize":
    case "delegate":
      return [
        { text: c.scope.join(" "), face: "mono", size: SIZE.mono },
        { text: `${c.purpose.code} · until ${utc(c.exp)}`, size: SIZE.caption, color: MUTED },
      ];
    case "invoke":
      return [
        { text: `${c.action} on ${c.resource}`, face: "mono", size: SIZE.mono },
        {
          text: [c.purpose ? `purpose ${c.purpose}` : "", c.data?.length ? `data ${c.data.join(", ")}` : ""].filter(Boolean).join(" · "),
          size: SIZE.caption,
          color: MUTED,
        },
      ];
    case "complete":
      return [
        { text: `${c.status} · ${c.result_hash}`, face: "mono", size: SIZE.mono },
        { text: c.evidence?.summary ? `“${c.evidence.summary}”` : "", face: "italic", size: SIZE.caption, color: MUTED },
      ];
    case "revoke":
      return [
        { text: `revokes ${c.target}`, face: "mono", size: SIZE.mono },
        { text: c.reason ? `“${c.reason}”` : "", face: "italic", size: SIZE.caption, color: MUTED },
      ];
  }
}

function eventWho(e: TChainEvent): string {
  const c = e.claims;
  if (c.kind === "authorize" || c.kind === "delegate") return `${c.iss} → ${c.aud}`;
  if (c.kind === "invoke") return `${c.iss}${c.grant ? ` under ${c.grant}` : " (no grant)"}`;
  if (c.kind === "complete") return `${c.iss} for ${c.grant}`;
  return `${c.iss} revokes ${c.target}`;
}

function timelineSection(detail: TChainDetail, paper: TPaper, refused: TChainReportData["refused"]): TSection {
  const width = contentW(paper, true);
  const table = tableBlocks<TChainEvent>(
    [
      { title: "Seq", weight: 4.5, parts: (e) => [{ text: String(e.seq), size: SIZE.table }] },
      { title: "Signed (UTC)", weight: 10.5, parts: (e) => [{ text: utc(e.iat).replace(" UTC", ""), size: SIZE.table }] },
      {
        title: "Event",
        weight: 7,
        parts: (e) => [{ text: `${e.kind}${e.status === "pending" ? " (pending)" : ""}`, face: "bold", size: SIZE.table }],
      },
      { title: "jti", weight: 15, parts: (e) => [{ text: e.jti, face: "mono", size: SIZE.caption, color: MUTED }] },
      { title: "Who", weight: 22, parts: (e) => [{ text: eventWho(e), face: "mono", size: SIZE.mono }] },
      { title: "What", weight: 26, parts: eventWhat },
      {
        title: "Verdict",
        weight: 15,
        parts: (e) =>
          e.findings.length === 0
            ? [{ text: e.status === "pending" ? "○ pending" : "✓ no finding", size: SIZE.table, color: e.status === "pending" ? MUTED : GREEN }]
            : e.findings.map((f) => severityPart(f.severity, FINDING_INFO[f.code]?.name ?? f.code)),
      },
    ],
    detail.events,
    width,
    { zebra: true },
  );
  return {
    landscape: true,
    segments: [
      {
        blocks: [
          heading("Timeline", width),
          paragraph(
            [
              {
                text: `All ${plural(detail.events.length, "signed event")} of the chain in ledger order (seq), with the time each was signed (iat) and the verifier's verdict.`,
                size: SIZE.small,
                color: MUTED,
              },
            ],
            width,
          ),
        ],
        table: { ...table, continued: paragraph([{ text: "Timeline (continued)", face: "bold", size: SIZE.h2 }], width, 4) },
      },
      ...(refused.total > 0 ? [refusedSegment(refused, width)] : []),
    ],
  };
}

/** Submissions refused at ingest that named this chain: part of its story, never of the chain. */
function refusedSegment(refused: TChainReportData["refused"], width: number): TSection["segments"][number] {
  const table = tableBlocks<TChainReportData["refused"]["items"][number]>(
    [
      { title: "Received (UTC)", weight: 12, parts: (r) => [{ text: utc(r.receivedAt).replace(" UTC", ""), size: SIZE.table }] },
      { title: "Claimed jti", weight: 22, parts: (r) => [{ text: r.jti ?? "—", face: "mono", size: SIZE.caption, color: MUTED }] },
      { title: "Reason", weight: 14, parts: (r) => [{ text: r.code, face: "mono", size: SIZE.mono }] },
      { title: "Verifier's message", weight: 52, parts: (r) => [{ text: r.message, size: SIZE.caption }] },
    ],
    refused.items,
    width,
    { zebra: true },
  );
  const more = refused.total > refused.items.length ? ` The newest ${refused.items.length} are listed.` : "";
  return {
    blocks: [
      spacer(6),
      subheading(`Refused at ingest (${refused.total})`, width),
      paragraph(
        [
          {
            text: `Submissions whose payload names this chain but that the verifier refused, so they are not part of it (for example an event signed with a key revoked before it arrived). The chain is read from the refused token without verifying it.${more} The raw submissions are in the quarantine.`,
            size: SIZE.small,
            color: MUTED,
          },
        ],
        width,
      ),
    ],
    table: { ...table, continued: paragraph([{ text: "Refused at ingest (continued)", face: "bold", size: SIZE.h2 }], width, 4) },
  };
}

function appendixSection(data: TChainReportData, paper: TPaper): TSection {
  const { detail } = data;
  const width = contentW(paper, true);
  const tokens = tableBlocks<TChainEvent>(
    [
      { title: "Seq", weight: 4.5, parts: (e) => [{ text: String(e.seq), size: SIZE.caption }] },
      { title: "jti", weight: 21.5, parts: (e) => [{ text: e.jti, face: "mono", size: SIZE.caption }] },
      { title: "Token SHA-256", weight: 37, parts: (e) => [{ text: e.tokenSha256, face: "mono", size: SIZE.caption }] },
      { title: "Ledger hash", weight: 37, parts: (e) => [{ text: e.hash, face: "mono", size: SIZE.caption }] },
    ],
    detail.events,
    width,
  );
  const keys = tableBlocks<TChainReportData["keys"][number]>(
    [
      { title: "Principal", weight: 32, parts: (k) => [{ text: k.principalId, face: "mono", size: SIZE.caption }] },
      { title: "kid", weight: 20, parts: (k) => [{ text: k.kid, face: "mono", size: SIZE.caption }] },
      { title: "Type", weight: 9, parts: (k) => [{ text: [k.kty, k.crv].filter(Boolean).join(" "), size: SIZE.caption }] },
      { title: "Thumbprint (RFC 7638)", weight: 27, parts: (k) => [{ text: k.thumbprint, face: "mono", size: SIZE.caption }] },
      { title: "Revoked", weight: 12, parts: (k) => [{ text: k.revokedAt === null ? "—" : utc(k.revokedAt), size: SIZE.caption }] },
    ],
    data.keys,
    width,
  );
  const people = tableBlocks<TChainDetail["nodes"][number]>(
    [
      { title: "Principal id", weight: 45, parts: (n) => [{ text: n.id, face: "mono", size: SIZE.mono }] },
      { title: "Kind", weight: 10, parts: (n) => [{ text: n.kind, size: SIZE.table }] },
      { title: "Name", weight: 45, parts: (n) => [{ text: n.name ?? "—", size: SIZE.table }] },
    ],
    detail.nodes.filter((n) => n.kind !== "resource"),
    width,
  );
  const cont = (t: string) => paragraph([{ text: `${t} (continued)`, face: "bold", size: SIZE.h2 }], width, 4);
  return {
    landscape: true,
    segments: [
      {
        blocks: [
          heading("Appendix: hashes, keys and principals", width),
          paragraph(
            [
              {
                text: "A. Each token's SHA-256 (of the raw token exactly as received) and its ledger hash, sha256(prev_hash + “\\n” + token). B. The public keys that verified the signatures, by RFC 7638 thumbprint. C. Every principal in the chain. These values match the evidence bundle and the ledger.",
                size: SIZE.small,
                color: MUTED,
              },
            ],
            width,
          ),
          subheading("A. Tokens", width),
        ],
        table: { ...tokens, continued: cont("A. Tokens") },
      },
      { blocks: [spacer(4), subheading("B. Signing keys", width)], table: { ...keys, continued: cont("B. Signing keys") } },
      { blocks: [spacer(4), subheading("C. Principals", width)], table: { ...people, continued: cont("C. Principals") } },
    ],
  };
}

// ---------------------------------------------------------------------------------------------

export function ChainReport({ data, opts }: { data: TChainReportData; opts: TChainReportOptions }) {
  const { detail } = data;
  const who = names(detail);
  const header = {
    left: "Delegraph · Delegation chain audit report",
    right: `chain ${detail.id.length > 60 ? `${detail.id.slice(0, 59)}…` : detail.id}`,
  };
  const footer = `Document ${documentId(data.evidence.digest)} · generated ${utc(detail.generatedAt)} · ledger seq ${detail.ledgerHead.seq} · ${opts.paper === "A4" ? "A4" : "US Letter"}`;
  const review = reviewSection(data, opts.paper);
  const sections: TSection[] = [
    ...(opts.graph.table ? [authorityPathSection(detail, opts.paper, who)] : []),
    ...(review ? [review] : []),
    findingsSection(detail, opts.paper),
    hopsSection(detail, opts.paper, who),
    timelineSection(detail, opts.paper, data.refused),
    appendixSection(data, opts.paper),
  ];
  const graph = opts.graph.view ? 1 : 0;
  const paged = sections.map((s) => paginate(s, opts.paper));
  const cover = opts.coverPages ?? 1;
  const total = cover + graph + paged.reduce((n, p) => n + p.length, 0);
  const firsts = paged.map((_, i) => cover + graph + 1 + paged.slice(0, i).reduce((n, p) => n + p.length, 0));
  return (
    <Document
      title={`Delegation chain audit report: ${detail.id}`}
      author="Delegraph"
      subject={`Chain ${detail.id}`}
      creator="Delegraph"
      producer="Delegraph"
      language="en"
    >
      <ReportPage paper={opts.paper} header={header} footer={footer} onSplit={opts.onCoverPages}>
        <Cover data={data} opts={opts} who={who} />
      </ReportPage>
      {opts.graph.view && (
        <GraphPage
          view={opts.graph.view}
          table={opts.graph.table}
          paper={opts.paper}
          header={header}
          footer={footer}
          number={{ page: cover + 1, total }}
        />
      )}
      {sections.map((s, i) => (
        <SectionPages
          key={i}
          pages={paged[i]}
          landscape={s.landscape}
          paper={opts.paper}
          header={header}
          footer={footer}
          firstPage={firsts[i]}
          total={total}
        />
      ))}
    </Document>
  );
}

/** How many pages the report will have: the cover, the graph pages and each paginated section. */
export function plannedPageCount(data: TChainReportData, opts: TChainReportOptions): number {
  return (
    1 +
    (opts.graph.view ? 1 : 0) +
    Object.values(sectionsFor(data, opts.paper, opts.graph.table)).reduce((n, s) => n + paginate(s, opts.paper).length, 0)
  );
}

/** The paginated sections by name (profiling and tests). */
export function sectionsFor(data: TChainReportData, paper: TPaper, authorityPath = false): Record<string, TSection> {
  const who = names(data.detail);
  const review = reviewSection(data, paper);
  return {
    ...(authorityPath ? { authorityPath: authorityPathSection(data.detail, paper, who) } : {}),
    ...(review ? { review } : {}),
    findings: findingsSection(data.detail, paper),
    hops: hopsSection(data.detail, paper, who),
    timeline: timelineSection(data.detail, paper, data.refused),
    appendix: appendixSection(data, paper),
  };
}
