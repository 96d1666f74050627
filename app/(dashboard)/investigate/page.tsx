import type { Metadata } from "next";
import { Suspense } from "react";
import { InvestigateView } from "@/components/investigate/investigate-view";
import { LoadingBlock } from "@/components/ui/states";

export const metadata: Metadata = { title: "Investigate" };

export default function InvestigatePage() {
  return (
    <div className="mx-auto max-w-7xl p-6">
      <Suspense fallback={<LoadingBlock label="Loading" />}>
        <InvestigateView />
      </Suspense>
    </div>
  );
}
