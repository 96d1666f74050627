import type { Metadata } from "next";
import { Suspense } from "react";
import { SettingsView } from "@/components/settings/settings-view";
import { LoadingBlock } from "@/components/ui/states";

export const metadata: Metadata = { title: "Settings" };

export default function SettingsPage() {
  return (
    <div className="mx-auto max-w-7xl p-6">
      <Suspense fallback={<LoadingBlock label="Loading settings" />}>
        <SettingsView />
      </Suspense>
    </div>
  );
}
