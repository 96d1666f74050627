import type { Metadata } from "next";
import { Suspense } from "react";
import { ChainView } from "@/components/chain/chain-view";
import { LoadingBlock } from "@/components/ui/states";

function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { id } = await params;
  return { title: `Chain ${decodeId(id)}` };
}

export default async function ChainPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <Suspense fallback={<LoadingBlock label="Loading chain" />}>
      <ChainView id={decodeId(id)} />
    </Suspense>
  );
}
