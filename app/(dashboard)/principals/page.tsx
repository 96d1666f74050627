import type { Metadata } from "next";
import { Suspense } from "react";
import { PrincipalsView } from "@/components/principals/principals-view";
import { LoadingBlock } from "@/components/ui/states";

export const metadata: Metadata = { title: "Principals" };

export default function PrincipalsPage() {
  return (
    <div className="mx-auto max-w-7xl p-6">
      <Suspense fallback={<LoadingBlock label="Loading principals" />}>
        <PrincipalsView />
      </Suspense>
    </div>
  );
}
