"use client";
// An export link that downloads through fetch so long exports show bytes received. It stays a real
// link (right-click, open in new tab, no JavaScript) and only takes over the plain click.
import { useRef, useState } from "react";
import { downloadWithProgress, type TDownloadProgress } from "@/lib/ui/download";
import { formatBytes } from "@/lib/ui/format";
import { isApiError, signInUrl } from "@/lib/ui/fetcher";
import { IconDownload } from "./icons";

export function DownloadButton({ href, label, filename }: { href: string; label: string; filename: string }) {
  const [progress, setProgress] = useState<TDownloadProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);

  const start = async (e: React.MouseEvent<HTMLAnchorElement>) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return;
    e.preventDefault();
    if (abort.current) return;
    setError(null);
    const ac = new AbortController();
    abort.current = ac;
    try {
      await downloadWithProgress(href, filename, setProgress, ac.signal);
    } catch (err) {
      if (isApiError(err) && err.status === 401) {
        window.location.assign(signInUrl());
        return;
      }
      if (!(err instanceof DOMException && err.name === "AbortError")) {
        setError(isApiError(err) ? err.message : "Download failed. Check your connection and try again.");
      }
    } finally {
      abort.current = null;
      setProgress(null);
    }
  };

  const pct = progress?.total ? Math.min(100, Math.round((progress.received / progress.total) * 100)) : null;
  return (
    <span className="inline-flex flex-col items-start">
      <span className="inline-flex items-center gap-1">
        <a href={href} onClick={start} className="btn-secondary" aria-busy={progress !== null} download={filename}>
          <IconDownload size={13} />
          {label}
        </a>
        {progress && (
          <span className="inline-flex items-center gap-1.5 text-xs text-slate-600" role="status">
            {pct !== null ? (
              <span className="h-1.5 w-16 overflow-hidden rounded bg-slate-200" aria-hidden="true">
                <span className="block h-full bg-slate-600 transition-[width]" style={{ width: `${pct}%` }} />
              </span>
            ) : null}
            <span className="tabular-nums">
              {formatBytes(progress.received)}
              {pct !== null ? ` (${pct}%)` : " received"}
            </span>
            <button type="button" className="btn-ghost text-xs" onClick={() => abort.current?.abort()}>
              Cancel
            </button>
          </span>
        )}
      </span>
      {error && (
        <span role="alert" className="mt-1 text-xs text-red-700">
          {error}
        </span>
      )}
    </span>
  );
}
