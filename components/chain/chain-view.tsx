"use client";
// The chain page: header, Graph and Timeline tabs, and the hop inspector on the right.
// The tab (?tab=) and the selected hop (?hop=<jti>) live in the URL, so a link reproduces the view.
import { useCallback, useEffect, useMemo } from "react";
import { indexChain, resolveSelection } from "@/lib/ui/chain-selection";
import { useChain } from "@/lib/ui/hooks/use-chain";
import { useUrlState } from "@/lib/ui/use-url-state";
import { prewarmLayoutWorker } from "@/lib/ui/graph/use-graph-layout";
import { ChainGraph } from "../graph/chain-graph";
import { HopInspector } from "../hop/hop-inspector";
import { PrincipalPanel } from "../hop/principal-panel";
import { ErrorState, LoadingBlock, StaleNotice } from "../ui/states";
import { ChainHeader } from "./chain-header";
import { RefusalsBanner } from "./refusals-banner";
import { ObservedBanner, ObservedCalls, ObservedInspector } from "./observed-panel";
import { Timeline } from "./timeline";
import { PhoneAuthorityPath } from "./phone-authority-path";

const TABS = [
  { id: "graph", label: "Graph" },
  { id: "timeline", label: "Timeline" },
] as const;
type TTab = (typeof TABS)[number]["id"];

export function ChainView({ id }: { id: string }) {
  const { searchParams, replace } = useUrlState();
  const tab: TTab = searchParams.get("tab") === "timeline" ? "timeline" : "graph";
  const hopJti = searchParams.get("hop");
  // ?principal=<id>: a principal's node was clicked; a selected hop wins over it.
  const principalId = hopJti ? null : searchParams.get("principal");
  const chain = useChain(id);
  const detail = chain.data;
  useEffect(() => prewarmLayoutWorker(), []);

  const index = useMemo(() => (detail ? indexChain(detail) : null), [detail]);
  const selection = useMemo(() => (index ? resolveSelection(index, hopJti) : null), [index, hopJti]);
  const names = useMemo(() => new Map((detail?.nodes ?? []).map((n) => [n.id, n.name || n.id] as const)), [detail]);
  const nameOf = useCallback((pid: string) => names.get(pid) ?? pid, [names]);
  const onSelect = useCallback((jti: string | null) => replace({ hop: jti, principal: null }), [replace]);
  const onSelectPrincipal = useCallback((pid: string) => replace({ principal: pid, hop: null }), [replace]);
  const closePrincipal = useCallback(() => replace({ principal: null }), [replace]);

  // Escape closes the inspector or the principal panel (not while typing in a field).
  const panelOpen = Boolean(hopJti || principalId);
  useEffect(() => {
    if (!panelOpen) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape" || e.defaultPrevented) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
      replace({ hop: null, principal: null });
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [panelOpen, replace]);

  if (chain.isPending) {
    return (
      <div className="p-6">
        <LoadingBlock label="Loading chain" />
      </div>
    );
  }
  if (!detail || !index) {
    return (
      <div className="p-6">
        <ErrorState error={chain.error} onRetry={() => chain.refetch()} back={{ href: "/chains", label: "All chains" }} />
      </div>
    );
  }

  const onTabKey = (e: React.KeyboardEvent) => {
    if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
    const next = tab === "graph" ? "timeline" : "graph";
    replace({ tab: next === "graph" ? null : next });
    requestAnimationFrame(() => document.getElementById(`tab-${next}`)?.focus());
  };

  return (
    <div className="flex h-full min-h-0 flex-col">
      <ChainHeader detail={detail} nameOf={nameOf} live={{ isFetching: chain.isFetching, isError: chain.isError }} />
      <RefusalsBanner chainId={detail.id} />
      {detail.observed && <ObservedBanner detail={detail} />}
      {chain.isError && (
        <div className="bg-white px-6 pt-2">
          <StaleNotice error={chain.error} onRetry={() => chain.refetch()} />
        </div>
      )}
      {!detail.observed && tab === "graph" && <PhoneAuthorityPath index={index} nameOf={nameOf} selectedJti={hopJti} onSelect={onSelect} />}
      <div role="tablist" aria-label="Chain views" className="flex shrink-0 gap-1 border-b border-slate-200 bg-white px-6" onKeyDown={onTabKey}>
        {TABS.map((t) => (
          <button
            key={t.id}
            id={`tab-${t.id}`}
            role="tab"
            type="button"
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => replace({ tab: t.id === "graph" ? null : t.id })}
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${
              tab === t.id ? "border-slate-900 text-slate-900" : "border-transparent text-slate-500 hover:text-slate-800"
            }`}
          >
            {t.id === "timeline" && detail.observed ? "Calls" : t.label}
            {t.id === "timeline" && (
              <span className="ml-1 text-xs font-normal text-slate-500">{detail.observed ? detail.observed.edges.length : detail.eventCount}</span>
            )}
          </button>
        ))}
      </div>
      <div className="flex min-h-0 flex-1 flex-col lg:flex-row">
        <div id={`panel-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`} className="relative min-h-[420px] min-w-0 flex-1 bg-slate-50">
          {tab === "graph" ? (
            <ChainGraph
              detail={detail}
              index={index}
              selection={selection}
              onSelect={onSelect}
              onSelectPrincipal={detail.observed ? undefined : onSelectPrincipal}
              selectedPrincipal={detail.observed ? null : principalId}
            />
          ) : detail.observed ? (
            <ObservedCalls detail={detail} selectedId={hopJti} onSelect={onSelect} />
          ) : (
            <Timeline detail={detail} selectedJti={hopJti} onSelect={onSelect} />
          )}
        </div>
        {!detail.observed && principalId && (
          <div className="h-[60vh] w-full shrink-0 lg:h-auto lg:w-[420px]">
            <PrincipalPanel detail={detail} principalId={principalId} nameOf={nameOf} onSelect={onSelect} onClose={closePrincipal} />
          </div>
        )}
        {detail.observed && hopJti && (
          <div className="h-[60vh] w-full shrink-0 lg:h-auto lg:w-[420px]">
            <ObservedInspector detail={detail} edgeId={hopJti} onSelect={onSelect} />
          </div>
        )}
        {!detail.observed && selection && (
          <div className="h-[60vh] w-full shrink-0 lg:h-auto lg:w-[420px]">
            <HopInspector detail={detail} index={index} selection={selection} nameOf={nameOf} onSelect={onSelect} />
          </div>
        )}
      </div>
    </div>
  );
}
