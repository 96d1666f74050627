// The "used" mark beside a granted scope: how the grant's audience used it (invocations, delegations)
// or that it never did. Never colour alone: a word and an icon say it too.
import type { TScopeUse } from "@/lib/protocol/least-privilege";
import { plural } from "@/lib/ui/format";
import { IconCheck, IconClose } from "../ui/icons";

export function UsedMark({ use }: { use: TScopeUse | null }) {
  if (!use)
    return (
      <span
        className="inline-flex items-center gap-0.5 rounded bg-amber-50 px-1 py-0.5 text-[11px] font-medium text-amber-800 ring-1 ring-amber-600/30 ring-inset"
        title="Granted and never used in this chain: a candidate for removal"
        data-testid="scope-unused"
      >
        <IconClose size={10} /> unused
      </span>
    );
  const parts = [
    use.invocations ? plural(use.invocations, "invocation") : null,
    use.delegations ? plural(use.delegations, "delegation") : null,
  ].filter(Boolean);
  return (
    <span
      className="inline-flex items-center gap-0.5 rounded bg-green-50 px-1 py-0.5 text-[11px] font-medium text-green-800 ring-1 ring-green-600/30 ring-inset"
      title={`Used for ${use.uses.join(", ")}`}
      data-testid="scope-used"
    >
      <IconCheck size={10} /> used · {parts.join(", ")}
    </span>
  );
}
