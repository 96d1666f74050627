"use client";
// Two chains side by side (docs/least-privilege.md#compare): `?a=<chain>&b=<chain>`, or chain A
// against its own suggested grants (`b` empty or `suggested`). Hops pair by receiving principal and
// purpose; rows that differ are marked in words and colour, with what changed.
import Link from "next/link";
import { compareHops, pairDiffers, type TCompareHop, type THopPair, type TListChange } from "@/lib/protocol/compare";
import { useChain } from "@/lib/ui/hooks/use-chain";
import { compareHopOf, suggestedHopsOf } from "@/lib/ui/least-privilege";
import { plural } from "@/lib/ui/format";
import { useUrlState } from "@/lib/ui/use-url-state";
import { chainHref } from "../chains/chain-links";
import { ScopeChip } from "../hop/section";
import { PageHeader } from "../ui/page-header";
import { SearchInput } from "../ui/search-input";
import { EmptyState, ErrorState, LoadingBlock } from "../ui/states";

export function CompareView() {
  const { searchParams, replace } = useUrlState();
  const a = searchParams.get("a") ?? "";
  const bParam = searchParams.get("b") ?? "";
  const isSuggested = bParam === "" || bParam === "suggested";

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-1 text-xs text-slate-500">
        <Link href="/least-privilege" className="hover:text-slate-900">
          Least privilege
        </Link>
      </nav>
      <PageHeader
        title="Compare chains"
        description="Hops matched by the principal that received them and their purpose: what differs in scope, constraints, depth and outcome. Compare a chain with another (the same purpose on two days) or with its own suggested grants."
      />
      <section aria-label="Chains to compare" className="mb-4 grid grid-cols-1 gap-3 rounded-lg border border-slate-200 bg-white p-3 sm:grid-cols-2">
        <SearchInput
          showLabel
          icon={false}
          mono
          id="cmp-a"
          label="Chain A"
          value={a}
          placeholder="chain id"
          onCommit={(v) => replace({ a: v || null })}
        />
        <SearchInput
          showLabel
          icon={false}
          mono
          id="cmp-b"
          label="Chain B (empty: A's suggested grants)"
          value={isSuggested ? "" : bParam}
          placeholder="suggested"
          onCommit={(v) => replace({ b: v || null })}
        />
      </section>
      {a === "" ? (
        <EmptyState title="Pick a chain to compare">
          Enter chain A&apos;s id, and chain B&apos;s or nothing to compare A with the grants it would have needed.
        </EmptyState>
      ) : (
        <Comparison a={a} b={isSuggested ? null : bParam} />
      )}
    </>
  );
}

function Comparison({ a, b }: { a: string; b: string | null }) {
  const qa = useChain(a);
  // With no chain B, the query for A stands in (React Query shares it): B's hops come from A's.
  const qb = useChain(b ?? a);
  if (qa.isPending || qb.isPending) return <LoadingBlock label="Loading both chains" />;
  if (!qa.data) return <ErrorState error={qa.error} onRetry={() => qa.refetch()} />;
  if (!qb.data) return <ErrorState error={qb.error} onRetry={() => qb.refetch()} />;
  const left = qa.data.hops.map(compareHopOf);
  const right = b === null ? suggestedHopsOf(qa.data) : qb.data.hops.map(compareHopOf);
  const pairs = compareHops(left, right);
  const differing = pairs.filter(pairDiffers).length;
  const labelB = b === null ? "Suggested grants" : `Chain B: ${b}`;

  return (
    <>
      <p className="mb-2 text-sm text-slate-700" data-testid="compare-summary">
        {plural(pairs.length, "hop pair")},{" "}
        {differing === 0 ? "no differences" : differing === 1 ? "1 pair differs" : `${plural(differing, "pair")} differ`}.
      </p>
      <div className="rounded-lg border border-slate-200 bg-white">
        <div className="overflow-x-auto">
          <table className="data-table" data-testid="compare-table">
            <caption className="sr-only">
              Chain A ({a}) against {labelB}
            </caption>
            <thead>
              <tr>
                <th scope="col">Received by, for</th>
                <th scope="col">
                  <Link href={chainHref(a)} className="link font-mono normal-case">
                    Chain A: {a}
                  </Link>
                </th>
                <th scope="col">
                  {b === null ? (
                    labelB
                  ) : (
                    <Link href={chainHref(b)} className="link font-mono normal-case">
                      {labelB}
                    </Link>
                  )}
                </th>
                <th scope="col">Differences</th>
              </tr>
            </thead>
            <tbody>
              {pairs.map((p, i) => (
                <PairRow key={i} pair={p} chainA={a} chainB={b} />
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </>
  );
}

function PairRow({ pair, chainA, chainB }: { pair: THopPair; chainA: string; chainB: string | null }) {
  const differs = pairDiffers(pair);
  return (
    <tr className={differs ? "bg-amber-50/40" : undefined} data-differs={differs ? "true" : "false"}>
      <td className={`border-l-4 ${differs ? "border-l-amber-500" : "border-l-transparent"}`}>
        <span className="block font-mono text-[13px] break-all">{pair.principal}</span>
        <span className="block font-mono text-xs text-slate-500">{pair.purpose}</span>
        <span className={`mt-1 inline-block text-[11px] font-medium ${differs ? "text-amber-800" : "text-green-800"}`}>
          {differs ? "Differs" : "Same"}
        </span>
      </td>
      <td>
        <HopCell hop={pair.a} chain={chainA} />
      </td>
      <td>
        <HopCell hop={pair.b} chain={chainB} />
      </td>
      <td className="text-xs">
        {pair.a === null ? (
          <span className="text-amber-800">Only in B</span>
        ) : pair.b === null ? (
          <span className="text-amber-800">Only in A</span>
        ) : !differs ? (
          <span className="text-slate-500">—</span>
        ) : (
          <ul className="space-y-1">
            {pair.differences.scope && <ChangeLine label="Scope" change={pair.differences.scope} />}
            {pair.differences.data && <ChangeLine label="Data" change={pair.differences.data} />}
            {pair.differences.egress && <ChangeLine label="Egress" change={pair.differences.egress} />}
            {pair.differences.depth && (
              <li>
                Depth: {String(pair.differences.depth.a ?? "?")} → {String(pair.differences.depth.b ?? "?")}
              </li>
            )}
            {pair.differences.maxDepth && (
              <li>
                max_depth: {String(pair.differences.maxDepth.a ?? "none")} → {String(pair.differences.maxDepth.b ?? "none")}
              </li>
            )}
            {pair.differences.outcome && (
              <li>
                Outcome: {pair.differences.outcome.a} → {pair.differences.outcome.b}
              </li>
            )}
            {pair.differences.findings && <ChangeLine label="Findings" change={pair.differences.findings} />}
          </ul>
        )}
      </td>
    </tr>
  );
}

function HopCell({ hop, chain }: { hop: TCompareHop | null; chain: string | null }) {
  if (!hop) return <span className="text-xs text-slate-500">no matching hop</span>;
  return (
    <div className="space-y-1">
      {chain ? (
        <Link href={chainHref(chain, { hop: hop.jti })} className="link font-mono text-xs break-all">
          {hop.jti}
        </Link>
      ) : (
        <span className="font-mono text-xs break-all text-slate-600">{hop.jti}</span>
      )}
      <ul className="flex flex-wrap gap-1" aria-label="Scope">
        {hop.scope.length === 0 ? (
          <li className="text-xs text-slate-500">no scope needed</li>
        ) : (
          hop.scope.map((s) => (
            <li key={s}>
              <ScopeChip scope={s} />
            </li>
          ))
        )}
      </ul>
      <p className="text-[11px] text-slate-500">
        depth {hop.depth ?? "?"} · {hop.outcome}
        {hop.findings.length > 0 && ` · ${hop.findings.join(", ")}`}
      </p>
    </div>
  );
}

function ChangeLine({ label, change }: { label: string; change: TListChange & { narrowed?: string[] } }) {
  return (
    <li>
      <span className="font-medium text-slate-700">{label}:</span>{" "}
      {change.narrowed?.map((x) => (
        <code
          key={`~${x}`}
          className="mr-1 rounded bg-slate-50 px-1 font-mono text-slate-800 ring-1 ring-slate-300 ring-inset"
          title="narrower than A's"
        >
          →{x}
        </code>
      ))}
      {change.added.map((x) => (
        <code key={`+${x}`} className="mr-1 rounded bg-red-50 px-1 font-mono text-red-800">
          +{x}
        </code>
      ))}
      {change.removed.map((x) => (
        <code key={`-${x}`} className="mr-1 rounded bg-slate-100 px-1 font-mono text-slate-600 line-through">
          {x}
        </code>
      ))}
    </li>
  );
}
