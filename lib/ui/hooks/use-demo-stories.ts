"use client";
import { useQueries } from "@tanstack/react-query";
import type { TChainList, TChainSummary } from "@/lib/contracts/chains";
import { DEMO_STORY_CARDS, type TDemoStoryCard } from "../demo";
import { apiGet, toQueryString } from "../fetcher";
import { chainKeys } from "../query-keys";

export type TDemoStoryChain = TDemoStoryCard & { chain: TChainSummary | null };

/** The newest chain of each demo story (by its human root); `present` once any of them exists. */
export function useDemoStories() {
  const results = useQueries({
    queries: DEMO_STORY_CARDS.map((story) => ({
      queryKey: chainKeys.list({ principal: story.human }, "demo-story"),
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        apiGet<TChainList>(`/api/v1/chains${toQueryString({ principal: story.human, limit: 1 })}`, signal),
      staleTime: 60_000,
    })),
  });
  const stories: TDemoStoryChain[] = DEMO_STORY_CARDS.map((story, i) => ({
    ...story,
    chain: results[i].data?.items.find((c) => c.rootIss === story.human) ?? null,
  }));
  return { stories, present: stories.some((s) => s.chain), pending: results.some((r) => r.isPending) };
}
