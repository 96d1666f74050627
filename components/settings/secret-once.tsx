"use client";
// A secret shown once (a new API token, a new webhook's signing secret): focus moves to its heading so
// keyboard and screen-reader users meet it first, and it stays until the person says it is stored.
import { useEffect, useRef, type ReactNode } from "react";
import { CopyButton } from "../ui/copy-button";
import { IconWarning } from "../ui/icons";

type TProps = {
  /** the id prefix of the section, its heading and its input, and its data-testid */
  id: string;
  /** changes when another secret is shown, so focus moves again */
  secretKey: string;
  title: ReactNode;
  /** what the secret is for and what to do when it is lost, after "You will not see it again." */
  lead: ReactNode;
  secret: string;
  inputLabel: string;
  copyLabel: string;
  footer?: ReactNode;
  onDone: () => void;
};

export function SecretOnce({ id, secretKey, title, lead, secret, inputLabel, copyLabel, footer, onDone }: TProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [secretKey]);
  return (
    <section aria-labelledby={`${id}-title`} className="rounded-lg border border-amber-300 bg-amber-50 p-4" data-testid={id}>
      <h3 id={`${id}-title`} ref={heading} tabIndex={-1} className="flex items-center gap-2 text-sm font-semibold text-amber-950 outline-none">
        <IconWarning size={14} />
        {title}
      </h3>
      <p className="mt-1 text-sm text-amber-900">
        <strong>You will not see it again.</strong> {lead}
      </p>
      <div className="mt-3 flex items-center gap-2 rounded-md border border-amber-200 bg-white px-3 py-2">
        <label htmlFor={`${id}-value`} className="sr-only">
          {inputLabel}
        </label>
        <input
          id={`${id}-value`}
          readOnly
          value={secret}
          className="min-w-0 flex-1 bg-transparent font-mono text-[13px] text-slate-900 outline-none focus-visible:outline-2"
          onFocus={(e) => e.currentTarget.select()}
          spellCheck={false}
        />
        <CopyButton value={secret} label={copyLabel} />
      </div>
      {footer}
      <div className="mt-3">
        <button type="button" className="btn-secondary" onClick={onDone}>
          I have stored it
        </button>
      </div>
    </section>
  );
}
