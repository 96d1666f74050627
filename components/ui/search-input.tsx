"use client";
import { useEffect, useRef, useState } from "react";
import { IconSearch } from "./icons";

/** A text input that commits (to the URL) after a pause in typing, on Enter, or on blur. */
export function SearchInput({
  id,
  label,
  value,
  onCommit,
  placeholder,
  mono,
  showLabel,
  icon = true,
}: {
  id: string;
  label: string;
  value: string;
  onCommit: (v: string) => void;
  placeholder?: string;
  mono?: boolean;
  showLabel?: boolean;
  icon?: boolean;
}) {
  const [local, setLocal] = useState(value);
  const committed = useRef(value);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (value !== committed.current) {
      committed.current = value;
      setLocal(value);
    }
  }, [value]);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  const commit = (v: string) => {
    if (timer.current) clearTimeout(timer.current);
    const t = v.trim();
    if (t === committed.current) return;
    committed.current = t;
    onCommit(t);
  };
  return (
    <div>
      <label htmlFor={id} className={showLabel ? "label" : "sr-only"}>
        {label}
      </label>
      <div className="relative">
        {icon && (
          <span className="pointer-events-none absolute top-1/2 left-2.5 -translate-y-1/2 text-slate-500">
            <IconSearch size={14} />
          </span>
        )}
        <input
          id={id}
          name={id}
          type={icon ? "search" : "text"}
          value={local}
          placeholder={placeholder}
          className={`input ${icon ? "pl-8" : ""} ${mono ? "font-mono text-[13px]" : ""}`}
          onChange={(e) => {
            setLocal(e.target.value);
            if (timer.current) clearTimeout(timer.current);
            const v = e.target.value;
            timer.current = setTimeout(() => commit(v), 350);
          }}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              commit(local);
            }
          }}
          onBlur={() => commit(local)}
        />
      </div>
    </div>
  );
}
