"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "../fetcher";
import { authKeys } from "../query-keys";

export type TSignInInput = { email: string; password: string };

export function useSignIn() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: TSignInInput) =>
      apiRequest<{ user: { id: string; email: string; role: string } }>("/api/auth/sign-in", {
        method: "POST",
        body: input,
      }),
    // A previous user's cached pages must not flash for the next one.
    onSuccess: () => qc.removeQueries({ predicate: (q) => q.queryKey[0] !== authKeys.all[0] }),
    onSettled: () => qc.invalidateQueries({ queryKey: authKeys.all }),
  });
}
