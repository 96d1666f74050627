"use client";
import Link from "next/link";
import { useDemoStories } from "@/lib/ui/hooks/use-demo-stories";
import { chainHref } from "../chains/chain-links";
import { Card } from "../ui/page-header";
import { DemoTag } from "../ui/demo-tag";
import { StatusIcon } from "../ui/severity";

/**
 * For newcomers on a demo database: the six seeded stories, what each shows, and a link to its
 * chain. Shown only while demo chains exist; nothing here is counted in the figures above.
 */
export function StartHere() {
  const { stories, present } = useDemoStories();
  if (!present) return null;
  return (
    <Card
      title={
        <span className="flex items-center gap-2">
          Start here
          <DemoTag />
        </span>
      }
      className="mb-5"
    >
      <p className="mb-3 text-sm text-slate-600">
        This database holds demo chains, seeded on first start to show what Delegraph catches. Open each story in turn.
      </p>
      <ol className="grid gap-2 sm:grid-cols-2 xl:grid-cols-3">
        {stories.map((s, i) => (
          <li key={s.human} className="rounded-md border border-slate-200 p-3">
            <p className="flex items-center gap-1.5 text-sm font-medium text-slate-900">
              <span className="text-xs text-slate-500 tabular-nums">{i + 1}.</span>
              {s.chain && <StatusIcon status={s.chain.status} size={13} />}
              {s.chain ? (
                <Link href={chainHref(s.chain.id)} className="link">
                  {s.title}
                </Link>
              ) : (
                <span>{s.title}</span>
              )}
            </p>
            <p className="mt-1 text-xs leading-relaxed text-slate-600">{s.lookFor}</p>
            {!s.chain && <p className="mt-1 text-xs text-slate-500">Not in this database.</p>}
          </li>
        ))}
      </ol>
    </Card>
  );
}
