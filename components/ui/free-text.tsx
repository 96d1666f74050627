// Free text from tokens and people, shown so it cannot lie: isolated from the text around it
// (<bdi>), with bidi overrides and control characters drawn as visible markers (lib/ui/invisible.ts).
import { invisibleName, splitInvisible } from "@/lib/ui/invisible";

export function FreeText({ value, className }: { value: string; className?: string }) {
  const parts = splitInvisible(value);
  return (
    <bdi className={className}>
      {parts.map((p, i) =>
        typeof p === "string" ? (
          p
        ) : (
          <abbr
            key={i}
            title={`Hidden character ${invisibleName(p.hidden)} (U+${p.hidden.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}) in the original text`}
            className="invisible-char"
          >
            {invisibleName(p.hidden)}
          </abbr>
        ),
      )}
    </bdi>
  );
}
