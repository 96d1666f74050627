"use client";
// What an observed chain is made of (docs/observed.md): who the principal is and who asserts it,
// what joined its traces, and every observed edge with its calls. Nothing here is verified: the
// panel says so first, and each acting edge carries its `unauthorized_activity` warning (where
// signed delegation is missing).
import Link from "next/link";
import type { TChainDetail, TObservedChain, TObservedEdge } from "@/lib/contracts/chains";
import type { TObservedCall } from "@/lib/observed/types";
import { observedEdgeLabel } from "@/lib/ui/graph/observed-graph";
import { plural } from "@/lib/ui/format";
import { SOURCE_LABEL } from "@/lib/ui/sources";
import { FreeText } from "@/components/ui/free-text";
import { chainHref } from "../chains/chain-links";
import { IconClose } from "../ui/icons";
import { FindingBadge } from "../ui/severity";
import { Time } from "../ui/time";

const OUTCOME_STYLE: Record<TObservedEdge["outcome"], string> = {
  completed: "bg-slate-100 text-slate-700",
  failed: "bg-orange-100 text-orange-800",
  pending: "bg-blue-50 text-blue-800",
};

function Outcome({ outcome }: { outcome: TObservedEdge["outcome"] }) {
  return <span className={`rounded px-1.5 py-0.5 text-[11px] font-medium ${OUTCOME_STYLE[outcome]}`}>{outcome}</span>;
}

const labelOf = (chain: TObservedChain) => {
  const m = new Map(chain.nodes.map((n) => [n.id, n.label] as const));
  return (id: string) => m.get(id) ?? id;
};

/** The banner every observed chain shows first: observed, not verified, and from where. */
export function ObservedBanner({ detail }: { detail: TChainDetail }) {
  const chain = detail.observed!;
  const source = SOURCE_LABEL[detail.source];
  return (
    <div
      className="border-b border-dashed border-slate-300 bg-slate-50 px-6 py-2 text-sm break-words text-slate-700"
      role="note"
      data-testid="observed-banner"
    >
      <strong className="font-semibold">Observed, not verified.</strong> {source.long.replace(/, not verified$/, "")}: dashed edges are what the
      traffic claims, and no signature backs them.{" "}
      {chain.principal.kind === "asserted" ? (
        <span>
          Principal <FreeText value={chain.principal.userIds.join(", ")} /> asserted by <FreeText value={chain.principal.assertedBy.join(", ")} />.
        </span>
      ) : (
        <span>Unknown principal: no producer asserted a user.</span>
      )}
      {chain.settling && <span className="ml-1 text-slate-500 italic">Still settling: spans arrived in the last 30 s.</span>}
    </div>
  );
}

/**
 * The comparison the issue asks for: what the telemetry shows today against what signed delegation
 * would add, with this chain's own figures (how many acting steps a signed event describes).
 */
export function SigningWouldAdd({ detail }: { detail: TChainDetail }) {
  const chain = detail.observed!;
  const acting = chain.edges.filter((e) => e.kind !== "root");
  const covered = new Set((detail.observedSigned ?? []).map((m) => m.edgeId));
  const signed = acting.filter((e) => covered.has(e.id)).length;
  const source = SOURCE_LABEL[detail.source].word;
  const agents = chain.nodes.filter((n) => n.kind === "agent" || n.kind === "workflow").length;
  const rows: [string, string, string][] = [
    [
      "Who acted",
      `${plural(agents, "agent")} named by ${source}: any process can claim a name`,
      "each agent signs its calls with its own registered key",
    ],
    [
      "Who authorized it",
      chain.principal.kind === "asserted"
        ? `${chain.principal.userIds.join(", ")}, asserted by ${chain.principal.assertedBy.join(", ")}, not signed`
        : "unknown principal: no producer asserted a user",
      "a human signs the root grant, and every hop names the grant it comes from",
    ],
    ["What was allowed", "nothing says what an agent may do", "scopes and constraints checked on every call (ghost_permission, scope_drift)"],
    ["For how long", "no expiry, no revocation", "expiry and revocation checked (expired_grant, revoked grants)"],
    ["Evidence", "spans and captures as received", "a hash-chained ledger and an evidence bundle anyone can verify offline"],
  ];
  return (
    <section
      className="rounded border border-dashed border-slate-300 bg-white p-3 text-sm"
      aria-labelledby="signing-would-add"
      data-testid="observed-compare"
    >
      <h2 id="signing-would-add" className="font-semibold text-slate-900">
        What signing would add
      </h2>
      <p className="mt-1 text-slate-700" data-testid="observed-compare-count">
        Signed events describe {signed} of {plural(acting.length, "observed step")}; {acting.length - signed}{" "}
        {acting.length - signed === 1 ? "is" : "are"} observed only (unauthorized_activity).
      </p>
      <dl className="mt-2 grid grid-cols-1 gap-x-4 gap-y-1 text-xs sm:grid-cols-[9rem_1fr_1fr]">
        <dt className="hidden font-medium text-slate-500 sm:block" aria-hidden="true" />
        <dd className="hidden font-medium text-slate-500 sm:block">Observed today</dd>
        <dd className="hidden font-medium text-slate-500 sm:block">With signed delegation</dd>
        {rows.map(([what, today, signedText]) => (
          <div key={what} className="contents">
            <dt className="pt-1 font-medium text-slate-800 sm:pt-0">{what}</dt>
            <dd className="text-slate-600">
              <span className="sm:hidden">Observed: </span>
              {today}
            </dd>
            <dd className="text-slate-800">
              <span className="sm:hidden">Signed: </span>
              {signedText}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** Every observed edge, oldest first: the "Calls" tab. */
export function ObservedCalls({
  detail,
  selectedId,
  onSelect,
}: {
  detail: TChainDetail;
  selectedId: string | null;
  onSelect: (id: string | null) => void;
}) {
  const chain = detail.observed!;
  const name = labelOf(chain);
  if (chain.edges.length === 0) return <p className="p-6 text-sm text-slate-500">No observed calls in this chain.</p>;
  const signedEdges = new Set((detail.observedSigned ?? []).map((m) => m.edgeId));
  return (
    <div className="h-full space-y-4 overflow-auto p-4">
      <SigningWouldAdd detail={detail} />
      <table className="w-full min-w-[560px] border-collapse text-sm">
        <thead>
          <tr className="border-b border-slate-200 text-left text-xs text-slate-500">
            <th className="py-1.5 pr-3 font-medium">From</th>
            <th className="py-1.5 pr-3 font-medium">Observed</th>
            <th className="py-1.5 pr-3 font-medium">To</th>
            <th className="py-1.5 pr-3 font-medium">Latest</th>
            <th className="py-1.5 pr-3 font-medium">Signed</th>
            <th className="py-1.5 font-medium">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {chain.edges.map((e) => (
            <tr
              key={e.id}
              className={`cursor-pointer border-b border-dashed border-slate-200 hover:bg-slate-50 ${selectedId === e.id ? "bg-blue-50" : ""}`}
              onClick={() => onSelect(e.id)}
              data-testid="observed-call-row"
            >
              <td className="py-1.5 pr-3 break-all">
                <FreeText value={name(e.from)} />
              </td>
              <td className="py-1.5 pr-3 text-slate-600">{observedEdgeLabel(e)}</td>
              <td className="py-1.5 pr-3 break-all">
                <FreeText value={name(e.to)} />
              </td>
              <td className="py-1.5 pr-3">
                <Outcome outcome={e.outcome} />
              </td>
              <td className="py-1.5 pr-3 text-xs">
                {e.kind === "root" ? (
                  <span className="text-slate-500">–</span>
                ) : signedEdges.has(e.id) ? (
                  <span className="font-medium text-slate-800">signed beside</span>
                ) : (
                  <span className="text-slate-500">no</span>
                )}
              </td>
              <td className="py-1.5 text-xs text-slate-500">
                <Time t={e.lastMs / 1000} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** An AIP token presented with a captured call: the invoke it became, or why it was refused. */
function CallAip({ call, detail }: { call: TObservedCall; detail: TChainDetail }) {
  const aip = call.aip!;
  if (aip.rejected !== null)
    return (
      <div className="mt-1 text-orange-800" data-testid="call-aip">
        AIP token ({aip.from}) not verified: <FreeText value={aip.rejected} />. The call stays observed: dashed, not counted as verified.
      </div>
    );
  const m = (detail.observedSigned ?? []).find((x) => x.traceparent.slice(3, 52) === `${call.traceId}-${call.spanId}`);
  if (!m)
    return (
      <div className="mt-1 text-slate-600" data-testid="call-aip">
        AIP token ({aip.from}) presented; no signed invoke recorded for it.
      </div>
    );
  return (
    <div className="mt-1 text-slate-800" data-testid="call-aip">
      AIP token ({aip.from}) verified: this call is invoke{" "}
      <Link href={chainHref(m.chainId, { hop: m.jti })} className="link font-mono break-all">
        {m.jti.slice(0, 20)}…
      </Link>{" "}
      by <FreeText value={m.iss} />, drawn solid beside it.
    </div>
  );
}

/** One observed edge, selected on the graph or in the Calls tab. */
export function ObservedInspector({ detail, edgeId, onSelect }: { detail: TChainDetail; edgeId: string; onSelect: (id: string | null) => void }) {
  const chain = detail.observed!;
  const name = labelOf(chain);
  const edge = chain.edges.find((e) => e.id === edgeId);
  const finding = detail.findings.find((f) => f.eventJti === edgeId);
  return (
    <aside className="flex h-full flex-col border-l border-slate-200 bg-white" aria-label="Observed edge" data-testid="observed-inspector">
      <div className="flex items-center justify-between border-b border-slate-200 px-4 py-2.5">
        <h2 className="text-sm font-semibold text-slate-900">Observed {edge ? observedEdgeLabel(edge) : "edge"}</h2>
        <button type="button" onClick={() => onSelect(null)} className="rounded p-1 text-slate-500 hover:bg-slate-100" aria-label="Close">
          <IconClose size={14} />
        </button>
      </div>
      {!edge ? (
        <p className="p-4 text-sm text-slate-500">This edge is not in the chain any more.</p>
      ) : (
        <div className="min-h-0 flex-1 space-y-3 overflow-auto p-4 text-sm">
          <p className="text-slate-800">
            <strong className="font-semibold break-all">
              <FreeText value={name(edge.from)} />
            </strong>{" "}
            →{" "}
            <strong className="font-semibold break-all">
              <FreeText value={name(edge.to)} />
            </strong>
            : {plural(edge.calls, "call")}
            {edge.failures > 0 ? `, ${edge.failures} failed` : ""}. <Outcome outcome={edge.outcome} />
          </p>
          <p className="rounded border border-dashed border-slate-300 bg-slate-50 px-2 py-1.5 text-xs text-slate-600">
            Observed from {SOURCE_LABEL[detail.source].word}, not signed: drawn dashed and never counted as verified.
          </p>
          {(detail.observedSigned ?? [])
            .filter((m) => m.edgeId === edge.id)
            .map((m) => (
              <p key={m.jti} className="rounded border border-slate-300 bg-white px-2 py-1.5 text-xs text-slate-700" data-testid="observed-signed">
                Signed beside it: <strong className="font-semibold">{m.kind}</strong>{" "}
                <Link href={chainHref(m.chainId, { hop: m.jti })} className="link font-mono break-all">
                  {m.jti}
                </Link>{" "}
                ({m.status}), traceparent <span className="font-mono break-all">{m.traceparent}</span>. Drawn solid beside this dashed edge.
              </p>
            ))}
          {finding && (
            <div className="space-y-1">
              <FindingBadge code={finding.code} />
              <p className="text-xs text-slate-600">
                <FreeText value={finding.message} />
              </p>
            </div>
          )}
          {edge.errorTypes.length > 0 && <p className="text-xs text-slate-600">Errors: {edge.errorTypes.join(", ")}</p>}
          <h3 className="pt-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">Calls</h3>
          <ul className="space-y-2">
            {edge.spans.map((c) => (
              <li key={`${c.traceId}/${c.spanId}`} className="rounded border border-dashed border-slate-300 p-2 text-xs">
                <div className="flex flex-wrap items-center gap-2">
                  <Outcome outcome={c.outcome} />
                  <Time t={c.startMs / 1000} mode="full" />
                  <span className="text-slate-500">{Math.max(0, Math.round(c.endMs - c.startMs))} ms</span>
                </div>
                <div className="mt-1 font-mono break-all text-slate-500">
                  trace {c.traceId} · span {c.spanId}
                </div>
                {c.errorType && <div className="mt-1 text-orange-800">error.type {c.errorType}</div>}
                {c.aip && <CallAip call={c} detail={detail} />}
                {Object.entries(c.contentDigests).map(([k, v]) => (
                  <div key={k} className="mt-1 font-mono break-all text-slate-500" title="Content kept as a digest only">
                    {k}: {v}
                  </div>
                ))}
              </li>
            ))}
          </ul>
          {edge.hiddenCalls > 0 && <p className="text-xs text-slate-500">{plural(edge.hiddenCalls, "earlier call")} counted, not listed.</p>}
          <h3 className="pt-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">Traces</h3>
          <ul className="font-mono text-xs break-all text-slate-500">
            {chain.traceIds.map((t) => (
              <li key={t}>{t}</li>
            ))}
          </ul>
          {chain.stitchedBy.length > 0 && (
            <p className="text-xs text-slate-500">Joined by {chain.stitchedBy.map((s) => `${s.kind.replace("_", " ")} ${s.value}`).join("; ")}</p>
          )}
        </div>
      )}
    </aside>
  );
}
