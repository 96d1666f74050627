import type { Metadata } from "next";
import { Suspense } from "react";
import { CompareView } from "@/components/least-privilege/compare-view";
import { LoadingBlock } from "@/components/ui/states";

export const metadata: Metadata = { title: "Compare chains" };

export default function ComparePage() {
  return (
    <div className="mx-auto max-w-7xl p-6">
      <Suspense fallback={<LoadingBlock label="Loading" />}>
        <CompareView />
      </Suspense>
    </div>
  );
}
