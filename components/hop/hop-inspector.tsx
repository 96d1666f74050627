"use client";
// The hop inspector, in the order people read it: what happened in one sentence, what is wrong,
// how the authority changed, the terms of the grant, the proof (signature), what was done with it,
// and finally the raw token. Every string from an event is rendered as text.
import { WrapId } from "@/components/ui/wrap-id";
import { useMemo, useState } from "react";
import Link from "next/link";
import type { TChainDetail, TChainEvent, TChainFinding, THop } from "@/lib/contracts/chains";
import { authorityPath, type TChainIndex, type TSelection } from "@/lib/ui/chain-selection";
import { ATTESTATION_LABEL, findingExplain, SEVERITY_ORDER, worstSeverity } from "@/lib/ui/findings";
import { formatRelative, plural } from "@/lib/ui/format";
import { eventSentence, hopSentence } from "@/lib/ui/hop-sentence";
import { useTimeZone } from "@/lib/ui/time-zone";
import { principalHref } from "../chains/chain-links";
import { CopyButton } from "../ui/copy-button";
import { IconCheck, IconChevronRight, IconClose } from "../ui/icons";
import { FindingBadge, SEVERITY_STYLE, SeverityBadge } from "../ui/severity";
import { Time } from "../ui/time";
import { Field, ScopeChip, Section } from "./section";
import { UsedMark } from "../least-privilege/used-mark";
import { hopUsage } from "@/lib/ui/least-privilege";
import { Sentence } from "./sentence";
import { AipSection } from "./aip-section";
import { FreeText } from "@/components/ui/free-text";
import { revealInvisible } from "@/lib/ui/invisible";
import { FindingReviewChip } from "../review/finding-review-chip";
import { useRawEvent } from "@/lib/ui/hooks/use-chain";
import { isApiError } from "@/lib/ui/fetcher";
import { FindingMessage } from "../ui/finding-message";
import type { TSentencePart } from "@/lib/ui/hop-sentence";
import { useFindingSentencer } from "@/lib/ui/hooks/use-finding-sentencer";

type TSentencer = (f: TChainFinding) => TSentencePart[] | null;

type TProps = {
  detail: TChainDetail;
  index: TChainIndex;
  selection: TSelection;
  nameOf: (id: string) => string;
  onSelect: (jti: string | null) => void;
};

export function HopInspector({ detail, index, selection, nameOf, onSelect }: TProps) {
  const { hop, event } = selection;
  const zone = useTimeZone();
  const sentenceOf = useFindingSentencer(detail, nameOf);
  const focusEvent = event && (!hop || event.jti !== hop.jti) ? event : null;
  const shown = focusEvent ?? (hop ? null : event);
  const title = shown
    ? `${shown.kind[0].toUpperCase()}${shown.kind.slice(1)} event`
    : hop
      ? hop.kind === "authorize"
        ? "Authorization"
        : "Delegation"
      : "Not found";

  return (
    <aside
      aria-label="Hop inspector"
      className="flex h-full w-full flex-col overflow-hidden border-l border-slate-200 bg-white"
      data-testid="hop-inspector"
    >
      <header className="flex items-start justify-between gap-2 border-b border-slate-200 px-5 py-3">
        <div className="min-w-0">
          <h2 className="text-sm font-semibold text-slate-900">{title}</h2>
          <p className="text-xs text-slate-600">
            <WrapId value={selection.jti} label="Copy id" />
          </p>
        </div>
        <button type="button" className="btn-ghost" onClick={() => onSelect(null)} aria-label="Close the hop inspector">
          <IconClose size={14} />
        </button>
      </header>
      <div className="min-h-0 flex-1 overflow-y-auto">
        {!hop && !event ? (
          <p className="px-5 py-4 text-sm text-slate-600">
            No event <code className="mono-chip">{selection.jti}</code> in this chain. The link may point to another chain, or the event has not
            arrived yet.
          </p>
        ) : (
          <>
            <AuthorityPath index={index} hop={hop} event={focusEvent} nameOf={nameOf} onSelect={onSelect} />
            {hop && <ReceivedSwitcher index={index} hop={hop} nameOf={nameOf} onSelect={onSelect} />}
            <div className="px-5 pt-2 pb-4">
              {focusEvent && (
                <p className="mb-2 text-[15px] leading-relaxed text-slate-700">
                  <Sentence parts={eventSentence(focusEvent, nameOf, new Date(), zone)} />.
                </p>
              )}
              {hop && (
                <p className={`leading-relaxed text-slate-700 ${focusEvent ? "text-sm" : "text-[15px]"}`}>
                  {focusEvent && <span className="text-slate-500">Under the grant: </span>}
                  <Sentence parts={hopSentence(hop, nameOf, new Date(), zone)} />.
                </p>
              )}
            </div>
            <FindingsSection hop={hop} event={focusEvent} onSelect={onSelect} sentenceOf={sentenceOf} />
            {hop?.aip && <AipSection hop={hop} />}
            {hop && <ScopeSection hop={hop} parent={hop.parent ? (index.hopsByJti.get(hop.parent) ?? null) : null} detail={detail} />}
            {hop && <TermsSection hop={hop} />}
            <SignatureSection event={event ?? (hop ? (index.eventsByJti.get(hop.jti) ?? null) : null)} hop={hop} nameOf={nameOf} />
            {hop && <WorkSection hop={hop} selectedJti={selection.jti} nameOf={nameOf} onSelect={onSelect} />}
            <RawSection
              events={[hop ? index.eventsByJti.get(hop.jti) : undefined, focusEvent ?? undefined].filter((e): e is TChainEvent => Boolean(e))}
            />
            <p className="px-5 pb-5 text-xs text-slate-500">
              Verdicts computed at <Time t={detail.generatedAt} mode="full" /> (recomputed whenever the chain changes).
            </p>
          </>
        )}
      </div>
    </aside>
  );
}

function AuthorityPath({
  index,
  hop,
  event,
  nameOf,
  onSelect,
}: {
  index: TChainIndex;
  hop: THop | null;
  event: TChainEvent | null;
  nameOf: (id: string) => string;
  onSelect: (jti: string) => void;
}) {
  const path = authorityPath(index, hop);
  if (path.length === 0) return null;
  const MAX = 6;
  const shown = path.length > MAX ? [...path.slice(0, 2), null, ...path.slice(-3)] : path;
  return (
    <nav aria-label="Authority path" className="px-5 pt-3">
      <h3 className="section-title mb-1">Authority path</h3>
      <ol className="flex flex-wrap items-center gap-x-1 gap-y-1 text-xs">
        <li>
          <span className="rounded border-2 border-slate-900 px-1.5 py-px font-medium text-slate-900">
            <FreeText value={nameOf(path[0].from)} />
          </span>
        </li>
        {shown.map((h, i) =>
          h === null ? (
            <li key={`gap-${i}`} className="text-slate-500">
              <IconChevronRight size={11} className="inline" /> {plural(path.length - 5, "more hop")}
            </li>
          ) : (
            <li key={h.jti} className="flex items-center gap-1">
              <IconChevronRight size={11} className="text-slate-500" />
              <button
                type="button"
                onClick={() => onSelect(h.jti)}
                className={`rounded border px-1.5 py-px ${h === hop && !event ? "border-blue-600 bg-blue-50 text-blue-900" : "border-slate-300 text-slate-700 hover:bg-slate-50"}`}
                title={`${h.kind} ${h.jti}`}
              >
                <FreeText value={nameOf(h.to)} />
              </button>
            </li>
          ),
        )}
        {event && (
          <li className="flex items-center gap-1">
            <IconChevronRight size={11} className="text-slate-500" />
            <span className="rounded border border-blue-600 bg-blue-50 px-1.5 py-px font-mono text-blue-900">{event.kind}</span>
          </li>
        )}
      </ol>
    </nav>
  );
}

/** A principal that received several grants: let the reader pick which one to inspect. */
function ReceivedSwitcher({
  index,
  hop,
  nameOf,
  onSelect,
}: {
  index: TChainIndex;
  hop: THop;
  nameOf: (id: string) => string;
  onSelect: (jti: string) => void;
}) {
  const received = index.hopsTo.get(hop.to) ?? [];
  if (received.length < 2) return null;
  return (
    <div className="mx-5 mt-3 rounded-md border border-slate-200 bg-slate-50 p-2 text-xs">
      <p className="mb-1 text-slate-600">
        <FreeText value={nameOf(hop.to)} /> received {received.length} grants in this chain:
      </p>
      <ul className="space-y-0.5">
        {received.slice(0, 20).map((h) => (
          <li key={h.jti}>
            <button
              type="button"
              onClick={() => onSelect(h.jti)}
              aria-current={h.jti === hop.jti ? "true" : undefined}
              className={`w-full truncate rounded px-1.5 py-0.5 text-left font-mono ${h.jti === hop.jti ? "bg-blue-100 text-blue-900" : "hover:bg-white"}`}
            >
              {h.purpose.code} · from {h.from}
            </button>
          </li>
        ))}
        {received.length > 20 && <li className="px-1.5 text-slate-500">and {received.length - 20} more (see the Timeline)</li>}
      </ul>
    </div>
  );
}

export function FindingRow({
  f,
  onSelect,
  showEvent,
  sentence,
}: {
  f: TChainFinding;
  onSelect: (jti: string) => void;
  showEvent: boolean;
  sentence: TSentencePart[] | null;
}) {
  return (
    <li className={`rounded-md border-l-4 bg-slate-50/70 px-3 py-2`} style={{ borderLeftColor: SEVERITY_STYLE[f.severity].stroke }}>
      <div className="flex flex-wrap items-center gap-1.5">
        <FindingBadge code={f.code} />
        <span className={`text-xs font-medium ${SEVERITY_STYLE[f.severity].text}`}>{SEVERITY_STYLE[f.severity].word}</span>
        {f.isReadTime && <span className="text-xs text-slate-500">(computed now, from the clock)</span>}
        <FindingReviewChip eventJti={f.eventJti} code={f.code} />
      </div>
      <div className="mt-1 text-sm text-slate-800">
        <FindingMessage parts={sentence} message={f.message} />
      </div>
      <p className="mt-1 text-xs text-slate-600">{findingExplain(f.code)}</p>
      {showEvent && (
        <button type="button" className="link mt-1 font-mono text-xs" onClick={() => onSelect(f.eventJti)}>
          on event {f.eventJti}
        </button>
      )}
    </li>
  );
}

function FindingsSection({
  hop,
  event,
  onSelect,
  sentenceOf,
}: {
  hop: THop | null;
  event: TChainEvent | null;
  onSelect: (jti: string) => void;
  sentenceOf: TSentencer;
}) {
  const list: TChainFinding[] = [...(event?.findings ?? []), ...(hop?.findings ?? [])];
  const seen = new Set<string>();
  const findings = list
    .filter((f) => {
      const k = `${f.eventJti}:${f.code}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  const underHop = hop ? hop.invocations.reduce((n, i) => n + i.findings.length, 0) : 0;
  return (
    <Section title={`Findings (${findings.length})`} id="insp-findings">
      {findings.length === 0 && !event && underHop > 0 ? (
        // Never a green check while the actions under this grant carry findings.
        <p className="text-sm text-slate-700">The grant itself carries no finding, but actions taken under it do.</p>
      ) : findings.length === 0 ? (
        <p className="flex items-center gap-1.5 text-sm text-green-800">
          <IconCheck size={14} /> No findings on this {event ? "event or its grant" : "grant"}.
        </p>
      ) : (
        <ul className="space-y-2">
          {findings.map((f) => (
            <FindingRow
              key={`${f.eventJti}:${f.code}`}
              f={f}
              onSelect={onSelect}
              showEvent={f.eventJti !== hop?.jti && f.eventJti !== event?.jti}
              sentence={sentenceOf(f)}
            />
          ))}
        </ul>
      )}
      {!event && underHop > 0 && (
        <p className="mt-2 text-xs text-slate-600">{plural(underHop, "more finding")} on actions taken under this grant (see Invocations below).</p>
      )}
    </Section>
  );
}

function ScopeSection({ hop, parent, detail }: { hop: THop; parent: THop | null; detail: TChainDetail }) {
  // Recomputed only when the chain or the hop changes, not on every render of the inspector.
  const usage = useMemo(() => hopUsage(hop, detail.hops, detail.id), [hop, detail.hops, detail.id]);
  return (
    <Section title="Scope" id="insp-scope">
      <div className="space-y-3">
        <div>
          <p className="mb-1 text-xs font-medium text-slate-600">Received ({hop.scope.length})</p>
          <ul className="flex flex-wrap gap-1" aria-label="Received scopes">
            {hop.scope.map((s) => (
              <li key={s} className="inline-flex items-center gap-1">
                <ScopeChip scope={s} />
                <UsedMark use={usage.used.find((u) => u.scope === s) ?? null} />
              </li>
            ))}
          </ul>
          <p className="mt-1 text-xs text-slate-500">
            {usage.unused.length === 0 ? "Every scope was used in this chain." : `${plural(usage.unused.length, "scope")} never used in this chain`}
            {usage.outside.length > 0 && `; ${plural(usage.outside.length, "action")} outside the grant`}.{" "}
            <Link href={`${principalHref(hop.to)}#least-privilege`} className="link">
              Least privilege of {hop.to}
            </Link>{" "}
            ·{" "}
            <Link href={`/least-privilege/compare?a=${encodeURIComponent(detail.id)}`} className="link">
              Compare with the suggested grants
            </Link>
          </p>
        </div>
        {hop.kind === "authorize" ? (
          <p className="text-xs text-slate-600">The root of the chain: this is everything the human authorized.</p>
        ) : (
          <>
            {hop.scopeAdded.length > 0 && (
              <div>
                <p className="mb-1 flex items-center gap-1 text-xs font-medium text-red-800">
                  <SeverityBadge severity="critical" /> Added: not covered by the parent (escalation)
                </p>
                <ul className="flex flex-wrap gap-1">
                  {hop.scopeAdded.map((s) => (
                    <li key={s}>
                      <ScopeChip scope={`+${s}`} tone="added" />
                    </li>
                  ))}
                </ul>
              </div>
            )}
            <div>
              <p className="mb-1 text-xs font-medium text-slate-600">Removed or narrowed vs the parent ({hop.scopeRemoved.length})</p>
              {hop.scopeRemoved.length ? (
                <ul className="flex flex-wrap gap-1">
                  {hop.scopeRemoved.map((s) => (
                    <li key={s}>
                      <ScopeChip scope={s} tone="removed" />
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="text-xs text-slate-500">
                  Nothing: the parent&apos;s authority was passed on {hop.scopeAdded.length ? "and extended" : "unchanged"}.
                </p>
              )}
            </div>
            {parent && (
              <details className="text-xs">
                <summary className="cursor-pointer text-slate-600">Parent&apos;s scope ({parent.scope.length})</summary>
                <ul className="mt-1 flex flex-wrap gap-1">
                  {parent.scope.map((s) => (
                    <li key={s}>
                      <ScopeChip scope={s} />
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </>
        )}
      </div>
    </Section>
  );
}

function List({ values }: { values: string[] | undefined }) {
  if (values === undefined) return <span className="text-slate-500">unconstrained</span>;
  if (values.length === 0) return <span className="text-slate-700">nothing allowed</span>;
  return (
    <span className="flex flex-wrap gap-1">
      {values.map((v) => (
        <code key={v} className="mono-chip">
          {v}
        </code>
      ))}
    </span>
  );
}

function TermsSection({ hop }: { hop: THop }) {
  const now = Date.now() / 1000;
  const expired = hop.exp < now;
  const own = hop.constraints;
  const eff = hop.effectiveConstraints;
  return (
    <Section title="Purpose and terms" id="insp-terms">
      <dl>
        <Field label="Purpose">
          <code className="font-mono text-[13px]">{hop.purpose.code}</code>
          <span className="mt-0.5 block whitespace-pre-wrap text-slate-600">
            “<FreeText value={hop.purpose.text} />”
          </span>
        </Field>
        <Field label="Data allowed">
          <List values={eff.data} />
          {own?.data && eff.data && own.data.length !== eff.data.length && (
            <span className="block text-xs text-slate-500">
              (asked for <FreeText value={own.data.join(", ")} />)
            </span>
          )}
        </Field>
        <Field label="Egress allowed">
          <List values={eff.egress} />
        </Field>
        <Field label="Issued">
          <Time t={hop.iat} mode="full" />
        </Field>
        <Field label="Expires">
          <Time t={hop.exp} mode="full" />{" "}
          <span className={expired ? "text-amber-800" : "text-slate-500"}>
            ({expired ? `expired ${formatRelative(hop.exp)}` : formatRelative(hop.exp)})
          </span>
        </Field>
        {hop.revokedAt !== null && (
          <Field label="Revoked">
            <span className="font-medium text-slate-900">
              <Time t={hop.revokedAt} mode="full" />
            </span>
          </Field>
        )}
        <Field label="Depth">
          {hop.depth === null ? (
            <span className="text-slate-500">unknown until the chain&apos;s root arrives</span>
          ) : (
            <span>
              {hop.depth} {hop.depth === 0 ? "(root)" : `hop${hop.depth === 1 ? "" : "s"} from the human`}
            </span>
          )}
          {hop.maxDepth !== null && (
            <span className="text-slate-500">
              ; may delegate {hop.maxDepth} more level{hop.maxDepth === 1 ? "" : "s"}
            </span>
          )}
        </Field>
        <Field label="Status">
          {hop.status === "pending" ? <span className="text-slate-700">pending (parent not received yet)</span> : <AcceptedStatus hop={hop} />}
        </Field>
      </dl>
    </Section>
  );
}

/**
 * "Accepted" alone reads as approval. Ingest accepts every well-signed event and the chain checks
 * judge it afterwards, so the status names both: accepted at ingest, and whether it violates policy.
 */
function AcceptedStatus({ hop }: { hop: THop }) {
  const worst = worstSeverity([...hop.findings, ...hop.invocations.flatMap((i) => i.findings)]);
  if (worst === "critical" || worst === "error")
    return (
      <span data-testid="hop-status">
        accepted at ingest · <strong className={`font-semibold ${SEVERITY_STYLE[worst].text}`}>violates policy</strong>
      </span>
    );
  if (worst === "warning") return <span data-testid="hop-status">accepted at ingest · with warnings</span>;
  return <span data-testid="hop-status">accepted at ingest · no findings</span>;
}

function SignatureSection({ event, hop, nameOf }: { event: TChainEvent | null; hop: THop | null; nameOf: (id: string) => string }) {
  const sig = event
    ? { alg: event.alg, kid: event.kid, thumbprint: event.keyThumbprint, signer: event.iss }
    : hop
      ? { alg: hop.signature.alg, kid: hop.signature.kid, thumbprint: hop.signature.thumbprint, signer: hop.from }
      : null;
  if (!sig) return null;
  const unverified = hop !== null && !hop.signature.verified && (!event || event.jti === hop.jti);
  return (
    <Section title="Signature" id="insp-signature">
      {unverified ? (
        <p className="mb-2 text-sm font-medium text-amber-800">
          Unverified: signed with an ephemeral key, not <FreeText value={nameOf(sig.signer)} />
          &apos;s own key (never counted as verified)
        </p>
      ) : (
        <p className="mb-2 text-sm font-medium text-green-800">
          ✓ Verified: signed with <FreeText value={nameOf(sig.signer)} />
          &apos;s registered key
        </p>
      )}
      {event?.keyRevokedNow != null && (
        // The signature was valid when the event was accepted; the key's later fate belongs beside it.
        <p className="mb-2 rounded-md border border-amber-300 bg-amber-50 px-2 py-1 text-sm text-amber-900" data-testid="key-revoked-later">
          {event.keyRevokedAt !== null ? (
            <>
              ⚠ Key revoked at <Time t={event.keyRevokedAt} mode="full" />, before this event arrived (signed earlier, at{" "}
              <Time t={event.iat} mode="full" />
              ).
            </>
          ) : (
            <>
              ✓ Valid at signing · key revoked later, at <Time t={event.keyRevokedNow} mode="full" />. Anything it signs from then on is refused.
            </>
          )}
        </p>
      )}
      <dl>
        <Field label="Signer">
          <Link href={principalHref(sig.signer)} className="link font-mono text-[13px]">
            {sig.signer}
          </Link>
        </Field>
        <Field label="Algorithm">
          <code className="font-mono text-[13px]">{sig.alg}</code>
        </Field>
        <Field label="Key id (kid)">
          <WrapId value={sig.kid} className="text-[13px]" />
        </Field>
        <Field label="Key thumbprint">
          {sig.thumbprint ? <WrapId value={sig.thumbprint} className="text-xs" /> : <span className="text-slate-500">not recorded</span>}
        </Field>
        {event && (
          <Field label="Ledger">
            <span className="text-slate-600">
              #{event.seq} · <code className="font-mono text-xs break-all">{event.hash.slice(0, 16)}…</code>
            </span>
          </Field>
        )}
      </dl>
    </Section>
  );
}

function WorkSection({
  hop,
  selectedJti,
  nameOf,
  onSelect,
}: {
  hop: THop;
  selectedJti: string;
  nameOf: (id: string) => string;
  onSelect: (jti: string) => void;
}) {
  return (
    <>
      <Section title={`Invocations (${hop.invocations.length})`} id="insp-invocations">
        {hop.invocations.length === 0 ? (
          <p className="text-sm text-slate-600">No actions taken under this grant.</p>
        ) : (
          <ul className="space-y-1.5">
            {hop.invocations.map((inv) => (
              <li key={inv.jti}>
                <button
                  type="button"
                  onClick={() => onSelect(inv.jti)}
                  aria-current={inv.jti === selectedJti ? "true" : undefined}
                  className={`w-full rounded-md border px-2.5 py-1.5 text-left text-sm ${inv.jti === selectedJti ? "border-blue-600 bg-blue-50" : "border-slate-200 hover:bg-slate-50"}`}
                >
                  <span className="flex items-center justify-between gap-2">
                    <code className="truncate font-mono text-[13px] text-slate-900">{inv.action}</code>
                    <span className="text-xs text-slate-500">
                      <Time t={inv.iat} />
                    </span>
                  </span>
                  <span className="block truncate font-mono text-xs text-slate-600" title={revealInvisible(inv.resource)}>
                    <FreeText value={inv.resource} />
                  </span>
                  <span className="block text-xs text-slate-500">
                    by <FreeText value={nameOf(inv.iss)} />
                    {inv.purpose ? ` · purpose ${inv.purpose}` : ""}
                    {inv.data.length ? (
                      <>
                        {" "}
                        · data <FreeText value={inv.data.join(", ")} />
                      </>
                    ) : (
                      ""
                    )}
                  </span>
                  {inv.findings.length > 0 && (
                    <span className="mt-1 flex flex-wrap gap-1">
                      {inv.findings.map((f) => (
                        <FindingBadge key={f.code} code={f.code} showCode={false} />
                      ))}
                    </span>
                  )}
                </button>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title={`Completion evidence (${hop.completions.length})`} id="insp-evidence">
        {hop.completions.length === 0 ? (
          <p className="text-sm text-slate-600">No completion reported for this grant yet.</p>
        ) : (
          <ul className="space-y-2">
            {hop.completions.map((c) => {
              const level = c.attestation ? ATTESTATION_LABEL[c.attestation] : null;
              return (
                <li
                  key={c.jti}
                  className={`rounded-md border px-3 py-2 text-sm ${c.jti === selectedJti ? "border-blue-600 bg-blue-50/50" : "border-slate-200"}`}
                >
                  <div className="flex flex-wrap items-center gap-2">
                    <span
                      className={`font-medium ${c.status === "completed" ? "text-green-800" : c.status === "failed" ? "text-red-800" : "text-amber-800"}`}
                    >
                      {c.status}
                    </span>
                    {level ? (
                      <span className="rounded bg-slate-100 px-1.5 py-px text-xs text-slate-700" title={level.explain}>
                        {level.name}
                      </span>
                    ) : (
                      <span className="rounded bg-orange-50 px-1.5 py-px text-xs text-orange-800">signer not allowed: not evidence</span>
                    )}
                    <span className="text-xs text-slate-500">
                      by <FreeText value={nameOf(c.iss)} /> · <Time t={c.iat} />
                    </span>
                  </div>
                  {level && <p className="mt-0.5 text-xs text-slate-500">Attestation: {level.explain}.</p>}
                  {c.evidence?.summary && (
                    <p className="mt-1.5 whitespace-pre-wrap break-words text-slate-700">
                      <FreeText value={c.evidence.summary} />
                    </p>
                  )}
                  <p className="mt-1 font-mono text-xs break-all text-slate-500">result {c.resultHash}</p>
                  {c.evidence?.artifacts && c.evidence.artifacts.length > 0 && (
                    <ul className="mt-1 space-y-0.5 text-xs">
                      {c.evidence.artifacts.map((a, i) => (
                        <li key={`${a.name}-${i}`} className="break-all">
                          <span className="text-slate-800">
                            <FreeText value={a.name} />
                          </span>{" "}
                          <code className="font-mono text-slate-500">
                            <FreeText value={a.hash} />
                          </code>
                          {a.uri && (
                            <span className="block font-mono text-slate-500">
                              <FreeText value={a.uri} />
                            </span>
                          )}
                        </li>
                      ))}
                    </ul>
                  )}
                  <button type="button" className="link mt-1 font-mono text-xs" onClick={() => onSelect(c.jti)}>
                    {c.jti}
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </Section>
    </>
  );
}

function RawSection({ events }: { events: TChainEvent[] }) {
  if (events.length === 0) return null;
  return (
    <Section title="Raw token and decoded claims" id="insp-raw">
      <div className="space-y-2">
        {events.map((e) => (
          <RawEvent key={e.jti} event={e} />
        ))}
      </div>
    </Section>
  );
}

// The token is not in the chain detail: it is asked for when this block is opened.
function RawEvent({ event: e }: { event: TChainEvent }) {
  const [isOpen, setOpen] = useState(false);
  const claims = JSON.stringify(e.claims, null, 2);
  return (
    <details className="rounded-md border border-slate-200" onToggle={(ev) => setOpen(ev.currentTarget.open)}>
      <summary className="cursor-pointer px-3 py-1.5 text-sm text-slate-700">
        {e.kind} <code className="font-mono text-xs text-slate-500">{e.jti}</code>
      </summary>
      <div className="space-y-2 border-t border-slate-100 p-3">
        <div>
          <div className="mb-1 flex items-center justify-between">
            <span className="text-xs font-medium text-slate-600">Decoded claims</span>
            <CopyButton value={claims} label="Copy claims" />
          </div>
          <pre className="max-h-64 overflow-auto rounded bg-slate-50 p-2 font-mono text-[11px] leading-snug text-slate-800">{claims}</pre>
        </div>
        {isOpen && <RawToken event={e} />}
      </div>
    </details>
  );
}

function RawToken({ event: e }: { event: TChainEvent }) {
  const raw = useRawEvent(e.jti, !e.token);
  const token = e.token || raw.data?.token || "";
  return (
    <div>
      <div className="mb-1 flex items-center justify-between">
        <span className="text-xs font-medium text-slate-600">
          {e.alg === "biscuit-ed25519" ? "Token (AIP chained, Biscuit)" : "Token (compact JWS)"}
        </span>
        {token && <CopyButton value={token} label="Copy token" />}
      </div>
      {token ? (
        <pre
          className="max-h-40 overflow-auto rounded bg-slate-50 p-2 font-mono text-[11px] break-all whitespace-pre-wrap text-slate-700"
          data-testid="raw-token"
        >
          {token}
        </pre>
      ) : raw.isPending ? (
        <p className="text-xs text-slate-500">Loading the token…</p>
      ) : isApiError(raw.error) && raw.error.status === 403 ? (
        <p className="text-xs text-slate-500">Raw tokens are hidden for your role. Its SHA-256 is {e.tokenSha256}.</p>
      ) : (
        <p className="text-xs text-red-700">
          The token could not be loaded ({raw.error?.message ?? "unknown error"}). Its SHA-256 is {e.tokenSha256}.
        </p>
      )}
    </div>
  );
}
