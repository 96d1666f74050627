import type { Metadata } from "next";
import { Suspense } from "react";
import { ChainsView } from "@/components/chains/chains-view";
import { LoadingBlock } from "@/components/ui/states";

export const metadata: Metadata = { title: "Chains" };

export default function ChainsPage() {
  return (
    <div className="mx-auto max-w-7xl p-6">
      <Suspense fallback={<LoadingBlock label="Loading chains" />}>
        <ChainsView />
      </Suspense>
    </div>
  );
}
