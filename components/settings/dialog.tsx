"use client";
// A modal on the native <dialog>: the browser traps focus, closes on Escape, makes the rest of the
// page inert and returns focus to the button that opened it. While a request is in flight the
// dialog stays open, so its outcome (or error) is not lost.
import { useEffect, useId, useRef } from "react";
import { BTN_DANGER } from "./form";

export function Dialog({
  open,
  title,
  onClose,
  isBusy,
  children,
}: {
  open: boolean;
  title: React.ReactNode;
  onClose: () => void;
  isBusy?: boolean;
  children: React.ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        if (!isBusy) onClose();
      }}
      // The browser may still close it (a second Escape): keep our state in step.
      onClose={() => {
        if (open) onClose();
      }}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/40"
    >
      {open && (
        <div className="p-5">
          <h2 id={titleId} className="text-base font-semibold text-slate-900">
            {title}
          </h2>
          <div className="mt-2 text-sm text-slate-700">{children}</div>
        </div>
      )}
    </dialog>
  );
}

/** "Are you sure?" for actions that cannot be undone. Cancel has the focus, so Enter is safe. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  busyLabel,
  isBusy,
  error,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: React.ReactNode;
  children: React.ReactNode;
  confirmLabel: string;
  busyLabel: string;
  isBusy: boolean;
  error?: string | null;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Dialog open={open} title={title} onClose={onClose} isBusy={isBusy}>
      <div className="space-y-2">{children}</div>
      {error && (
        <p role="alert" className="mt-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
      <div className="mt-5 flex justify-end gap-2">
        <button type="button" className="btn-secondary" onClick={onClose} disabled={isBusy} autoFocus>
          Cancel
        </button>
        <button type="button" className={BTN_DANGER} onClick={onConfirm} disabled={isBusy}>
          {isBusy ? busyLabel : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
