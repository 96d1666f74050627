"use client";
// Below 768 px the graph is hard to read: the authority path comes first, as a vertical list in
// story order (the human's grant, then what was passed on under it), each grant one tap from the
// inspector. The path to the selected hop is always listed; long chains show the first grants and
// say how many more the Timeline holds.
import { authorityPath, storyOrder, type TChainIndex } from "@/lib/ui/chain-selection";
import { worstSeverity } from "@/lib/ui/findings";
import { SeverityBadge } from "../ui/severity";
import { FreeText } from "../ui/free-text";

const SHOWN = 12;

export function PhoneAuthorityPath({
  index,
  nameOf,
  selectedJti,
  onSelect,
}: {
  index: TChainIndex;
  nameOf: (id: string) => string;
  selectedJti: string | null;
  onSelect: (jti: string) => void;
}) {
  const all = storyOrder(index);
  if (all.length === 0) return null;
  const selectedHop = selectedJti ? (index.hopsByJti.get(selectedJti) ?? index.hopsByJti.get(index.eventsByJti.get(selectedJti)?.ref ?? "")) : null;
  const onPath = new Set(authorityPath(index, selectedHop ?? null).map((h) => h.jti));
  const shown = all.filter((r, i) => i < SHOWN || onPath.has(r.hop.jti));
  return (
    <section aria-label="Authority path" className="border-b border-slate-200 bg-white px-4 py-3 md:hidden" data-testid="phone-authority-path">
      <h2 className="mb-1.5 text-xs font-semibold tracking-wide text-slate-600 uppercase">Authority path</h2>
      <ol className="space-y-1">
        {shown.map(({ hop, depth }) => {
          const worst = worstSeverity([...hop.findings, ...hop.invocations.flatMap((i) => i.findings)]);
          const selected = hop.jti === selectedHop?.jti;
          return (
            <li key={hop.jti} style={{ paddingLeft: `${Math.min(depth, 6) * 0.75}rem` }}>
              <button
                type="button"
                onClick={() => onSelect(hop.jti)}
                aria-current={selected ? "true" : undefined}
                className={`w-full rounded-md border px-2 py-1.5 text-left text-sm ${selected ? "border-blue-600 bg-blue-50" : "border-slate-200 bg-white"}`}
              >
                <span className="font-medium text-slate-900">
                  <FreeText value={nameOf(hop.from)} />
                </span>
                <span className="text-slate-600"> → </span>
                <span className="font-medium text-slate-900">
                  <FreeText value={nameOf(hop.to)} />
                </span>
                <span className="block font-mono text-xs break-words text-slate-600">{hop.purpose.code}</span>
                {worst && (
                  <span className="mt-0.5 block">
                    <SeverityBadge severity={worst} />
                  </span>
                )}
              </button>
            </li>
          );
        })}
      </ol>
      {all.length > shown.length && <p className="mt-1.5 text-xs text-slate-600">and {all.length - shown.length} more grants (see the Timeline)</p>}
    </section>
  );
}
