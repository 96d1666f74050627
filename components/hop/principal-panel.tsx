"use client";
// "This principal in this chain": what a click on a principal's node opens. Its findings lead,
// worst first, each saying whether the principal signed the event, received the grant or delegated
// it, and linking to that event; then the grants it received and gave. A green check appears only
// when nothing it touched carries a finding.
import type { TChainDetail, THop } from "@/lib/contracts/chains";
import { worstSeverity } from "@/lib/protocol/grammar";
import { plural } from "@/lib/ui/format";
import { principalInChain, type TPrincipalRole } from "@/lib/ui/principal-in-chain";
import { principalHref } from "../chains/chain-links";
import { FreeText } from "../ui/free-text";
import { IconCheck, IconClose } from "../ui/icons";
import { SeverityBadge } from "../ui/severity";
import { FindingRow } from "./hop-inspector";
import { Section } from "./section";
import Link from "next/link";
import { useFindingSentencer } from "@/lib/ui/hooks/use-finding-sentencer";

const ROLE_TEXT: Record<TPrincipalRole, string> = {
  signed: "it signed this event",
  received: "on a grant it received",
  delegated: "on a grant it gave",
};

type TProps = {
  detail: TChainDetail;
  principalId: string;
  nameOf: (id: string) => string;
  onSelect: (jti: string | null) => void;
  onClose: () => void;
};

export function PrincipalPanel({ detail, principalId, nameOf, onSelect, onClose }: TProps) {
  const p = principalInChain(detail, principalId);
  const sentenceOf = useFindingSentencer(detail, nameOf);
  const node = detail.nodes.find((n) => n.id === principalId);
  const worst = p.findings[0]?.severity ?? null;
  return (
    <aside
      aria-label="Principal in this chain"
      className="flex h-full w-full flex-col overflow-hidden border-l border-slate-200 bg-white"
      data-testid="principal-panel"
    >
      <header className="flex items-start justify-between gap-2 border-b border-slate-200 px-5 py-3">
        <div className="min-w-0">
          <h2 className="text-sm font-semibold text-slate-900">
            <FreeText value={nameOf(principalId)} /> <span className="font-normal text-slate-500">in this chain</span>
          </h2>
          <p className="font-mono text-xs break-all text-slate-500">
            {principalId}
            {node && node.kind !== "resource" && <span className="ml-1 font-sans text-slate-500">· {node.kind}</span>}
          </p>
        </div>
        <button type="button" className="btn-ghost" onClick={onClose} aria-label="Close the principal panel">
          <IconClose size={14} />
        </button>
      </header>
      <div className="min-h-0 flex-1 overflow-y-auto">
        <p className="px-5 pt-3 text-sm text-slate-700">
          Received {plural(p.received.length, "grant")}, gave {plural(p.delegated.length, "grant")}, took {plural(p.actions, "action")}
          {worst && (
            <>
              {" "}
              · worst <SeverityBadge severity={worst} />
            </>
          )}
          .{" "}
          <Link href={principalHref(principalId)} className="link">
            Everything it did, in every chain
          </Link>
        </p>
        <Section title={`Findings (${p.findings.length})`} id="principal-findings">
          {p.findings.length === 0 ? (
            <p className="flex items-center gap-1.5 text-sm text-green-800">
              <IconCheck size={14} /> Nothing this principal signed, received or gave in this chain carries a finding.
            </p>
          ) : (
            <ul className="space-y-2">
              {p.findings.map((f) => (
                <li key={`${f.eventJti}:${f.code}:${f.role}`} className="list-none">
                  <p className="mb-0.5 text-xs text-slate-500">
                    {f.eventKind ?? "event"} · {ROLE_TEXT[f.role]}
                  </p>
                  <ul>
                    <FindingRow f={f} onSelect={(jti) => onSelect(jti)} showEvent sentence={sentenceOf(f)} />
                  </ul>
                </li>
              ))}
            </ul>
          )}
        </Section>
        <GrantList title="Grants it received" hops={p.received} party={(h) => `from ${nameOf(h.from)}`} onSelect={onSelect} />
        <GrantList title="Grants it gave" hops={p.delegated} party={(h) => `to ${nameOf(h.to)}`} onSelect={onSelect} />
      </div>
    </aside>
  );
}

function GrantList({ title, hops, party, onSelect }: { title: string; hops: THop[]; party: (h: THop) => string; onSelect: (jti: string) => void }) {
  if (hops.length === 0) return null;
  const MAX = 30;
  return (
    <Section title={`${title} (${hops.length})`}>
      <ul className="space-y-1 text-sm">
        {hops.slice(0, MAX).map((h) => {
          const worst = worstSeverity(h.findings);
          return (
            <li key={h.jti}>
              <button type="button" onClick={() => onSelect(h.jti)} className="w-full rounded px-1.5 py-1 text-left hover:bg-slate-50">
                <span className="font-mono text-[13px] text-slate-800">{h.purpose.code}</span>{" "}
                <span className="text-slate-600">
                  <FreeText value={party(h)} />
                </span>
                {worst && (
                  <span className="ml-1">
                    <SeverityBadge severity={worst} count={h.findings.length} />
                  </span>
                )}
              </button>
            </li>
          );
        })}
        {hops.length > MAX && <li className="px-1.5 text-xs text-slate-500">and {hops.length - MAX} more (see the Timeline)</li>}
      </ul>
    </Section>
  );
}
