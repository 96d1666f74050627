// A finding in words: the sentence built from its facts (lib/ui/finding-sentence.ts), and the
// verifier's own message behind a "detail" toggle. Without a sentence the message is shown as it is.
import type { TSentencePart } from "@/lib/ui/hop-sentence";
import { Sentence } from "@/components/hop/sentence";
import { FreeText } from "./free-text";

export function FindingMessage({ parts, message, className = "" }: { parts: TSentencePart[] | null; message: string; className?: string }) {
  if (!parts) {
    return (
      <span className={`break-words ${className}`}>
        <FreeText value={message} />
      </span>
    );
  }
  return (
    <span className={`block ${className}`}>
      <span className="break-words" data-testid="finding-sentence">
        <Sentence parts={parts} />.
      </span>
      {message && (
        // The toggle lives inside clickable rows too: it must not select the row.
        <details className="mt-0.5 text-xs" onClick={(e) => e.stopPropagation()}>
          <summary className="cursor-pointer text-slate-600 hover:text-slate-900">detail</summary>
          <span className="mt-0.5 block font-mono break-words text-slate-600">
            <FreeText value={message} />
          </span>
        </details>
      )}
    </span>
  );
}
