"use client";
// One QueryClient per browser tab. A 401 from any query means the session is gone: send the
// reader to sign-in and bring them back to the same URL afterwards.
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { isApiError, signInUrl } from "@/lib/ui/fetcher";

let redirecting = false;

function onAuthError(error: unknown) {
  if (!isApiError(error) || error.status !== 401 || redirecting) return;
  if (typeof window === "undefined" || window.location.pathname.startsWith("/sign-in")) return;
  redirecting = true;
  window.location.assign(signInUrl());
}

function makeClient() {
  return new QueryClient({
    queryCache: new QueryCache({ onError: onAuthError }),
    mutationCache: new MutationCache({ onError: onAuthError }),
    defaultOptions: {
      queries: {
        staleTime: 2_000,
        // Client errors will not fix themselves on retry; server hiccups might.
        retry: (count, error) => !(isApiError(error) && error.status >= 400 && error.status < 500) && count < 2,
        refetchOnWindowFocus: true,
      },
    },
  });
}

export function Providers({ children }: { children: React.ReactNode }) {
  const [client] = useState(makeClient);
  // Marks the page interactive once React has taken over the server's markup (effects run child
  // first, so every component of the first render has mounted). The e2e suite waits for it before
  // typing, as a person would wait for the page to respond.
  useEffect(() => {
    document.documentElement.dataset.hydrated = "";
  }, []);
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
