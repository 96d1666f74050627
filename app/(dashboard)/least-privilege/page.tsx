import type { Metadata } from "next";
import { Suspense } from "react";
import { LeastPrivilegeView } from "@/components/least-privilege/least-privilege-view";
import { LoadingBlock } from "@/components/ui/states";

export const metadata: Metadata = { title: "Least privilege" };

export default function LeastPrivilegePage() {
  return (
    <div className="mx-auto max-w-7xl p-6">
      <Suspense fallback={<LoadingBlock label="Loading least privilege" />}>
        <LeastPrivilegeView />
      </Suspense>
    </div>
  );
}
