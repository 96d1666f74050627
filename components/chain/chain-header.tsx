"use client";
import { WrapId } from "@/components/ui/wrap-id";
import Link from "next/link";
import type { TChainDetail } from "@/lib/contracts/chains";
import { sortCodes } from "@/lib/ui/findings";
import { plural } from "@/lib/ui/format";
import { principalHref } from "../chains/chain-links";
import { DownloadButton } from "../ui/download-button";
import { FindingBadge, SeverityCounts, StatusBadge } from "../ui/severity";
import { Time } from "../ui/time";
import { SourceTag } from "../ui/source-tag";
import { ChainReviewControl } from "../review/chain-review";
import { FreeText } from "@/components/ui/free-text";
import { LIVE_STYLE, liveState } from "@/lib/ui/live";
import { usePageVisibility } from "@/lib/ui/hooks/use-page-visibility";

export function ChainHeader({
  detail,
  nameOf,
  live,
}: {
  detail: TChainDetail;
  nameOf: (id: string) => string;
  live: { isFetching: boolean; isError: boolean };
}) {
  const state = LIVE_STYLE[liveState({ ...live, ...usePageVisibility() })];
  const base = `/api/v1/chains/${encodeURIComponent(detail.id)}`;
  const safeName = detail.id.replace(/[^A-Za-z0-9._-]/g, "_");
  const codes = sortCodes(detail.findings.map((f) => f.code));
  const countOf = (code: string) => detail.findings.filter((f) => f.code === code).length;
  return (
    <header className="border-b border-slate-200 bg-white px-4 py-3 md:px-6 md:py-4" data-testid="chain-header">
      <div className="flex flex-col gap-3 md:flex-row md:flex-wrap md:items-start md:justify-between md:gap-4">
        <div className="min-w-0 flex-1">
          <nav aria-label="Breadcrumb" className="mb-1 text-xs text-slate-500">
            <Link href="/chains" className="hover:text-slate-900">
              Chains
            </Link>{" "}
            / <WrapId value={detail.id} label="Copy id" />
          </nav>
          <div className="flex flex-wrap items-center gap-2">
            <StatusBadge status={detail.status} />
            <SourceTag source={detail.source} />
            <ChainReviewControl chainId={detail.id} />
            <h1 className="min-w-0 text-lg font-semibold text-slate-900">
              {detail.root ? (
                <>
                  <span className="break-words">
                    <FreeText value={nameOf(detail.root.iss)} />
                  </span>{" "}
                  <span className="font-normal text-slate-500">authorized</span>{" "}
                  <code className="font-mono text-base break-all">{detail.root.purpose.code}</code>
                </>
              ) : detail.observed ? (
                <span className="break-all">
                  <FreeText
                    value={detail.observed.principal.kind === "asserted" ? detail.observed.principal.userIds.join(", ") : "Unknown principal"}
                  />{" "}
                  <span className="font-normal break-normal text-slate-500">observed with</span>{" "}
                  <span className="break-normal">
                    {plural(detail.observed.nodes.filter((n) => n.kind === "agent" || n.kind === "workflow").length, "agent")}
                  </span>
                </span>
              ) : (
                <span>Chain with no human root</span>
              )}
            </h1>
          </div>
          {detail.root && (
            <p className="mt-1 max-w-3xl text-sm break-words whitespace-pre-wrap text-slate-600">
              “<FreeText value={detail.root.purpose.text} />”
            </p>
          )}
          <p className="mt-1.5 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-slate-500">
            {detail.root && (
              <Link href={principalHref(detail.root.iss)} className="font-mono hover:text-slate-900">
                {detail.root.iss}
              </Link>
            )}
            <span>
              started <Time t={detail.startedAt} mode="full" />
            </span>
            <span>{plural(detail.hopCount, "hop")}</span>
            <span>{plural(detail.eventCount, detail.observed ? "span" : "event")}</span>
            <span className="inline-flex items-center gap-1" title={state.explain} data-testid="live-state" role="status">
              <span className={`size-1.5 rounded-full ${state.dot}`} aria-hidden="true" /> {state.word}
            </span>
          </p>
        </div>
        <div className="flex flex-col items-start gap-2 md:items-end">
          <div className="flex flex-wrap gap-1.5 md:justify-end">
            {/* Observed chains (docs/observed.md): their CSV lists observed calls (verification "observed, not verified"),
                and evidence.json is an observed record, not an evidence bundle: nothing in it is signed. */}
            <DownloadButton href={`${base}/report.pdf`} label="Report PDF" filename={`${safeName}-report.pdf`} />
            <DownloadButton href={`${base}/export.csv`} label="CSV" filename={`${safeName}.csv`} />
            <DownloadButton href={`${base}/export.csv?excel=1`} label="CSV for Excel" filename={`${safeName}-excel.csv`} />
            {detail.observed ? (
              <DownloadButton href={`${base}/evidence.json`} label="Observed record (unsigned)" filename={`${safeName}-observed.json`} />
            ) : (
              <DownloadButton href={`${base}/evidence.json`} label="Evidence bundle" filename={`${safeName}-evidence.json`} />
            )}
          </div>
          <SeverityCounts counts={detail.counts} />
        </div>
      </div>
      {codes.length > 0 && (
        <ul className="mt-3 flex flex-wrap gap-1.5" aria-label="Findings in this chain">
          {codes.map((c) => (
            <li key={c}>
              <FindingBadge code={c} count={countOf(c)} />
            </li>
          ))}
        </ul>
      )}
    </header>
  );
}
