"use client";
// A render error in one page must not blank the whole dashboard: the navigation stays, the
// reader learns what happened and can retry.
import { useEffect } from "react";

export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div className="mx-auto max-w-2xl p-6">
      <div role="alert" className="rounded-lg border border-red-200 bg-red-50/60 p-5">
        <h1 className="font-semibold text-red-900">This page could not be shown</h1>
        <p className="mt-1 text-sm text-red-800">
          Something went wrong while drawing it. Your data is safe; try again, or go back to the overview.
          {error.digest && (
            <>
              {" "}
              Reference <code className="font-mono">{error.digest}</code>.
            </>
          )}
        </p>
        <div className="mt-3 flex gap-2">
          <button type="button" className="btn-primary" onClick={reset}>
            Try again
          </button>
          <a href="/" className="btn-secondary">
            Overview
          </a>
        </div>
      </div>
    </div>
  );
}
