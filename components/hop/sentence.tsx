import type { TSentencePart } from "@/lib/ui/hop-sentence";
import { FreeText } from "@/components/ui/free-text";

/** Renders sentence parts as text: principals bold, scopes and purposes in monospace. */
export function Sentence({ parts }: { parts: TSentencePart[] }) {
  return (
    <>
      {parts.map((p, i) =>
        p.kind === "principal" ? (
          <strong key={i} className="font-semibold text-slate-900" title={p.title}>
            <FreeText value={p.text} />
          </strong>
        ) : p.kind === "scope" ? (
          <em key={i} className="font-mono text-[0.92em] break-words not-italic text-slate-900" title={p.title}>
            {p.text}
          </em>
        ) : p.kind === "purpose" ? (
          <code key={i} className="font-mono text-[0.92em] text-slate-900">
            {p.text}
          </code>
        ) : p.kind === "time" ? (
          <span key={i} className="tabular-nums">
            {p.text}
          </span>
        ) : (
          <span key={i}>
            <FreeText value={p.text} />
          </span>
        ),
      )}
    </>
  );
}
