import type { Metadata } from "next";
import { Suspense } from "react";
import { ApiReferenceView } from "@/components/api-reference/api-reference-view";
import { LoadingBlock } from "@/components/ui/states";

export const metadata: Metadata = { title: "API reference" };

export default function ApiReferencePage() {
  return (
    <div className="mx-auto max-w-7xl p-6">
      <Suspense fallback={<LoadingBlock label="Loading the API reference" />}>
        <ApiReferenceView />
      </Suspense>
    </div>
  );
}
