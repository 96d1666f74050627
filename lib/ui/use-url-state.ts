"use client";
// Filters, the selected hop and the tab live in the URL so a link reproduces the view.
// Replacing (not pushing) while typing and clicking keeps the back button useful.
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback } from "react";

export type TParamPatch = Record<string, string | string[] | null | undefined>;

export function applyPatch(current: URLSearchParams, patch: TParamPatch): URLSearchParams {
  const next = new URLSearchParams(current.toString());
  for (const [k, v] of Object.entries(patch)) {
    next.delete(k);
    if (v === null || v === undefined || v === "") continue;
    if (Array.isArray(v)) for (const item of v) next.append(k, item);
    else next.set(k, v);
  }
  return next;
}

export function useUrlState() {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const hrefWith = useCallback(
    (patch: TParamPatch) => {
      const qs = applyPatch(new URLSearchParams(searchParams.toString()), patch).toString();
      return qs ? `${pathname}?${qs}` : pathname;
    },
    [pathname, searchParams],
  );
  // The native history API is wired into the App Router (useSearchParams follows it) and, unlike
  // router.replace, does not ask the server to re-render the page for a new query string: a
  // selected hop or a filter change costs a client render, not a round trip.
  const replace = useCallback((patch: TParamPatch) => window.history.replaceState(null, "", hrefWith(patch)), [hrefWith]);
  const push = useCallback((patch: TParamPatch) => router.push(hrefWith(patch), { scroll: false }), [router, hrefWith]);
  return { searchParams, pathname, hrefWith, replace, push };
}
