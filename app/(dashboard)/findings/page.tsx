import type { Metadata } from "next";
import { Suspense } from "react";
import { FindingsView } from "@/components/findings/findings-view";
import { LoadingBlock } from "@/components/ui/states";

export const metadata: Metadata = { title: "Findings" };

export default function FindingsPage() {
  return (
    <div className="mx-auto max-w-7xl p-6">
      <Suspense fallback={<LoadingBlock label="Loading findings" />}>
        <FindingsView />
      </Suspense>
    </div>
  );
}
