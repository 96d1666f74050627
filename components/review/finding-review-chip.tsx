"use client";
// A finding's review state where the chain view shows the finding (hop inspector, principal panel),
// with the way into its triage. Reads the chain's findings list (one shared query per chain).
import { useParams } from "next/navigation";
import { useState } from "react";
import { useFindings } from "@/lib/ui/hooks/use-findings";
import { useMe } from "@/lib/ui/hooks/use-me";
import { canReview } from "@/lib/ui/review";
import { FindingReviewDialog } from "./finding-review-dialog";
import { FindingStateBadge } from "./state-badge";

export function FindingReviewChip({ eventJti, code }: { eventJti: string; code: string }) {
  const params = useParams<{ id?: string }>();
  const chainId = params?.id ? decodeURIComponent(params.id) : null;
  const findings = useFindings(chainId ? { chain: chainId } : {}, null);
  const me = useMe();
  const [open, setOpen] = useState(false);
  const item = chainId ? findings.data?.items.find((f) => f.eventJti === eventJti && f.code === code) : undefined;
  if (!item) return null;
  const isEditor = canReview(me.data?.user.role);
  return (
    <span className="inline-flex items-center gap-1.5" data-testid="finding-review-chip">
      <FindingStateBadge review={item.review} compact />
      <button type="button" className="link text-xs" onClick={() => setOpen(true)}>
        {isEditor ? "Triage" : "History"}
      </button>
      <FindingReviewDialog id={open ? item.id : null} onClose={() => setOpen(false)} canEdit={isEditor} />
    </span>
  );
}
