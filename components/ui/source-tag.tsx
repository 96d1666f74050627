// Names where a chain's hops come from, beside its status. Signed DEP chains need no tag: they are
// the default. Observed sources get a dashed border, like their hops on the graph.
import type { TChainSource } from "@/lib/protocol/grammar";
import { SOURCE_LABEL } from "@/lib/ui/sources";

export function SourceTag({ source }: { source: TChainSource }) {
  if (source === "dep") return null;
  const label = SOURCE_LABEL[source];
  return (
    <span
      className={`inline-flex items-center rounded border px-1.5 py-0.5 text-[11px] font-medium text-slate-700 ${label.signed ? "border-slate-300" : "border-dashed border-slate-400"}`}
      title={label.long}
      data-source={source}
    >
      {label.word}
    </span>
  );
}
