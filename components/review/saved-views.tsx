"use client";
// Saved views: "Save view" on the chains and findings lists, and the list of views in the
// navigation (the caller's own and every shared one). A view is its URL, so opening it is a link.
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { useState } from "react";
import type { TSavedViewPage } from "@/lib/contracts/review";
import { useMe } from "@/lib/ui/hooks/use-me";
import { useDeleteView, useSaveView, useSavedViews } from "@/lib/ui/hooks/use-views";
import { Dialog } from "../settings/dialog";
import { apiErrorMessage } from "../settings/form";

export function SaveViewButton({ page }: { page: TSavedViewPage }) {
  const searchParams = useSearchParams();
  const save = useSaveView();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [shared, setShared] = useState(false);
  const close = () => {
    setOpen(false);
    setName("");
    setShared(false);
    save.reset();
  };
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    save.mutate({ name: name.trim(), page, query: searchParams.toString(), shared }, { onSuccess: close });
  };
  return (
    <>
      <button type="button" className="btn-secondary" onClick={() => setOpen(true)}>
        Save view
      </button>
      <Dialog open={open} title="Save this view" onClose={close} isBusy={save.isPending}>
        <form onSubmit={submit} className="space-y-3" aria-label="Save view">
          <p className="text-xs text-slate-500">The list with its filters as they are now. The view opens under Saved views in the navigation.</p>
          <div>
            <label htmlFor="view-name" className="label">
              Name
            </label>
            <input id="view-name" className="input" maxLength={100} required value={name} onChange={(e) => setName(e.target.value)} autoFocus />
          </div>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} />
            Shared: everyone who signs in sees it
          </label>
          {save.error && (
            <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
              {apiErrorMessage(save.error, "save the view")}
            </p>
          )}
          <div className="flex justify-end gap-2">
            <button type="button" className="btn-secondary" onClick={close} disabled={save.isPending}>
              Cancel
            </button>
            <button type="submit" className="btn-primary" disabled={save.isPending || !name.trim()}>
              {save.isPending ? "Saving…" : "Save"}
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}

export function SavedViewsNav({ onNavigate }: { onNavigate?: () => void }) {
  const me = useMe();
  const views = useSavedViews(me.data !== undefined);
  const remove = useDeleteView();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const here = `${pathname}${searchParams.size ? `?${searchParams.toString()}` : ""}`;
  const items = views.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <section aria-label="Saved views" className="border-t border-slate-100 p-2">
      <h2 className="px-2.5 pb-1 text-[11px] font-semibold tracking-wide text-slate-500 uppercase">Saved views</h2>
      <ul className="max-h-64 space-y-0.5 overflow-y-auto">
        {items.map((v) => (
          <li key={v.id} className="group flex items-center">
            <Link
              href={v.href}
              onClick={onNavigate}
              aria-current={here === v.href ? "page" : undefined}
              className={`min-w-0 flex-1 truncate rounded-md px-2.5 py-1 text-sm ${here === v.href ? "bg-slate-100 font-medium text-slate-900" : "text-slate-600 hover:bg-slate-50 hover:text-slate-900"}`}
              title={`${v.name} (${v.page}${v.shared ? ", shared" : ""})`}
            >
              {v.name}
              {v.shared && <span className="ml-1 text-[10px] text-slate-500">shared</span>}
            </Link>
            {(v.isMine || me.data?.user.role === "admin") && (
              <button
                type="button"
                className="btn-ghost px-1 text-xs text-slate-500 opacity-0 group-hover:opacity-100 focus:opacity-100"
                aria-label={`Delete saved view ${v.name}`}
                disabled={remove.isPending}
                onClick={() => remove.mutate(v.id)}
              >
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      {remove.error && <p className="px-2.5 text-xs text-red-700">{apiErrorMessage(remove.error, "delete the view")}</p>}
    </section>
  );
}
