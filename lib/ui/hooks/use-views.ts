"use client";
// Saved views (docs/review.md#saved-views): the list in the navigation, save and delete.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TSavedView, TSavedViewBody, TSavedViewList } from "@/lib/contracts/review";
import { apiGet, apiRequest } from "../fetcher";
import { useMe } from "./use-me";

export const viewKeys = { all: ["views"] as const };

export function useSavedViews(enabled = true) {
  return useQuery({
    queryKey: viewKeys.all,
    queryFn: ({ signal }) => apiGet<TSavedViewList>("/api/v1/views", signal),
    enabled,
    staleTime: 60_000,
  });
}

export function useSaveView() {
  const me = useMe();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: TSavedViewBody) => apiRequest<TSavedView>("/api/v1/views", { method: "POST", body, csrfToken: me.data?.csrfToken }),
    onSuccess: () => qc.invalidateQueries({ queryKey: viewKeys.all }),
  });
}

export function useDeleteView() {
  const me = useMe();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiRequest<void>(`/api/v1/views/${encodeURIComponent(id)}`, { method: "DELETE", csrfToken: me.data?.csrfToken }),
    onSuccess: () => qc.invalidateQueries({ queryKey: viewKeys.all }),
  });
}
