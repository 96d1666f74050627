// Form pieces shared by the settings panels: a labelled field whose message is tied to its input
// (aria-describedby, aria-invalid), an error banner that explains the API's answer, and the
// roles in plain words.
import { isApiError } from "@/lib/ui/fetcher";
import { IconCheck, IconClose } from "../ui/icons";
import { Time } from "../ui/time";

export const BTN_DANGER =
  "inline-flex items-center justify-center gap-1.5 rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-red-800 disabled:cursor-not-allowed disabled:opacity-50";

export const ROLE_INFO: Record<string, { word: string; can: string }> = {
  admin: { word: "Admin", can: "Everything: users, API tokens, principals, the audit log, sending events." },
  investigator: {
    word: "Investigator",
    can: "Reads chains, raw tokens and the quarantine; runs investigations; triages findings and signs chains off.",
  },
  viewer: { word: "Viewer", can: "Reads and exports chains." },
  ingest: { word: "Ingest", can: "Sends events only (for producers and agents)." },
};

export function RoleBadge({ role }: { role: string }) {
  const isAdmin = role === "admin";
  return (
    <span
      className={`inline-flex items-center rounded-md px-1.5 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${
        isAdmin ? "bg-slate-900 text-white ring-slate-900" : "bg-slate-50 text-slate-700 ring-slate-300"
      }`}
      title={ROLE_INFO[role]?.can}
    >
      {ROLE_INFO[role]?.word ?? role}
    </span>
  );
}

/** Active, or ended (a token revoked, a user disabled) with when, for a row of a settings table. */
export function EndedStatus({ endedAt, endedLabel }: { endedAt: string | null; endedLabel: string }) {
  if (!endedAt) {
    return (
      <span className="inline-flex items-center gap-1 text-xs font-medium text-green-800">
        <IconCheck size={12} /> Active
      </span>
    );
  }
  return (
    <span className="inline-flex flex-wrap items-center gap-1 text-xs text-slate-600">
      <span className="inline-flex items-center gap-1 rounded-md bg-orange-50 px-1.5 py-0.5 font-medium text-orange-800 ring-1 ring-orange-600/30 ring-inset">
        <IconClose size={11} /> {endedLabel}
      </span>
      <Time t={endedAt} />
    </span>
  );
}

/** ids for aria-describedby: the hint and the error, whichever are shown. */
export function describedBy(id: string, { hint, error }: { hint?: unknown; error?: unknown }): string | undefined {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

export function Field({
  id,
  label,
  hint,
  error,
  children,
  className = "",
}: {
  id: string;
  label: React.ReactNode;
  hint?: React.ReactNode;
  error?: string | null;
  children: React.ReactNode;
  className?: string;
}) {
  return (
    <div className={className}>
      <label htmlFor={id} className="label">
        {label}
      </label>
      {children}
      {hint && !error && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="mt-1 text-xs font-medium text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}

/** What the API said, in words that say what to try. */
export function apiErrorMessage(error: unknown, what: string): string {
  if (!isApiError(error)) return `Could not ${what}. Try again.`;
  if (error.code === "network") return error.message;
  // As an admin, a 403 on a write means the session changed under us (a new sign-in elsewhere
  // rotates the CSRF token) or the role was taken away: a reload settles both.
  if (error.status === 403) return "Not allowed: your session or role changed. Reload the page and try again.";
  if (error.status >= 500) return `Could not ${what}: the server had a problem. It has been logged; try again in a moment.`;
  return error.message || `Could not ${what}.`;
}

export function FormError({ error, what }: { error: unknown; what: string }) {
  if (!error) return null;
  return (
    <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
      {apiErrorMessage(error, what)}
    </p>
  );
}
