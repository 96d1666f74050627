"use client";
// AIP hops (shared/spec/aip-import.md): whether the hop is proven, "AIP verifier says / Delegraph
// says" side by side with the difference in words, and the block's Datalog, collapsed like the raw token.
import type { THop } from "@/lib/contracts/chains";
import { aipVerdictPair } from "@/lib/ui/aip";
import { FreeText } from "@/components/ui/free-text";
import { Field, Section } from "./section";

const ROLE: Record<NonNullable<THop["aip"]>["role"], string> = {
  compact: "compact token",
  root: "root block",
  delegation: "delegation block",
  completion: "completion block",
  counter_signature: "counter-signature block",
};

export function AipSection({ hop }: { hop: THop }) {
  const aip = hop.aip;
  if (!aip) return null;
  const pair = aipVerdictPair(hop);
  return (
    <Section title="AIP token" id="insp-aip">
      {aip.unverified && (
        <p
          className="mb-2 rounded-md bg-amber-50 px-2 py-1.5 text-sm text-amber-900 ring-1 ring-amber-600/30 ring-inset"
          data-testid="aip-unverified"
        >
          Unverified hop: delegator asserted, not signed. <FreeText value={aip.unverified} />
        </p>
      )}
      {pair && (
        <div className="mb-2 grid grid-cols-1 gap-2 sm:grid-cols-2" data-testid="aip-verdicts">
          <div className="min-w-0 rounded-md border border-slate-200 px-2 py-1.5 break-words">
            <div className="text-xs text-slate-500">AIP verifier says</div>
            <div
              className={`text-sm font-medium ${aip.reference?.verdict === "valid" ? "text-slate-900" : "text-amber-800"}`}
              data-testid="aip-reference"
            >
              {pair.reference}
            </div>
          </div>
          <div className="min-w-0 rounded-md border border-slate-200 px-2 py-1.5 break-words">
            <div className="text-xs text-slate-500">Delegraph says</div>
            <div className={`text-sm font-medium ${pair.agree ? "text-slate-900" : "text-red-800"}`} data-testid="aip-ours">
              {pair.ours}
            </div>
          </div>
          {pair.difference && (
            <p className="text-sm text-slate-700 sm:col-span-2" data-testid="aip-difference">
              {pair.difference}
            </p>
          )}
        </div>
      )}
      <dl>
        <Field label="Source">
          AIP {ROLE[aip.role]}
          {aip.block !== null ? ` ${aip.block}` : ""}
          {aip.typ !== null ? ` (typ ${aip.typ})` : ""}
        </Field>
        {aip.onBehalfOf && (
          <Field label="On behalf of">
            <code className="font-mono text-[13px]">
              <FreeText value={aip.onBehalfOf} />
            </code>{" "}
            <span className="text-slate-500">asserted, not signed by that person</span>
          </Field>
        )}
        {aip.budget && (aip.budget.cents != null || aip.budget.usd != null) && (
          <Field label="Budget">{aip.budget.cents != null ? `${aip.budget.cents} cents` : `${aip.budget.usd} USD`}</Field>
        )}
        {aip.iatIsReceipt && <Field label="Time">Blocks carry no time: issued is when Delegraph received the block.</Field>}
        {aip.verifiedBy && (
          <Field label="Verified by">
            <code className="font-mono text-[13px] break-all">{aip.verifiedBy}</code>
          </Field>
        )}
      </dl>
      {aip.datalog !== null && (
        <details className="mt-2 rounded-md border border-slate-200">
          <summary className="cursor-pointer px-3 py-1.5 text-sm text-slate-700">Block Datalog</summary>
          <pre className="max-h-64 overflow-auto border-t border-slate-100 bg-slate-50 p-2 font-mono text-[11px] leading-snug whitespace-pre-wrap text-slate-800">
            {aip.datalog}
          </pre>
        </details>
      )}
    </Section>
  );
}
