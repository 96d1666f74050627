// Loading, error and empty states. Errors say what happened and what to try; empty states say
// what to do next.
"use client";
import Link from "next/link";
import { isApiError } from "@/lib/ui/fetcher";
import { IconError } from "./icons";

export function Spinner({ label = "Loading" }: { label?: string }) {
  return (
    <span role="status" className="inline-flex items-center gap-2 text-sm text-slate-500">
      <span className="size-3.5 animate-spin rounded-full border-2 border-slate-300 border-t-slate-600" aria-hidden="true" />
      {label}…
    </span>
  );
}

export function LoadingBlock({ label = "Loading", rows = 6 }: { label?: string; rows?: number }) {
  return (
    <div className="space-y-2" aria-busy="true">
      <Spinner label={label} />
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="h-8 animate-pulse rounded bg-slate-100" style={{ opacity: 1 - i * 0.12 }} />
      ))}
    </div>
  );
}

function describe(error: unknown): { title: string; detail: string } {
  if (isApiError(error)) {
    if (error.status === 404) return { title: "Not found", detail: error.message || "It may have been removed, or the link is wrong." };
    if (error.status === 403) return { title: "Not allowed", detail: "Your role cannot see this. Ask an administrator for access." };
    if (error.status === 401) return { title: "Signed out", detail: "Your session ended. Taking you to sign-in…" };
    if (error.code === "network") return { title: "Cannot reach the server", detail: error.message };
    if (error.status === 400) return { title: "That request was not valid", detail: error.message };
    if (error.status >= 500) return { title: "The server had a problem", detail: "It has been logged. Try again in a moment." };
    return { title: "Something went wrong", detail: error.message };
  }
  return { title: "Something went wrong", detail: error instanceof Error ? error.message : String(error) };
}

export function ErrorState({
  error,
  onRetry,
  compact,
  back,
}: {
  error: unknown;
  onRetry?: () => void;
  compact?: boolean;
  back?: { href: string; label: string };
}) {
  const { title, detail } = describe(error);
  // Retrying a 404 or a 403 changes nothing; offer a way back instead.
  const canRetry = onRetry && !(isApiError(error) && error.status >= 400 && error.status < 500);
  return (
    <div role="alert" className={`flex items-start gap-3 rounded-lg border border-red-200 bg-red-50/60 text-sm ${compact ? "p-3" : "p-4"}`}>
      <span className="mt-0.5 text-red-700">
        <IconError size={16} />
      </span>
      <div className="min-w-0 flex-1">
        <p className="font-medium text-red-900">{title}</p>
        <p className="mt-0.5 break-words text-red-800">{detail}</p>
      </div>
      {canRetry && (
        <button type="button" onClick={onRetry} className="btn-secondary shrink-0">
          Try again
        </button>
      )}
      {back && (
        <Link href={back.href} className="btn-secondary shrink-0">
          {back.label}
        </Link>
      )}
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: React.ReactNode; action?: { href: string; label: string } }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-10 text-center">
      <p className="font-medium text-slate-800">{title}</p>
      {children && <div className="mx-auto mt-2 max-w-xl text-sm text-slate-600">{children}</div>}
      {action && (
        <Link href={action.href} className="btn-secondary mt-4 inline-flex">
          {action.label}
        </Link>
      )}
    </div>
  );
}

/** What to do when there is nothing yet: send a first event. */
export function FirstEventHint() {
  return (
    <div className="space-y-2 text-left">
      <p>Delegraph shows chains as soon as your agents send signed events. To send a first one:</p>
      <ol className="list-decimal space-y-1 pl-5">
        <li>
          Register the human and each agent with a public key: <code className="mono-chip">POST /api/v1/principals</code>
        </li>
        <li>
          Sign an <code className="mono-chip">authorize</code> event with the human&apos;s key (or use the SDK&apos;s{" "}
          <code className="mono-chip">authorize()</code> builder)
        </li>
        <li>
          Send it: <code className="mono-chip">POST /api/v1/events</code> with <code className="mono-chip">Authorization: Bearer &lt;token&gt;</code>
        </li>
      </ol>
      <p>
        New chains appear here within a few seconds, no reload needed. To explore first, start the server with{" "}
        <code className="mono-chip">DELEGRAPH_DEMO=1</code> on an empty database to load six demo chains.
      </p>
    </div>
  );
}

/** Data is on screen but the last refresh failed: say so without hiding what we have. */
export function StaleNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null;
  const { title } = describe(error);
  return (
    <p role="status" className="mb-3 flex items-center gap-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-1.5 text-sm text-amber-900">
      <IconError size={14} />
      <span>Live updates paused ({title.toLowerCase()}); showing the last data received.</span>
      {onRetry && (
        <button type="button" className="btn-ghost ml-auto text-sm" onClick={onRetry}>
          Retry now
        </button>
      )}
    </p>
  );
}
