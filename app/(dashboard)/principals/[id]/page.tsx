import type { Metadata } from "next";
import { PrincipalView } from "@/components/principals/principal-view";

function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: decodeId((await params).id) };
}

export default async function PrincipalPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <div className="mx-auto max-w-7xl p-6">
      <PrincipalView id={decodeId(id)} />
    </div>
  );
}
