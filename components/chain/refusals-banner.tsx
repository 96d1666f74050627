"use client";
// Refused submissions that name this chain, above the graph: a late event signed with a revoked key
// is part of the chain's story even though it never joined the chain. Investigators and admins get
// a link to the raw bytes on the Quarantine page.
import Link from "next/link";
import { useState } from "react";
import { REJECT_REASONS } from "@/components/quarantine/reject-reasons";
import type { TRejectCode } from "@/lib/protocol/types";
import { plural } from "@/lib/ui/format";
import { useChainRefusals } from "@/lib/ui/hooks/use-chain";
import { useMe } from "@/lib/ui/hooks/use-me";
import { FreeText } from "../ui/free-text";
import { IconError } from "../ui/icons";
import { Time } from "../ui/time";

const reasonName = (code: string) => REJECT_REASONS[code as TRejectCode]?.name ?? code;

export function RefusalsBanner({ chainId }: { chainId: string }) {
  const refusals = useChainRefusals(chainId);
  const me = useMe();
  const [open, setOpen] = useState(false);
  const data = refusals.data;
  if (!data || data.total === 0) return null;
  const canOpenQuarantine = me.data ? ["investigator", "admin"].includes(me.data.user.role) : false;
  const first = data.items[0];
  return (
    <section
      aria-label="Refused at ingest"
      className="border-b border-red-200 bg-red-50 px-6 py-2 text-sm text-red-900"
      data-testid="refusals-banner"
    >
      <p className="flex flex-wrap items-center gap-x-2 gap-y-1">
        <IconError size={14} />
        <span>
          <strong>{plural(data.total, "submission")} naming this chain</strong> {data.total === 1 ? "was" : "were"} refused at ingest
          {first && (
            <>
              {" "}
              (latest: {reasonName(first.code)}, <Time t={first.receivedAt} />)
            </>
          )}
          . {data.total === 1 ? "It is" : "They are"} not part of the chain.
        </span>
        <button type="button" className="link text-red-900" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
          {open ? "Hide" : "Show"}
        </button>
        {canOpenQuarantine && (
          <Link href="/quarantine" className="link text-red-900">
            Open the quarantine
          </Link>
        )}
      </p>
      {open && (
        <ul className="mt-2 space-y-1 pb-1">
          {data.items.map((r) => (
            <li key={r.id} className="rounded border border-red-200 bg-white px-2 py-1 text-xs text-slate-800">
              <span className="font-medium text-red-800 line-through decoration-red-400">{r.jti ?? "no jti"}</span> {reasonName(r.code)}{" "}
              <span className="font-mono text-slate-600">{r.code}</span> · <Time t={r.receivedAt} /> · <FreeText value={r.message} />
            </li>
          ))}
          {data.total > data.items.length && <li className="text-xs">and {data.total - data.items.length} older ones, on the Quarantine page</li>}
        </ul>
      )}
    </section>
  );
}
