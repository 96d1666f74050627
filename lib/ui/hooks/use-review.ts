"use client";
// The review workflow's reads and writes (docs/review.md). Every write refreshes the findings, the
// chains (their review status) and the reviews it touched.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type {
  TBulkReviewResult,
  TChainReview,
  TChainReviewBody,
  TFindingReviewBulk,
  TFindingReviewPatch,
  TFindingWithHistory,
} from "@/lib/contracts/review";
import { apiGet, apiRequest } from "../fetcher";
import { chainKeys, findingKeys } from "../query-keys";
import { useMe } from "./use-me";

export const reviewKeys = {
  all: ["review"] as const,
  finding: (id: string | number) => [...reviewKeys.all, "finding", String(id)] as const,
  chain: (id: string) => [...reviewKeys.all, "chain", id] as const,
};

function useRefresh() {
  const qc = useQueryClient();
  return () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: reviewKeys.all }),
      qc.invalidateQueries({ queryKey: findingKeys.all }),
      qc.invalidateQueries({ queryKey: chainKeys.all }),
    ]);
}

export function useFindingReview(id: string | number | null) {
  return useQuery({
    queryKey: reviewKeys.finding(id ?? ""),
    queryFn: ({ signal }) => apiGet<TFindingWithHistory>(`/api/v1/findings/${encodeURIComponent(String(id))}`, signal),
    enabled: id !== null,
  });
}

export function useReviewFinding() {
  const me = useMe();
  const refresh = useRefresh();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string | number; patch: TFindingReviewPatch }) =>
      apiRequest<TFindingWithHistory>(`/api/v1/findings/${encodeURIComponent(String(id))}`, {
        method: "PATCH",
        body: patch,
        csrfToken: me.data?.csrfToken,
      }),
    onSuccess: refresh,
  });
}

export function useBulkReview() {
  const me = useMe();
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: TFindingReviewBulk) =>
      apiRequest<TBulkReviewResult>("/api/v1/findings/bulk", { method: "POST", body, csrfToken: me.data?.csrfToken }),
    onSuccess: refresh,
  });
}

export function useChainReview(chainId: string) {
  return useQuery({
    queryKey: reviewKeys.chain(chainId),
    queryFn: ({ signal }) => apiGet<TChainReview>(`/api/v1/chains/${encodeURIComponent(chainId)}/review`, signal),
  });
}

export function useSetChainReview(chainId: string) {
  const me = useMe();
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: TChainReviewBody) =>
      apiRequest<TChainReview>(`/api/v1/chains/${encodeURIComponent(chainId)}/review`, { method: "PUT", body, csrfToken: me.data?.csrfToken }),
    onSuccess: refresh,
  });
}
