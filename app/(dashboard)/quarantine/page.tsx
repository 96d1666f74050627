import type { Metadata } from "next";
import { Suspense } from "react";
import { QuarantineView } from "@/components/quarantine/quarantine-view";
import { LoadingBlock } from "@/components/ui/states";

export const metadata: Metadata = { title: "Quarantine" };

export default function QuarantinePage() {
  return (
    <div className="mx-auto max-w-7xl p-6">
      <Suspense fallback={<LoadingBlock label="Loading the quarantine" />}>
        <QuarantineView />
      </Suspense>
    </div>
  );
}
