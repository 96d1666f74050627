"use client";
// Filters, the selected hop and the tab live in the URL so a link reproduces the view.
// router.replace (not push) while typing keeps the back button useful.
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
  const replace = useCallback(
    (patch: TParamPatch) => router.replace(hrefWith(patch), { scroll: false }),
    [router, hrefWith],
  );
  const push = useCallback((patch: TParamPatch) => router.push(hrefWith(patch), { scroll: false }), [router, hrefWith]);
  return { searchParams, pathname, hrefWith, replace, push };
}
