"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "../fetcher";

export function useSignOut() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (csrfToken: string | undefined) => apiRequest<unknown>("/api/auth/sign-out", { method: "POST", body: {}, csrfToken }),
    onSettled: () => qc.clear(),
  });
}
